import type { FastifyInstance } from 'fastify';
import { proveConsistency, proveInclusion, toHex } from '../../ledger/index.ts';
import { LogTreeCache } from '../../lib/log-tree-cache.ts';
import { buildProofBundle } from '../../lib/proof-bundle.ts';
import { chainContext, explorerTx } from '../chain-context.ts';
import type { Deps } from '../deps.ts';
import { ApiError, notFound } from '../errors.ts';
import { errors } from './schemas.ts';

/** Blocks below the head an anchor must be buried to count as `final` (like INDEXER_CONFIRMATIONS, fixed here). */
export const LEDGER_FINALITY_DEPTH = 12;

const uintString = (max: number) => ({ type: 'string', pattern: `^(0|[1-9][0-9]{0,${max - 1}})$` }) as const;
const hex = (b: unknown) => (b ? toHex(new Uint8Array(b as Buffer)) : null);
const nullable = (type: string) => ({ type: [type, 'null'] }) as const;

const epochSchema = {
  type: 'object',
  required: ['epoch', 'month', 'status', 'treeSize', 'logRoot', 'rewardsRoot', 'exportUri', 'exportHash', 'anchorTxHash', 'anchorBlock', 'anchoredAt', 'onChain', 'explorerUrl'],
  properties: {
    epoch: { type: 'integer' }, month: { type: 'string' }, status: { type: 'string' }, treeSize: { type: 'integer' },
    logRoot: { type: 'string' }, rewardsRoot: { type: 'string' }, exportUri: nullable('string'), exportHash: nullable('string'),
    anchorTxHash: nullable('string'), anchorBlock: nullable('integer'), anchoredAt: nullable('string'), explorerUrl: nullable('string'),
    onChain: {
      type: ['object', 'null'], required: ['txHash', 'blockNumber', 'logRoot', 'treeSize'],
      properties: { txHash: { type: 'string' }, blockNumber: { type: 'integer' }, logRoot: { type: 'string' }, treeSize: { type: 'integer' } },
    },
  },
} as const;

const bundleSchema = {
  type: 'object', additionalProperties: true,
  required: ['version', 'chainId', 'ledgerAnchor', 'epoch', 'treeSize', 'entry', 'inclusionProof'],
  properties: {
    version: { type: 'integer' }, chainId: { type: 'integer' }, ledgerAnchor: { type: 'string' }, epoch: { type: 'integer' }, treeSize: { type: 'integer' },
    entry: { type: 'object', required: ['seq', 'encoded'], properties: { seq: { type: 'integer' }, encoded: { type: 'string' } } },
    inclusionProof: { type: 'array', items: { type: 'string' } },
  },
} as const;

type Row = Record<string, unknown>;
const EPOCH_SQL = `SELECT e.epoch, e.month, e.status::text AS status, e.tree_size::text AS tree_size, e.log_root, e.rewards_root, e.export_uri, e.export_hash,
       e.anchor_tx_hash, e.anchor_block::text AS anchor_block, e.anchored_at,
       c.tx_hash AS c_tx, c.block_number::text AS c_block, c.log_root AS c_root, c.tree_size::text AS c_size
  FROM epochs e LEFT JOIN chain_epochs c ON c.chain_id = $1 AND c.epoch = e.epoch`;

