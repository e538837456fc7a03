// Test support (not a test file): writes a simulated world into Postgres as
// zones, missions, players, approved actions with their ledger entries, and witnesses.
import type pg from 'pg';
import { encodeEntry, entryHash, GENESIS_PREV_HASH, type LedgerEntry } from '../ledger/index.ts';
import { haversineM } from '../verifier/geo.ts';
import type { SimWorld } from './sim.ts';
import { levelAt } from './sim.ts';

async function insertRows(sql: pg.Client, table: string, columns: string[], rows: unknown[][], casts: string[] = []) {
  for (let s = 0; s < rows.length; s += 500) {
    const chunk = rows.slice(s, s + 500);
    const values = chunk.map((_, r) => `(${columns.map((_, c) => `$${r * columns.length + c + 1}${casts[c] ?? ''}`).join(', ')})`).join(', ');
    await sql.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${values}`, chunk.flat());
  }
}

/** Inserts `world`; each player's home zone is the zone nearest their simulated home. */
export async function seedWorld(sql: pg.Client, world: SimWorld): Promise<void> {
  const h = world.history;
  const levels = levelAt(h, Number.MAX_SAFE_INTEGER);
  await insertRows(sql, 'zones', ['id', 'name', 'country_code', 'latitude', 'longitude', 'radius_m'], h.zones.map((z) => [z.id, z.name, 'PT', z.latitude, z.longitude, 500]));
  await insertRows(sql, 'missions', ['id', 'zone_id', 'title', 'description', 'type', 'difficulty', 'base_xp', 'base_heart', 'duration_minutes', 'latitude', 'longitude', 'starts_at', 'ends_at'],
    h.missions.map((m) => [m.id, m.zoneId, m.title, 'simulated', m.type, m.difficulty, 50, '1000', 60, m.latitude, m.longitude, m.startsAt ? new Date(m.startsAt) : null, m.endsAt ? new Date(m.endsAt) : null]),
    ['', '', '', '', '::"MissionType"']);
  const addresses = new Map(h.players.map((p, i) => [p.id, `0x${(i + 1).toString(16).padStart(40, '0')}`]));
  await insertRows(sql, 'players', ['id', 'address', 'did', 'level', 'home_zone_id', 'created_at'], h.players.map((p) => {
    const address = addresses.get(p.id) ?? '';
    const home = p.home ? h.zones.reduce((best, z) => (haversineM(p.home!, z) < haversineM(p.home!, best) ? z : best)) : null;
    return [p.id, address, `did:pkh:eip155:31337:${address}`, levels.get(p.id) ?? 1, home?.id ?? null, new Date(p.createdAt)];
  }));
  const missions = new Map(h.missions.map((m) => [m.id, m]));
  const firstAction = new Map<string, string>();
  const actionId = (i: number) => `00000000-0000-4000-9000-${i.toString(16).padStart(12, '0')}`;
  await insertRows(sql, 'actions', ['id', 'player_id', 'mission_id', 'idempotency_key', 'latitude', 'longitude', 'accuracy_m', 'captured_at', 'submitted_at', 'status'],
    h.completions.map((c, i) => {
      const id = actionId(i);
      if (!firstAction.has(c.playerId)) firstAction.set(c.playerId, id);
      const m = missions.get(c.missionId);
      return [id, c.playerId, c.missionId, `sim-${i}`, m?.latitude ?? 0, m?.longitude ?? 0, 5, new Date(c.at), new Date(c.at), 'approved'];
    }), ['', '', '', '', '', '', '', '', '', '::"ActionStatus"']);
  // One ledger entry per action in the order the simulator approved them, with its XP (40 × difficulty), so levels then can be read back.
  let prevHash = GENESIS_PREV_HASH;
  const entries = h.completions.map((c, i) => {
    const entry: LedgerEntry = {
      seq: BigInt(i), prevHash, player: addresses.get(c.playerId) ?? '', actionId: actionId(i), missionId: c.missionId, xp: 40 * (missions.get(c.missionId)?.difficulty ?? 1),
      heart: 10n ** 18n, impactCredits: 10_000n, fund: { localBps: 6_000, nationalBps: 3_000, globalBps: 1_000 }, formulaVersion: 1, modelVersion: 'sim',
      score: 90, evidenceCommitment: new Uint8Array(32), timestamp: Math.trunc(c.at),
    };
    const encoded = encodeEntry(entry);
    const hash = entryHash(prevHash, encoded);
    const row = [entry.seq.toString(), entry.actionId, Buffer.from(prevHash), Buffer.from(hash), Buffer.from(encoded), entry.player, entry.xp, entry.heart.toString(), '1.0000', 6_000, 3_000, 1_000, 1, 'sim', 90, Buffer.alloc(32), new Date(c.at)];
    prevHash = hash;
    return row;
  });
  await insertRows(sql, 'ledger_entries', ['seq', 'action_id', 'prev_hash', 'entry_hash', 'encoded', 'player_address', 'xp', 'heart', 'impact_credits', 'fund_local_bps',
    'fund_national_bps', 'fund_global_bps', 'formula_version', 'model_version', 'score', 'evidence_commitment', 'created_at'], entries, ['', '', '', '', '', '', '', '::numeric', '::numeric']);
  const witnesses: string[][] = [];
  for (const [a, b] of h.friendships) {
    const action = firstAction.get(b) ?? firstAction.get(a);
    if (action) witnesses.push([action, firstAction.has(b) ? a : b]);
  }
  await insertRows(sql, 'witnesses', ['action_id', 'witness_id'], witnesses);
}
