/** The worked example from README.md (seq 0, genesis). Tests pin its encoding and hash. */
import { GENESIS_PREV_HASH } from './entry.ts';
import type { LedgerEntry } from './entry.ts';
import { commitEvidence } from './evidence.ts';

export const EXAMPLE_EVIDENCE = {
  salt: '0x' + '5a'.repeat(32),
  mediaSha256: ['0x' + '11'.repeat(32), '0x' + '22'.repeat(32)],
  gps: { lat: -1.2921, lon: 36.8219 },
  capturedAt: Date.UTC(2025, 0, 15, 9, 30, 0),
};

export const EXAMPLE_ENTRY: LedgerEntry = {
  seq: 0n,
  prevHash: GENESIS_PREV_HASH,
  player: '0x00000000000000000000000000000000000000a1',
  actionId: '0b7c3a52-8f1e-4c2d-9a6b-1d2e3f405162',
  missionId: '6f1d2c3b-4a59-4e68-8d7c-6b5a49382716',
  xp: 120,
  heart: 2_500_000_000_000_000_000n,
  impactCredits: 15_000n,
  fund: { localBps: 6000, nationalBps: 3000, globalBps: 1000 },
  formulaVersion: 3,
  modelVersion: 'verifier-v1.2',
  score: 9100,
  evidenceCommitment: commitEvidence(EXAMPLE_EVIDENCE).commitment,
  timestamp: Date.UTC(2025, 0, 15, 9, 31, 0),
};
