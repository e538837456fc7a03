// The mobile-app client (client/index.ts) against the API listening on a real socket, with real
// Postgres, Redis, s3rver and the shared Hardhat chain: wallet sign-in, quests, presigned evidence
// upload and proof submission, completion, a closed epoch's claim relayed by the operator, token
// rotation on 401; and the committed client/schema.d.ts must equal a fresh generation.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import sharp from 'sharp';
import type { Address, Hex } from 'viem';
import { newWallet, testApp, type TestApp } from '../api/testing.ts';
import { createChainWriter, loadDeployments } from '../lib/chain.ts';
import { testServices } from '../lib/config.ts';
import { closeEpoch } from '../scripts/epoch-close.ts';
import { deployOneHeart } from '../scripts/deploy.ts';
import { generateClientFiles, OPENAPI_FILE, SCHEMA_FILE } from '../scripts/generate-client.ts';
import { freshDatabase, type TestDatabase } from '../test/helpers/database.ts';
import { runExample } from './example.ts';
import { createOneHeartClient, OneHeartError, sha256Hex, type OneHeartClient, type SessionTokens } from './index.ts';

// Hardhat dev account #15 (standard mnemonic; public): this file's deployer, anchorer and claim relayer.
const KEY: Hex = '0x8166f546bab6da521a8369cab06c5d2b9e46670292d85c875ee9ec20e84ffb61';

const freePort = () => new Promise<number>((resolve, reject) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const { port } = s.address() as { port: number };
    s.close(() => resolve(port));
  }).on('error', reject);
});

