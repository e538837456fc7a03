// Test fixtures for the ledger store: the rows a ledger entry references, and entry inputs.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { AppendInput } from '../../lib/ledger-store.ts';

/** Creates one zone, mission and player, and `n` actions; returns mission id, player address and action ids. */
export async function seedActions(sql: pg.Client, n: number, addressByte = '11'): Promise<{ mission: string; address: string; actions: string[] }> {
  const zone = randomUUID(), mission = randomUUID(), player = randomUUID();
  const address = '0x' + addressByte.repeat(20);
  await sql.query(`INSERT INTO zones (id, name, country_code, latitude, longitude, radius_m) VALUES ($1, 'Z', 'KE', 0, 0, 100)`, [zone]);
  await sql.query(
    `INSERT INTO missions (id, zone_id, title, description, type, base_xp, base_heart, duration_minutes, latitude, longitude)
     VALUES ($1, $2, 'M', 'd', 'cleanup', 10, 1000, 30, 0, 0)`, [mission, zone]);
  await sql.query(`INSERT INTO players (id, address, did) VALUES ($1, $2, $3)`, [player, address, `did:pkh:eip155:31337:${address}`]);
  const actions: string[] = [];
  for (let i = 0; i < n; i++) {
    const id = randomUUID();
    await sql.query(
      `INSERT INTO actions (id, player_id, mission_id, idempotency_key, latitude, longitude, accuracy_m, captured_at)
       VALUES ($1, $2, $3, $4, 0, 0, 5, now())`, [id, player, mission, `k${i}-${id}`]);
    actions.push(id);
  }
  return { mission, address, actions };
}

export function entryInput(actionId: string, missionId: string, player: string, heart = 10n ** 18n, timestamp = Date.UTC(2026, 9, 15)): AppendInput {
  return {
    player, actionId, missionId, xp: 120, heart, impactCredits: 15000n,
    fund: { localBps: 6000, nationalBps: 3000, globalBps: 1000 }, formulaVersion: 3, modelVersion: 'verifier-v1.2',
    score: 9100, evidenceCommitment: new Uint8Array(32).fill(7), timestamp,
  };
}
