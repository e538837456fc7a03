import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { buildLogTreeFromEntries, packEntries, proveInclusion } from '../ledger/index.ts';
import { logRoot } from '../ledger/merkle-log.ts';
import { freshDatabase, type TestDatabase } from '../test/helpers/database.ts';
import { entryInput, seedActions } from '../test/ledger/seed.ts';
import { appendEntry, readEncodedRange, type SqlExecutor } from './ledger-store.ts';
import { LogTreeCache } from './log-tree-cache.ts';
import { inTransaction } from './transaction.ts';

describe('LogTreeCache', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  before(async () => {
    db = await freshDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 4 });
    const { mission, address, actions } = await seedActions(db.sql, 9);
    for (const id of actions) await inTransaction(pool, (tx) => appendEntry(tx, entryInput(id, mission, address)));
  });
  after(async () => {
    await pool.end();
    await db.drop();
  });

  it('serves smaller sizes from the largest tree, with the same proofs and roots as a tree built for that size', async () => {
    const cache = new LogTreeCache();
    const big = await cache.covering(pool, 9);
    assert.equal(await cache.covering(pool, 5), big, 'a shorter prefix reuses the cached tree');
    const small = await buildLogTreeFromEntries(packEntries(await readEncodedRange(pool, 0, 5)));
    for (let i = 0; i < 5; i++) assert.deepEqual(proveInclusion(big, i, 5), proveInclusion(small, i, 5));
    assert.deepEqual(logRoot(big, 5), logRoot(small));
  });

  it('shares one build among concurrent callers and rebuilds only for a longer prefix', async () => {
    const cache = new LogTreeCache();
    const [a, b] = [cache.covering(pool, 4), cache.covering(pool, 4)];
    assert.equal(a, b);
    const grown = await cache.covering(pool, 9);
    assert.notEqual(grown, await a);
    assert.equal(grown.size, 9);
  });

  it('a build read in chunks gives the tree of a build read at once; a short ledger still names what is missing', async () => {
    const whole = await buildLogTreeFromEntries(packEntries(await readEncodedRange(pool, 0, 9)));
    for (const chunk of [1, 4, 8, 9]) {
      const tree = await new LogTreeCache(chunk).covering(pool, 9);
      assert.deepEqual(tree.levels, whole.levels, `chunk ${chunk}`);
    }
    await assert.rejects(new LogTreeCache(4).covering(pool, 11), /11 entries asked, 9 stored/);
  });

  it('grows a cached tree by reading only the entries after it, to the tree a fresh build gives', async () => {
    const cache = new LogTreeCache(2);
    await cache.covering(pool, 5);
    const reads: number[] = [];
    const counting: SqlExecutor = { query: (text, params) => { reads.push(Number(params?.[0])); return pool.query(text, params); } };
    const grown = await cache.covering(counting, 9);
    assert.deepEqual(reads, [5, 7], 'only [5, 9) is read, two entries at a time');
    assert.deepEqual(grown.levels, (await new LogTreeCache().covering(pool, 9)).levels);
  });

  it('forgets a failed build', async () => {
    const cache = new LogTreeCache();
    await assert.rejects(cache.covering(pool, 50), /50 entries asked, 9 stored/);
    assert.equal((await cache.covering(pool, 3)).size, 3);
  });
});
