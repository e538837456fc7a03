// Minimal SponsorPool ABI (subset of contracts/interfaces/ISponsorPool.sol), typed for viem.
import { parseAbi } from 'viem';

export const sponsorPoolAbi = parseAbi([
  'function fund(bytes32 campaignId, bytes32 zoneId, uint256 amount)',
  'function bucketTotal(uint8 bucket) view returns (uint256)',
  'function totalFunded() view returns (uint256)',
  'function totalDisbursed() view returns (uint256)',
]);

/** Bucket order of the contract's enum (LOCAL, NATIONAL, GLOBAL) and of the `Bucket` database enum. */
export const BUCKETS = ['local', 'national', 'global'] as const;
