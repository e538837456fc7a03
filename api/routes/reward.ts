import type { FastifyInstance } from 'fastify';
import { encodeFunctionData, type Address, type Hex } from 'viem';
import { heartTokenAbi } from '../../lib/heart-token.ts';
import { Relayer, type RelayedTx } from '../../lib/relayer.ts';
import { SIGNED_IN } from '../auth/roles.ts';
import { chainContext, explorerTx } from '../chain-context.ts';
import type { Deps } from '../deps.ts';
import { ApiError } from '../errors.ts';
import { caller } from '../plugins/auth.ts';
import { checkPermit, permitTypedData, permitTypedDataSchema, relayWithPermit } from '../relay/permit.ts';
import { recommendedRewards } from '../rewards/recommended.ts';
import { catalog, loadRedemption, reserve, type Redemption } from '../rewards/reservations.ts';
import { PLAYER } from './proof.ts';
import { bearer, decimalString, errors, uuid } from './schemas.ts';

const redemptionId = { type: 'string', pattern: '^0x[0-9a-fA-F]{64}$' } as const;
const idParams = { type: 'object', required: ['id'], additionalProperties: false, properties: { id: redemptionId } } as const;
const redeemBody = {
  type: 'object', additionalProperties: false, required: ['rewardId', 'quantity', 'idempotencyKey'],
  properties: { rewardId: uuid, quantity: { type: 'integer', minimum: 1, maximum: 100 }, idempotencyKey: { type: 'string', pattern: '^[A-Za-z0-9._:-]{8,128}$' } },
} as const;

const relayBody = {
  type: 'object', additionalProperties: false, required: ['signature'],
  properties: { signature: { type: 'string', pattern: '^0x[0-9a-fA-F]{130}$', description: "the player's signature (65 bytes) over the redemption's `permit` typed data" } },
} as const;
const relayedTx = { type: ['object', 'null'], required: ['txHash', 'status'], properties: { txHash: { type: 'string' }, status: { type: 'string' }, explorerUrl: { type: ['string', 'null'] } } } as const;

const redemptionView = {
  type: 'object',
  required: ['redemptionId', 'rewardId', 'quantity', 'amount', 'status', 'expiresAt', 'burnTxHash', 'paymentFlag', 'fulfilledAt', 'tx', 'permit'],
  properties: {
    redemptionId: { type: 'string' }, rewardId: { type: 'string' }, quantity: { type: 'integer' }, amount: decimalString,
    status: { type: 'string', enum: ['reserved', 'fulfilled', 'expired'] }, expiresAt: { type: 'string', format: 'date-time' },
    burnTxHash: { type: ['string', 'null'] }, explorerUrl: { type: ['string', 'null'] },
    paymentFlag: { type: ['string', 'null'], enum: ['after_expiry', 'underpaid', null] }, fulfilledAt: { type: ['string', 'null'], format: 'date-time' },
    replayed: { type: 'boolean' },
    tx: {
      type: 'object', required: ['chainId', 'to', 'data', 'value'], description: 'Ready-to-sign HeartToken.redeem(amount, redemptionId), sent by the player',
      properties: { chainId: { type: 'integer' }, to: { type: 'string' }, data: { type: 'string' }, value: { type: 'string' } },
    },
    permit: { ...permitTypedDataSchema, description: 'For the gasless option: sign this and POST it to /api/reward/redeem/{id}/relay (value = amount, deadline = expiry)' },
  },
} as const;

/**
 * The marketplace. A redemption reserves stock and names a `redemptionId`; the price is burnt
 * either by the player's own HeartToken.redeem(amount, redemptionId) or, gasless, by the relayer's
 * redeemFrom(player, amount, redemptionId) after the player's EIP-2612 permit. The indexer's
 * Redeemed event fulfils it.
 */
