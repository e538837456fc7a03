// The chain the API reads: chain id and OneHeart contract addresses (deployments/<chainId>.json), loaded once.
import type { Address } from 'viem';
import { loadDeployments, type ContractName } from '../lib/chain.ts';
import type { Deps } from './deps.ts';
import { ApiError } from './errors.ts';

export interface ChainContext {
  chainId: number;
  address(name: ContractName): Address;
}

const cache = new WeakMap<Deps, Promise<ChainContext>>();

async function load(deps: Deps): Promise<ChainContext> {
  const chainId = await deps.chain.getChainId();
  const dep = await loadDeployments(deps.config.DEPLOYMENTS_DIR, chainId);
  return {
    chainId,
    address(name) {
      const c = dep?.contracts[name];
      if (!c) throw new ApiError(503, 'CHAIN_NOT_DEPLOYED', `${name} is not deployed on chain ${chainId}`);
      return c.address as Address;
    },
  };
}

/** Chain id and contract addresses; a failed load is retried on the next call. */
export function chainContext(deps: Deps): Promise<ChainContext> {
  let p = cache.get(deps);
  if (!p) {
    p = load(deps);
    cache.set(deps, p);
    p.catch(() => cache.delete(deps));
  }
  return p;
}

/** Block explorer link of a transaction, when EXPLORER_URL is set. */
export const explorerTx = (deps: Deps, txHash: string | null): string | null =>
  txHash && deps.config.EXPLORER_URL ? `${deps.config.EXPLORER_URL.replace(/\/+$/, '')}/tx/${txHash}` : null;
