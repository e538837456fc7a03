// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/**
 * @title RFC6962
 * @notice RFC 6962 / RFC 9162 Merkle tree hashing and proof verification over SHA-256.
 * @dev Leaf hash is SHA-256(0x00 || data), interior node hash is SHA-256(0x01 || left || right).
 * Inclusion verification follows RFC 9162 §2.1.3.2 and consistency verification §2.1.4.2, with
 * the edge cases of the transparency-dev/merkle reference verifier (size1 == size2, size1 == 0).
 * Hashing goes through the SHA-256 precompile at address 0x02.
 */
library RFC6962 {
    /// @notice The SHA-256 precompile call failed (it cannot fail on a correctly configured chain).
    error RFC6962HashFailed();

    /// @notice Returns SHA-256(0x00 || data), the RFC 6962 leaf hash of `data`.
    function hashLeaf(bytes memory data) internal pure returns (bytes32) {
        return sha256(abi.encodePacked(bytes1(0x00), data));
    }

    /// @notice Returns SHA-256(0x01 || left || right), the RFC 6962 interior node hash.
    function hashChildren(bytes32 left, bytes32 right) internal view returns (bytes32 result) {
        bool ok;
        // Why assembly: hashes 65 bytes in scratch memory past the free pointer without allocating,
        // which is the hot loop of every proof verification (memory is not reserved, only borrowed).
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore8(ptr, 0x01)
            mstore(add(ptr, 0x01), left)
            mstore(add(ptr, 0x21), right)
            ok := staticcall(gas(), 0x02, ptr, 0x41, 0x00, 0x20)
            result := mload(0x00)
        }
        if (!ok) revert RFC6962HashFailed();
    }

    /**
     * @notice Verifies that `leafHash` is the leaf at `leafIndex` of the tree of `treeSize` leaves with head `root`.
     * @dev RFC 9162 §2.1.3.2.
     */
    function verifyInclusion(
        uint256 leafIndex,
        uint256 treeSize,
        bytes32 leafHash,
        bytes32[] calldata proof,
        bytes32 root
    ) internal view returns (bool) {
        if (leafIndex >= treeSize) return false;
        uint256 fn = leafIndex;
        uint256 sn = treeSize - 1;
        bytes32 r = leafHash;
        uint256 length = proof.length;
        for (uint256 i = 0; i < length; ++i) {
            if (sn == 0) return false;
            bytes32 p = proof[i];
            if (fn & 1 == 1 || fn == sn) {
                r = hashChildren(p, r);
                if (fn & 1 == 0) {
                    // fn != 0 here (fn == sn > 0), so the loop terminates.
                    while (fn & 1 == 0 && fn != 0) {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            } else {
                r = hashChildren(r, p);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && r == root;
    }

    /**
     * @notice Verifies that the tree of `size2` leaves with head `root2` extends the tree of `size1` leaves with head `root1`.
     * @dev RFC 9162 §2.1.4.2. Equal sizes require equal roots and an empty proof; size1 == 0 is consistent with
     * anything but only with an empty proof; size1 > size2 never verifies.
     */
    function verifyConsistency(
        uint256 size1,
        uint256 size2,
        bytes32 root1,
        bytes32 root2,
        bytes32[] calldata proof
    ) internal view returns (bool) {
        if (size1 > size2) return false;
        if (size1 == size2) return proof.length == 0 && root1 == root2;
        if (size1 == 0) return proof.length == 0;
        uint256 length = proof.length;
        if (length == 0) return false;

        uint256 fn = size1 - 1;
        uint256 sn = size2 - 1;
        // Step 2: when size1 is a power of two its root is the implicit first element of the path.
        uint256 start;
        bytes32 fr;
        if (size1 & fn == 0) {
            fr = root1;
        } else {
            fr = proof[0];
            start = 1;
        }
        // Step 4.
        while (fn & 1 == 1) {
            fn >>= 1;
            sn >>= 1;
        }
        bytes32 sr = fr;
        for (uint256 i = start; i < length; ++i) {
            if (sn == 0) return false;
            bytes32 c = proof[i];
            if (fn & 1 == 1 || fn == sn) {
                fr = hashChildren(c, fr);
                sr = hashChildren(c, sr);
                if (fn & 1 == 0) {
                    while (fn & 1 == 0 && fn != 0) {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            } else {
                sr = hashChildren(sr, c);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && fr == root1 && sr == root2;
    }
}
