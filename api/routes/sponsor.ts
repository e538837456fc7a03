import type { FastifyInstance } from 'fastify';
import { encodeFunctionData, erc20Abi, type Address, type Hex } from 'viem';
import { sponsorPoolAbi } from '../../lib/sponsor-pool.ts';
import type { Role } from '../auth/roles.ts';
import { chainContext } from '../chain-context.ts';
import type { Deps } from '../deps.ts';
import { ApiError, forbidden, notFound } from '../errors.ts';
import { caller } from '../plugins/auth.ts';
import { createCampaign, loadCampaign, zoneKey, type CampaignInput } from '../sponsors/campaigns.ts';
import { sponsorPanel, sponsorRoi } from '../sponsors/reports.ts';
import { bearer, errors, uuid } from './schemas.ts';

const SPONSOR: readonly Role[] = ['sponsor'];
const READERS: readonly Role[] = ['sponsor', 'admin', 'auditor'];
const bytes32 = { type: 'string', pattern: '^0x[0-9a-fA-F]{64}$' } as const;
const address = { type: 'string', pattern: '^0x[0-9a-fA-F]{40}$' } as const;
const dateTime = { type: 'string', format: 'date-time' } as const;
const nullableDate = { type: ['string', 'null'] } as const;
const free = { type: 'object', additionalProperties: true } as const;

const campaignBody = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    campaignId: { ...bytes32, description: 'on-chain campaignId (bytes32); default keccak256("<sponsor address>:<name>")' },
    name: { type: 'string', minLength: 1, maxLength: 200 },
    sponsorName: { type: 'string', minLength: 1, maxLength: 200 },
    zoneIds: { type: 'array', items: uuid, maxItems: 100 },
    missionIds: { type: 'array', items: uuid, maxItems: 500 },
    startsAt: dateTime,
    endsAt: dateTime,
  },
} as const;

