import type { FastifyInstance } from 'fastify';
import { encodeFunctionData, type Address, type Hex } from 'viem';
import { buildClaimTree, claimProof, packClaims, toHex, type ClaimTree } from '../../ledger/index.ts';
import { Relayer, type RelayedTx } from '../../lib/relayer.ts';
import { rewardDistributorAbi } from '../../lib/reward-distributor.ts';
import { chainContext, explorerTx } from '../chain-context.ts';
import type { Deps } from '../deps.ts';
import { ApiError, conflict } from '../errors.ts';
import { caller } from '../plugins/auth.ts';
import { permitTypedData, permitTypedDataSchema } from '../relay/permit.ts';
import { relayTransfer } from '../relay/transfer.ts';
import { page, pageQuery, PLAYER } from './proof.ts';
import { bearer, decimalString, errors } from './schemas.ts';

type Row = Record<string, unknown>;
interface PlayerClaim { address: Address; epoch: number; cumulativeAmount: bigint; proof: Hex[]; distributor: Address; claimed: bigint }

const relayView = { type: ['object', 'null'], required: ['txHash', 'status'], properties: { txHash: { type: 'string' }, status: { type: 'string' }, explorerUrl: { type: ['string', 'null'] } } } as const;
const address = { type: 'string', pattern: '^0x[0-9a-fA-F]{40}$' } as const;
const wei = { type: 'string', pattern: '^[1-9][0-9]{0,77}$', description: 'Heart in wei (18 decimals)' } as const;
const unixSeconds = { type: 'integer', minimum: 1, maximum: 2 ** 40 } as const;
const transferBody = {
  type: 'object', additionalProperties: false, required: ['to', 'amount', 'deadline', 'signature', 'idempotencyKey'],
  properties: {
    to: address, amount: wei, deadline: unixSeconds,
    signature: { type: 'string', pattern: '^0x[0-9a-fA-F]{130}$', description: 'the EIP-2612 permit signature (65 bytes) over GET /api/token/transfer/permit' },
    idempotencyKey: { type: 'string', pattern: '^[A-Za-z0-9._:-]{8,128}$' },
  },
} as const;
const relayedTx = { type: ['object', 'null'], required: ['txHash', 'status'], properties: { txHash: { type: 'string' }, status: { type: 'string' }, explorerUrl: { type: ['string', 'null'] } } } as const;
const TRANSFER_DOC = 'Relayed, permit-based: the player signs an EIP-2612 permit (typed data from GET /api/token/transfer/permit) naming the '
  + "platform relayer as spender; the relayer sends permit() and then transferFrom(player, to, amount). Chosen over a ready-to-sign "
  + 'HeartToken.transfer because players hold Heart but usually no gas token: the relayer pays the gas, and the player key never leaves '
  + 'the wallet. What the signature binds is the amount and deadline; the recipient is bound by the signed-in request (a player who wants '
  + 'the recipient under their own signature can send HeartToken.transfer themselves). Idempotent per idempotencyKey; a retry resumes.';
const noClaim = () => new ApiError(404, 'NO_CLAIM', 'no anchored epoch has Heart for this player yet');

/**
 * Heart tokens: the claim of the signed-in player against the latest anchored
 * epoch, a relayed claim sent by the operator (tokens always go to the player),
 * balance and history from the indexer's mirror.
 */
