import { readFileSync } from 'node:fs';
import path from 'node:path';
import { decodeEventLog, toEventSelector, type Abi, type AbiEvent, type Hex, type Log } from 'viem';
import type { Deployments } from '../lib/chain.ts';

const ROOT = path.resolve(import.meta.dirname, '..');

/** Contracts whose logs are mirrored (the test stablecoin is not part of the platform's state). */
export const INDEXED_CONTRACTS = ['HeartToken', 'LedgerAnchor', 'RewardDistributor', 'SponsorPool'] as const;
export type IndexedContract = (typeof INDEXED_CONTRACTS)[number];

/** One mirrored log, ready for chain_events. Addresses and hashes are lowercase hex. */
export interface EventRow {
  blockNumber: bigint;
  blockHash: Hex;
  txHash: Hex;
  logIndex: number;
  contract: Hex;
  eventName: string;
  args: Record<string, string | number | boolean>;
}

export interface Source {
  name: IndexedContract;
  address: Hex;
  startBlock: bigint;
  abi: Abi;
}

export function loadAbi(name: IndexedContract): Abi {
  const file = path.join(ROOT, 'artifacts/contracts', `${name}.sol`, `${name}.json`);
  return (JSON.parse(readFileSync(file, 'utf8')) as { abi: Abi }).abi;
}

/** The indexed contracts of a deployment, with ABIs from the Hardhat artifacts. */
export function sourcesOf(deployments: Deployments): Source[] {
  return INDEXED_CONTRACTS.map((name) => {
    const c = deployments.contracts[name];
    if (!c) throw new Error(`deployment of chain ${deployments.chainId} has no ${name}`);
    return { name, address: c.address.toLowerCase() as Hex, startBlock: BigInt(c.blockNumber), abi: loadAbi(name) };
  });
}

function plain(value: unknown): string | number | boolean {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string') return value.startsWith('0x') ? value.toLowerCase() : value;
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

const selectors = new WeakMap<Abi, Map<string, AbiEvent>>();

/** The events of `abi` by topic0, computed once per ABI (decodeEventLog alone hashes every event's signature per log). */
function eventsBySelector(abi: Abi): Map<string, AbiEvent> {
  let events = selectors.get(abi);
  if (!events) {
    events = new Map(abi.filter((item): item is AbiEvent => item.type === 'event').map((e) => [toEventSelector(e), e]));
    selectors.set(abi, events);
  }
  return events;
}

/** Decodes raw logs; logs of unknown events are kept with eventName 'unknown' and raw topics/data. */
export function decodeLogs(logs: readonly Log[], sources: readonly Source[]): EventRow[] {
  const byAddress = new Map(sources.map((s) => [s.address, s]));
  const rows: EventRow[] = [];
  for (const log of logs) {
    if (log.blockNumber === null || log.blockHash === null || log.transactionHash === null || log.logIndex === null) continue;
    const address = log.address.toLowerCase() as Hex;
    const source = byAddress.get(address);
    if (!source) continue;
    let eventName = 'unknown';
    let args: EventRow['args'] = { topics: log.topics.join(','), data: log.data };
    const event = log.topics[0] === undefined ? undefined : eventsBySelector(source.abi).get(log.topics[0]);
    if (event) {
      try {
        const decoded = decodeEventLog({ abi: [event], topics: log.topics, data: log.data, strict: true });
        eventName = decoded.eventName ?? 'unknown';
        args = {};
        for (const [k, v] of Object.entries((decoded.args ?? {}) as Record<string, unknown>)) args[k] = plain(v);
      } catch {
        // keep the raw form
      }
    }
    rows.push({
      blockNumber: log.blockNumber,
      blockHash: log.blockHash.toLowerCase() as Hex,
      txHash: log.transactionHash.toLowerCase() as Hex,
      logIndex: log.logIndex,
      contract: address,
      eventName,
      args,
    });
  }
  return rows;
}
