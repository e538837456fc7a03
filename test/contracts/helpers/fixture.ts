// Shared deployment fixture for the contract tests: every role on a distinct account.
import type { network } from 'hardhat';
import { keccak256, toHex, type Address, type Hex } from 'viem';

export type Connection = Awaited<ReturnType<typeof network.create>>;
export type Viem = Connection['viem'];

export const role = (name: string): Hex => keccak256(toHex(name));
export const ROLES = {
  DEFAULT_ADMIN: `0x${'00'.repeat(32)}` as Hex,
  MINTER: role('MINTER_ROLE'),
  ANCHORER: role('ANCHORER_ROLE'),
  PAUSER: role('PAUSER_ROLE'),
  TREASURER: role('TREASURER_ROLE'),
  GOVERNOR: role('GOVERNOR_ROLE'),
};
export const ZERO: Address = '0x0000000000000000000000000000000000000000';
export const bytes32 = (label: string): Hex => keccak256(toHex(label));

export async function deployAll(viem: Viem) {
  const [deployer, admin, anchorer, pauser, treasurer, governor, alice, bob, carol] = await viem.getWalletClients();
  if (!deployer || !admin || !anchorer || !pauser || !treasurer || !governor || !alice || !bob || !carol) {
    throw new Error('not enough accounts');
  }
  const anchor = await viem.deployContract('LedgerAnchor', [admin.account.address, anchorer.account.address, pauser.account.address]);
  const distributor = await viem.deployContract('RewardDistributor', [anchor.address, admin.account.address]);
  const token = await viem.getContractAt('HeartToken', (await distributor.read.token!()) as Address);
  const stable = await viem.deployContract('TestStablecoin', []);
  const pool = await viem.deployContract('SponsorPool', [
    stable.address,
    admin.account.address,
    treasurer.account.address,
    governor.account.address,
    pauser.account.address,
  ]);
  const publicClient = await viem.getPublicClient();
  return { anchor, distributor, token, stable, pool, publicClient, deployer, admin, anchorer, pauser, treasurer, governor, alice, bob, carol };
}
export type Deployed = Awaited<ReturnType<typeof deployAll>>;
