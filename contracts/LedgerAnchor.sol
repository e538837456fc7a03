// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ILedgerAnchor} from "./interfaces/ILedgerAnchor.sol";
import {RFC6962} from "./libraries/RFC6962.sol";

/**
 * @title LedgerAnchor
 * @notice One immutable record per epoch (month): the RFC 6962 head of the OneHeart ledger and the
 * rewards Merkle root. Each new head must provably extend the previous one (RFC 9162 §2.1.4.2).
 * @dev Gas layout: the latest (epoch, treeSize) pair shares Pausable's `_paused` slot, so the pause
 * check warms it; a record is three slots (logRoot, rewardsRoot, treeSize ‖ 192-bit export commitment).
 * The export URI and hash are emitted in full and committed to, not stored.
 */
contract LedgerAnchor is AccessControl, Pausable, ILedgerAnchor {
    /// @notice Role allowed to anchor epochs.
    bytes32 public constant ANCHORER_ROLE = keccak256("ANCHORER_ROLE");
    /// @notice Role allowed to pause and unpause anchoring.
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");

    struct StoredRecord {
        bytes32 logRoot;
        bytes32 rewardsRoot;
        uint64 treeSize;
        bytes24 exportCommitment;
    }

    // Packed with Pausable._paused (declared right after it in the linearised layout).
    uint64 private _latestEpoch;
    uint64 private _latestTreeSize;
    mapping(uint256 epoch => StoredRecord) private _records;

    /// @param admin Receives DEFAULT_ADMIN_ROLE.
    /// @param anchorer Receives ANCHORER_ROLE.
    /// @param pauser Receives PAUSER_ROLE.
    constructor(address admin, address anchorer, address pauser) {
        if (admin == address(0) || anchorer == address(0) || pauser == address(0)) revert HeartZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(ANCHORER_ROLE, anchorer);
        _grantRole(PAUSER_ROLE, pauser);
    }

    /// @inheritdoc ILedgerAnchor
    function anchorEpoch(
        uint64 epoch,
        uint64 treeSize,
        bytes32 logRoot,
        bytes32 rewardsRoot_,
        string calldata exportURI,
        bytes32 exportHash,
        bytes32[] calldata consistencyProof
    ) external onlyRole(ANCHORER_ROLE) whenNotPaused {
        uint64 previousEpoch = _latestEpoch;
        uint64 previousSize = _latestTreeSize;
        // Cannot overflow: the ABI caps epoch at uint64 and previousEpoch < epoch afterwards.
        unchecked {
            if (epoch != previousEpoch + 1) revert HeartEpochNotSequential(previousEpoch + 1, epoch);
        }
        if (previousEpoch == 0) {
            if (treeSize == 0) revert HeartEmptyTree();
        } else {
            if (treeSize < previousSize) revert HeartTreeSizeDecreased(previousSize, treeSize);
            bytes32 previousRoot = _records[previousEpoch].logRoot;
            if (!RFC6962.verifyConsistency(previousSize, treeSize, previousRoot, logRoot, consistencyProof)) {
                revert HeartLogInconsistent(previousSize, previousRoot, treeSize, logRoot);
            }
        }
        _records[epoch] = StoredRecord({
            logRoot: logRoot,
            rewardsRoot: rewardsRoot_,
            treeSize: treeSize,
            exportCommitment: _exportCommitment(exportURI, exportHash)
        });
        _latestEpoch = epoch;
        _latestTreeSize = treeSize;
        emit EpochAnchored(epoch, treeSize, logRoot, rewardsRoot_, exportURI, exportHash);
    }

    /// @inheritdoc ILedgerAnchor
    function pause() external onlyRole(PAUSER_ROLE) {
        _pause();
    }

    /// @inheritdoc ILedgerAnchor
    function unpause() external onlyRole(PAUSER_ROLE) {
        _unpause();
    }

    /// @inheritdoc ILedgerAnchor
    function latestEpoch() external view returns (uint64) {
        return _latestEpoch;
    }

    /// @inheritdoc ILedgerAnchor
    function latestTreeSize() external view returns (uint64) {
        return _latestTreeSize;
    }

    /// @inheritdoc ILedgerAnchor
    function epochRecord(uint64 epoch) external view returns (EpochRecord memory) {
        StoredRecord storage record = _anchoredRecord(epoch);
        return EpochRecord({
            epoch: epoch,
            treeSize: record.treeSize,
            exportCommitment: record.exportCommitment,
            logRoot: record.logRoot,
            rewardsRoot: record.rewardsRoot
        });
    }

    /// @inheritdoc ILedgerAnchor
    function rewardsRoot(uint64 epoch) external view returns (bytes32) {
        // Unanchored epochs read as an empty slot, i.e. zero, which the distributor rejects.
        return _records[epoch].rewardsRoot;
    }

    /// @inheritdoc ILedgerAnchor
    function verifyInclusion(uint64 epoch, uint256 leafIndex, bytes32 leafHash, bytes32[] calldata proof)
        external
        view
        returns (bool)
    {
        StoredRecord storage record = _anchoredRecord(epoch);
        return RFC6962.verifyInclusion(leafIndex, record.treeSize, leafHash, proof, record.logRoot);
    }

    /// @inheritdoc ILedgerAnchor
    function verifyConsistency(uint64 epochA, uint64 epochB, bytes32[] calldata proof) external view returns (bool) {
        StoredRecord storage a = _anchoredRecord(epochA);
        StoredRecord storage b = _anchoredRecord(epochB);
        return RFC6962.verifyConsistency(a.treeSize, b.treeSize, a.logRoot, b.logRoot, proof);
    }

    /// @inheritdoc ILedgerAnchor
    function verifyExport(uint64 epoch, string calldata exportURI, bytes32 exportHash) external view returns (bool) {
        return _anchoredRecord(epoch).exportCommitment == _exportCommitment(exportURI, exportHash);
    }

    function _anchoredRecord(uint64 epoch) internal view returns (StoredRecord storage) {
        if (epoch == 0 || epoch > _latestEpoch) revert HeartEpochNotAnchored(epoch);
        return _records[epoch];
    }

    function _exportCommitment(string calldata exportURI, bytes32 exportHash) internal pure returns (bytes24) {
        return bytes24(keccak256(abi.encode(exportURI, exportHash)));
    }
}
