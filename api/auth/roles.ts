/**
 * Who may call a route: `'public'`, `'internal'` (other services, with the
 * `x-internal-token` header) or the roles allowed (see api/plugins/auth.ts).
 */
export const ROLES = ['player', 'sponsor', 'admin', 'auditor'] as const;
export type Role = (typeof ROLES)[number];
export type RouteAuth = 'public' | 'internal' | readonly Role[];

/** Any signed-in caller. */
export const SIGNED_IN: readonly Role[] = ROLES;
/** Admins only (rate-limited on the admin budget). */
export const ADMIN_ONLY: readonly Role[] = ['admin'];

/** Claims of an access token. */
export interface AccessClaims {
  sub: string;
  role: Role;
  address: string;
}

export const isAdminRoute = (auth: RouteAuth | undefined) =>
  Array.isArray(auth) && auth.length > 0 && auth.every((r) => r === 'admin');
