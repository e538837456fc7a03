/**
 * npm run bench:verifier [-- --n 1000000] — near-duplicate lookup over N stored
 * perceptual hashes: multi-index hashing (evidence_phash_bands) beside a
 * linear popcount scan of evidence.phash, in the same database. Prints
 * figures; asserts nothing about time.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { startTestServices } from '../scripts/stack/test-services.ts';
import { nearestHash } from './media/index.ts';
import { toSigned } from './media/phash.ts';
import { seedAction, seedMission, seedPlayer } from './testing.ts';

const arg = process.argv.indexOf('--n');
const N = arg > 0 ? Number(process.argv[arg + 1]) : 1_000_000;
const QUERIES = 50;
const services = await startTestServices();
const s = services.env;
const name = `bench_${randomBytes(4).toString('hex')}`;
const adminUrl = s.ONEHEART_TEST_PG_ADMIN_URL ?? '';
const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${s.ONEHEART_TEST_TEMPLATE_DB}"`);
const u = new URL(adminUrl);
u.pathname = `/${name}`;
const db = new pg.Client({ connectionString: u.toString() });
await db.connect();
try {
  const missionId = await seedMission(db);
  const playerId = await seedPlayer(db);
  const stored = await seedAction(db, { playerId, missionId, submittedAt: new Date(Date.now() - 3_600_000) });
  const probe = await seedAction(db, { playerId, missionId });
  let t = performance.now();
  await db.query(
    `INSERT INTO evidence (id, action_id, object_key, sha256, media_type, size_bytes, salt, phash)
     SELECT gen_random_uuid(), $1, 'k/' || g, md5(g::text) || md5(g::text), 'image/jpeg', 1, '\\x00',
            (('x' || substr(md5(g::text || 'a'), 1, 16))::bit(64))::bigint
       FROM generate_series(1, $2) g`,
    [stored, N],
  );
  await db.query(
    `INSERT INTO evidence_phash_bands (evidence_id, band, value)
     SELECT e.id, b, ((e.phash >> (48 - 16 * b)) & 65535)::int FROM evidence e, generate_series(0, 3) b`,
  );
  await db.query('ANALYZE evidence; ANALYZE evidence_phash_bands');
  console.log(`stored ${N.toLocaleString()} hashes (+${(4 * N).toLocaleString()} band rows) in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  const { rows } = await db.query<{ phash: string }>('SELECT phash::text FROM evidence ORDER BY random() LIMIT $1', [QUERIES]);
  const targets = rows.map((r) => BigInt.asUintN(64, BigInt(r.phash)) ^ 0b1001_0000_0000_0000_0100_0001n); // 4 bits flipped
  t = performance.now();
  let found = 0;
  for (const h of targets) if ((await nearestHash(db, h, probe, new Date(), 7))?.distance === 4) found++;
  const mih = (performance.now() - t) / QUERIES;
  t = performance.now();
  let scanFound = 0;
  for (const h of targets.slice(0, 5)) {
    const r = await db.query<{ d: number }>(`SELECT min(bit_count((phash # $1::bigint)::bit(64)))::int AS d FROM evidence WHERE phash IS NOT NULL`, [toSigned(h).toString()]);
    if (r.rows[0]?.d === 4) scanFound++;
  }
  const scan = (performance.now() - t) / 5;
  console.log(`multi-index lookup (distance ≤ 7): ${mih.toFixed(2)} ms/query, found ${found}/${QUERIES}`);
  console.log(`linear popcount scan:             ${scan.toFixed(2)} ms/query, found ${scanFound}/5`);
  console.log(`speed-up: ${(scan / mih).toFixed(0)}×`);
} finally {
  await db.end();
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.end();
  await services.stop();
}
