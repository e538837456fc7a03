// Bulk seeding for `npm run bench:api`: players, approved actions and a
// hash-chained ledger written with multi-row INSERT … SELECT unnest(...) batches,
// one anchored-epoch row over the whole ledger, and the leaderboards in Redis.
// Entries are encoded and chained exactly like appendEntry (ledger/ encoding);
// the append-only trigger only refuses UPDATE/DELETE/TRUNCATE, so plain INSERTs pass.
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { encodeEntry, entryHash, GENESIS_PREV_HASH } from '../../ledger/index.ts';
import { buildLogTree, leafHash, logRoot } from '../../ledger/merkle-log.ts';
import { Leaderboard } from '../../api/impact/leaderboard.ts';
import { FORMULA_V1, FORMULA_VERSION } from '../../api/impact/formula.ts';
import { creditsDecimal } from '../../lib/ledger-store.ts';
import type { Redis } from '../../lib/redis.ts';

export interface World {
  players: { id: string; address: string }[];
  zones: string[];
  missions: string[];
  entries: number;
}

const BATCH = 10_000;
const ZONES = 10;
const MISSIONS_PER_ZONE = 3;

const addressOf = (i: number) => `0x${(i + 1).toString(16).padStart(40, '0')}`;
const uuidOf = (prefix: string, i: number) => {
  const h = createHash('sha256').update(`${prefix}:${i}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
};

async function batches(total: number, fn: (from: number, to: number) => Promise<void>, progress?: (done: number) => void) {
  for (let from = 0; from < total; from += BATCH) {
    const to = Math.min(total, from + BATCH);
    await fn(from, to);
    progress?.(to);
  }
}

async function seedWorld(sql: pg.Pool): Promise<{ zones: string[]; missions: string[] }> {
  const zones = Array.from({ length: ZONES }, (_, i) => uuidOf('zone', i));
  const missions: string[] = [];
  for (const [z, zone] of zones.entries()) {
    await sql.query(`INSERT INTO zones (id, name, country_code, latitude, longitude, radius_m, multiplier) VALUES ($1, $2, 'KE', $3, 36.8, 5000, 1.2)`,
      [zone, `Bench zone ${z}`, -1.2 + z * 0.01]);
    for (let m = 0; m < MISSIONS_PER_ZONE; m++) {
      const id = uuidOf('mission', z * MISSIONS_PER_ZONE + m);
      missions.push(id);
      await sql.query(
        `INSERT INTO missions (id, zone_id, title, description, type, difficulty, base_xp, base_heart, duration_minutes, latitude, longitude, radius_m)
         VALUES ($1, $2, $3, 'bench mission', 'cleanup', $4, 100, 1000000000000000000, 60, $5, 36.8, 5000)`,
        [id, zone, `Mission ${z}.${m}`, 1 + m, -1.2 + z * 0.01]);
    }
  }
  return { zones, missions };
}

async function seedPlayers(sql: pg.Pool, n: number): Promise<World['players']> {
  const players = Array.from({ length: n }, (_, i) => ({ id: uuidOf('player', i), address: addressOf(i) }));
  await batches(n, async (from, to) => {
    const slice = players.slice(from, to);
    await sql.query(
      `INSERT INTO players (id, address, did, display_name, xp, level)
       SELECT id, address, 'did:pkh:eip155:31337:' || address, 'player ' || n, 1000, 4
         FROM unnest($1::uuid[], $2::text[], $3::int[]) AS t(id, address, n)`,
      [slice.map((p) => p.id), slice.map((p) => p.address), slice.map((_, k) => from + k)]);
  });
  return players;
}

/**
 * `n` approved actions and their ledger entries, chained from genesis. Returns
 * the log root over all entries (for the epoch row).
 */
async function seedLedger(sql: pg.Pool, world: Omit<World, 'entries'>, n: number, progress: (done: number) => void): Promise<Uint8Array> {
  const leaves = new Uint8Array(n * 32);
  let prev = GENESIS_PREV_HASH;
  const start = Date.now() - n; // one entry per millisecond, ending now
  const commitment = createHash('sha256').update('bench evidence').digest();
  // Postgres inserts batch k while this process encodes and chains batch k+1.
  let inserting: Promise<unknown> = Promise.resolve();
  await batches(n, async (from, to) => {
    const ids: string[] = [], playerIds: string[] = [], missionIds: string[] = [];
    const seqs: string[] = [], prevs: Buffer[] = [], hashes: Buffer[] = [], encs: Buffer[] = [], addrs: string[] = [];
    for (let i = from; i < to; i++) {
      const player = world.players[i % world.players.length]!;
      const missionId = world.missions[i % world.missions.length]!;
      const actionId = uuidOf('action', i);
      const encoded = encodeEntry({
        seq: BigInt(i), prevHash: prev, player: player.address, actionId, missionId, xp: 120, heart: 10n ** 18n, impactCredits: 10_000n,
        fund: { ...FORMULA_V1.fund }, formulaVersion: FORMULA_VERSION, modelVersion: 'bench', score: 90, evidenceCommitment: commitment, timestamp: start + i,
      });
      const hash = entryHash(prev, encoded);
      leaves.set(leafHash(encoded), i * 32);
      ids.push(actionId); playerIds.push(player.id); missionIds.push(missionId); addrs.push(player.address);
      seqs.push(String(i)); prevs.push(Buffer.from(prev)); hashes.push(Buffer.from(hash)); encs.push(Buffer.from(encoded));
      prev = hash;
    }
    await inserting;
    inserting = insertBatch(sql, { ids, playerIds, missionIds, seqs, prevs, hashes, encs, addrs, commitment });
    inserting.catch(() => undefined); // awaited (and thrown) before the next batch; this only keeps it from counting as unhandled meanwhile
  }, progress);
  await inserting;
  return logRoot(await buildLogTree(leaves));
}

interface Batch {
  ids: string[]; playerIds: string[]; missionIds: string[]; seqs: string[]; prevs: Buffer[]; hashes: Buffer[]; encs: Buffer[]; addrs: string[]; commitment: Buffer;
}

async function insertBatch(sql: pg.Pool, b: Batch): Promise<void> {
  const { ids, playerIds, missionIds, seqs, prevs, hashes, encs, addrs, commitment } = b;
  await sql.query(
      `INSERT INTO actions (id, player_id, mission_id, idempotency_key, latitude, longitude, accuracy_m, captured_at, status)
       SELECT id, player_id, mission_id, 'seed-' || id, -1.2, 36.8, 5, now(), 'approved' FROM unnest($1::uuid[], $2::uuid[], $3::uuid[]) AS t(id, player_id, mission_id)`,
      [ids, playerIds, missionIds]);
    await sql.query(
      `INSERT INTO ledger_entries (seq, action_id, prev_hash, entry_hash, encoded, player_address, xp, heart, impact_credits,
         fund_local_bps, fund_national_bps, fund_global_bps, formula_version, model_version, score, evidence_commitment)
       SELECT seq, action_id, prev_hash, entry_hash, encoded, player_address, 120, 1000000000000000000, $7::numeric, $8, $9, $10, $11, 'bench', 90, $12
         FROM unnest($1::bigint[], $2::uuid[], $3::bytea[], $4::bytea[], $5::bytea[], $6::text[]) AS t(seq, action_id, prev_hash, entry_hash, encoded, player_address)`,
      [seqs, ids, prevs, hashes, encs, addrs, creditsDecimal(10_000n), FORMULA_V1.fund.localBps, FORMULA_V1.fund.nationalBps, FORMULA_V1.fund.globalBps, FORMULA_VERSION, commitment]);
}

/**
 * Runs `load` with the secondary indexes of `tables` dropped, then builds them
 * again (sorted builds beat a million random b-tree inserts). Unique indexes are
 * checked when rebuilt, so a duplicate still fails the seeding; primary keys and
 * foreign keys stay in force throughout.
 */
async function withoutSecondaryIndexes(sql: pg.Pool, tables: string[], load: () => Promise<void>): Promise<void> {
  const indexes = (await sql.query<{ name: string; def: string }>(
    `SELECT indexname AS name, indexdef AS def FROM pg_indexes
      WHERE schemaname = 'public' AND tablename = ANY($1) AND indexname NOT IN (SELECT conname FROM pg_constraint)`, [tables])).rows;
  for (const i of indexes) await sql.query(`DROP INDEX "${i.name}"`);
  await load();
  const c = await sql.connect();
  try {
    await c.query(`SET maintenance_work_mem = '256MB'`);
    for (const i of indexes) await c.query(i.def);
  } finally {
    c.release();
  }
}

/** One epoch row over the whole ledger with the real log root, marked anchored (the bench does not send the anchor tx). */
async function seedEpoch(sql: pg.Pool, treeSize: number, root: Uint8Array): Promise<void> {
  const month = new Date().toISOString().slice(0, 7);
  await sql.query(
    `INSERT INTO epochs (epoch, month, status, tree_size, log_root, rewards_root, anchored_at) VALUES (1, $1, 'anchored', $2, $3, $4, now())`,
    [month, treeSize, Buffer.from(root), Buffer.alloc(32)]);
}

async function seedLeaderboards(redis: Redis, prefix: string, world: Omit<World, 'entries'>): Promise<void> {
  const board = new Leaderboard(redis, prefix);
  const now = new Date();
  for (let from = 0; from < world.players.length; from += BATCH) {
    const m = redis.pipeline();
    for (const [i, p] of world.players.slice(from, from + BATCH).entries()) {
      const xp = ((from + i) * 7919) % 100_000;
      const zone = world.zones[(from + i) % world.zones.length]!;
      for (const period of ['daily', 'weekly'] as const) {
        m.zadd(board.key(period, now), xp, p.id);
        m.zadd(board.key(period, now, zone), xp, p.id);
      }
    }
    await m.exec();
  }
}

export async function seed(sql: pg.Pool, redis: Redis, redisPrefix: string, o: { players: number; entries: number; log: (s: string) => void }): Promise<World> {
  const { zones, missions } = await seedWorld(sql);
  let t = Date.now();
  const players = await seedPlayers(sql, o.players);
  o.log(`seeded ${o.players} players in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  t = Date.now();
  const world = { players, zones, missions };
  let root: Uint8Array = new Uint8Array();
  await withoutSecondaryIndexes(sql, ['actions', 'ledger_entries'], async () => {
    root = await seedLedger(sql, world, o.entries, (done) => {
      if (done % 100_000 === 0 || done === o.entries) o.log(`  ledger ${done}/${o.entries} (${Math.round(done / ((Date.now() - t) / 1000))} entries/s)`);
    });
  });
  o.log(`seeded ${o.entries} actions + hash-chained ledger entries (indexes rebuilt) in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  await seedEpoch(sql, o.entries, root);
  await seedLeaderboards(redis, redisPrefix, world);
  await sql.query('ANALYZE');
  return { ...world, entries: o.entries };
}