export default async function rewardRoutes(app: FastifyInstance, { deps }: { deps: Deps }) {
  const { pool } = deps;
  const relayer = new Relayer({ pool, chain: deps.chain, rpcUrl: deps.config.RPC_URL, privateKey: deps.config.OPERATOR_PRIVATE_KEY as Hex });
  const txView = (t: RelayedTx) => ({ txHash: t.txHash, status: t.status, explorerUrl: explorerTx(deps, t.txHash) });
  const deadlineOf = (r: Redemption) => BigInt(Math.floor(r.expiresAt.getTime() / 1000));

  async function view(r: Redemption, owner: Address) {
    const ctx = await chainContext(deps);
    return {
      redemptionId: r.id, rewardId: r.rewardId, quantity: r.quantity, amount: r.amount.toString(), status: r.status, expiresAt: r.expiresAt.toISOString(),
      burnTxHash: r.burnTxHash, explorerUrl: explorerTx(deps, r.burnTxHash), paymentFlag: r.paymentFlag, fulfilledAt: r.fulfilledAt?.toISOString() ?? null,
      tx: {
        chainId: ctx.chainId, to: ctx.address('HeartToken') as Address, value: '0',
        data: encodeFunctionData({ abi: heartTokenAbi, functionName: 'redeem', args: [r.amount, r.id as Hex] }),
      },
      permit: await permitTypedData(deps, relayer, owner, r.amount, deadlineOf(r)),
    };
  }

  app.get<{ Querystring: { sort: 'price' | 'recommended' } }>('/api/reward/marketplace', {
    config: { auth: SIGNED_IN },
    schema: {
      summary: 'Rewards on offer: partner, price in Heart (wei, 18 decimals) and live stock (not cached: stock changes with every reservation)',
      description: 'sort=recommended: the rewards in stock in the recommender\'s order (the same ranking as POST /recommend/rewards), each with a score and a reason, then the rest '
        + 'in price order. When the recommender is unavailable the plain price order is served and `sort` says so.',
      tags: ['reward'], security: bearer,
      querystring: { type: 'object', additionalProperties: false, properties: { sort: { type: 'string', enum: ['price', 'recommended'], default: 'price' } } },
      response: {
        200: {
          type: 'object', required: ['sort', 'rewards'],
          properties: {
            sort: { type: 'string', enum: ['price', 'recommended'], description: 'the order served (price when the recommender was unavailable)' },
            rewards: {
              type: 'array',
              items: {
                type: 'object', required: ['id', 'title', 'description', 'partner', 'priceHeart', 'stock'],
                properties: {
                  id: { type: 'string' }, title: { type: 'string' }, description: { type: 'string' }, partner: { type: 'string' }, priceHeart: decimalString, stock: { type: 'integer' },
                  score: { type: 'number', description: 'sort=recommended only' }, reason: { type: 'string', description: 'why it is recommended (sort=recommended only)' },
                },
              },
            },
          },
        },
        ...errors(400, 401, 429),
      },
    },
  }, async (req) => {
    const rewards = await catalog(pool);
    if (req.query.sort !== 'recommended') return { sort: 'price', rewards };
    const picks = await recommendedRewards(deps, { playerId: caller(req).sub, log: req.log });
    if (!picks) return { sort: 'price', rewards };
    const rank = new Map([...picks.keys()].map((id, i) => [id, i]));
    const at = (id: string) => rank.get(id) ?? rank.size;
    // Array.prototype.sort is stable: what the recommender did not rank keeps the price order.
    return { sort: 'recommended', rewards: [...rewards].sort((a, b) => at(a.id) - at(b.id)).map((r) => ({ ...r, ...picks.get(r.id) })) };
  });

  app.post<{ Body: { rewardId: string; quantity: number; idempotencyKey: string } }>('/api/reward/redeem', {
    config: { auth: PLAYER },
    schema: {
      summary: 'Reserve stock of a reward: returns the redemptionId, amount, expiry and the ready-to-sign HeartToken.redeem transaction; idempotent per idempotencyKey',
      description: 'The reservation holds stock until `expiresAt` (REDEMPTION_TTL_S); unpaid, it expires and the stock is released. '
        + 'A player\'s open reservations may not exceed their Heart balance on chain (409 INSUFFICIENT_HEART). '
        + 'Paying: either the player sends `tx` (HeartToken.redeem) themselves, or signs `permit` and POSTs it to '
        + '/api/reward/redeem/{id}/relay, and the relayer sends permit + HeartToken.redeemFrom (the player needs no gas). When the indexer mirrors the '
        + 'Redeemed event the redemption becomes `fulfilled`; a burn after expiry (or of too little) is recorded and flagged, never fulfilled twice.',
      tags: ['reward'], security: bearer, body: redeemBody, response: { 200: redemptionView, 201: redemptionView, ...errors(400, 401, 403, 404, 409, 429) },
    },
  }, async (req, reply) => {
    const me = caller(req);
    const owner = me.address.toLowerCase() as Address;
    const token = (await chainContext(deps)).address('HeartToken');
    const balance = await deps.chain.readContract({ address: token, abi: heartTokenAbi, functionName: 'balanceOf', args: [owner] });
    const { redemption, replayed } = await reserve(pool, { playerId: me.sub, ...req.body, ttlSeconds: deps.config.REDEMPTION_TTL_S, balance });
    reply.code(replayed ? 200 : 201);
    return { ...(await view(redemption, owner)), replayed };
  });

  app.get<{ Params: { id: string } }>('/api/reward/redeem/:id', {
    config: { auth: PLAYER },
    schema: {
      summary: "One of the player's redemptions: reserved → fulfilled (Redeemed mirrored) or expired", tags: ['reward'], security: bearer,
      params: idParams, response: { 200: redemptionView, ...errors(400, 401, 403, 404, 429) },
    },
  }, async (req) => view(await loadRedemption(pool, req.params.id, caller(req).sub), caller(req).address.toLowerCase() as Address));

  app.post<{ Params: { id: string }; Body: { signature: Hex } }>('/api/reward/redeem/:id/relay', {
    config: { auth: PLAYER },
    schema: {
      summary: 'Gasless payment of a reserved redemption: the relayer submits the signed permit, then HeartToken.redeemFrom(player, amount, redemptionId); idempotent per redemption',
      tags: ['reward'], security: bearer, params: idParams, body: relayBody,
      response: {
        200: {
          type: 'object', required: ['redemptionId', 'permitTx', 'txHash', 'status'],
          properties: { redemptionId: { type: 'string' }, permitTx: relayedTx, txHash: { type: 'string' }, status: { type: 'string', enum: ['pending', 'confirmed', 'failed'] }, explorerUrl: { type: ['string', 'null'] } },
        },
        ...errors(400, 401, 403, 404, 409, 429),
      },
    },
  }, async (req) => {
    const me = caller(req);
    const owner = me.address.toLowerCase() as Address;
    const r = await loadRedemption(pool, req.params.id, me.sub);
    const permit = { owner, value: r.amount, deadline: deadlineOf(r), signature: req.body.signature };
    const sent = await relayer.find('redeem', r.id);
    if (!sent || sent.status === 'failed') {
      if (r.status !== 'reserved' || r.expiresAt.getTime() <= Date.now()) throw new ApiError(409, 'REDEMPTION_NOT_PAYABLE', `the redemption is ${r.status === 'reserved' ? 'past its expiry' : r.status}`);
      await checkPermit(deps, relayer, permit);
    }
    const { permit: permitTx, call } = await relayWithPermit(deps, relayer, permit, r.id, {
      kind: 'redeem', data: encodeFunctionData({ abi: heartTokenAbi, functionName: 'redeemFrom', args: [owner, r.amount, r.id] }),
    });
    req.log.info({ redemptionId: r.id, txHash: call.txHash }, 'redemption relayed');
    return { redemptionId: r.id, permitTx: permitTx ? txView(permitTx) : null, ...txView(call) };
  });
}
