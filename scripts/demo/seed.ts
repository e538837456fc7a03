// Writes the demo world through the real ledger path: rows for zones, missions, players, sponsors,
// actions, evidence and verification results, then applyImpact per approved action (hash-chained
// ledger entry + player progress), then two epochs closed with closeEpoch (export, tlog, anchor),
// then the marketplace (rewards with stock; two players claim Heart and redeem: ./marketplace.ts).
import type pg from 'pg';
import type { Address, PublicClient, WalletClient } from 'viem';
import { applyImpact } from '../../api/impact/engine.ts';
import type { Leaderboard } from '../../api/impact/leaderboard.ts';
import type { Config } from '../../lib/config.ts';
import type { Storage } from '../../lib/storage.ts';
import { signerFromConfig } from '../../tlog/publisher.ts';
import { closeEpoch, monthEnd, type CloseEpochResult } from '../epoch-close.ts';
import { seedMarketplace, type MarketplaceResult } from './marketplace.ts';
import { generateWorld, type Action, type World } from './world.ts';

export const DEMO_MARKER = 'demo.seed';
export const DEMO_MODEL_VERSION = 'demo-seed:verifier-sim';

export interface SeedOptions {
  pool: pg.Pool; storage: Storage; reader: PublicClient; writer: WalletClient; anchor: Address;
  /** HeartToken and RewardDistributor: the demo's buyers claim Heart and burn it for rewards. */
  contracts: { heartToken: Address; distributor: Address };
  config: Pick<Config, 'TLOG_SIGNING_KEY' | 'TLOG_ORIGIN'>;
  seed?: number; players?: number; actions?: number;
  /** The real current time (entries' created_at is the database clock; it cannot be backdated). */
  now?: Date;
  log?: (msg: string) => void;
  /** Where approved deeds are scored (the API's Redis leaderboards). */
  leaderboard?: Leaderboard;
}

export interface SeedResult {
  seed: number; zones: number; countries: number; missions: number; players: number; sponsors: number;
  approved: number; rejected: number; entries: number; epochs: CloseEpochResult[]; sampleSeq: number; sampleAddress: string;
  marketplace: MarketplaceResult;
}

export class AlreadySeededError extends Error {
  override name = 'AlreadySeededError';
}

const SECOND = 1000;
const monthOf = (d: Date) => d.toISOString().slice(0, 7);

async function insertJson(pool: pg.Pool, sql: string, rows: unknown[], chunk = 500): Promise<void> {
  for (let i = 0; i < rows.length; i += chunk) await pool.query(sql, [JSON.stringify(rows.slice(i, i + chunk))]);
}

/** Refuses a second seeding, and a ledger that already has entries or epochs (the demo closes the first months). */
export async function assertUnseeded(pool: pg.Pool): Promise<void> {
  const [m] = (await pool.query('SELECT created_at FROM audit_log WHERE action = $1 LIMIT 1', [DEMO_MARKER])).rows;
  if (m) throw new AlreadySeededError(`the demo world was already seeded (${(m.created_at as Date).toISOString()}); start from an empty DATA_DIR to seed again`);
  const { rows: [c] } = await pool.query('SELECT (SELECT count(*) FROM ledger_entries)::int AS entries, (SELECT count(*) FROM epochs)::int AS epochs');
  if (c.entries > 0 || c.epochs > 0) throw new AlreadySeededError(`the ledger is not empty (${c.entries} entries, ${c.epochs} epochs): the demo seeds a fresh database only`);
}

async function insertWorld(pool: pg.Pool, w: World, chainId: number): Promise<void> {
  await insertJson(pool, `INSERT INTO zones (id, name, country_code, latitude, longitude, radius_m, multiplier)
    SELECT id, name, country, lat, lon, "radiusM", multiplier::numeric FROM json_to_recordset($1::json)
      AS x(id uuid, name text, country text, lat float8, lon float8, "radiusM" int, multiplier text)`, w.zones);
  await insertJson(pool, `INSERT INTO missions (id, zone_id, title, description, type, difficulty, base_xp, base_heart, duration_minutes, latitude, longitude)
    SELECT id, "zoneId", title, description, type::"MissionType", difficulty, "baseXp", "baseHeartWei"::numeric, minutes, lat, lon FROM json_to_recordset($1::json)
      AS x(id uuid, "zoneId" uuid, title text, description text, type text, difficulty int, "baseXp" int, "baseHeartWei" text, minutes int, lat float8, lon float8)`, w.missions);
  await insertJson(pool, `INSERT INTO players (id, address, did, display_name, role, home_zone_id)
    SELECT id, address, 'did:pkh:eip155:${chainId}:' || address, "displayName", role::"Role", "homeZoneId" FROM json_to_recordset($1::json)
      AS x(id uuid, address text, "displayName" text, role text, "homeZoneId" uuid)`, w.players.map(({ privateKey: _k, ...p }) => p));
  await insertJson(pool, `INSERT INTO sponsors (id, player_id, name, address)
    SELECT id, "playerId", name, address FROM json_to_recordset($1::json) AS x(id uuid, "playerId" uuid, name text, address text)`, w.sponsors);
}

