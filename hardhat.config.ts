import { createRequire } from 'node:module';
import hardhatToolboxViem from '@nomicfoundation/hardhat-toolbox-viem';
import { configVariable, defineConfig } from 'hardhat/config';

// The compiler comes from the `solc` npm package: compiler downloads fail on
// our machines and in air-gapped deployments.
const solcPath = createRequire(import.meta.url).resolve('solc/soljson.js');

export default defineConfig({
  plugins: [hardhatToolboxViem],
  solidity: {
    version: '0.8.28',
    path: solcPath,
    settings: { optimizer: { enabled: true, runs: 10_000 }, evmVersion: 'cancun' },
  },
  paths: {
    tests: { nodejs: 'test/contracts', solidity: 'contracts/test' },
  },
  networks: {
    localhost: { type: 'http', url: 'http://127.0.0.1:8545' },
  },
  // Explorer verification (`hardhat verify --network <name> <address> <args...>`); the key is only
  // resolved when verifying. deployments/<chainId>.input.json keeps the standard-JSON input as well.
  verify: {
    etherscan: { apiKey: configVariable('ETHERSCAN_API_KEY') },
  },
});