const campaignSchema = {
  type: 'object',
  required: ['id', 'campaignId', 'name', 'sponsor', 'zoneId', 'zoneIds', 'missionIds', 'startsAt', 'endsAt', 'createdAt'],
  properties: {
    id: { type: 'string' }, campaignId: { type: 'string' }, name: { type: 'string' },
    sponsor: { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' }, address: { type: 'string' } } },
    zoneId: { type: ['string', 'null'] }, zoneIds: { type: 'array', items: { type: 'string' } }, missionIds: { type: 'array', items: { type: 'string' } },
    startsAt: nullableDate, endsAt: nullableDate, createdAt: { type: 'string' },
  },
} as const;

const sponsorQuery = { type: 'object', additionalProperties: false, properties: { sponsor: { ...address, description: 'admin/auditor: whose panel (a sponsor sees only its own)' } } } as const;

const tx = { type: 'object', required: ['description', 'to', 'data', 'value'], properties: { description: { type: 'string' }, to: { type: 'string' }, data: { type: 'string' }, value: { type: 'string' } } } as const;

/** Whose data: a sponsor its own wallet; admins and auditors any `?sponsor=`. */
function subject(req: { user: Parameters<typeof caller>[0]['user'] }, asked: string | undefined): string {
  const me = caller(req);
  const wanted = asked?.toLowerCase();
  if (me.role === 'sponsor') {
    if (wanted && wanted !== me.address.toLowerCase()) throw forbidden("not allowed to read another sponsor's panel");
    return me.address.toLowerCase();
  }
  if (!wanted) throw new ApiError(400, 'SPONSOR_REQUIRED', 'name the sponsor with ?sponsor=0x…');
  return wanted;
}

/**
 * Sponsors: campaign records tied to on-chain campaignIds, the panel (deposits, split and
 * disbursements from the chain mirror), ROI from the ledger, and ready-to-sign funding calldata.
 */
export default async function sponsorRoutes(app: FastifyInstance, { deps }: { deps: Deps }) {
  const { pool } = deps;
  let decimals: Promise<number> | undefined;
  const stableDecimals = () => {
    decimals ??= chainContext(deps).then((c) => deps.chain.readContract({ address: c.address('Stablecoin'), abi: erc20Abi, functionName: 'decimals' }));
    decimals.catch(() => (decimals = undefined));
    return decimals;
  };

  app.post<{ Body: CampaignInput }>('/api/sponsor/campaign', {
    config: { auth: SPONSOR },
    schema: {
      summary: 'Register a campaign (the zones and missions an on-chain campaignId funds); idempotent: the same request returns the same campaign',
      tags: ['sponsor'], security: bearer, body: campaignBody, response: { 200: campaignSchema, 201: campaignSchema, ...errors(400, 401, 403, 409, 429) },
    },
  }, async (req, reply) => {
    const me = caller(req);
    const { created, campaign } = await createCampaign(pool, { sub: me.sub, address: me.address.toLowerCase() }, req.body);
    return reply.status(created ? 201 : 200).send(campaign);
  });

  app.get<{ Querystring: { sponsor?: string } }>('/api/sponsor/panel', {
    config: { auth: READERS },
    schema: {
      summary: 'Deposits (from the chain mirror) with their local/national/global split, per-campaign totals, disbursements and the pool buckets',
      tags: ['sponsor'], security: bearer, querystring: sponsorQuery,
      response: {
        200: {
          type: 'object', required: ['sponsor', 'indexedBlock', 'totals', 'campaigns', 'deposits', 'disbursements', 'pool'],
          properties: {
            sponsor: { type: 'string' }, indexedBlock: { type: ['string', 'null'] }, totals: free,
            campaigns: { type: 'array', items: free }, deposits: { type: 'array', items: free }, disbursements: { type: 'array', items: free }, pool: { type: 'array', items: free },
          },
        },
        ...errors(400, 401, 403, 429, 503),
      },
    },
  }, async (req) => sponsorPanel(pool, (await chainContext(deps)).chainId, subject(req, req.query.sponsor)));

  app.get<{ Querystring: { sponsor?: string } }>('/api/sponsor/roi', {
    config: { auth: READERS },
    schema: {
      summary: 'Impact credits, verified actions and players reached per stablecoin unit, per campaign and per UTC month',
      tags: ['sponsor'], security: bearer, querystring: sponsorQuery,
      response: { 200: { type: 'object', required: ['decimals', 'campaigns'], properties: { decimals: { type: 'integer' }, campaigns: { type: 'array', items: free } } }, ...errors(400, 401, 403, 429, 503) },
    },
  }, async (req) => {
    const sponsor = subject(req, req.query.sponsor);
    return sponsorRoi(pool, (await chainContext(deps)).chainId, sponsor, await stableDecimals());
  });

  app.get<{ Querystring: { campaignId: string; amount: string } }>('/api/sponsor/fund-tx', {
    config: { auth: SPONSOR },
    schema: {
      summary: "Ready-to-sign transactions funding one of your campaigns from your wallet: ERC-20 approve (omitted when the allowance suffices), then SponsorPool.fund",
      tags: ['sponsor'], security: bearer,
      querystring: {
        type: 'object', additionalProperties: false, required: ['campaignId', 'amount'],
        properties: { campaignId: bytes32, amount: { type: 'string', pattern: '^[1-9][0-9]{0,77}$', description: 'stablecoin base units' } },
      },
      response: {
        200: {
          type: 'object', required: ['chainId', 'from', 'campaignId', 'zoneId', 'amount', 'allowance', 'transactions'],
          properties: { chainId: { type: 'integer' }, from: { type: 'string' }, campaignId: { type: 'string' }, zoneId: { type: 'string' }, amount: { type: 'string' }, allowance: { type: 'string' }, transactions: { type: 'array', items: tx } },
        },
        ...errors(400, 401, 403, 404, 429, 503),
      },
    },
  }, async (req) => {
    const me = caller(req);
    const from = me.address.toLowerCase() as Address;
    const campaign = await loadCampaign(pool, { onchainId: req.query.campaignId.toLowerCase() });
    if (!campaign || campaign.sponsor.address !== from) throw notFound('campaign');
    const amount = BigInt(req.query.amount);
    const ctx = await chainContext(deps);
    const [stablecoin, sponsorPool] = [ctx.address('Stablecoin'), ctx.address('SponsorPool')];
    const allowance = await deps.chain.readContract({ address: stablecoin, abi: erc20Abi, functionName: 'allowance', args: [from, sponsorPool] });
    const zoneId = zoneKey(campaign.zoneId);
    const transactions = [
      ...(allowance < amount ? [{ description: `approve SponsorPool to pull ${amount} stablecoin units`, to: stablecoin, data: encodeFunctionData({ abi: erc20Abi, functionName: 'approve', args: [sponsorPool, amount] }), value: '0' }] : []),
      { description: `fund campaign ${campaign.name}`, to: sponsorPool, data: encodeFunctionData({ abi: sponsorPoolAbi, functionName: 'fund', args: [campaign.campaignId as Hex, zoneId, amount] }), value: '0' },
    ];
    return { chainId: ctx.chainId, from, campaignId: campaign.campaignId, zoneId, amount: amount.toString(), allowance: allowance.toString(), transactions };
  });
}
