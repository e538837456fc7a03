// Minimal RewardDistributor ABI (subset of contracts/interfaces/IRewardDistributor.sol), typed for viem.
import { parseAbi } from 'viem';

export const rewardDistributorAbi = parseAbi([
  'function claim(address account, uint256 cumulativeAmount, uint64 epoch, bytes32[] proof) returns (uint256 amount)',
  'function claimed(address account) view returns (uint256)',
  'event Claimed(address indexed account, uint64 indexed epoch, uint256 amount, uint256 cumulativeAmount)',
]);