/** The public, verifiable view of the impact ledger: epochs, entries with status, proof bundles, consistency proofs. */
export default async function ledgerRoutes(app: FastifyInstance, { deps }: { deps: Deps }) {
  const { pool } = deps;
  const trees = new LogTreeCache(); // anchored prefixes are immutable: proofs reuse one tree
  const q = async (text: string, params: unknown[] = []) => (await pool.query<Row>(text, params)).rows;

  const epochView = (r: Row) => {
    const anchorTxHash = (r.anchor_tx_hash as string | null)?.trim() ?? null;
    return {
      epoch: r.epoch as number, month: String(r.month), status: String(r.status), treeSize: Number(r.tree_size),
      logRoot: hex(r.log_root) as string, rewardsRoot: hex(r.rewards_root) as string,
      exportUri: (r.export_uri as string | null) ?? null, exportHash: hex(r.export_hash),
      anchorTxHash, anchorBlock: r.anchor_block === null ? (r.c_block === null ? null : Number(r.c_block)) : Number(r.anchor_block),
      anchoredAt: r.anchored_at ? (r.anchored_at as Date).toISOString() : null,
      onChain: r.c_tx ? { txHash: String(r.c_tx), blockNumber: Number(r.c_block), logRoot: String(r.c_root), treeSize: Number(r.c_size) } : null,
      explorerUrl: explorerTx(deps, anchorTxHash),
    };
  };

  app.get('/api/ledger/epochs', {
    config: { auth: 'public' },
    schema: {
      summary: 'Closed epochs, newest first: log/rewards roots, tree size, export, anchor tx (and the indexed on-chain record)', tags: ['ledger'],
      response: { 200: { type: 'object', required: ['epochs'], properties: { epochs: { type: 'array', items: epochSchema } } }, ...errors(429) },
    },
  }, async () => {
    const { chainId } = await chainContext(deps);
    return { epochs: (await q(`${EPOCH_SQL} ORDER BY e.epoch DESC`, [chainId])).map(epochView) };
  });

  app.get<{ Params: { n: string } }>('/api/ledger/epochs/:n', {
    config: { auth: 'public' },
    schema: {
      summary: 'One epoch', tags: ['ledger'],
      params: { type: 'object', required: ['n'], additionalProperties: false, properties: { n: uintString(9) } },
      response: { 200: epochSchema, ...errors(400, 404, 429) },
    },
  }, async (req) => {
    const { chainId } = await chainContext(deps);
    const [row] = await q(`${EPOCH_SQL} WHERE e.epoch = $2`, [chainId, Number(req.params.n)]);
    if (!row) throw notFound('epoch');
    return epochView(row);
  });

  const seqParams = { type: 'object', required: ['seq'], additionalProperties: false, properties: { seq: uintString(15) } } as const;

  /** The first epoch whose log contains `seq` (epochs are closed in order, so the earliest is anchored first). */
  const epochOf = async (seq: number) => (await q(
    `SELECT e.epoch, e.status::text AS status, e.anchor_tx_hash, coalesce(e.anchor_block, c.block_number)::text AS block
       FROM epochs e LEFT JOIN chain_epochs c ON c.chain_id = $2 AND c.epoch = e.epoch
      WHERE e.tree_size > $1 ORDER BY e.epoch LIMIT 1`, [seq, (await chainContext(deps)).chainId]))[0];

  app.get<{ Params: { seq: string } }>('/api/ledger/entries/:seq', {
    config: { auth: 'public' },
    schema: {
      summary: 'A ledger entry and its status: verified (on the ledger) → in-log (frozen in a closed epoch) → anchored → final', tags: ['ledger'],
      params: seqParams,
      response: {
        200: {
          type: 'object',
          required: ['seq', 'status', 'entryHash', 'prevHash', 'actionId', 'playerAddress', 'xp', 'heart', 'impactCredits', 'fund', 'formulaVersion', 'modelVersion', 'score', 'evidenceCommitment', 'createdAt', 'epoch', 'anchorTxHash', 'anchorBlock', 'confirmations'],
          properties: {
            seq: { type: 'integer' }, status: { type: 'string', enum: ['verified', 'in-log', 'anchored', 'final'] }, entryHash: { type: 'string' }, prevHash: { type: 'string' },
            actionId: { type: 'string' }, playerAddress: { type: 'string' }, xp: { type: 'integer' }, heart: { type: 'string' }, impactCredits: { type: 'string' },
            fund: { type: 'object', properties: { localBps: { type: 'integer' }, nationalBps: { type: 'integer' }, globalBps: { type: 'integer' } } },
            formulaVersion: { type: 'integer' }, modelVersion: { type: 'string' }, score: { type: 'integer' }, evidenceCommitment: { type: 'string' }, createdAt: { type: 'string' },
            epoch: nullable('integer'), anchorTxHash: nullable('string'), anchorBlock: nullable('integer'), confirmations: nullable('integer'),
          },
        },
        ...errors(400, 404, 429),
      },
    },
  }, async (req) => {
    const seq = Number(req.params.seq);
    const [r] = await q(
      `SELECT seq::text AS seq, entry_hash, prev_hash, action_id::text AS action_id, player_address, xp, heart::text AS heart, impact_credits::text AS credits,
              fund_local_bps, fund_national_bps, fund_global_bps, formula_version, model_version, score, evidence_commitment, created_at
         FROM ledger_entries WHERE seq = $1`, [seq]);
    if (!r) throw notFound('ledger entry');
    const e = await epochOf(seq);
    let status: 'verified' | 'in-log' | 'anchored' | 'final' = e ? 'in-log' : 'verified';
    let confirmations: number | null = null;
    const block = e?.block === null || e?.block === undefined ? null : Number(e.block);
    if (e?.status === 'anchored') {
      status = 'anchored';
      if (block !== null) {
        confirmations = Number(await deps.chain.getBlockNumber({ cacheTime: 0 })) - block;
        if (confirmations >= LEDGER_FINALITY_DEPTH) status = 'final';
      }
    }
    return {
      seq, status, entryHash: hex(r.entry_hash), prevHash: hex(r.prev_hash), actionId: r.action_id, playerAddress: r.player_address, xp: r.xp,
      heart: r.heart, impactCredits: r.credits, fund: { localBps: r.fund_local_bps, nationalBps: r.fund_national_bps, globalBps: r.fund_global_bps },
      formulaVersion: r.formula_version, modelVersion: r.model_version, score: r.score, evidenceCommitment: hex(r.evidence_commitment),
      createdAt: (r.created_at as Date).toISOString(), epoch: (e?.epoch as number | undefined) ?? null,
      anchorTxHash: e?.status === 'anchored' ? ((e.anchor_tx_hash as string | null)?.trim() ?? null) : null, anchorBlock: e?.status === 'anchored' ? block : null, confirmations,
    };
  });

  app.get<{ Params: { hash: string } }>('/api/ledger/entries/by-hash/:hash', {
    config: { auth: 'public' },
    schema: {
      summary: 'Index (seq) of the entry with this entry hash: a lookup hint for verifiers reading the tiled log, which then check the hash themselves', tags: ['ledger'],
      params: { type: 'object', required: ['hash'], properties: { hash: { type: 'string', pattern: '^0x[0-9a-fA-F]{64}$' } } },
      response: { 200: { type: 'object', required: ['seq'], properties: { seq: { type: 'integer' } } }, ...errors(400, 404, 429) },
    },
  }, async (req) => {
    const [r] = await q('SELECT seq::text AS seq FROM ledger_entries WHERE entry_hash = $1', [Buffer.from(req.params.hash.slice(2), 'hex')]);
    if (!r) throw notFound('ledger entry');
    return { seq: Number(r.seq) };
  });

  app.get<{ Params: { seq: string } }>('/api/ledger/entries/:seq/proof', {
    config: { auth: 'public' },
    schema: {
      summary: 'Offline proof bundle of an entry (the file `npm run verify` checks against the chain), with the anchor tx', tags: ['ledger'],
      params: seqParams,
      response: {
        200: { type: 'object', required: ['bundle', 'anchorTxHash', 'explorerUrl'], properties: { bundle: bundleSchema, anchorTxHash: nullable('string'), explorerUrl: nullable('string') } },
        ...errors(400, 404, 409, 429),
      },
    },
  }, async (req) => {
    const seq = Number(req.params.seq);
    // one query, a named statement (planned once per connection): the entry and the first epoch that contains it
    // (the log tree comes from the cache)
    const [e] = (await pool.query<Row>({
      name: 'ledger-entry-proof',
      text: `SELECT l.encoded, e.epoch, e.status::text AS status, e.tree_size::text AS tree_size, e.anchor_tx_hash
               FROM ledger_entries l LEFT JOIN LATERAL (SELECT * FROM epochs WHERE tree_size > l.seq ORDER BY epoch LIMIT 1) e ON true
              WHERE l.seq = $1`,
      values: [seq],
    })).rows;
    if (!e) throw notFound('ledger entry');
    if (e.status !== 'anchored') throw new ApiError(409, 'NOT_ANCHORED', `entry ${seq} is not in an anchored epoch yet`);
    const ctx = await chainContext(deps);
    const treeSize = Number(e.tree_size);
    const tree = await trees.covering(pool, treeSize);
    const bundle = buildProofBundle({
      chainId: ctx.chainId, ledgerAnchor: ctx.address('LedgerAnchor'), epoch: e.epoch as number, treeSize, seq,
      encoded: new Uint8Array(e.encoded as Buffer), inclusionProof: proveInclusion(tree, seq, treeSize),
    });
    const anchorTxHash = (e.anchor_tx_hash as string | null)?.trim() ?? null;
    return { bundle, anchorTxHash, explorerUrl: explorerTx(deps, anchorTxHash) };
  });

  app.get<{ Querystring: { from: string; to: string } }>('/api/ledger/consistency', {
    config: { auth: 'public' },
    schema: {
      summary: 'Consistency proof that anchored epoch `to` extends anchored epoch `from` (RFC 6962)', tags: ['ledger'],
      querystring: { type: 'object', required: ['from', 'to'], additionalProperties: false, properties: { from: uintString(9), to: uintString(9) } },
      response: {
        200: {
          type: 'object', required: ['fromEpoch', 'toEpoch', 'fromTreeSize', 'toTreeSize', 'fromRoot', 'toRoot', 'proof'],
          properties: {
            fromEpoch: { type: 'integer' }, toEpoch: { type: 'integer' }, fromTreeSize: { type: 'integer' }, toTreeSize: { type: 'integer' },
            fromRoot: { type: 'string' }, toRoot: { type: 'string' }, proof: { type: 'array', items: { type: 'string' } },
          },
        },
        ...errors(400, 404, 429),
      },
    },
  }, async (req) => {
    const from = Number(req.query.from);
    const to = Number(req.query.to);
    if (from < 1 || from > to) throw new ApiError(400, 'BAD_RANGE', 'need 1 <= from <= to');
    const rows = await q(`SELECT epoch, tree_size::text AS tree_size, log_root FROM epochs WHERE status = 'anchored' AND epoch IN ($1, $2)`, [from, to]);
    const a = rows.find((r) => r.epoch === from);
    const z = rows.find((r) => r.epoch === to);
    if (!a || !z) throw notFound(`anchored epoch ${!a ? from : to}`);
    const [sizeA, sizeZ] = [Number(a.tree_size), Number(z.tree_size)];
    const tree = await trees.covering(pool, sizeZ);
    return {
      fromEpoch: from, toEpoch: to, fromTreeSize: sizeA, toTreeSize: sizeZ, fromRoot: hex(a.log_root) as string, toRoot: hex(z.log_root) as string,
      proof: sizeA === sizeZ ? [] : proveConsistency(tree, sizeA, sizeZ).map(toHex),
    };
  });
}
