// The API's background loop: releases the stock of unpaid, expired redemptions and follows relayed
// transactions to confirmation. Safe to run in every instance (see expireDue and Relayer).
import type { Hex } from 'viem';
import { Relayer } from '../../lib/relayer.ts';
import { inTransaction } from '../../lib/transaction.ts';
import type { Deps } from '../deps.ts';
import { expireDue } from './reservations.ts';

export interface MarketSweeper {
  /** One pass: units of stock released, relayed transactions that reached a final state. */
  sweep(): Promise<{ released: number; settled: number }>;
  close(): Promise<void>;
}

export function startMarketSweeper(deps: Deps, log: (err: unknown) => void): MarketSweeper {
  const { pool } = deps;
  const relayer = new Relayer({ pool, chain: deps.chain, rpcUrl: deps.config.RPC_URL, privateKey: deps.config.OPERATOR_PRIVATE_KEY as Hex });
  const sweep = async () => ({ released: await inTransaction(pool, (c) => expireDue(c)), settled: await relayer.followPending() });
  let running: Promise<unknown> | null = null;
  const timer = setInterval(() => {
    running ??= sweep().catch(log).finally(() => {
      running = null;
    });
  }, deps.config.MARKET_SWEEP_MS);
  timer.unref();
  return {
    sweep,
    async close() {
      clearInterval(timer);
      await running;
    },
  };
}
