// Test support (not a test file): a multi-month impact ledger on a real
// database. Entries are computed with the live formula exactly as the impact
// engine would (level and streak from the player's earlier entries, no
// witnesses, score 90) and appended as a valid hash chain, but with chosen
// created_at times — the engine's appendEntry stamps clock_timestamp(), and
// the ledger table forbids UPDATE, so history cannot be back-dated otherwise.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { nextStreak } from '../api/impact/engine.ts';
import { computeImpact, levelForXp } from '../api/impact/formula.ts';
import { encodeEntry, entryHash, GENESIS_PREV_HASH, type LedgerEntry } from '../ledger/index.ts';
import { creditsDecimal } from '../lib/ledger-store.ts';
import { addMonths, monthStart } from './months.ts';

export interface ZoneSpec { name: string; countryCode: string; multiplier: string; missionType: string }

export interface SeededHistory {
  zoneIds: string[];
  entries: number;
}

const SCORE = 90;
const HEART = 10n ** 18n;

/**
 * Appends `perMonth(zone, month)` entries per zone and month for `months`
 * months from `from` (YYYY-MM). In every zone one new player joins each month
 * (with that month's first entry); the month's other entries rotate over the
 * zone's players who joined so far.
 */
export async function seedLedgerHistory(sql: pg.Client, from: string, months: number, zones: ZoneSpec[], perMonth: (zone: number, month: number) => number): Promise<SeededHistory> {
  const zoneIds: string[] = [];
  const missions: { id: string; zoneId: string; multiplier: string }[] = [];
  for (const [i, z] of zones.entries()) {
    const zoneId = randomUUID(), missionId = randomUUID();
    await sql.query(`INSERT INTO zones (id, name, country_code, latitude, longitude, radius_m, multiplier) VALUES ($1, $2, $3, 0, $4, 100, $5::numeric)`, [zoneId, z.name, z.countryCode, i, z.multiplier]);
    await sql.query(
      `INSERT INTO missions (id, zone_id, title, description, type, difficulty, base_xp, base_heart, duration_minutes, latitude, longitude)
       VALUES ($1, $2, 'M', 'd', $3::"MissionType", 2, 20, $4::numeric, 45, 0, $5)`, [missionId, zoneId, z.missionType, HEART.toString(), i]);
    zoneIds.push(zoneId);
    missions.push({ id: missionId, zoneId, multiplier: z.multiplier });
  }

  const events: { at: Date; zone: number; player: number }[] = [];
  for (let m = 0; m < months; m++) {
    const start = monthStart(addMonths(from, m)).getTime();
    for (let z = 0; z < zones.length; z++) {
      const n = perMonth(z, m);
      for (let k = 0; k < n; k++) events.push({ at: new Date(start + ((k % 27) * 24 + 1 + z) * 3_600_000 + k * 1000), zone: z, player: k === 0 ? m : (7 * k + 3 * m) % (m + 1) });
    }
  }
  events.sort((a, b) => a.at.getTime() - b.at.getTime());

  const players = new Map<string, { id: string; address: string; xp: bigint; streak: number; last: Date | null }>();
  let prevHash = GENESIS_PREV_HASH;
  let seq = 0n;
  await sql.query('BEGIN');
  try {
    for (const e of events) {
      const key = `${e.zone}:${e.player}`;
      let p = players.get(key);
      if (!p) {
        const address = `0x${randomUUID().replace(/-/g, '').padEnd(40, '0')}`;
        p = { id: randomUUID(), address, xp: 0n, streak: 0, last: null };
        await sql.query('INSERT INTO players (id, address, did) VALUES ($1, $2, $3)', [p.id, address, `did:pkh:eip155:31337:${address}`]);
        players.set(key, p);
      }
      const mission = missions[e.zone]!;
      const actionId = randomUUID();
      await sql.query(
        `INSERT INTO actions (id, player_id, mission_id, idempotency_key, latitude, longitude, accuracy_m, captured_at, status)
         VALUES ($1::uuid, $2, $3, $1::text, 0, 0, 5, $4, 'approved')`, [actionId, p.id, mission.id, e.at]);
      const streakDays = nextStreak(p.streak, p.last, e.at);
      const b = computeImpact({
        baseXp: 20, baseHeart: HEART, durationMinutes: 45, zoneMultiplier: mission.multiplier, witnesses: 0,
        level: levelForXp(p.xp), difficulty: 2, streakDays, score: SCORE,
      });
      const entry: LedgerEntry = {
        seq, prevHash, player: p.address, actionId, missionId: mission.id, xp: b.xp, heart: b.heart, impactCredits: b.impactCredits,
        fund: b.fund, formulaVersion: b.formulaVersion, modelVersion: 'seed', score: SCORE, evidenceCommitment: new Uint8Array(32), timestamp: e.at.getTime(),
      };
      const encoded = encodeEntry(entry);
      const hash = entryHash(prevHash, encoded);
      await sql.query(
        `INSERT INTO ledger_entries (seq, action_id, prev_hash, entry_hash, encoded, player_address, xp, heart, impact_credits, fund_local_bps,
           fund_national_bps, fund_global_bps, formula_version, model_version, score, evidence_commitment, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8::numeric, $9::numeric, $10, $11, $12, $13, $14, $15, $16, $17)`,
        [seq.toString(), actionId, Buffer.from(prevHash), Buffer.from(hash), Buffer.from(encoded), p.address, b.xp, b.heart.toString(),
          creditsDecimal(b.impactCredits), b.fund.localBps, b.fund.nationalBps, b.fund.globalBps, b.formulaVersion, 'seed', SCORE, Buffer.alloc(32), e.at]);
      Object.assign(p, { xp: p.xp + BigInt(b.xp), streak: streakDays, last: e.at });
      prevHash = hash;
      seq++;
    }
    await sql.query('COMMIT');
  } catch (err) {
    await sql.query('ROLLBACK');
    throw err;
  }
  return { zoneIds, entries: events.length };
}
