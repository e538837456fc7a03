// Reusable "behaves like AccessControl" suite: role-gated functions reject non-holders with
// AccessControlUnauthorizedAccount(caller, role), and the admin manages roles with RoleGranted/RoleRevoked.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Address, Hex } from 'viem';
import { ROLES } from '../helpers/fixture.ts';

/* A viem contract instance as returned by hardhat-viem (loosely typed: artifacts are not type-checked). */
export interface RoleContract {
  address: Address;
  abi: readonly unknown[];
  read: Record<string, ((...args: never[]) => Promise<unknown>) | undefined>;
  write: Record<string, ((...args: never[]) => Promise<Hex>) | undefined>;
}
interface Caller {
  account: { address: Address };
}
export interface LooseAssertions {
  revertWithCustomError: (p: Promise<unknown>, c: RoleContract, e: string) => Promise<void>;
  revertWithCustomErrorWithArgs: (p: Promise<unknown>, c: RoleContract, e: string, a: unknown[]) => Promise<void>;
  emitWithArgs: (p: Promise<Hex>, c: RoleContract, e: string, a: unknown[]) => Promise<void>;
  emit: (p: Promise<Hex>, c: RoleContract, e: string) => Promise<void>;
}
export interface GatedCall {
  fn: string;
  args: readonly unknown[];
  role: Hex;
}
export interface AccessControlContext {
  name: string;
  // Called lazily inside each test so the suite can share the suite-level fixture.
  setup: () => Promise<{
    contract: RoleContract;
    admin: Caller;
    stranger: Caller;
    assertions: LooseAssertions;
  }>;
  roleToManage: Hex;
  gated: GatedCall[];
}

export const call = (c: RoleContract, kind: 'read' | 'write', fn: string) => {
  const f = c[kind][fn];
  if (!f) throw new Error(`no ${kind} function ${fn}`);
  return f as (...args: unknown[]) => Promise<unknown>;
};

export function behavesLikeAccessControl(ctx: AccessControlContext): void {
  describe(`${ctx.name} behaves like AccessControl`, () => {
    it('gives DEFAULT_ADMIN_ROLE to the configured admin', async () => {
      const { contract, admin, stranger } = await ctx.setup();
      assert.equal(await call(contract, 'read', 'hasRole')([ROLES.DEFAULT_ADMIN, admin.account.address]), true);
      assert.equal(await call(contract, 'read', 'hasRole')([ROLES.DEFAULT_ADMIN, stranger.account.address]), false);
    });

    for (const g of ctx.gated) {
      it(`rejects ${g.fn} from an account without the role`, async () => {
        const { contract, stranger, assertions } = await ctx.setup();
        await assertions.revertWithCustomErrorWithArgs(
          call(contract, 'write', g.fn)(g.args, { account: stranger.account }),
          contract,
          'AccessControlUnauthorizedAccount',
          [stranger.account.address, g.role],
        );
      });
    }

    it('lets the admin grant and revoke a role, with events', async () => {
      const { contract, admin, stranger, assertions } = await ctx.setup();
      const who = stranger.account.address;
      await assertions.emitWithArgs(
        call(contract, 'write', 'grantRole')([ctx.roleToManage, who], { account: admin.account }) as Promise<Hex>,
        contract,
        'RoleGranted',
        [ctx.roleToManage, who, admin.account.address],
      );
      assert.equal(await call(contract, 'read', 'hasRole')([ctx.roleToManage, who]), true);
      await assertions.emitWithArgs(
        call(contract, 'write', 'revokeRole')([ctx.roleToManage, who], { account: admin.account }) as Promise<Hex>,
        contract,
        'RoleRevoked',
        [ctx.roleToManage, who, admin.account.address],
      );
      assert.equal(await call(contract, 'read', 'hasRole')([ctx.roleToManage, who]), false);
    });

    it('rejects role management by a non-admin', async () => {
      const { contract, stranger, assertions } = await ctx.setup();
      await assertions.revertWithCustomErrorWithArgs(
        call(contract, 'write', 'grantRole')([ctx.roleToManage, stranger.account.address], { account: stranger.account }),
        contract,
        'AccessControlUnauthorizedAccount',
        [stranger.account.address, ROLES.DEFAULT_ADMIN],
      );
    });
  });
}
