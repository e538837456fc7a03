import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createPublicClient, createWalletClient, http, webSocket, type Hex, type PublicClient, type WalletClient } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { z } from 'zod';

/** Contracts the platform talks to; names match `deployments/<chainId>.json`. */
export const CONTRACT_NAMES = ['HeartToken', 'LedgerAnchor', 'RewardDistributor', 'SponsorPool', 'Stablecoin'] as const;
export type ContractName = (typeof CONTRACT_NAMES)[number];

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/) as z.ZodType<Hex>;
const deploymentsSchema = z.object({
  chainId: z.number().int().positive(),
  contracts: z.record(z.string(), z.object({ address, blockNumber: z.number().int().nonnegative() })),
  abiHash: z.string().optional(),
});
export type Deployments = z.infer<typeof deploymentsSchema>;

function transportFor(rpcUrl: string) {
  return rpcUrl.startsWith('ws') ? webSocket(rpcUrl) : http(rpcUrl, { batch: true, retryCount: 3 });
}

/** A read-only client for any EVM RPC. */
export function createChainReader(rpcUrl: string): PublicClient {
  return createPublicClient({ transport: transportFor(rpcUrl) });
}

/** A signing client for the platform's operator account (anchoring, relaying). */
export function createChainWriter(rpcUrl: string, privateKey: Hex): WalletClient {
  return createWalletClient({ account: privateKeyToAccount(privateKey), transport: transportFor(rpcUrl) });
}

/** Reads and validates `deployments/<chainId>.json`; returns null when the chain has no deployment yet. */
export async function loadDeployments(dir: string, chainId: number): Promise<Deployments | null> {
  const file = path.resolve(dir, `${chainId}.json`);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const parsed = deploymentsSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  if (parsed.data.chainId !== chainId) throw new Error(`${file}: chainId ${parsed.data.chainId} does not match the RPC's ${chainId}`);
  return parsed.data;
}
