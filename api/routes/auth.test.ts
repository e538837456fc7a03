import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { freshDatabase, type TestDatabase } from '../../test/helpers/database.ts';
import { bearer, getNonce, login, newWallet, signedMessage, signIn, testApp, type TestApp } from '../testing.ts';

describe('Sign-In with Ethereum and sessions', () => {
  let db: TestDatabase;
  let t: TestApp;
  before(async () => {
    db = await freshDatabase();
    t = await testApp(db.url);
  });
  after(async () => {
    await t.close();
    await db.drop();
  });

  const players = async () => Number((await db.sql.query('SELECT count(*)::int AS n FROM players')).rows[0].n);
  const sessions = async () => Number((await db.sql.query('SELECT count(*)::int AS n FROM refresh_tokens')).rows[0].n);

  it('issues distinct nonces', async () => {
    const [a, b] = await Promise.all([getNonce(t.app), getNonce(t.app)]);
    assert.match(a, /^[a-zA-Z0-9]{8,}$/);
    assert.notEqual(a, b);
  });

  it('signs a new wallet in, registers it as did:pkh, and the access token works', async () => {
    const wallet = newWallet();
    const before = await players();
    const s = await signIn(t, wallet);
    const chainId = await t.deps.chain.getChainId();
    assert.equal(s.player.address, wallet.address.toLowerCase());
    assert.equal(s.player.did, `did:pkh:eip155:${chainId}:${wallet.address.toLowerCase()}`);
    assert.equal(s.player.role, 'player');
    assert.equal(await players(), before + 1);
    const claims = t.app.jwt.decode<{ sub: string; role: string; address: string; exp: number; iat: number }>(s.accessToken);
    assert.equal(claims?.sub, s.player.id);
    assert.equal(claims?.exp !== undefined && claims.exp - claims.iat, 15 * 60);
    const header = JSON.parse(Buffer.from(s.accessToken.split('.')[0] ?? '', 'base64url').toString());
    assert.equal(header.alg, 'HS256');
    const row = (await db.sql.query('SELECT token_hash, expires_at FROM refresh_tokens WHERE player_id = $1', [s.player.id])).rows[0];
    assert.match(row.token_hash, /^[0-9a-f]{64}$/);
    assert.notEqual(row.token_hash, s.refreshToken);
    const me = await t.app.inject({ method: 'GET', url: `/api/player/${s.player.id}`, headers: bearer(s.accessToken) });
    assert.equal(me.statusCode, 200, me.body);
    // a second sign-in of the same wallet is the same player
    const again = await signIn(t, wallet);
    assert.equal(again.player.id, s.player.id);
    assert.equal(await players(), before + 1);
  });

  it('rejects a replayed message (nonce is single-use)', async () => {
    const wallet = newWallet();
    const body = await signedMessage(t.deps, wallet, await getNonce(t.app));
    assert.equal((await login(t.app, body)).statusCode, 200);
    const n = await sessions();
    const replay = await login(t.app, body);
    assert.equal(replay.statusCode, 401);
    assert.equal(replay.json().error.code, 'SIWE_NONCE_INVALID');
    assert.equal(await sessions(), n);
  });

  it('rejects an unknown nonce', async () => {
    const res = await login(t.app, await signedMessage(t.deps, newWallet(), 'abcdefgh12345678'));
    assert.equal(res.statusCode, 401);
    assert.equal(res.json().error.code, 'SIWE_NONCE_INVALID');
  });

  const rejections: [string, (chainId: number) => Parameters<typeof signedMessage>[3], number, string][] = [
    ['wrong domain', () => ({ domain: 'evil.example' }), 401, 'SIWE_DOMAIN_MISMATCH'],
    ['wrong URI', () => ({ uri: 'https://evil.example/login' }), 401, 'SIWE_URI_MISMATCH'],
    ['wrong chain id', (c) => ({ chainId: c + 1 }), 401, 'SIWE_CHAIN_MISMATCH'],
    ['expired', () => ({ expirationTime: new Date(Date.now() - 1000) }), 401, 'SIWE_EXPIRED'],
    ['not before in the future', () => ({ notBefore: new Date(Date.now() + 3600_000) }), 401, 'SIWE_NOT_YET_VALID'],
    ['issued in the future', () => ({ issuedAt: new Date(Date.now() + 3600_000) }), 401, 'SIWE_NOT_YET_VALID'],
    ['issued long ago', () => ({ issuedAt: new Date(Date.now() - 3600_000) }), 401, 'SIWE_EXPIRED'],
  ];
  for (const [name, fields, status, code] of rejections) {
    it(`rejects ${name} with ${code}, and the nonce stays usable`, async () => {
      const wallet = newWallet();
      const nonce = await getNonce(t.app);
      const [p, s] = [await players(), await sessions()];
      const res = await login(t.app, await signedMessage(t.deps, wallet, nonce, fields(await t.deps.chain.getChainId())));
      assert.equal(res.statusCode, status, res.body);
      assert.equal(res.json().error.code, code);
      assert.deepEqual([await players(), await sessions()], [p, s]);
      assert.equal((await login(t.app, await signedMessage(t.deps, wallet, nonce))).statusCode, 200);
    });
  }

  it('rejects a signature by another wallet', async () => {
    const { message } = await signedMessage(t.deps, newWallet(), await getNonce(t.app));
    const signature = await newWallet().signMessage({ message });
    const res = await login(t.app, { message, signature });
    assert.equal(res.statusCode, 401);
    assert.equal(res.json().error.code, 'SIWE_SIGNATURE_INVALID');
  });

  it('signs in a smart-contract wallet through ERC-1271 on the chain', async () => {
    // Runtime code answering isValidSignature with the magic value 0x1626ba7e (accepts any signature),
    // and one answering zero (rejects every signature).
    const accepting = '0x631626ba7e60e01b60005260206000f3';
    const refusing = '0x60206000f3';
    const wallets = [newWallet(), newWallet()];
    await t.deps.chain.request({ method: 'hardhat_setCode' as never, params: [wallets[0]!.address, accepting] as never });
    await t.deps.chain.request({ method: 'hardhat_setCode' as never, params: [wallets[1]!.address, refusing] as never });
    const signer = newWallet(); // neither contract's key: only the contract's answer counts
    for (const [i, status] of [[0, 200], [1, 401]] as const) {
      const { message } = await signedMessage(t.deps, wallets[i]!, await getNonce(t.app));
      const res = await login(t.app, { message, signature: await signer.signMessage({ message }) });
      assert.equal(res.statusCode, status, res.body);
      if (status === 200) assert.equal(res.json().player.address, wallets[i]!.address.toLowerCase());
    }
  });

  it('rejects malformed messages and timestamps with 400', async () => {
    const wallet = newWallet();
    const { message } = await signedMessage(t.deps, wallet, await getNonce(t.app));
    const badTime = message.replace(/Issued At: .+/, 'Issued At: yesterday');
    for (const m of ['hello', badTime]) {
      const res = await login(t.app, { message: m, signature: await wallet.signMessage({ message: m }) });
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.json().error.code, 'SIWE_MALFORMED');
    }
    const notHex = await login(t.app, { message, signature: 'nope' as `0x${string}` });
    assert.equal(notHex.statusCode, 400);
    assert.equal(notHex.json().error.code, 'VALIDATION_FAILED');
  });

  it('rejects unknown fields and __proto__ in the body', async () => {
    const body = await signedMessage(t.deps, newWallet(), await getNonce(t.app));
    const extra = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { ...body, role: 'admin' } });
    assert.equal(extra.statusCode, 400);
    assert.equal(extra.json().error.code, 'VALIDATION_FAILED');
    const proto = await t.app.inject({
      method: 'POST', url: '/api/auth/login', headers: { 'content-type': 'application/json' },
      payload: `{"message":${JSON.stringify(body.message)},"signature":"${body.signature}","__proto__":{"role":"admin"}}`,
    });
    assert.equal(proto.statusCode, 400);
    assert.ok(proto.json().error.code);
  });

  it('concurrent logins with one nonce give exactly one session', async () => {
    const wallet = newWallet();
    const body = await signedMessage(t.deps, wallet, await getNonce(t.app));
    const s = await sessions();
    const results = await Promise.all(Array.from({ length: 8 }, () => login(t.app, body)));
    const codes = results.map((r) => r.statusCode).sort();
    assert.deepEqual(codes, [200, 401, 401, 401, 401, 401, 401, 401]);
    assert.equal(await sessions(), s + 1);
  });

  it('rotates refresh tokens and revokes everything on reuse', async () => {
    const first = await signIn(t);
    const r1 = await t.app.inject({ method: 'POST', url: '/api/auth/refresh', payload: { refreshToken: first.refreshToken } });
    assert.equal(r1.statusCode, 200, r1.body);
    const second = r1.json();
    assert.notEqual(second.refreshToken, first.refreshToken);
    assert.equal(second.player.id, first.player.id);
    // reuse of the rotated-out token: rejected, and the live one dies too
    const reuse = await t.app.inject({ method: 'POST', url: '/api/auth/refresh', payload: { refreshToken: first.refreshToken } });
    assert.equal(reuse.statusCode, 401);
    assert.equal(reuse.json().error.code, 'REFRESH_TOKEN_REUSED');
    const after = await t.app.inject({ method: 'POST', url: '/api/auth/refresh', payload: { refreshToken: second.refreshToken } });
    assert.equal(after.statusCode, 401);
    const live = (await db.sql.query('SELECT count(*)::int AS n FROM refresh_tokens WHERE player_id = $1 AND revoked_at IS NULL', [first.player.id])).rows[0].n;
    assert.equal(live, 0);
    const unknown = await t.app.inject({ method: 'POST', url: '/api/auth/refresh', payload: { refreshToken: 'x'.repeat(43) } });
    assert.equal(unknown.statusCode, 401);
    assert.equal(unknown.json().error.code, 'REFRESH_TOKEN_INVALID');
  });

  it('logout revokes the refresh token', async () => {
    const s = await signIn(t);
    const out = await t.app.inject({ method: 'POST', url: '/api/auth/logout', payload: { refreshToken: s.refreshToken } });
    assert.equal(out.statusCode, 200);
    const r = await t.app.inject({ method: 'POST', url: '/api/auth/refresh', payload: { refreshToken: s.refreshToken } });
    assert.equal(r.statusCode, 401);
  });

  it('401 without or with a bad token; a token signed with another algorithm or secret is refused', async () => {
    const s = await signIn(t);
    const url = `/api/player/${s.player.id}`;
    assert.equal((await t.app.inject({ method: 'GET', url })).json().error.code, 'UNAUTHENTICATED');
    const [h, p] = s.accessToken.split('.');
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${p}.`;
    for (const token of ['garbage', none, `${h}.${p}.AAAA`]) {
      const res = await t.app.inject({ method: 'GET', url, headers: bearer(token) });
      assert.equal(res.statusCode, 401, token);
    }
  });
});
