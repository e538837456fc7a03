// Minimal LedgerAnchor ABI (subset of contracts/interfaces/ILedgerAnchor.sol) so verifiers need no artifacts.
import { parseAbi } from 'viem';

export const ledgerAnchorAbi = parseAbi([
  'struct EpochRecord { uint64 epoch; uint64 treeSize; bytes24 exportCommitment; bytes32 logRoot; bytes32 rewardsRoot; }',
  'function anchorEpoch(uint64 epoch, uint64 treeSize, bytes32 logRoot, bytes32 rewardsRoot, string exportURI, bytes32 exportHash, bytes32[] consistencyProof)',
  'function latestEpoch() view returns (uint64)',
  'function epochRecord(uint64 epoch) view returns (EpochRecord)',
  'function verifyInclusion(uint64 epoch, uint256 leafIndex, bytes32 leafHash, bytes32[] proof) view returns (bool)',
  'function verifyConsistency(uint64 epochA, uint64 epochB, bytes32[] proof) view returns (bool)',
  'function verifyExport(uint64 epoch, string exportURI, bytes32 exportHash) view returns (bool)',
]);