describe('mobile client against the running API', () => {
  let db: TestDatabase;
  let t: TestApp;
  let pool: pg.Pool;
  let outDir: string;
  let baseUrl: string;
  let chainId: number;
  let admin: OneHeartClient;
  let zoneId: string;
  let jpeg: Uint8Array;

  const client = (extra: { session?: SessionTokens; onSession?: (s: SessionTokens | null) => void } = {}) =>
    createOneHeartClient({ baseUrl, chainId, ...extra });

  before(async () => {
    db = await freshDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 3 });
    outDir = await mkdtemp(path.join(os.tmpdir(), 'oh-client-'));
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    t = await testApp(db.url, {
      PUBLIC_URL: baseUrl, OPERATOR_PRIVATE_KEY: KEY, DEPLOYMENTS_DIR: outDir,
      S3_BUCKET: `client-${randomBytes(5).toString('hex')}`, VERIFIER_QUEUE_PREFIX: `tc${randomBytes(5).toString('hex')}`,
    });
    await t.deps.storage.ensureBucket();
    await t.app.listen({ host: '127.0.0.1', port });
    chainId = await t.deps.chain.getChainId();
    await deployOneHeart({ rpcUrl: testServices().RPC_URL, deployerPrivateKey: KEY, outDir });

    const wallet = newWallet();
    admin = client();
    const first = await admin.signInWithWallet(wallet);
    await db.sql.query(`UPDATE players SET role = 'admin' WHERE id = $1`, [first.player.id]);
    assert.equal((await admin.signInWithWallet(wallet)).player.role, 'admin');
    zoneId = (await db.sql.query(`INSERT INTO zones (id, name, country_code, latitude, longitude, radius_m, multiplier) VALUES (gen_random_uuid(), 'Porto', 'PT', 41.15, -8.61, 500, 1.0) RETURNING id`)).rows[0].id;
    jpeg = new Uint8Array(await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 20, g: 120, b: 200 } } }).jpeg().toBuffer());
  });
  after(async () => {
    await pool.end();
    await t.close();
    await db.drop();
    await rm(outDir, { recursive: true, force: true });
  });

  async function publishQuest(title: string) {
    const { data, response } = await admin.api.POST('/api/quest/create', {
      body: { zoneId, title, description: 'Plant a tree', type: 'planting', baseXp: 50, baseHeart: '2000000000000000000', durationMinutes: 60, latitude: 41.15, longitude: -8.61 },
    });
    assert.equal(response.status, 201);
    assert.ok(data);
    return data;
  }

  it('wallet sign-in → quests → presigned upload to S3 → proof → approved → complete → claim relayed', async () => {
    const wallet = newWallet();
    const stored: (SessionTokens | null)[] = [];
    const app = client({ onSession: (s) => stored.push(s) });
    const session = await app.signInWithWallet(wallet);
    assert.equal(session.player.address.toLowerCase(), wallet.address.toLowerCase());
    assert.equal(session.player.role, 'player');
    assert.deepEqual(stored, [{ accessToken: session.accessToken, refreshToken: session.refreshToken }]);

    const quest = await publishQuest('Plant an oak');
    const listed = await app.quests.list(zoneId);
    assert.ok(listed.some((q) => q.id === quest.id));
    const assignment = await app.quests.start(quest.id);
    assert.equal(assignment.missionId, quest.id);
    assert.equal(assignment.status, 'active');
    await assert.rejects(app.quests.start(quest.id), (e: unknown) => e instanceof OneHeartError && e.status === 409 && e.code === 'QUEST_ALREADY_ACTIVE' && e.requestId !== undefined);

    const proof = await app.proofs.submitWithEvidence({
      assignmentId: assignment.id, bytes: jpeg, contentType: 'image/jpeg',
      latitude: 41.1501, longitude: -8.6102, accuracyM: 4, capturedAt: new Date(Date.now() - 60_000).toISOString(),
      device: { platform: 'ios', model: 'iPhone 15' }, idempotencyKey: `client-${randomBytes(6).toString('hex')}`,
    });
    assert.equal(proof.status, 'pending');
    assert.equal(proof.evidence[0]?.sha256, await sha256Hex(jpeg));
    // the object the presigned PUT stored in s3rver is the photo, byte for byte
    const detail = await app.proofs.get(proof.id);
    assert.equal(detail.proof.id, proof.id);
    assert.equal(detail.verification, null);
    const media = await fetch(detail.mediaUrls[0]!);
    assert.equal(await sha256Hex(new Uint8Array(await media.arrayBuffer())), await sha256Hex(jpeg));
    assert.deepEqual((await app.proofs.list({ limit: 10 })).proofs.map((p) => p.id), [proof.id]);
    assert.deepEqual((await app.quests.history(quest.id))[0]?.proofs.map((p) => p.id), [proof.id]);
    await assert.rejects(app.quests.complete(quest.id), (e: unknown) => e instanceof OneHeartError && e.code === 'PROOF_NOT_APPROVED');

    // the verifier's verdict (the verifier process itself is tested in verifier/)
    await db.sql.query(
      `INSERT INTO verification_results (id, action_id, authenticity, confidence, flags, model_version, decision) VALUES (gen_random_uuid(), $1, 90, 0.9, '{}', 'client-test', 'approve')`,
      [proof.id]);
    assert.equal((await app.proofs.get(proof.id)).verification?.decision, 'approve');
    const done = await app.quests.complete(quest.id);
    assert.equal(done.created, true);

    await assert.rejects(app.claims.get(), (e: unknown) => e instanceof OneHeartError && e.status === 404 && e.code === 'NO_CLAIM');
    const month = new Date().toISOString().slice(0, 7);
    const [y, m] = month.split('-').map(Number) as [number, number];
    const deployments = await loadDeployments(outDir, chainId);
    assert.ok(deployments);
    await closeEpoch({
      pool, storage: t.deps.storage, reader: t.deps.chain, writer: createChainWriter(testServices().RPC_URL, KEY),
      anchor: deployments.contracts.LedgerAnchor!.address as Address, month, now: new Date(Date.UTC(y, m, 2)),
    });
    const claim = await app.claims.get();
    assert.equal(claim.address.toLowerCase(), wallet.address.toLowerCase());
    assert.equal(claim.claimed, '0');
    assert.equal(claim.claimable, claim.cumulativeAmount);
    assert.ok(BigInt(claim.claimable) > 0n);
    const relayed = await app.claims.relay();
    assert.match(relayed.txHash, /^0x[0-9a-f]{64}$/);
    assert.equal((await app.claims.relay()).txHash, relayed.txHash, 'relaying again answers the same transaction');
    await t.deps.chain.waitForTransactionReceipt({ hash: relayed.txHash as Hex });

    await app.signOut();
    assert.equal(app.session, null);
    assert.deepEqual(stored.at(-1), null);
    await assert.rejects(app.quests.list(), (e: unknown) => e instanceof OneHeartError && e.status === 401);
  });

  it('an expired or invalid access token is refreshed once with the refresh token; concurrent 401s share one rotation', async () => {
    const signedIn = await client().signInWithWallet(newWallet());
    // issued a day ago, so its lifetime (counted from iat) is over
    const claims = { sub: signedIn.player.id, role: 'player' as const, address: signedIn.player.address, iat: Math.floor(Date.now() / 1000) - 86_400 };
    const expired = t.app.jwt.sign(claims);
    const raw = await fetch(`${baseUrl}/api/quest/list`, { headers: { authorization: `Bearer ${expired}` } });
    assert.equal(raw.status, 401, 'the server refuses the expired token itself');

    const stored: (SessionTokens | null)[] = [];
    const app = client({ session: { accessToken: expired, refreshToken: signedIn.refreshToken }, onSession: (s) => stored.push(s) });
    const [a, b, c] = await Promise.all([app.quests.list(), app.quests.list(), app.proofs.list()]);
    assert.ok(Array.isArray(a) && Array.isArray(b) && Array.isArray(c.proofs));
    assert.equal(stored.length, 1, 'one rotation for three 401s');
    assert.notEqual(app.session?.accessToken, expired);
    assert.notEqual(app.session?.refreshToken, signedIn.refreshToken);

    // a garbage access token with the rotated refresh token: refreshed again
    app.setSession({ accessToken: 'not-a-jwt', refreshToken: app.session!.refreshToken });
    assert.ok(Array.isArray(await app.quests.list()));
    assert.match(app.session!.accessToken, /^ey/);

    // a refused refresh (the original, already rotated token) ends the session with the request's 401
    app.setSession({ accessToken: 'not-a-jwt', refreshToken: signedIn.refreshToken });
    await assert.rejects(app.quests.list(), (e: unknown) => e instanceof OneHeartError && e.status === 401);
    assert.equal(app.session, null);
  });

  it('the documented example runs against the API (no verifier here, so it stops at the pending proof)', async () => {
    const quest = await publishQuest('Example quest');
    const lines: string[] = [];
    const result = await runExample({ api: baseUrl, chainId, waitSeconds: 0, log: (l) => lines.push(l) });
    assert.ok(result.questId && result.proofId, lines.join('\n'));
    assert.equal(result.decision, null);
    assert.ok((await admin.quests.list()).some((q) => q.id === quest.id));
    const shown = await admin.proofs.get(result.proofId);
    assert.equal(shown.proof.status, 'pending');
    assert.equal(shown.proof.playerId, result.player);
    assert.ok(lines.some((l) => l.startsWith('nothing to claim yet')), lines.join('\n'));
  });

  it('client/schema.d.ts and client/openapi.json are what the current routes generate', async () => {
    const fresh = await generateClientFiles();
    for (const [file, text] of [[SCHEMA_FILE, fresh.schema], [OPENAPI_FILE, fresh.openapi]] as const) {
      const committed = await readFile(file, 'utf8');
      const a = committed.split('\n');
      const b = text.split('\n');
      const line = a.findIndex((l, i) => l !== b[i]);
      assert.ok(committed === text, `${path.basename(file)} is out of date (first difference at line ${line + 1}): run \`npm run client:generate\` and commit client/`);
    }
  });
});
