// Opens what the ledger operator scripts need from the platform configuration (lib/config.ts).
import pg from 'pg';
import { createChainReader, createChainWriter, loadDeployments } from '../lib/chain.ts';
import { loadOperatorConfig } from '../lib/config.ts';
import { Storage } from '../lib/storage.ts';

export async function openOperator() {
  const config = loadOperatorConfig();
  const reader = createChainReader(config.RPC_URL);
  const chainId = await reader.getChainId();
  const deployments = await loadDeployments(config.DEPLOYMENTS_DIR, chainId);
  const anchor = deployments?.contracts.LedgerAnchor?.address;
  if (!anchor) throw new Error(`no LedgerAnchor deployment for chain ${chainId} in ${config.DEPLOYMENTS_DIR}`);
  const pool = new pg.Pool({ connectionString: config.DATABASE_URL, max: 4 });
  const storage = new Storage(config);
  const writer = createChainWriter(config.RPC_URL, config.OPERATOR_PRIVATE_KEY);
  return { config, pool, storage, reader, writer, anchor, close: async () => { await pool.end(); storage.destroy(); } };
}
