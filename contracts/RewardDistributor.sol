// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {HeartToken} from "./HeartToken.sol";
import {IHeartToken} from "./interfaces/IHeartToken.sol";
import {ILedgerAnchor} from "./interfaces/ILedgerAnchor.sol";
import {IRewardDistributor} from "./interfaces/IRewardDistributor.sol";

/**
 * @title RewardDistributor
 * @notice Players (or anyone on their behalf) claim Heart against an anchored epoch's rewards root.
 * Leaves are OpenZeppelin StandardMerkleTree leaves of (address account, uint256 cumulativeAmount);
 * the distributor mints the difference between the proven cumulative amount and what was claimed.
 * @dev The constructor deploys the HeartToken with this contract as its only minter, so no account
 * ever holds a temporary minting or role-granting privilege during deployment. Not pausable on purpose:
 * a pause flag would cost a cold SLOAD per claim; stop claims by pausing anchoring or revoking MINTER_ROLE.
 */
contract RewardDistributor is IRewardDistributor {
    IHeartToken private immutable _token;
    ILedgerAnchor private immutable _anchor;

    mapping(address account => uint256) private _claimed;

    /// @param anchor_ LedgerAnchor holding the rewards roots.
    /// @param tokenAdmin Receives DEFAULT_ADMIN_ROLE of the Heart token.
    constructor(ILedgerAnchor anchor_, address tokenAdmin) {
        if (address(anchor_) == address(0) || tokenAdmin == address(0)) revert HeartZeroAddress();
        _anchor = anchor_;
        _token = new HeartToken(tokenAdmin, address(this));
    }

    /// @inheritdoc IRewardDistributor
    function claim(address account, uint256 cumulativeAmount, uint64 epoch, bytes32[] calldata proof)
        external
        returns (uint256 amount)
    {
        return _claim(account, cumulativeAmount, epoch, proof);
    }

    /// @inheritdoc IRewardDistributor
    function claimMany(Claim[] calldata claims) external returns (uint256 total) {
        uint256 length = claims.length;
        for (uint256 i = 0; i < length; ++i) {
            Claim calldata c = claims[i];
            total += _claim(c.account, c.cumulativeAmount, c.epoch, c.proof);
        }
    }

    /// @inheritdoc IRewardDistributor
    function claimed(address account) external view returns (uint256) {
        return _claimed[account];
    }

    /// @inheritdoc IRewardDistributor
    function token() external view returns (IHeartToken) {
        return _token;
    }

    /// @inheritdoc IRewardDistributor
    function anchor() external view returns (ILedgerAnchor) {
        return _anchor;
    }

    /// @inheritdoc IRewardDistributor
    function leafHash(address account, uint256 cumulativeAmount) external pure returns (bytes32) {
        return _leafHash(account, cumulativeAmount);
    }

    function _claim(address account, uint256 cumulativeAmount, uint64 epoch, bytes32[] calldata proof)
        internal
        returns (uint256 amount)
    {
        bytes32 root = _rewardsRoot(epoch);
        if (root == bytes32(0)) revert HeartRewardsEpochNotAnchored(epoch);
        uint256 alreadyClaimed = _claimed[account];
        if (cumulativeAmount <= alreadyClaimed) {
            if (cumulativeAmount == alreadyClaimed) revert HeartNothingToClaim(account, cumulativeAmount);
            revert HeartCumulativeAmountDecreased(account, alreadyClaimed, cumulativeAmount);
        }
        if (_processProof(proof, _leafHash(account, cumulativeAmount)) != root) {
            revert HeartInvalidProof(account, cumulativeAmount, epoch);
        }
        _claimed[account] = cumulativeAmount;
        // Cannot underflow: cumulativeAmount > alreadyClaimed was checked above.
        unchecked {
            amount = cumulativeAmount - alreadyClaimed;
        }
        emit Claimed(account, epoch, amount, cumulativeAmount);
        _mint(account, amount);
    }

    /// @dev `_anchor.rewardsRoot(epoch)`.
    function _rewardsRoot(uint64 epoch) internal view returns (bytes32 root) {
        address anchor_ = address(_anchor);
        bytes4 selector = ILedgerAnchor.rewardsRoot.selector;
        bool ok;
        // Why assembly: a hand-rolled STATICCALL skips ABI-encoder and decoder overhead on the claim hot path;
        // a missing or short return is treated as failure.
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, selector)
            mstore(add(ptr, 0x04), epoch)
            ok := staticcall(gas(), anchor_, ptr, 0x24, 0x00, 0x20)
            ok := and(ok, eq(returndatasize(), 0x20))
            root := mload(0x00)
        }
        if (!ok) revert HeartAnchorCallFailed();
    }

    /// @dev `_token.mint(account, amount)`, bubbling up the token's revert data.
    function _mint(address account, uint256 amount) internal {
        address token_ = address(_token);
        bytes4 selector = IHeartToken.mint.selector;
        // Why assembly: a hand-rolled CALL skips the ABI encoder and the EXTCODESIZE pre-check (the token is
        // deployed by our constructor, so it always has code).
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, selector)
            mstore(add(ptr, 0x04), account)
            mstore(add(ptr, 0x24), amount)
            if iszero(call(gas(), token_, 0, ptr, 0x44, 0x00, 0x00)) {
                returndatacopy(ptr, 0x00, returndatasize())
                revert(ptr, returndatasize())
            }
        }
    }

    /// @dev OpenZeppelin MerkleProof.processProofCalldata (sorted-pair keccak256), leaf to root.
    function _processProof(bytes32[] calldata proof, bytes32 leaf) internal pure returns (bytes32 node) {
        // Why assembly: the loop runs once per tree level (20 for 1M leaves); hashing in scratch space without
        // bounds checks roughly halves its cost. Reads stay within proof's calldata bounds by construction.
        assembly ("memory-safe") {
            node := leaf
            let end := add(proof.offset, shl(5, proof.length))
            for { let p := proof.offset } lt(p, end) { p := add(p, 0x20) } {
                let sibling := calldataload(p)
                // Branchless sorted pair: first = min(node, sibling), second = first ^ node ^ sibling.
                let x := xor(node, sibling)
                let first := xor(node, mul(x, lt(sibling, node)))
                mstore(0x00, first)
                mstore(0x20, xor(first, x))
                node := keccak256(0x00, 0x40)
            }
        }
    }

    /// @dev keccak256(bytes.concat(keccak256(abi.encode(account, cumulativeAmount)))), the StandardMerkleTree leaf.
    function _leafHash(address account, uint256 cumulativeAmount) internal pure returns (bytes32 leaf) {
        // Why assembly: both hashes run in the 64-byte scratch space instead of allocating abi.encode buffers.
        assembly ("memory-safe") {
            mstore(0x00, and(account, 0xffffffffffffffffffffffffffffffffffffffff))
            mstore(0x20, cumulativeAmount)
            mstore(0x00, keccak256(0x00, 0x40))
            leaf := keccak256(0x00, 0x20)
        }
    }
}
