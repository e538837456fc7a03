import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { network } from 'hardhat';
import type { Address } from 'viem';
import { OneHeartDevModule } from '../../ignition/modules/OneHeart.ts';
import { ROLES } from './helpers/fixture.ts';
import { abiHashOf } from '../../scripts/deploy.ts';

const { viem, ignition } = await network.create();

describe('Ignition module OneHeartDev', () => {
  it('deploys all contracts with roles wired to the configured accounts', async () => {
    const [deployer, admin, anchorer] = await viem.getWalletClients();
    const a = admin!.account.address;
    // Artifact types are not type-checked here, so re-attach the deployed addresses with getContractAt.
    const deployed = (await ignition.deploy(OneHeartDevModule, {
      parameters: { OneHeartDev: { admin: a, anchorer: anchorer!.account.address, pauser: a, treasurer: a, governor: a } },
    })) as unknown as Record<'anchor' | 'distributor' | 'token' | 'pool' | 'stablecoin', { address: Address }>;
    const anchor = await viem.getContractAt('LedgerAnchor', deployed.anchor.address);
    const distributor = await viem.getContractAt('RewardDistributor', deployed.distributor.address);
    const token = await viem.getContractAt('HeartToken', deployed.token.address);
    const pool = await viem.getContractAt('SponsorPool', deployed.pool.address);
    const stablecoin = await viem.getContractAt('TestStablecoin', deployed.stablecoin.address);
    const d = deployer!.account.address;
    const lower = (x: unknown) => (x as string).toLowerCase();
    assert.equal(lower(await token.read.minter!()), lower(distributor.address));
    assert.equal(await token.read.hasRole!([ROLES.MINTER, distributor.address]), true);
    assert.equal(lower(await distributor.read.anchor!()), lower(anchor.address));
    assert.equal(lower(await pool.read.stablecoin!()), lower(stablecoin.address));
    for (const c of [token, anchor, pool]) {
      assert.equal(await c.read.hasRole!([ROLES.DEFAULT_ADMIN, a]), true);
      assert.equal(await c.read.hasRole!([ROLES.DEFAULT_ADMIN, d]), false, 'deployer keeps no admin role');
    }
    assert.equal(await anchor.read.hasRole!([ROLES.ANCHORER, anchorer!.account.address]), true);
    assert.equal(await anchor.read.hasRole!([ROLES.ANCHORER, d]), false);
    for (const r of [ROLES.TREASURER, ROLES.GOVERNOR, ROLES.PAUSER]) assert.equal(await pool.read.hasRole!([r, a]), true);
    assert.equal(await stablecoin.read.decimals!(), 6);
  });

  it('abiHash is stable and ABI-sensitive', () => {
    const abi = (n: string) => ({ abi: [{ type: 'function', name: n, inputs: [], outputs: [], stateMutability: 'view' }] as const });
    const base = { HeartToken: abi('a'), LedgerAnchor: abi('b'), RewardDistributor: abi('c'), SponsorPool: abi('d'), Stablecoin: abi('e') };
    assert.equal(abiHashOf(base), abiHashOf({ ...base }));
    assert.notEqual(abiHashOf(base), abiHashOf({ ...base, SponsorPool: abi('x') }));
    assert.match(abiHashOf(base), /^[0-9a-f]{64}$/);
  });
});
