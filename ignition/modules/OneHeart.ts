// Ignition deployment of the OneHeart contracts.
//
// OneHeartDev  — also deploys the 6-decimal TestStablecoin (dev/test only).
// OneHeart     — uses an existing stablecoin: parameter `stablecoin` (or env ONEHEART_STABLECOIN).
// The default export is OneHeart when ONEHEART_STABLECOIN is set, OneHeartDev otherwise.
//
// Parameters (all default to the deployer, account 0): admin (DEFAULT_ADMIN_ROLE everywhere),
// anchorer (LedgerAnchor ANCHORER_ROLE), pauser (PAUSER_ROLE on LedgerAnchor and SponsorPool),
// treasurer and governor (SponsorPool). Roles are granted in the constructors, so the deployer ends up
// holding nothing it was not explicitly given; MINTER_ROLE on HeartToken belongs to the RewardDistributor,
// whose constructor deploys the token.
import type { ArgumentType } from '@nomicfoundation/ignition-core';
import { buildModule } from '@nomicfoundation/hardhat-ignition/modules';

type ModuleBuilder = Parameters<Parameters<typeof buildModule>[1]>[0];
type StablecoinRef = ArgumentType;

function deployCore(m: ModuleBuilder, stablecoin: StablecoinRef) {
  const deployer = m.getAccount(0);
  const admin = m.getParameter('admin', deployer);
  const anchorer = m.getParameter('anchorer', deployer);
  const pauser = m.getParameter('pauser', deployer);
  const treasurer = m.getParameter('treasurer', deployer);
  const governor = m.getParameter('governor', deployer);

  const anchor = m.contract('LedgerAnchor', [admin, anchorer, pauser]);
  const distributor = m.contract('RewardDistributor', [anchor, admin]);
  const token = m.contractAt('HeartToken', m.staticCall(distributor, 'token', []));
  const pool = m.contract('SponsorPool', [stablecoin, admin, treasurer, governor, pauser]);
  return { anchor, distributor, token, pool };
}

export const OneHeartDevModule = buildModule('OneHeartDev', (m) => {
  const stablecoin = m.contract('TestStablecoin', []);
  return { ...deployCore(m, stablecoin), stablecoin };
});

export const OneHeartModule = buildModule('OneHeart', (m) => {
  const fromEnv = process.env.ONEHEART_STABLECOIN;
  const stablecoin = fromEnv === undefined ? m.getParameter<string>('stablecoin') : m.getParameter('stablecoin', fromEnv);
  return deployCore(m, stablecoin);
});

export default process.env.ONEHEART_STABLECOIN ? OneHeartModule : OneHeartDevModule;
