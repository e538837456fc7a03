// What the log CLIs (verify, log:monitor) share: opening the tiled log with its verifier key, and
// finding LedgerAnchor on the RPC's chain.
import type { Address, PublicClient } from 'viem';
import { loadDeployments } from '../lib/chain.ts';
import { LogClient } from '../tlog/client.ts';
import { nodeHasher } from '../tlog/node-sha256.ts';

/** A client for the log at `base`; without `vkey` it trusts the key the log serves and says so on stderr. */
export async function openLog(tool: string, base: string, vkey?: string, origin?: string): Promise<LogClient> {
  let key = vkey;
  if (!key) {
    key = (await (await fetch(`${base.replace(/\/+$/, '')}/vkey`)).text()).trim();
    console.warn(`${tool}: no --vkey given; trusting the key the log serves: ${key} (pin the published key with --vkey)`);
  }
  return LogClient.create({ baseUrl: base, vkey: key, origin, hasher: nodeHasher() });
}

/** `anchor` when given, else LedgerAnchor from `<deploymentsDir>/<chainId>.json`. */
export async function anchorAddress(reader: PublicClient, anchor: string | undefined, deploymentsDir: string): Promise<Address> {
  if (anchor) {
    if (!/^0x[0-9a-fA-F]{40}$/.test(anchor)) throw new Error(`--anchor: ${anchor} is not an address`);
    return anchor as Address;
  }
  const chainId = await reader.getChainId();
  const found = (await loadDeployments(deploymentsDir, chainId))?.contracts.LedgerAnchor?.address;
  if (!found) throw new Error(`no --anchor and no LedgerAnchor in ${deploymentsDir}/${chainId}.json`);
  return found as Address;
}
