import type { FastifyInstance } from 'fastify';
import { encodeFunctionData, type Address, type Hex } from 'viem';
import { heartTokenAbi } from '../../lib/heart-token.ts';
import { SIGNED_IN } from '../auth/roles.ts';
import { chainContext, explorerTx } from '../chain-context.ts';
import type { Deps } from '../deps.ts';
import { createPgPool } from '../impact/worker.ts';
import { caller } from '../plugins/auth.ts';
import { catalog, loadRedemption, reserve, type Redemption } from '../rewards/reservations.ts';
import { PLAYER } from './proof.ts';
import { bearer, decimalString, errors, uuid } from './schemas.ts';

const redemptionId = { type: 'string', pattern: '^0x[0-9a-fA-F]{64}$' } as const;
const idParams = { type: 'object', required: ['id'], additionalProperties: false, properties: { id: redemptionId } } as const;
const redeemBody = {
  type: 'object', additionalProperties: false, required: ['rewardId', 'quantity', 'idempotencyKey'],
  properties: { rewardId: uuid, quantity: { type: 'integer', minimum: 1, maximum: 100 }, idempotencyKey: { type: 'string', pattern: '^[A-Za-z0-9._:-]{8,128}$' } },
} as const;

const redemptionView = {
  type: 'object',
  required: ['redemptionId', 'rewardId', 'quantity', 'amount', 'status', 'expiresAt', 'burnTxHash', 'paymentFlag', 'fulfilledAt', 'tx'],
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
  },
} as const;

/**
 * The marketplace. A redemption reserves stock and names a `redemptionId`; the player burns
 * the price with HeartToken.redeem(amount, redemptionId) from their own wallet (redeem burns
 * from msg.sender, so no one else can pay for them); the indexer's Redeemed event fulfils it.
 */
export default async function rewardRoutes(app: FastifyInstance, { deps }: { deps: Deps }) {
  const pool = createPgPool(deps.config.DATABASE_URL, 4);
  app.addHook('onClose', async () => {
    await pool.end();
  });

  async function view(r: Redemption) {
    const ctx = await chainContext(deps);
    return {
      redemptionId: r.id, rewardId: r.rewardId, quantity: r.quantity, amount: r.amount.toString(), status: r.status, expiresAt: r.expiresAt.toISOString(),
      burnTxHash: r.burnTxHash, explorerUrl: explorerTx(deps, r.burnTxHash), paymentFlag: r.paymentFlag, fulfilledAt: r.fulfilledAt?.toISOString() ?? null,
      tx: {
        chainId: ctx.chainId, to: ctx.address('HeartToken') as Address, value: '0',
        data: encodeFunctionData({ abi: heartTokenAbi, functionName: 'redeem', args: [r.amount, r.id as Hex] }),
      },
    };
  }

  app.get('/api/reward/marketplace', {
    config: { auth: SIGNED_IN },
    schema: {
      summary: 'Rewards on offer: partner, price in Heart (wei, 18 decimals) and live stock (not cached: stock changes with every reservation)',
      tags: ['reward'], security: bearer,
      response: {
        200: {
          type: 'object', required: ['rewards'],
          properties: {
            rewards: {
              type: 'array',
              items: {
                type: 'object', required: ['id', 'title', 'description', 'partner', 'priceHeart', 'stock'],
                properties: { id: { type: 'string' }, title: { type: 'string' }, description: { type: 'string' }, partner: { type: 'string' }, priceHeart: decimalString, stock: { type: 'integer' } },
              },
            },
          },
        },
        ...errors(401, 429),
      },
    },
  }, async () => ({ rewards: await catalog(pool) }));

  app.post<{ Body: { rewardId: string; quantity: number; idempotencyKey: string } }>('/api/reward/redeem', {
    config: { auth: PLAYER },
    schema: {
      summary: 'Reserve stock of a reward: returns the redemptionId, amount, expiry and the ready-to-sign HeartToken.redeem transaction; idempotent per idempotencyKey',
      description: 'The reservation holds stock until `expiresAt` (REDEMPTION_TTL_S); unpaid, it expires and the stock is released. '
        + 'Paying is the player\'s own HeartToken.redeem(amount, redemptionId) transaction: the contract burns from msg.sender only, '
        + 'so a relayed (permit-based) redemption is not possible without a contract change. When the indexer mirrors the '
        + 'Redeemed event the redemption becomes `fulfilled`; a burn after expiry (or of too little) is recorded and flagged, never fulfilled twice.',
      tags: ['reward'], security: bearer, body: redeemBody, response: { 200: redemptionView, 201: redemptionView, ...errors(400, 401, 403, 404, 409, 429) },
    },
  }, async (req, reply) => {
    const me = caller(req);
    const { redemption, replayed } = await reserve(pool, { playerId: me.sub, ...req.body, ttlSeconds: deps.config.REDEMPTION_TTL_S });
    reply.code(replayed ? 200 : 201);
    return { ...(await view(redemption)), replayed };
  });

  app.get<{ Params: { id: string } }>('/api/reward/redeem/:id', {
    config: { auth: PLAYER },
    schema: {
      summary: "One of the player's redemptions: reserved → fulfilled (Redeemed mirrored) or expired", tags: ['reward'], security: bearer,
      params: idParams, response: { 200: redemptionView, ...errors(400, 401, 403, 404, 429) },
    },
  }, async (req) => view(await loadRedemption(pool, req.params.id, caller(req).sub)));
}
