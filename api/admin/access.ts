// Player access controls (player_access): suspension, and the cut-off before
// which a player's access tokens are refused (set on a role change). Postgres
// holds the truth. Every API instance keeps the few restricted players in memory,
// so checking a token costs a Map lookup: a change bumps a version key in Redis
// and reloads the instance that made it at once; other instances poll the key
// every POLL_MS and reload when it moved (and every FULL_RELOAD_MS regardless).
import type { AccessClaims } from '../auth/roles.ts';
import type { Deps } from '../deps.ts';
import { ApiError } from '../errors.ts';
import { ACCESS_TOKEN_TTL_S } from '../plugins/auth.ts';

export const POLL_MS = 1_000;
const FULL_RELOAD_MS = 30_000;

export interface AccessState {
  suspended: boolean;
  /** access tokens issued (iat, seconds) before this second are refused; 0 = none */
  validAfterS: number;
}

/** Refuses the access token of a suspended player, or one issued before the player's cut-off. */
export type AccessCheck = (claims: AccessClaims & { iat?: number }) => Promise<ApiError | null>;

export class PlayerAccess {
  private restricted = new Map<string, AccessState>();
  private version: string | null = null;
  private loaded: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private lastFullReload = 0;

  constructor(private readonly deps: Pick<Deps, 'db' | 'redis' | 'config'>) {}

  private get versionKey() {
    return `${this.deps.config.REDIS_PREFIX}access:version`;
  }

  /**
   * Restricted players from Postgres: suspended ones, and cut-offs younger than
   * an access token's lifetime (older cut-offs refuse only expired tokens).
   */
  async reload(): Promise<void> {
    const rows = await this.deps.db.$queryRaw<{ player_id: string; suspended_at: Date | null; sessions_valid_after: Date | null }[]>`
      SELECT player_id::text, suspended_at, sessions_valid_after FROM player_access
       WHERE suspended_at IS NOT NULL OR sessions_valid_after > now() - make_interval(secs => ${ACCESS_TOKEN_TTL_S + 60})`;
    this.restricted = new Map(rows.map((r) => [r.player_id, {
      suspended: r.suspended_at !== null,
      validAfterS: r.sessions_valid_after ? Math.floor(r.sessions_valid_after.getTime() / 1000) : 0,
    }]));
    this.lastFullReload = Date.now();
  }

  /** Starts polling the version key (the first check awaits the first load). */
  start(): void {
    this.timer ??= setInterval(() => void this.poll().catch(() => undefined), POLL_MS).unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Reloads when another instance announced a change (or the last full reload is old); failures keep the last known state. */
  async poll(): Promise<void> {
    const version = await this.deps.redis.get(this.versionKey);
    if (version !== this.version || Date.now() - this.lastFullReload > FULL_RELOAD_MS) {
      await this.reload();
      this.version = version;
    }
  }

  /** After a committed change: this instance reloads now, the others at their next poll. */
  async changed(): Promise<void> {
    this.version = await this.deps.redis.incr(this.versionKey).then(String, () => this.version);
    await this.reload();
  }

  readonly check: AccessCheck = async (claims) => {
    this.loaded ??= this.reload().catch((err: unknown) => {
      this.loaded = null;
      throw err;
    });
    await this.loaded;
    const s = this.restricted.get(claims.sub);
    if (!s) return null;
    if (s.suspended) return new ApiError(403, 'ACCOUNT_SUSPENDED', 'this account is suspended');
    if (s.validAfterS > 0 && (claims.iat ?? 0) < s.validAfterS) {
      return new ApiError(401, 'SESSION_REVOKED', 'your role changed: refresh your session or sign in again');
    }
    return null;
  };
}
