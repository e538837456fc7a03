import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { loadConfig, testServices } from '../../lib/config.ts';
import { mulberry32 } from '../../lib/mulberry32.ts';
import { Storage } from '../../lib/storage.ts';
import { getStream } from '../../lib/storage-stream.ts';
import { freshDatabase, type TestDatabase } from '../../test/helpers/database.ts';
import { DESCRIPTOR_DIMS, normalise } from './descriptor.ts';
import { DuplicateIndex, encodeDescriptor } from './dup-index.ts';
import { snapshotIfDue } from './dup-snapshot-writer.ts';
import { loadSnapshot, saveSnapshot, snapshotKey, type SnapshotLog, type SnapshotOptions } from './dup-snapshot.ts';

const VERSION = 'a'.repeat(64);
const rnd = mulberry32(7);
const vector = () => normalise(Float32Array.from({ length: DESCRIPTOR_DIMS }, () => rnd() - 0.5));

/** A logger that keeps the messages. */
function recorder(): SnapshotLog & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (_o, m) => lines.push(m), warn: (_o, m) => lines.push(m) };
}

describe('visual duplicate index snapshots (s3rver + Postgres)', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let storage: Storage;
  let o: SnapshotOptions;
  const stored: { evidenceId: string; actionId: string; v: Float32Array }[] = [];

  /** Appends `n` descriptors (foreign keys off: the evidence rows they name do not exist). */
  async function addRows(n: number, client: pg.ClientBase | pg.Pool = pool, version = VERSION) {
    const rows = Array.from({ length: n }, () => ({ evidenceId: randomUUID(), actionId: randomUUID(), v: vector() }));
    const c = client instanceof pg.Pool ? await client.connect() : client;
    try {
      await c.query('SET session_replication_role = replica');
      await c.query(
        'INSERT INTO visual_descriptors (evidence_id, action_id, model_version, descriptor) SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::bytea[])',
        [rows.map((r) => r.evidenceId), rows.map((r) => r.actionId), rows.map(() => version), rows.map((r) => encodeDescriptor(r.v))],
      );
      await c.query('SET session_replication_role = origin');
    } finally {
      if (c !== client) (c as pg.PoolClient).release();
    }
    if (version === VERSION) stored.push(...rows);
    return rows;
  }

  async function objectBytes(key: string): Promise<Buffer> {
    const body = await getStream(storage, key);
    assert.ok(body, `no object ${key}`);
    const chunks: Buffer[] = [];
    for await (const c of body) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  }

  async function built(): Promise<DuplicateIndex> {
    const index = new DuplicateIndex(pool, VERSION);
    await index.catchUp();
    return index;
  }

  before(async () => {
    db = await freshDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 6 });
    const s = testServices();
    const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: db.url, REDIS_URL: s.REDIS_URL, S3_ENDPOINT: s.S3_ENDPOINT, RPC_URL: s.RPC_URL, S3_BUCKET: `dupsnap-${randomBytes(4).toString('hex')}` });
    storage = new Storage(config);
    await storage.ensureBucket();
    o = { storage, prefix: 'vision-index/' };
    await addRows(600);
    await addRows(5, pool, 'f'.repeat(64));
  });
  after(async () => {
    storage.destroy();
    await pool.end();
    await db.drop();
  });

  it('round-trips: the loaded index answers every lookup as the built one does', async () => {
    const index = await built();
    const saved = await saveSnapshot(index, o);
    assert.equal(saved.key, snapshotKey('vision-index/', VERSION));
    assert.equal(saved.size, 600);
    const log = recorder();
    const loaded = await loadSnapshot(pool, VERSION, o, log);
    assert.ok(loaded, log.lines.join('\n'));
    assert.match(log.lines.join('\n'), /loaded snapshot/);
    assert.equal(loaded.size, index.size);
    assert.equal(await loaded.catchUp(), 0, 'nothing new since the snapshot');
    const other = randomUUID();
    for (const r of stored.slice(0, 100)) assert.deepEqual(loaded.nearest(r.v, other), index.nearest(r.v, other));
    for (let q = 0; q < 50; q++) {
      const v = vector();
      assert.deepEqual(loaded.nearest(v, other), index.nearest(v, other));
    }
    const first = stored[0];
    assert.ok(first);
    assert.equal(loaded.nearest(first.v, first.actionId)?.evidenceId === first.evidenceId, false, 'the own action is still skipped');
  });

  it('catches up after loading: rows added later, and a row whose transaction was in flight at snapshot time', async () => {
    const index = await built();
    const client = await pool.connect();
    let late;
    try {
      await client.query('BEGIN');
      late = await addRows(1, client);
      await addRows(3);
      await index.catchUp();
      await saveSnapshot(index, o);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    const added = await addRows(20);
    const loaded = await loadSnapshot(pool, VERSION, o, recorder());
    assert.ok(loaded);
    assert.equal(await loaded.catchUp(), 21, 'the 20 new rows and the late one');
    assert.equal(loaded.size, stored.length);
    const other = randomUUID();
    for (const r of [...added, ...late]) assert.equal(loaded.nearest(r.v, other)?.evidenceId, r.evidenceId);
  });

  it('rebuilds, with a log line saying why, when the snapshot is missing, truncated, corrupt or not a snapshot', async () => {
    const missing = recorder();
    assert.equal(await loadSnapshot(pool, 'e'.repeat(64), o, missing), null);
    assert.match(missing.lines.join('\n'), /no snapshot, rebuilding from Postgres/);

    await saveSnapshot(await built(), o);
    const key = snapshotKey('vision-index/', VERSION);
    const good = await objectBytes(key);
    const cases: [string, Buffer, RegExp][] = [
      ['truncated', good.subarray(0, Math.floor(good.length * 0.7)), /truncated/],
      ['missing checksum', good.subarray(0, good.length - 32), /truncated/],
      ['bit flip in the graph', Buffer.from(good.map((b, i) => (i === good.length - 1000 ? b ^ 1 : b))), /checksum mismatch/],
      ['bit flip in the ids', Buffer.from(good.map((b, i) => (i === 2000 ? b ^ 0x10 : b))), /checksum mismatch/],
      ['trailing bytes', Buffer.concat([good, Buffer.from('xx')]), /bytes after the checksum/],
      ['garbage', Buffer.from('hello, not an index'), /bad magic/],
    ];
    for (const [what, bytes, reason] of cases) {
      await storage.put(key, bytes, 'application/octet-stream');
      const log = recorder();
      assert.equal(await loadSnapshot(pool, VERSION, o, log), null, what);
      assert.match(log.lines.join('\n'), reason, what);
      assert.match(log.lines.join('\n'), /rebuilding from Postgres/, what);
    }
  });

  it('rebuilds when the snapshot is of another descriptor version or another database', async () => {
    await saveSnapshot(await built(), o);
    const bytes = await objectBytes(snapshotKey('vision-index/', VERSION));
    const otherVersion = 'c'.repeat(64);
    await storage.put(snapshotKey('vision-index/', otherVersion), bytes, 'application/octet-stream');
    const log = recorder();
    assert.equal(await loadSnapshot(pool, otherVersion, o, log), null);
    assert.match(log.lines.join('\n'), /wrong version/);

    const elsewhere = await freshDatabase();
    const otherPool = new pg.Pool({ connectionString: elsewhere.url, max: 2 });
    try {
      const c = await otherPool.connect();
      try {
        await c.query('SET session_replication_role = replica');
        await c.query(`INSERT INTO visual_descriptors (evidence_id, action_id, model_version, descriptor) SELECT gen_random_uuid(), gen_random_uuid(), $1, '\\x01' FROM generate_series(1, 700)`, [VERSION]);
      } finally {
        c.release();
      }
      const log2 = recorder();
      assert.equal(await loadSnapshot(otherPool, VERSION, o, log2), null);
      assert.match(log2.lines.join('\n'), /does not match this database/);
    } finally {
      await otherPool.end();
      await elsewhere.drop();
    }
  });

  it('two workers racing write one snapshot; the next is written only when due', async () => {
    const version = 'd'.repeat(64);
    await addRows(50, pool, version);
    const a = new DuplicateIndex(pool, version);
    const b = new DuplicateIndex(pool, version);
    const policy = { everyDescriptors: 10, maxAgeMs: 3_600_000 };
    const outcomes = await Promise.all([snapshotIfDue(pool, a, policy, o), snapshotIfDue(pool, b, policy, o)]);
    assert.equal(outcomes.filter((x) => x === 'written').length, 1, outcomes.join(','));
    assert.ok(outcomes.every((x) => x === 'written' || x === 'busy' || x === 'not-due'));
    assert.equal(await snapshotIfDue(pool, b, policy, o), 'not-due', 'nothing new');

    await addRows(5, pool, version);
    assert.equal(await snapshotIfDue(pool, a, policy, o), 'not-due', '5 new < 10');
    assert.equal(await snapshotIfDue(pool, a, { ...policy, maxAgeMs: 0 }, o), 'written', 'old enough, and something new');
    await addRows(10, pool, version);
    assert.equal(await snapshotIfDue(pool, b, policy, o), 'written', '10 new');

    const log = recorder();
    const loaded = await loadSnapshot(pool, version, o, log);
    assert.equal(loaded?.size, 65, log.lines.join('\n'));

    // While a writer holds the lock, another one does not wait for it.
    const holder = await pool.connect();
    try {
      await holder.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [`visual-index-snapshot:${version}`]);
      assert.equal(await snapshotIfDue(pool, a, { ...policy, maxAgeMs: 0, everyDescriptors: 1 }, o), 'busy');
    } finally {
      await holder.query('SELECT pg_advisory_unlock_all()');
      holder.release();
    }
  });
});