export default async function tokenRoutes(app: FastifyInstance, { deps }: { deps: Deps }) {
  const { pool } = deps;
  const relayer = new Relayer({ pool, chain: deps.chain, rpcUrl: deps.config.RPC_URL, privateKey: deps.config.OPERATOR_PRIVATE_KEY as Hex });
  const q = async (text: string, params: unknown[] = []) => (await pool.query<Row>(text, params)).rows;
  const trees = new Map<number, Promise<ClaimTree>>();

  /** Claim tree of an anchored epoch (immutable, so cached; rebuilt from reward_claims and checked against the anchored root). */
  function treeOf(epoch: number, rewardsRoot: string): Promise<ClaimTree> {
    let p = trees.get(epoch);
    if (!p) {
      p = (async () => {
        const rows = await q('SELECT address, cumulative_amount::text AS amount FROM reward_claims WHERE epoch = $1 ORDER BY leaf_index', [epoch]);
        const tree = await buildClaimTree(packClaims(rows.map((r) => String(r.address)), rows.map((r) => BigInt(r.amount as string))));
        if (toHex(tree.root) !== rewardsRoot) throw new Error(`epoch ${epoch}: reward_claims do not rebuild the anchored rewards root`);
        return tree;
      })();
      p.catch(() => trees.delete(epoch));
      trees.set(epoch, p);
      while (trees.size > 4) trees.delete(trees.keys().next().value as number);
    }
    return p;
  }

  async function playerClaim(address: Address): Promise<PlayerClaim> {
    const [e] = await q(`SELECT epoch, rewards_root FROM epochs WHERE status = 'anchored' ORDER BY epoch DESC LIMIT 1`);
    if (!e) throw noClaim();
    const epoch = e.epoch as number;
    const [c] = await q('SELECT cumulative_amount::text AS amount, leaf_index FROM reward_claims WHERE epoch = $1 AND address = $2', [epoch, address]);
    if (!c) throw noClaim();
    const distributor = (await chainContext(deps)).address('RewardDistributor');
    const [tree, claimed] = await Promise.all([
      treeOf(epoch, toHex(new Uint8Array(e.rewards_root as Buffer))),
      deps.chain.readContract({ address: distributor, abi: rewardDistributorAbi, functionName: 'claimed', args: [address] }),
    ]);
    return { address, epoch, cumulativeAmount: BigInt(c.amount as string), proof: claimProof(tree, c.leaf_index as number), distributor, claimed };
  }

  const claimRef = (address: string, epoch: number) => `${address}:${epoch}`;
  const view = (r: RelayedTx) => ({ txHash: r.txHash, status: r.status, explorerUrl: explorerTx(deps, r.txHash) });
  const me = (req: { user: Parameters<typeof caller>[0]['user'] }) => caller(req).address.toLowerCase() as Address;

  app.get('/api/token/claim', {
    config: { auth: PLAYER },
    schema: {
      summary: 'Claimable Heart of the signed-in player: cumulative amount, Merkle proof and ready-to-sign calldata for RewardDistributor.claim', tags: ['token'], security: bearer,
      response: {
        200: {
          type: 'object', required: ['address', 'epoch', 'cumulativeAmount', 'claimed', 'claimable', 'proof', 'to', 'calldata', 'relay'],
          properties: {
            address: { type: 'string' }, epoch: { type: 'integer' }, cumulativeAmount: decimalString, claimed: decimalString, claimable: decimalString,
            proof: { type: 'array', items: { type: 'string' } }, to: { type: 'string' }, calldata: { type: 'string' }, relay: relayView,
          },
        },
        ...errors(401, 403, 404, 429),
      },
    },
  }, async (req) => {
    const c = await playerClaim(me(req));
    const relay = await relayer.find('claim', claimRef(c.address, c.epoch));
    return {
      address: c.address, epoch: c.epoch, cumulativeAmount: c.cumulativeAmount.toString(), claimed: c.claimed.toString(),
      claimable: (c.cumulativeAmount > c.claimed ? c.cumulativeAmount - c.claimed : 0n).toString(), proof: c.proof, to: c.distributor,
      calldata: encodeFunctionData({ abi: rewardDistributorAbi, functionName: 'claim', args: [c.address, c.cumulativeAmount, BigInt(c.epoch), c.proof] }),
      relay: relay ? view(await relayer.refresh(relay)) : null,
    };
  });

  app.post('/api/token/claim', {
    config: { auth: PLAYER },
    schema: {
      summary: 'Relayed claim: the operator submits RewardDistributor.claim for the player (tokens go to the player); idempotent per epoch', tags: ['token'], security: bearer,
      response: { 200: { type: 'object', required: ['txHash', 'status'], properties: { txHash: { type: 'string' }, status: { type: 'string' }, explorerUrl: { type: ['string', 'null'] } } }, ...errors(401, 403, 404, 409, 429) },
    },
  }, async (req) => {
    const c = await playerClaim(me(req));
    const ref = claimRef(c.address, c.epoch);
    const existing = await relayer.find('claim', ref);
    if (existing && existing.status !== 'failed') return view(await relayer.refresh(existing));
    if (c.claimed >= c.cumulativeAmount) throw conflict('ALREADY_CLAIMED', `Heart of epoch ${c.epoch} is already claimed`);
    const tx = await relayer.send({
      kind: 'claim', ref, to: c.distributor,
      data: encodeFunctionData({ abi: rewardDistributorAbi, functionName: 'claim', args: [c.address, c.cumulativeAmount, BigInt(c.epoch), c.proof] }),
    });
    req.log.info({ txHash: tx.txHash, nonce: tx.nonce, epoch: c.epoch }, 'claim relayed');
    return view(tx);
  });

  app.get<{ Querystring: { amount: string; deadline?: string } }>('/api/token/transfer/permit', {
    config: { auth: PLAYER },
    schema: {
      summary: 'EIP-2612 permit typed data for a relayed transfer of `amount` (the relayer is the spender; deadline defaults to 1 h)',
      tags: ['token'], security: bearer,
      querystring: { type: 'object', additionalProperties: false, required: ['amount'], properties: { amount: wei, deadline: { type: 'string', pattern: '^[1-9][0-9]{0,11}$', description: 'unix seconds' } } },
      response: { 200: permitTypedDataSchema, ...errors(400, 401, 403, 429) },
    },
  }, async (req) => {
    const deadline = BigInt(req.query.deadline ?? Math.floor(Date.now() / 1000) + 3600);
    return permitTypedData(deps, relayer, me(req), BigInt(req.query.amount), deadline);
  });

  app.post<{ Body: { to: string; amount: string; deadline: number; signature: Hex; idempotencyKey: string } }>('/api/token/transfer', {
    config: { auth: PLAYER },
    schema: {
      summary: 'Transfer Heart to another address, relayed by the platform (no gas needed); idempotent per idempotencyKey',
      description: TRANSFER_DOC, tags: ['token'], security: bearer, body: transferBody,
      response: {
        200: {
          type: 'object', required: ['transferId', 'from', 'to', 'amount', 'permitTx', 'txHash', 'status', 'replayed'],
          properties: {
            transferId: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, amount: decimalString, permitTx: relayedTx,
            txHash: { type: 'string' }, status: { type: 'string', enum: ['pending', 'confirmed', 'failed'] }, explorerUrl: { type: ['string', 'null'] }, replayed: { type: 'boolean' },
          },
        },
        ...errors(400, 401, 403, 409, 429),
      },
    },
  }, async (req) => {
    const from = me(req);
    const to = req.body.to.toLowerCase() as Address;
    if (to === from || /^0x0{40}$/.test(to)) throw new ApiError(400, 'BAD_RECIPIENT', 'the recipient must be another, non-zero address');
    const r = await relayTransfer(deps, relayer, {
      playerId: caller(req).sub, from, to, amount: BigInt(req.body.amount), deadline: BigInt(req.body.deadline), signature: req.body.signature, idempotencyKey: req.body.idempotencyKey,
    });
    req.log.info({ transferId: r.transferId, txHash: r.transfer.txHash }, 'transfer relayed');
    return {
      transferId: r.transferId, from: r.from, to: r.to, amount: r.amount.toString(), permitTx: r.permit ? view(r.permit) : null,
      ...view(r.transfer), replayed: r.replayed,
    };
  });

  app.get('/api/token/balance', {
    config: { auth: PLAYER },
    schema: {
      summary: 'Heart balance from the indexed mirror, plus a relayed claim not yet seen by the indexer', tags: ['token'], security: bearer,
      response: {
        200: { type: 'object', required: ['address', 'balance', 'pending', 'blockNumber'], properties: { address: { type: 'string' }, balance: decimalString, pending: decimalString, blockNumber: { type: ['integer', 'null'] } } },
        ...errors(401, 403, 429),
      },
    },
  }, async (req) => {
    const address = me(req);
    const [b] = await q('SELECT balance::text AS balance, block_number::text AS bn FROM token_balances WHERE address = $1', [address]);
    const [e] = await q(`SELECT epoch FROM epochs WHERE status = 'anchored' ORDER BY epoch DESC LIMIT 1`);
    let pending = 0n;
    const relay = e ? await relayer.find('claim', claimRef(address, e.epoch as number)) : null;
    if (e && relay && (await relayer.refresh(relay)).status !== 'failed') {
      const mirrored = (await q('SELECT 1 FROM chain_events WHERE tx_hash = $1 LIMIT 1', [relay.txHash]))[0];
      if (!mirrored) {
        // what the relayed claim mints: the epoch's cumulative amount minus the claims already mirrored
        const [p] = await q(
          `SELECT (SELECT cumulative_amount FROM reward_claims WHERE epoch = $1 AND address = $2)
                  - coalesce((SELECT sum((args->>'amount')::numeric) FROM chain_events WHERE event_name = 'Claimed' AND lower(args->>'account') = $2), 0) AS amount`,
          [e.epoch, address]);
        pending = BigInt(String(p?.amount ?? 0));
      }
    }
    return { address, balance: (b?.balance as string | undefined) ?? '0', pending: pending.toString(), blockNumber: b ? Number(b.bn) : null };
  });

  app.get<{ Querystring: { limit?: string; offset?: string } }>('/api/token/history', {
    config: { auth: PLAYER },
    schema: {
      summary: "Heart Transfer and Claimed events of the player's address (indexed mirror), newest first", tags: ['token'], security: bearer, querystring: pageQuery,
      response: {
        200: {
          type: 'object', required: ['events'],
          properties: {
            events: {
              type: 'array',
              items: {
                type: 'object', required: ['event', 'txHash', 'blockNumber', 'logIndex', 'args'],
                properties: { event: { type: 'string' }, txHash: { type: 'string' }, blockNumber: { type: 'integer' }, logIndex: { type: 'integer' }, args: { type: 'object', additionalProperties: true } },
              },
            },
          },
        },
        ...errors(400, 401, 403, 429),
      },
    },
  }, async (req) => {
    const address = me(req);
    const ctx = await chainContext(deps);
    const { limit, offset } = page(req.query);
    const rows = await q(
      `SELECT event_name, tx_hash, block_number::text AS bn, log_index, args FROM chain_events
        WHERE chain_id = $1 AND (
          (lower(contract) = $2 AND event_name = 'Transfer' AND (lower(args->>'from') = $4 OR lower(args->>'to') = $4))
          OR (lower(contract) = $3 AND event_name = 'Claimed' AND lower(args->>'account') = $4))
        ORDER BY block_number DESC, log_index DESC LIMIT $5 OFFSET $6`,
      [ctx.chainId, ctx.address('HeartToken').toLowerCase(), ctx.address('RewardDistributor').toLowerCase(), address, limit, offset]);
    return { events: rows.map((r) => ({ event: r.event_name, txHash: r.tx_hash, blockNumber: Number(r.bn), logIndex: r.log_index, args: r.args })) };
  });
}
