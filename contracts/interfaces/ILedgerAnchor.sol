// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title ILedgerAnchor
/// @notice Monthly anchors of the OneHeart ledger: an RFC 6962 tree head plus the rewards Merkle root.
interface ILedgerAnchor {
    /// @notice Stored per-epoch record (three storage slots).
    /// @dev exportURI and exportHash are only emitted in {EpochAnchored}; the record keeps a 192-bit
    /// commitment `bytes24(keccak256(abi.encode(exportURI, exportHash)))` checkable with {verifyExport}.
    struct EpochRecord {
        uint64 epoch;
        uint64 treeSize;
        bytes24 exportCommitment;
        bytes32 logRoot;
        bytes32 rewardsRoot;
    }

    /// @notice The epoch is not the one following the latest anchored epoch.
    error HeartEpochNotSequential(uint64 expected, uint64 provided);

    /// @notice The new tree is smaller than the previously anchored tree.
    error HeartTreeSizeDecreased(uint64 previousSize, uint64 newSize);

    /// @notice The first anchored tree must contain at least one entry.
    error HeartEmptyTree();

    /// @notice The consistency proof does not show that the new tree head extends the previous one.
    error HeartLogInconsistent(uint64 previousSize, bytes32 previousRoot, uint64 newSize, bytes32 newRoot);

    /// @notice The epoch has not been anchored.
    error HeartEpochNotAnchored(uint64 epoch);

    /// @notice A constructor argument that must be an address was the zero address.
    error HeartZeroAddress();

    /// @notice Emitted when `epoch` is anchored.
    event EpochAnchored(
        uint64 indexed epoch,
        uint64 treeSize,
        bytes32 logRoot,
        bytes32 rewardsRoot,
        string exportURI,
        bytes32 exportHash
    );

    /**
     * @notice Anchors the next epoch. Only ANCHORER_ROLE, not while paused.
     * @param epoch Must equal latestEpoch() + 1 (the first epoch is 1).
     * @param treeSize Number of ledger entries since genesis; at least the previous epoch's.
     * @param logRoot RFC 6962 (SHA-256) tree head over the first treeSize entries.
     * @param rewardsRoot Root of the StandardMerkleTree of (address account, uint256 cumulativeAmount).
     * @param exportURI Where the export manifest for the epoch lives (emitted, committed, not stored).
     * @param exportHash SHA-256 of the export manifest.
     * @param consistencyProof RFC 6962 consistency proof from the previous tree head (empty for the first epoch
     * and when the size did not change).
     */
    function anchorEpoch(
        uint64 epoch,
        uint64 treeSize,
        bytes32 logRoot,
        bytes32 rewardsRoot,
        string calldata exportURI,
        bytes32 exportHash,
        bytes32[] calldata consistencyProof
    ) external;

    /// @notice Pauses anchoring. Only PAUSER_ROLE.
    function pause() external;

    /// @notice Resumes anchoring. Only PAUSER_ROLE.
    function unpause() external;

    /// @notice The latest anchored epoch (0 before the first anchor).
    function latestEpoch() external view returns (uint64);

    /// @notice The tree size of the latest anchored epoch (0 before the first anchor).
    function latestTreeSize() external view returns (uint64);

    /// @notice The record of an anchored epoch; reverts with HeartEpochNotAnchored otherwise.
    function epochRecord(uint64 epoch) external view returns (EpochRecord memory);

    /// @notice The rewards root of `epoch`, or zero when the epoch is not anchored.
    function rewardsRoot(uint64 epoch) external view returns (bytes32);

    /// @notice Whether `leafHash` is leaf number `leafIndex` (0-based) of the log anchored at `epoch`.
    /// @param leafHash RFC 6962 leaf hash SHA-256(0x00 || entry).
    /// @param proof RFC 6962 audit path, leaf to root.
    function verifyInclusion(uint64 epoch, uint256 leafIndex, bytes32 leafHash, bytes32[] calldata proof)
        external
        view
        returns (bool);

    /// @notice Whether the log anchored at `epochB` extends the log anchored at `epochA`.
    /// @param proof RFC 6962 consistency proof from the tree of epochA to the tree of epochB.
    function verifyConsistency(uint64 epochA, uint64 epochB, bytes32[] calldata proof) external view returns (bool);

    /// @notice Whether (`exportURI`, `exportHash`) are the export reference anchored for `epoch`.
    function verifyExport(uint64 epoch, string calldata exportURI, bytes32 exportHash) external view returns (bool);
}
