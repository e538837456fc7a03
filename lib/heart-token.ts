// Minimal HeartToken ABI (subset of contracts/interfaces/IHeartToken.sol + ERC-20 + EIP-2612), typed for viem.
import { parseAbi } from 'viem';

export const heartTokenAbi = parseAbi([
  'function redeem(uint256 amount, bytes32 redemptionId)',
  'function redeemFrom(address account, uint256 amount, bytes32 redemptionId)',
  'function isRedemptionUsed(bytes32 redemptionId) view returns (bool)',
  'function balanceOf(address account) view returns (uint256)',
  'function allowance(address owner, address spender) view returns (uint256)',
  'function transfer(address to, uint256 value) returns (bool)',
  'function transferFrom(address from, address to, uint256 value) returns (bool)',
  'function permit(address owner, address spender, uint256 value, uint256 deadline, uint8 v, bytes32 r, bytes32 s)',
  'function nonces(address owner) view returns (uint256)',
  'event Redeemed(address indexed account, uint256 amount, bytes32 indexed redemptionId)',
]);

/** EIP-712 domain name and version of HeartToken's permit (ERC20Permit("Heart"), OpenZeppelin's version "1"). */
export const HEART_PERMIT_DOMAIN = { name: 'Heart', version: '1' } as const;

export const permitTypes = {
  Permit: [
    { name: 'owner', type: 'address' },
    { name: 'spender', type: 'address' },
    { name: 'value', type: 'uint256' },
    { name: 'nonce', type: 'uint256' },
    { name: 'deadline', type: 'uint256' },
  ],
} as const;
