// Follows the tiled transparency log like a CT monitor. Every new checkpoint must verify with the log's key,
// be consistent with the last one seen (proof from tiles), and be reproduced by re-hashing every new entry
// bundle into tiles (byte-compared with the served tiles); every on-chain LedgerAnchor epoch must match the
// log's root at that size (and its signed epoch checkpoint, when published). Any inconsistency: exit 1.
//
//   npm run log:monitor -- <base-url> --rpc <url> [--anchor 0x…] [--vkey <vkey>] [--state file] [--interval s] [--once]
import { readFile, writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { Address, Hex, PublicClient } from 'viem';
import { createChainReader } from '../lib/chain.ts';
import { ledgerAnchorAbi } from '../lib/ledger-anchor.ts';
import { FetchError, LogError } from '../tlog/client.ts';
import type { LogClient } from '../tlog/client.ts';
import type { Checkpoint } from '../tlog/checkpoint.ts';
import { equalBytes, fromBase64, hex, toBase64 } from '../tlog/hash.ts';
import { nodeHasher } from '../tlog/node-sha256.ts';
import { anchorAddress, openLog } from './log-access.ts';
import { newTiles, TILE_WIDTH, tilePath, TileWriter } from '../tlog/tiles.ts';
import type { TileData } from '../tlog/tiles.ts';

/** What the monitor has verified so far. */
export interface MonitorState { size: number; root: Uint8Array; partials: Uint8Array[]; tail: Uint8Array[]; epochsChecked: number }

export const initialState = async (): Promise<MonitorState> => ({ size: 0, root: await nodeHasher().empty(), partials: [], tail: [], epochsChecked: 0 });

export interface MonitorOptions { client: LogClient; reader?: PublicClient; anchor?: Address; log?: (msg: string) => void }

const fail = (msg: string): never => { throw new LogError(msg); };

/** One monitoring round; returns the new state or throws LogError (inconsistency) / FetchError (unreachable). */
export async function monitorOnce(state: MonitorState, o: MonitorOptions): Promise<MonitorState> {
  const log = o.log ?? (() => {});
  const { client } = o;
  const cp = await client.checkpoint();
  if (cp.size < state.size) fail(`checkpoint rolled back: size ${cp.size} < ${state.size} seen before`);
  await client.verifyConsistent({ origin: cp.origin, size: state.size, root: state.root }, cp);
  let next = state;
  if (cp.size > state.size) next = await rehash(state, cp, client);
  if (cp.size > state.size) log(`checkpoint ${cp.size} ${hex(cp.root)}: consistent with ${state.size}, ${cp.size - state.size} new entries re-hashed`);
  if (o.reader && o.anchor) next = { ...next, epochsChecked: await checkAnchors(next.epochsChecked, cp, o.reader, o.anchor, client, log) };
  return next;
}

/** Re-hashes the entries in (state.size, cp.size] into tiles and compares them with the served tiles and root. */
async function rehash(state: MonitorState, cp: Checkpoint, client: LogClient): Promise<MonitorState> {
  const writer = new TileWriter(nodeHasher(), state.size, state.partials, state.tail);
  const compare = async (tiles: readonly TileData[]) => {
    const hashTiles = tiles.filter((t) => t.tile.level !== 'entries');
    const served = await client.tiles(hashTiles.map((t) => t.tile));
    for (const t of hashTiles) {
      if (!equalBytes(served.get(tilePath(t.tile)) as Uint8Array, t.data)) fail(`${tilePath(t.tile)} does not match the hashes of the entry bundles`);
    }
  };
  const bundles = newTiles(state.size, cp.size, true);
  for (let i = 0; i < bundles.length; i += 32) {
    const group = bundles.slice(i, i + 32);
    const fetched = await Promise.all(group.map((b) => client.bundle(b.index, cp.size)));
    for (const [g, b] of group.entries()) {
      const skip = b.index === Math.floor(state.size / TILE_WIDTH) ? state.size % TILE_WIDTH : 0;
      const entries = fetched[g] as Uint8Array[];
      for (let k = 0; k < skip; k++) {
        if (!equalBytes(entries[k] as Uint8Array, state.tail[k] as Uint8Array)) fail(`${tilePath(b)}: entry ${b.index * TILE_WIDTH + k} changed since size ${state.size}`);
      }
      await compare(await writer.push(entries.slice(skip)));
    }
  }
  const done = await writer.finish();
  await compare(done.tiles);
  if (!equalBytes(done.root, cp.root)) fail(`checkpoint ${cp.size}: root ${hex(cp.root)} is not the root ${hex(done.root)} of the served entries`);
  const tailStart = cp.size - (cp.size % TILE_WIDTH);
  const tail = cp.size % TILE_WIDTH ? (await client.bundle(tailStart / TILE_WIDTH, cp.size)) : [];
  return { size: cp.size, root: cp.root, partials: done.partials, tail, epochsChecked: state.epochsChecked };
}

/** Every on-chain epoch after `checked` must equal the log's root at its size; returns the last epoch checked. */
async function checkAnchors(checked: number, cp: Checkpoint, reader: PublicClient, anchor: Address, client: LogClient, log: (m: string) => void): Promise<number> {
  const latest = Number(await reader.readContract({ address: anchor, abi: ledgerAnchorAbi, functionName: 'latestEpoch' }));
  let done = checked;
  for (let e = checked + 1; e <= latest; e++) {
    const rec = await reader.readContract({ address: anchor, abi: ledgerAnchorAbi, functionName: 'epochRecord', args: [BigInt(e)] });
    const size = Number(rec.treeSize);
    const chainRoot = fromHexString(rec.logRoot);
    if (size > cp.size) fail(`on-chain epoch ${e} anchors tree size ${size}, but the log's checkpoint is only at ${cp.size}`);
    const root = await client.rootAt(size, cp.size);
    if (!equalBytes(root, chainRoot)) fail(`on-chain epoch ${e} anchors root ${rec.logRoot} at size ${size}, the log has ${hex(root)}`);
    const epochCp = await client.checkpoint(`epochs/${e}/checkpoint`).catch((err: unknown) => { if (err instanceof FetchError) return null; throw err; });
    if (epochCp && (epochCp.size !== size || !equalBytes(epochCp.root, chainRoot))) fail(`signed checkpoint of epoch ${e} (size ${epochCp.size}) differs from the on-chain anchor (size ${size})`);
    log(`epoch ${e}: on-chain root at size ${size} matches the log${epochCp ? ' and its signed epoch checkpoint' : ''}`);
    done = e;
  }
  return done;
}

const fromHexString = (h: Hex): Uint8Array => Uint8Array.from(h.slice(2).match(/../g) ?? [], (b) => parseInt(b, 16));

async function loadState(file: string | undefined): Promise<MonitorState> {
  if (!file) return initialState();
  try {
    const j = JSON.parse(await readFile(file, 'utf8')) as { size: number; root: string; partials: string[]; tail: string[]; epochsChecked: number };
    return { size: j.size, root: fromBase64(j.root), partials: j.partials.map(fromBase64), tail: j.tail.map(fromBase64), epochsChecked: j.epochsChecked };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return initialState();
    throw err;
  }
}

async function saveState(file: string | undefined, s: MonitorState): Promise<void> {
  if (!file) return;
  await writeFile(file, JSON.stringify({ size: s.size, root: toBase64(s.root), partials: s.partials.map(toBase64), tail: s.tail.map(toBase64), epochsChecked: s.epochsChecked }));
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      rpc: { type: 'string' }, anchor: { type: 'string' }, deployments: { type: 'string', default: 'deployments' },
      vkey: { type: 'string' }, origin: { type: 'string' }, state: { type: 'string' }, interval: { type: 'string', default: '10' }, once: { type: 'boolean', default: false },
    },
  });
  const base = positionals[0];
  if (!base) throw new Error('usage: npm run log:monitor -- <base-url> --rpc <url> [--anchor 0x…] [--vkey <vkey>] [--state file] [--interval s] [--once]');
  const client = await openLog('log-monitor', base, values.vkey, values.origin);
  let reader: PublicClient | undefined;
  let anchor: Address | undefined;
  if (values.rpc) {
    reader = createChainReader(values.rpc);
    anchor = await anchorAddress(reader, values.anchor, values.deployments);
  } else console.warn('log-monitor: no --rpc given; on-chain anchors are not checked');
  let state = await loadState(values.state);
  for (;;) {
    try {
      state = await monitorOnce(state, { client, reader, anchor, log: (m) => console.log(m) });
      await saveState(values.state, state);
      if (values.once) {
        console.log(`log-monitor: OK at size ${state.size} (${hex(state.root)}), ${state.epochsChecked} epoch(s) checked`);
        return;
      }
    } catch (err) {
      if (err instanceof LogError) throw err;
      if (values.once) throw err;
      console.warn(`log-monitor: ${(err as Error).message} (retrying)`);
    }
    await new Promise((r) => setTimeout(r, Number(values.interval) * 1000));
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err: unknown) => {
    console.error(`log-monitor: ${err instanceof LogError ? 'INCONSISTENT LOG: ' : ''}${(err as Error).message}`);
    process.exit(1);
  });
}
