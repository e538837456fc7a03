// Test support for API tests (not a test file): an app on real services with
// its own Redis key prefix, and a wallet that signs in through HTTP.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Hex, LocalAccount } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { createSiweMessage } from 'viem/siwe';
import { loadConfig, testServices } from '../lib/config.ts';
import { createLogger } from '../lib/logger.ts';
import { buildApp } from './app.ts';
import { createDeps, type Deps } from './deps.ts';

export interface TestApp {
  app: FastifyInstance;
  deps: Deps;
  close(): Promise<void>;
}

export const uniquePrefix = () => `t:${randomBytes(6).toString('hex')}:`;

/** An app on the test services; `overrides` win (pass REDIS_PREFIX to share counters between apps). */
export async function testApp(databaseUrl: string, overrides: Record<string, string> = {}): Promise<TestApp> {
  const config = loadConfig({
    ...testServices(),
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    REDIS_PREFIX: uniquePrefix(),
    RATE_LIMIT_ANON: '10000',
    RATE_LIMIT_USER: '10000',
    RATE_LIMIT_INTERNAL: '10000',
    RATE_LIMIT_SIMULATE: '10000',
    ...overrides,
  });
  const deps = createDeps(config);
  const app = await buildApp(deps, createLogger('test', 'silent'));
  return {
    app,
    deps,
    async close() {
      await app.close();
      const keys = await deps.redis.keys(`${config.REDIS_PREFIX}*`);
      if (keys.length) await deps.redis.del(...keys);
      await deps.close();
    },
  };
}

export const newWallet = (): LocalAccount => privateKeyToAccount(generatePrivateKey());

export async function getNonce(app: FastifyInstance): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/api/auth/nonce' });
  if (res.statusCode !== 200) throw new Error(`nonce: ${res.statusCode} ${res.body}`);
  return res.json().nonce as string;
}

export type SiweFields = Partial<Parameters<typeof createSiweMessage>[0]>;

/** A signed SIWE message for `wallet`; `fields` override the defaults (a valid message for the test app). */
export async function signedMessage(deps: Deps, wallet: LocalAccount, nonce: string, fields: SiweFields = {}): Promise<{ message: string; signature: Hex }> {
  const message = createSiweMessage({
    domain: new URL(deps.config.PUBLIC_URL).host,
    address: wallet.address,
    statement: 'Sign in to OneHeart',
    uri: `${deps.config.PUBLIC_URL}/login`,
    version: '1',
    chainId: await deps.chain.getChainId(),
    nonce,
    issuedAt: new Date(),
    ...fields,
  });
  return { message, signature: await wallet.signMessage({ message }) };
}

export function login(app: FastifyInstance, body: { message: string; signature: Hex }): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'POST', url: '/api/auth/login', payload: body });
}

/** Full sign-in through HTTP; returns the session body. */
export async function signIn(t: TestApp, wallet: LocalAccount = newWallet()) {
  const res = await login(t.app, await signedMessage(t.deps, wallet, await getNonce(t.app)));
  if (res.statusCode !== 200) throw new Error(`login: ${res.statusCode} ${res.body}`);
  return res.json() as { accessToken: string; refreshToken: string; player: { id: string; address: string; did: string; role: string } };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