async function insertActions(pool: pg.Pool, actions: Action[]): Promise<void> {
  const rows = actions.map((a) => ({
    id: a.id, playerId: a.playerId, missionId: a.missionId, lat: a.lat, lon: a.lon, accuracyM: a.accuracyM,
    capturedAt: new Date(a.at.getTime() - 4 * 60 * SECOND).toISOString(), submittedAt: a.at.toISOString(),
    status: a.verdict.decision === 'approve' ? 'pending' : 'rejected', ...a.verdict, flags: a.verdict.flags,
    evidenceId: a.evidence.id, sha256: a.evidence.sha256, salt: `\\x${Buffer.from(a.evidence.salt).toString('hex')}`,
    phash: a.evidence.phash.toString(), width: a.evidence.width, height: a.evidence.height, sizeBytes: a.evidence.sizeBytes, witnessId: a.witnessId,
  }));
  const cols = `id uuid, "playerId" uuid, "missionId" uuid, lat float8, lon float8, "accuracyM" float8, "capturedAt" timestamptz, "submittedAt" timestamptz,
    status text, decision text, authenticity int, confidence float8, flags text[], "evidenceId" uuid, sha256 text, salt bytea, phash bigint,
    width int, height int, "sizeBytes" int, "witnessId" uuid`;
  await insertJson(pool, `INSERT INTO actions (id, player_id, mission_id, idempotency_key, latitude, longitude, accuracy_m, captured_at, submitted_at, status, device)
    SELECT id, "playerId", "missionId", 'demo-' || id, lat, lon, "accuracyM", "capturedAt", "submittedAt", status::"ActionStatus", '{"app":"oneheart-demo"}'::jsonb
      FROM json_to_recordset($1::json) AS x(${cols})`, rows);
  await insertJson(pool, `INSERT INTO evidence (id, action_id, object_key, sha256, media_type, size_bytes, width, height, phash, salt, created_at)
    SELECT "evidenceId", id, 'demo/evidence/' || id || '/' || "evidenceId" || '.jpg', sha256, 'image/jpeg', "sizeBytes", width, height, phash, salt, "submittedAt"
      FROM json_to_recordset($1::json) AS x(${cols})`, rows);
  await insertJson(pool, `INSERT INTO verification_results (id, action_id, authenticity, confidence, flags, model_version, decision, created_at)
    SELECT gen_random_uuid(), id, authenticity, confidence, flags, '${DEMO_MODEL_VERSION}', decision::"Decision", "submittedAt" + interval '20 seconds'
      FROM json_to_recordset($1::json) AS x(${cols})`, rows);
  await insertJson(pool, `INSERT INTO witnesses (action_id, witness_id, created_at)
    SELECT id, "witnessId", "submittedAt" FROM json_to_recordset($1::json) AS x(${cols}) WHERE "witnessId" IS NOT NULL`, rows);
}

/** Seeds the demo world and closes two epochs. Deterministic for a seed (except ids the database draws: verification result ids). */
export async function seedDemo(o: SeedOptions): Promise<SeedResult> {
  const log = o.log ?? (() => {});
  const seed = o.seed ?? 20261;
  const now = o.now ?? new Date();
  await assertUnseeded(o.pool);
  // created_at of ledger entries is the database clock and the table forbids UPDATE, so both epochs
  // hold entries written now: epoch 1 is the current month (closed with a simulated clock just after
  // its end), epoch 2 the next month (same); entry timestamps spread over the current month so far.
  const month1 = monthOf(now), month2 = monthOf(monthEnd(month1));
  const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const world = generateWorld({ seed, players: o.players ?? 200, actions: o.actions ?? 2400, from, to: new Date(now.getTime() - 60 * SECOND) });
  const chainId = await o.reader.getChainId();
  log(`seeding ${world.zones.length} zones, ${world.missions.length} missions, ${world.players.length} players, ${world.actions.length} actions (seed ${seed})`);
  await insertWorld(o.pool, world, chainId);
  await insertActions(o.pool, world.actions);
  await o.pool.query('INSERT INTO audit_log (action, target, data) VALUES ($1, $2, $3)', [DEMO_MARKER, `seed:${seed}`, JSON.stringify({ seed, players: world.players.length, actions: world.actions.length })]);

  const approved = world.actions.filter((a) => a.verdict.decision === 'approve');
  const half = Math.ceil(approved.length / 2);
  const tlog = { signer: await signerFromConfig(o.config), origin: o.config.TLOG_ORIGIN };
  const epochs: CloseEpochResult[] = [];
  for (const [month, batch] of [[month1, approved.slice(0, half)], [month2, approved.slice(half)]] as const) {
    for (const [i, a] of batch.entries()) {
      await applyImpact(o.pool, a.id, a.at, o.leaderboard);
      if ((i + 1) % 500 === 0) log(`  applied ${i + 1}/${batch.length} approved actions for epoch ${epochs.length + 1}`);
    }
    const closeAt = new Date(monthEnd(month).getTime() + SECOND);
    const res = await closeEpoch({ pool: o.pool, storage: o.storage, reader: o.reader, writer: o.writer, anchor: o.anchor, month, now: closeAt, tlog, log });
    epochs.push(res);
  }
  const marketplace = await seedMarketplace({ pool: o.pool, reader: o.reader, writer: o.writer, contracts: o.contracts, players: world.players });
  log(`marketplace: ${marketplace.rewards} rewards, ${marketplace.redemptions.length} redemptions paid on chain (the indexer fulfils them)`);
  const sample = approved[Math.floor(approved.length / 3)] as Action;
  const [s] = (await o.pool.query('SELECT seq::int AS seq, player_address FROM ledger_entries WHERE action_id = $1', [sample.id])).rows;
  return {
    seed, zones: world.zones.length, countries: new Set(world.zones.map((z) => z.country)).size, missions: world.missions.length,
    players: world.players.length - world.sponsors.length, sponsors: world.sponsors.length, approved: approved.length,
    rejected: world.actions.length - approved.length, entries: epochs.at(-1)?.treeSize ?? 0, epochs, sampleSeq: s.seq as number, sampleAddress: s.player_address as string,
    marketplace,
  };
}
