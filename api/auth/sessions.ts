import { createHash, randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Address } from 'viem';
import { Prisma, type Db } from '../../lib/db.ts';
import { ApiError } from '../errors.ts';
import { ACCESS_TOKEN_TTL_S } from '../plugins/auth.ts';
import type { Role } from './roles.ts';

export const REFRESH_TOKEN_TTL_MS = 7 * 24 * 3600 * 1000;

export interface SessionPlayer {
  id: string;
  address: string;
  did: string;
  role: Role;
}

export interface Session {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  refreshToken: string;
  player: SessionPlayer;
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
const invalidRefresh = (message = 'invalid refresh token') => new ApiError(401, 'REFRESH_TOKEN_INVALID', message);
const playerFields = { id: true, address: true, did: true, role: true } as const;

/** The player behind an address, registered on first sign-in as did:pkh. */
export async function findOrRegister(db: Db, address: Address, chainId: number): Promise<SessionPlayer> {
  const lower = address.toLowerCase();
  const existing = await db.player.findUnique({ where: { address: lower }, select: playerFields });
  if (existing) return existing;
  try {
    return await db.player.create({ data: { address: lower, did: `did:pkh:eip155:${chainId}:${lower}` }, select: playerFields });
  } catch (err) {
    // Two first sign-ins of one address raced: the other one registered it.
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') {
      return db.player.findUniqueOrThrow({ where: { address: lower }, select: playerFields });
    }
    throw err;
  }
}

/** A new access token and a new refresh token (stored hashed). */
export async function openSession(app: FastifyInstance, db: Db, player: SessionPlayer): Promise<Session> {
  const refreshToken = randomBytes(32).toString('base64url');
  await db.refreshToken.create({
    data: { playerId: player.id, tokenHash: hashToken(refreshToken), expiresAt: new Date(Date.now() + REFRESH_TOKEN_TTL_MS) },
  });
  const accessToken = app.jwt.sign({ sub: player.id, role: player.role, address: player.address });
  return { accessToken, tokenType: 'Bearer', expiresIn: ACCESS_TOKEN_TTL_S, refreshToken, player };
}

/**
 * Rotation: the presented token is revoked and a new session opened. A revoked
 * token presented again means it leaked, so every token of that player is revoked.
 */
export async function rotate(app: FastifyInstance, db: Db, token: string): Promise<Session> {
  const row = await db.refreshToken.findUnique({ where: { tokenHash: hashToken(token) }, include: { player: { select: playerFields } } });
  if (!row) throw invalidRefresh();
  const now = new Date();
  const revokeAll = async () => {
    await db.refreshToken.updateMany({ where: { playerId: row.playerId, revokedAt: null }, data: { revokedAt: now } });
    return new ApiError(401, 'REFRESH_TOKEN_REUSED', 'refresh token was already used; all sessions revoked');
  };
  if (row.revokedAt) throw await revokeAll();
  if (row.expiresAt <= now) throw invalidRefresh('refresh token expired');
  const { count } = await db.refreshToken.updateMany({ where: { id: row.id, revokedAt: null }, data: { revokedAt: now } });
  if (count !== 1) throw await revokeAll();
  return openSession(app, db, row.player);
}

/** Revokes one refresh token; unknown or already revoked tokens are ignored. */
export async function revoke(db: Db, token: string): Promise<void> {
  await db.refreshToken.updateMany({ where: { tokenHash: hashToken(token), revokedAt: null }, data: { revokedAt: new Date() } });
}
