// Reusable "behaves like Pausable" suite: the pauser pauses/unpauses with events, others cannot,
// and every guarded function reverts with EnforcedPause while paused.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Address, Hex } from 'viem';
import { call, type LooseAssertions, type RoleContract } from './access-control.ts';

interface Caller {
  account: { address: Address };
}
export interface PausableContext {
  name: string;
  setup: () => Promise<{
    contract: RoleContract;
    pauser: Caller;
    stranger: Caller;
    assertions: LooseAssertions;
    /** Authorised callers of the guarded functions, by name. */
    callers: Record<string, Caller>;
  }>;
  pauserRole: Hex;
  /** Calls that must revert with EnforcedPause while paused; `from` names an entry of `callers`. */
  guarded: Array<{ fn: string; args: readonly unknown[]; from: string }>;
}

export function behavesLikePausable(ctx: PausableContext): void {
  describe(`${ctx.name} behaves like Pausable`, () => {
    it('is pausable and unpausable by the pauser, with events', async () => {
      const { contract, pauser, assertions } = await ctx.setup();
      assert.equal(await call(contract, 'read', 'paused')([]), false);
      await assertions.emitWithArgs(
        call(contract, 'write', 'pause')([], { account: pauser.account }) as Promise<Hex>,
        contract,
        'Paused',
        [pauser.account.address],
      );
      assert.equal(await call(contract, 'read', 'paused')([]), true);
      await assertions.revertWithCustomError(call(contract, 'write', 'pause')([], { account: pauser.account }), contract, 'EnforcedPause');
      await assertions.emitWithArgs(
        call(contract, 'write', 'unpause')([], { account: pauser.account }) as Promise<Hex>,
        contract,
        'Unpaused',
        [pauser.account.address],
      );
      await assertions.revertWithCustomError(call(contract, 'write', 'unpause')([], { account: pauser.account }), contract, 'ExpectedPause');
    });

    for (const fn of ['pause', 'unpause']) {
      it(`rejects ${fn} from a non-pauser`, async () => {
        const { contract, stranger, assertions } = await ctx.setup();
        await assertions.revertWithCustomErrorWithArgs(
          call(contract, 'write', fn)([], { account: stranger.account }),
          contract,
          'AccessControlUnauthorizedAccount',
          [stranger.account.address, ctx.pauserRole],
        );
      });
    }

    for (const g of ctx.guarded) {
      it(`blocks ${g.fn} while paused`, async () => {
        const { contract, pauser, assertions, callers } = await ctx.setup();
        await call(contract, 'write', 'pause')([], { account: pauser.account });
        const from = callers[g.from];
        if (!from) throw new Error(`no caller ${g.from}`);
        await assertions.revertWithCustomError(call(contract, 'write', g.fn)(g.args, { account: from.account }), contract, 'EnforcedPause');
      });
    }
  });
}
