// Relaying with an EIP-2612 permit: the player signs a permit for the operator's relayer as spender
// (no gas, no key leaves the wallet); the relayer submits permit(...) and then the call that spends
// the allowance (HeartToken.transferFrom or redeemFrom). Each step is relayed once per ref.
import { encodeFunctionData, parseSignature, recoverTypedDataAddress, type Address, type Hex } from 'viem';
import { HEART_PERMIT_DOMAIN, heartTokenAbi, permitTypes } from '../../lib/heart-token.ts';
import type { RelayedTx, Relayer } from '../../lib/relayer.ts';
import { chainContext } from '../chain-context.ts';
import type { Deps } from '../deps.ts';
import { ApiError, conflict } from '../errors.ts';

export interface Permit {
  owner: Address;
  value: bigint;
  deadline: bigint;
  signature: Hex;
}

/** JSON schema of the typed data returned to sign (bigints as decimal strings). */
export const permitTypedDataSchema = {
  type: 'object', required: ['domain', 'types', 'primaryType', 'message'],
  description: "EIP-712 typed data of HeartToken.permit with the platform relayer as spender: sign it with the player's wallet (eth_signTypedData_v4)",
  properties: {
    domain: { type: 'object', required: ['name', 'version', 'chainId', 'verifyingContract'], properties: { name: { type: 'string' }, version: { type: 'string' }, chainId: { type: 'integer' }, verifyingContract: { type: 'string' } } },
    types: { type: 'object', additionalProperties: true },
    primaryType: { type: 'string' },
    message: {
      type: 'object', required: ['owner', 'spender', 'value', 'nonce', 'deadline'],
      properties: { owner: { type: 'string' }, spender: { type: 'string' }, value: { type: 'string' }, nonce: { type: 'string' }, deadline: { type: 'string' } },
    },
  },
} as const;

async function domainOf(deps: Deps) {
  const ctx = await chainContext(deps);
  return { token: ctx.address('HeartToken'), domain: { ...HEART_PERMIT_DOMAIN, chainId: ctx.chainId, verifyingContract: ctx.address('HeartToken') } };
}

/** The permit `owner` must sign for the relayer to move `value` until `deadline` (unix seconds). */
export async function permitTypedData(deps: Deps, relayer: Relayer, owner: Address, value: bigint, deadline: bigint) {
  const { token, domain } = await domainOf(deps);
  const nonce = await deps.chain.readContract({ address: token, abi: heartTokenAbi, functionName: 'nonces', args: [owner] });
  return {
    domain, types: permitTypes, primaryType: 'Permit' as const,
    message: { owner, spender: relayer.address, value: value.toString(), nonce: nonce.toString(), deadline: deadline.toString() },
  };
}

/**
 * Refuses, before anything is sent, a permit that the chain would refuse: past its deadline,
 * not signed by the owner for the relayer and the owner's current nonce, or above the balance.
 */
export async function checkPermit(deps: Deps, relayer: Relayer, p: Permit): Promise<void> {
  if (p.deadline <= BigInt(Math.floor(Date.now() / 1000))) throw new ApiError(400, 'PERMIT_EXPIRED', 'the permit deadline has passed');
  const { token, domain } = await domainOf(deps);
  const [nonce, balance] = await Promise.all([
    deps.chain.readContract({ address: token, abi: heartTokenAbi, functionName: 'nonces', args: [p.owner] }),
    deps.chain.readContract({ address: token, abi: heartTokenAbi, functionName: 'balanceOf', args: [p.owner] }),
  ]);
  let signer: Address;
  try {
    signer = await recoverTypedDataAddress({
      domain, types: permitTypes, primaryType: 'Permit', signature: p.signature,
      message: { owner: p.owner, spender: relayer.address, value: p.value, nonce, deadline: p.deadline },
    });
  } catch {
    throw new ApiError(400, 'INVALID_PERMIT', 'the signature is not a valid EIP-712 signature');
  }
  if (signer.toLowerCase() !== p.owner.toLowerCase()) {
    throw new ApiError(400, 'INVALID_PERMIT', `the permit is not signed by ${p.owner} for spender ${relayer.address}, value ${p.value}, nonce ${nonce}, deadline ${p.deadline}`);
  }
  if (balance < p.value) throw new ApiError(409, 'INSUFFICIENT_BALANCE', `balance ${balance} is below ${p.value}`, { balance: balance.toString() });
}

/**
 * Submits permit (kind 'permit') and then `call` (the spend), each once per `ref`; waits for the
 * permit's receipt first because the node estimates the spend's gas against the allowance.
 * A permit that someone else already submitted is fine when the allowance is there.
 */
export async function relayWithPermit(deps: Deps, relayer: Relayer, p: Permit, ref: string, call: { kind: string; data: Hex }): Promise<{ permit: RelayedTx | null; call: RelayedTx }> {
  const { token } = await domainOf(deps);
  const allowance = () => deps.chain.readContract({ address: token, abi: heartTokenAbi, functionName: 'allowance', args: [p.owner, relayer.address] });
  let permit = await relayer.find('permit', ref);
  const done = await relayer.find(call.kind, ref);
  if (done && done.status !== 'failed') return { permit, call: await relayer.refresh(done) };
  if (!permit || permit.status === 'failed') {
    const { r, s, v, yParity } = parseSignature(p.signature);
    const data = encodeFunctionData({ abi: heartTokenAbi, functionName: 'permit', args: [p.owner, relayer.address, p.value, p.deadline, Number(v ?? 27n + BigInt(yParity)), r, s] });
    try {
      permit = await relayer.send({ kind: 'permit', ref, to: token, data });
    } catch (err) {
      if ((await allowance()) < p.value) throw conflict('PERMIT_REJECTED', `the chain refused the permit: ${(err as Error).message.split('\n')[0]}`);
      permit = null;
    }
  }
  if (permit) permit = await relayer.wait(permit);
  if (permit?.status === 'failed' && (await allowance()) < p.value) throw conflict('PERMIT_REJECTED', 'the permit transaction reverted');
  return { permit, call: await relayer.send({ kind: call.kind, ref, to: token, data: call.data }) };
}
