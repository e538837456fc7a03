// Sponsor campaigns: the off-chain record of an on-chain campaignId and what it funds.
import type pg from 'pg';
import { keccak256, pad, toHex, type Hex } from 'viem';
import { inTransaction } from '../../lib/transaction.ts';
import { ApiError, conflict, notFound } from '../errors.ts';

export interface CampaignInput {
  campaignId?: string;
  name: string;
  sponsorName?: string;
  zoneIds?: string[];
  missionIds?: string[];
  startsAt?: string;
  endsAt?: string;
}

export interface CampaignView {
  id: string;
  campaignId: string;
  name: string;
  sponsor: { id: string; name: string; address: string };
  zoneId: string | null;
  zoneIds: string[];
  missionIds: string[];
  startsAt: string | null;
  endsAt: string | null;
  createdAt: string;
}

/** Default on-chain id of a campaign: keccak256("<sponsor address>:<name>"), so a repeated create names the same campaign. */
export const defaultCampaignId = (address: string, name: string): Hex => keccak256(toHex(`${address.toLowerCase()}:${name}`));

/** The `zoneId` passed to SponsorPool.fund: the campaign's first zone's UUID, left-padded to 32 bytes (zero when it funds missions only). */
export const zoneKey = (zoneId: string | null): Hex => (zoneId ? pad(`0x${zoneId.replace(/-/g, '')}`, { size: 32 }) : pad('0x', { size: 32 }));

const sorted = (xs: string[]) => [...new Set(xs.map((x) => x.toLowerCase()))].sort();
const iso = (d: Date | null) => d?.toISOString() ?? null;

/** The sponsor row of a signed-in sponsor (created on first use, or linked when seeded by address). */
async function sponsorFor(tx: pg.ClientBase, playerId: string, address: string, name: string | undefined) {
  const r = await tx.query<{ id: string; name: string; address: string; player_id: string | null }>(
    `INSERT INTO sponsors (id, player_id, name, address) VALUES (gen_random_uuid(), $1::uuid, $3, $2)
     ON CONFLICT (address) DO UPDATE SET player_id = COALESCE(sponsors.player_id, EXCLUDED.player_id)
     RETURNING id::text, name, address, player_id::text`,
    [playerId, address, name ?? address]);
  const s = r.rows[0]!;
  if (s.player_id !== playerId) throw new ApiError(409, 'SPONSOR_LINKED', 'this wallet is linked to another account');
  return s;
}

export async function loadCampaign(sql: pg.ClientBase | pg.Pool, where: { id?: string; onchainId?: string }): Promise<CampaignView | null> {
  const r = (await sql.query<{ id: string; onchain_id: string; name: string; zone_id: string | null; starts_at: Date | null; ends_at: Date | null; created_at: Date; sponsor_id: string; sponsor_name: string; sponsor_address: string; zones: string[]; missions: string[] }>(
    `SELECT c.id::text, c.onchain_id, c.name, c.zone_id::text, c.starts_at, c.ends_at, c.created_at, s.id::text AS sponsor_id, s.name AS sponsor_name, s.address AS sponsor_address,
            ARRAY(SELECT zone_id::text FROM campaign_zones WHERE campaign_id = c.id ORDER BY 1) AS zones,
            ARRAY(SELECT mission_id::text FROM campaign_missions WHERE campaign_id = c.id ORDER BY 1) AS missions
       FROM campaigns c JOIN sponsors s ON s.id = c.sponsor_id
      WHERE ${where.id ? 'c.id = $1::uuid' : 'c.onchain_id = $1'}`, [where.id ?? where.onchainId])).rows[0];
  if (!r) return null;
  return {
    id: r.id, campaignId: r.onchain_id, name: r.name, sponsor: { id: r.sponsor_id, name: r.sponsor_name, address: r.sponsor_address },
    zoneId: r.zone_id, zoneIds: r.zones, missionIds: r.missions, startsAt: iso(r.starts_at), endsAt: iso(r.ends_at), createdAt: r.created_at.toISOString(),
  };
}

/**
 * Creates the campaign, or returns it unchanged when the same sponsor repeats the same request
 * (created = false). A different sponsor or different terms for an existing campaignId → 409.
 */
export async function createCampaign(pool: pg.Pool, me: { sub: string; address: string }, input: CampaignInput): Promise<{ created: boolean; campaign: CampaignView }> {
  const zoneIds = sorted(input.zoneIds ?? []);
  const missionIds = sorted(input.missionIds ?? []);
  if (!zoneIds.length && !missionIds.length) throw new ApiError(400, 'NO_TARGETS', 'a campaign funds at least one zone or mission');
  const startsAt = input.startsAt ? new Date(input.startsAt) : null;
  const endsAt = input.endsAt ? new Date(input.endsAt) : null;
  if (startsAt && endsAt && endsAt <= startsAt) throw new ApiError(400, 'BAD_WINDOW', 'endsAt must be after startsAt');
  const onchainId = (input.campaignId ?? defaultCampaignId(me.address, input.name)).toLowerCase();

  const same = (c: CampaignView) => c.sponsor.address === me.address && c.name === input.name && iso(startsAt) === c.startsAt && iso(endsAt) === c.endsAt
    && JSON.stringify(c.zoneIds) === JSON.stringify(zoneIds) && JSON.stringify(c.missionIds) === JSON.stringify(missionIds);

  return inTransaction(pool, async (tx) => {
    const known = (await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM zones WHERE id = ANY($1::uuid[])', [zoneIds])).rows[0]?.n;
    if (known !== zoneIds.length) throw new ApiError(400, 'UNKNOWN_ZONE', 'a zoneId does not exist');
    const missions = (await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM missions WHERE id = ANY($1::uuid[])', [missionIds])).rows[0]?.n;
    if (missions !== missionIds.length) throw new ApiError(400, 'UNKNOWN_MISSION', 'a missionId does not exist');
    const sponsor = await sponsorFor(tx, me.sub, me.address, input.sponsorName);
    // Serializes concurrent creates of one campaignId (the unique index would otherwise fail the loser).
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [onchainId]);
    const existing = await loadCampaign(tx, { onchainId });
    if (existing) {
      if (same(existing)) return { created: false, campaign: existing };
      throw conflict('CAMPAIGN_EXISTS', 'this campaignId is already registered with other terms or by another sponsor');
    }
    const id = (await tx.query<{ id: string }>(
      `INSERT INTO campaigns (id, sponsor_id, zone_id, name, onchain_id, starts_at, ends_at) VALUES (gen_random_uuid(), $1::uuid, $2::uuid, $3, $4, $5, $6) RETURNING id::text`,
      [sponsor.id, zoneIds[0] ?? null, input.name, onchainId, startsAt, endsAt])).rows[0]!.id;
    await tx.query('INSERT INTO campaign_zones (campaign_id, zone_id) SELECT $1::uuid, unnest($2::uuid[])', [id, zoneIds]);
    await tx.query('INSERT INTO campaign_missions (campaign_id, mission_id) SELECT $1::uuid, unnest($2::uuid[])', [id, missionIds]);
    const campaign = await loadCampaign(tx, { id });
    if (!campaign) throw notFound('campaign');
    return { created: true, campaign };
  });
}
