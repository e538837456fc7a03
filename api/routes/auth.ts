import type { FastifyInstance } from 'fastify';
import type { Hex } from 'viem';
import { findOrRegister, openSession, revoke, rotate } from '../auth/sessions.ts';
import { SiweVerifier } from '../auth/siwe.ts';
import { ROLES } from '../auth/roles.ts';
import type { Deps } from '../deps.ts';
import { errors } from './schemas.ts';

const session = {
  type: 'object',
  required: ['accessToken', 'tokenType', 'expiresIn', 'refreshToken', 'player'],
  properties: {
    accessToken: { type: 'string' },
    tokenType: { type: 'string', const: 'Bearer' },
    expiresIn: { type: 'integer' },
    refreshToken: { type: 'string' },
    player: {
      type: 'object',
      required: ['id', 'address', 'did', 'role'],
      properties: { id: { type: 'string' }, address: { type: 'string' }, did: { type: 'string' }, role: { type: 'string', enum: [...ROLES] } },
    },
  },
} as const;

const refreshBody = {
  type: 'object',
  required: ['refreshToken'],
  additionalProperties: false,
  properties: { refreshToken: { type: 'string', minLength: 16, maxLength: 128 } },
} as const;

/** Sign-In with Ethereum and session tokens. */
export default async function authRoutes(app: FastifyInstance, { deps }: { deps: Deps }) {
  const siwe = new SiweVerifier(deps);

  app.post('/api/auth/nonce', {
    config: { auth: 'public' },
    schema: {
      summary: 'A single-use SIWE nonce (valid 5 minutes)',
      tags: ['auth'],
      response: { 200: { type: 'object', required: ['nonce'], properties: { nonce: { type: 'string' } } }, ...errors(429) },
    },
  }, async () => ({ nonce: await siwe.issueNonce() }));

  app.post<{ Body: { message: string; signature: Hex } }>('/api/auth/login', {
    config: { auth: 'public' },
    schema: {
      summary: 'Sign in with an EIP-4361 message signed by the wallet (EOA or ERC-1271)',
      tags: ['auth'],
      body: {
        type: 'object',
        required: ['message', 'signature'],
        additionalProperties: false,
        properties: {
          message: { type: 'string', minLength: 1, maxLength: 4096 },
          signature: { type: 'string', pattern: '^0x[0-9a-fA-F]+$', maxLength: 20000 },
        },
      },
      response: { 200: session, ...errors(400, 401, 429) },
    },
  }, async (req) => {
    const { address, chainId } = await siwe.verify(req.body.message, req.body.signature);
    const player = await findOrRegister(deps.db, address, chainId);
    return openSession(app, deps.db, player);
  });

  app.post<{ Body: { refreshToken: string } }>('/api/auth/refresh', {
    config: { auth: 'public' },
    schema: {
      summary: 'Rotate a refresh token into a new session',
      tags: ['auth'],
      body: refreshBody,
      response: { 200: session, ...errors(400, 401, 429) },
    },
  }, async (req) => rotate(app, deps.db, req.body.refreshToken));

  app.post<{ Body: { refreshToken: string } }>('/api/auth/logout', {
    config: { auth: 'public' },
    schema: {
      summary: 'Revoke a refresh token',
      tags: ['auth'],
      body: refreshBody,
      response: { 200: { type: 'object', required: ['ok'], properties: { ok: { type: 'boolean' } } }, ...errors(400, 429) },
    },
  }, async (req) => {
    await revoke(deps.db, req.body.refreshToken);
    return { ok: true };
  });
}
