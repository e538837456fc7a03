// Player access controls (player_access): suspension, and the cut-off before
// which a player's access tokens are refused (set on a role change). Postgres
// holds the truth; Redis caches each player's state for CACHE_TTL_S so the auth
// plugin pays one GET per authenticated request. Changes write the cache through
// after commit; a lost Redis only costs a database read.
import type { AccessClaims } from '../auth/roles.ts';
import type { Deps } from '../deps.ts';
import { ApiError } from '../errors.ts';

export const ACCESS_CACHE_TTL_S = 60;

export interface AccessState {
  suspended: boolean;
  /** access tokens issued (iat, seconds) before this second are refused; 0 = none */
  validAfterS: number;
}

const OPEN: AccessState = { suspended: false, validAfterS: 0 };

/** Refuses the access token of a suspended player, or one issued before the player's cut-off. */
export type AccessCheck = (claims: AccessClaims & { iat?: number }) => Promise<ApiError | null>;

export class PlayerAccess {
  constructor(private readonly deps: Pick<Deps, 'db' | 'redis' | 'config'>) {}

  private key(playerId: string) {
    return `${this.deps.config.REDIS_PREFIX}access:${playerId}`;
  }

  /** The state from Postgres (no row = open). */
  async load(playerId: string): Promise<AccessState> {
    const row = await this.deps.db.playerAccess.findUnique({ where: { playerId }, select: { suspendedAt: true, sessionsValidAfter: true } });
    if (!row) return OPEN;
    return { suspended: row.suspendedAt !== null, validAfterS: row.sessionsValidAfter ? Math.floor(row.sessionsValidAfter.getTime() / 1000) : 0 };
  }

  /** Cached state; a Redis failure falls back to Postgres. */
  async state(playerId: string): Promise<AccessState> {
    const cached = await this.deps.redis.get(this.key(playerId)).catch(() => null);
    if (cached) return JSON.parse(cached) as AccessState;
    const state = await this.load(playerId);
    await this.remember(playerId, state);
    return state;
  }

  /** Writes `state` to the cache (after the change committed). */
  async remember(playerId: string, state: AccessState): Promise<void> {
    await this.deps.redis.set(this.key(playerId), JSON.stringify(state), 'EX', ACCESS_CACHE_TTL_S).catch(() => undefined);
  }

  readonly check: AccessCheck = async (claims) => {
    const s = await this.state(claims.sub);
    if (s.suspended) return new ApiError(403, 'ACCOUNT_SUSPENDED', 'this account is suspended');
    if (s.validAfterS > 0 && (claims.iat ?? 0) < s.validAfterS) {
      return new ApiError(401, 'SESSION_REVOKED', 'your role changed: refresh your session or sign in again');
    }
    return null;
  };
}
