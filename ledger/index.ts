/** Public surface of the OneHeart ledger library (pure: no I/O, no env, no database). */
export { toHex, fromHex } from './bytes.ts';
export {
  ENTRY_VERSION, ENTRY_FIXED_SIZE, ENTRY_OFFSETS, GENESIS_PREV_HASH, encodeEntry, encodeEntryInto, encodedSize, decodeEntry,
  entryHash, verifyChain,
} from './entry.ts';
export type { LedgerEntry, FundAllocation, ChainResult } from './entry.ts';
export { commitEvidence, commitSalted, saltEvidence } from './evidence.ts';
export type { EvidenceInput, SaltedEvidence } from './evidence.ts';
export {
  EMPTY_ROOT, LogTree, leafHash, nodeHash, packEntries, hashLogLeaves, buildLogTree, buildLogTreeFromEntries, logRoot,
  proveInclusion, proveConsistency, proofDepth, inclusionProofsInto, inclusionProofsParallel,
} from './merkle-log.ts';
export type { EntryBatch } from './merkle-log.ts';
export { verifyInclusion, verifyConsistency, rootFromInclusionProof } from './log-verify.ts';
export {
  ClaimTree, packClaims, buildClaimTree, claimLeafHash, sortedPairHash, claimProof, claimProofDepth, claimProofsInto, claimProofsParallel,
  claimMultiProof, verifyClaim, verifyClaimMultiProof,
} from './claim-tree.ts';
export type { ClaimInput, ClaimMultiProof } from './claim-tree.ts';
export { buildEpoch, aggregateClaims } from './epoch.ts';
export type { Epoch, TreeHead } from './epoch.ts';
export { HashPool, defaultHashPool, closeDefaultHashPool } from './hash-pool.ts';
