import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { toHex } from '../../ledger/index.ts';
import type { Role } from '../auth/roles.ts';
import type { Deps } from '../deps.ts';
import { bearer, decimalString, errors } from './schemas.ts';

const OVERSIGHT: readonly Role[] = ['auditor', 'admin'];
const EXPORT_BATCH = 1000;
type Row = Record<string, unknown>;

const MONTH = '^[0-9]{4}-(0[1-9]|1[0-2])$';
const aggregate = {
  type: 'object', required: ['entries', 'heart', 'impactCredits'],
  properties: { entries: { type: 'integer' }, heart: decimalString, impactCredits: decimalString },
} as const;
const EXPORT_COLUMNS = [
  'seq', 'entry_hash', 'prev_hash', 'action_id', 'player_address', 'xp', 'heart', 'impact_credits', 'fund_local_bps', 'fund_national_bps',
  'fund_global_bps', 'formula_version', 'model_version', 'score', 'evidence_commitment', 'created_at', 'epoch', 'log_root', 'rewards_root', 'anchor_tx_hash',
] as const;

const csvCell = (v: unknown) => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};
const hex = (b: unknown) => (b ? toHex(new Uint8Array(b as Buffer)) : null);

/** Oversight views for auditors and admins: national aggregates and monthly ledger exports tied to their anchored epoch. */
export default async function governmentRoutes(app: FastifyInstance, { deps }: { deps: Deps }) {
  const { pool } = deps;
  const q = async (text: string, params: unknown[] = []) => (await pool.query<Row>(text, params)).rows;
  const agg = (r: Row | undefined) => ({ entries: Number(r?.entries ?? 0), heart: String(r?.heart ?? '0'), impactCredits: String(r?.credits ?? '0') });
  const SUMS = `count(*)::int AS entries, coalesce(sum(l.heart), 0)::text AS heart, coalesce(sum(l.impact_credits), 0)::text AS credits`;

  app.get('/api/government/nation-dashboard', {
    config: { auth: OVERSIGHT },
    schema: {
      summary: 'National totals: players, actions, impact credits, Heart earned, fund allocation by bucket, by zone and by month (UTC)', tags: ['government'], security: bearer,
      response: {
        200: {
          type: 'object', required: ['players', 'actions', 'approvedActions', 'totals', 'funds', 'byZone', 'byMonth'],
          properties: {
            players: { type: 'integer' }, actions: { type: 'integer' }, approvedActions: { type: 'integer' }, totals: aggregate,
            funds: { type: 'object', required: ['local', 'national', 'global'], properties: { local: decimalString, national: decimalString, global: decimalString } },
            byZone: { type: 'array', items: { type: 'object', required: ['zoneId', 'name', 'countryCode', 'entries', 'heart', 'impactCredits'], properties: { zoneId: { type: 'string' }, name: { type: 'string' }, countryCode: { type: 'string' }, ...aggregate.properties } } },
            byMonth: { type: 'array', items: { type: 'object', required: ['month', 'entries', 'heart', 'impactCredits'], properties: { month: { type: 'string' }, ...aggregate.properties } } },
          },
        },
        ...errors(401, 403, 429),
      },
    },
  }, async () => {
    const [counts, totals, funds, byZone, byMonth] = await Promise.all([
      q(`SELECT (SELECT count(*) FROM players)::int AS players, (SELECT count(*) FROM actions)::int AS actions,
                (SELECT count(*) FROM actions WHERE status = 'approved')::int AS approved`),
      q(`SELECT ${SUMS} FROM ledger_entries l`),
      q(`SELECT coalesce(sum(floor(heart * fund_local_bps / 10000)), 0)::text AS local, coalesce(sum(floor(heart * fund_national_bps / 10000)), 0)::text AS national,
                coalesce(sum(floor(heart * fund_global_bps / 10000)), 0)::text AS global FROM ledger_entries`),
      q(`SELECT z.id::text AS zone_id, z.name, z.country_code, ${SUMS}
           FROM ledger_entries l JOIN actions a ON a.id = l.action_id JOIN missions m ON m.id = a.mission_id JOIN zones z ON z.id = m.zone_id
          GROUP BY z.id ORDER BY sum(l.heart) DESC, z.id`),
      q(`SELECT to_char(l.created_at AT TIME ZONE 'UTC', 'YYYY-MM') AS month, ${SUMS} FROM ledger_entries l GROUP BY 1 ORDER BY 1`),
    ]);
    const c = counts[0] ?? {};
    const f = funds[0] ?? {};
    return {
      players: Number(c.players ?? 0), actions: Number(c.actions ?? 0), approvedActions: Number(c.approved ?? 0), totals: agg(totals[0]),
      funds: { local: String(f.local ?? '0'), national: String(f.national ?? '0'), global: String(f.global ?? '0') },
      byZone: byZone.map((r) => ({ zoneId: String(r.zone_id), name: String(r.name), countryCode: String(r.country_code).trim(), ...agg(r) })),
      byMonth: byMonth.map((r) => ({ month: String(r.month), ...agg(r) })),
    };
  });

  app.get<{ Querystring: { month: string; format?: 'csv' | 'json' } }>('/api/government/export', {
    config: { auth: OVERSIGHT },
    schema: {
      summary: "Ledger entries created in a UTC month, streamed as CSV or JSON, each with its epoch's roots and anchor tx (null until the month is closed)", tags: ['government'], security: bearer,
      querystring: {
        type: 'object', required: ['month'], additionalProperties: false,
        properties: { month: { type: 'string', pattern: MONTH }, format: { type: 'string', enum: ['csv', 'json'], default: 'json' } },
      },
      response: {
        200: {
          description: 'A stream: CSV (one row per entry, header first) or JSON `{ month, epoch, entries }`',
          content: { 'text/csv': { schema: { type: 'string' } }, 'application/json': { schema: { type: 'object', additionalProperties: true } } },
        },
        ...errors(400, 401, 403, 429),
      },
    },
  }, async (req, reply) => {
    const { month } = req.query;
    const format = req.query.format ?? 'json';
    const [y, m] = month.split('-').map(Number) as [number, number];
    const from = new Date(Date.UTC(y, m - 1, 1));
    const to = new Date(Date.UTC(y, m, 1));
    const [epoch] = await q(`SELECT epoch, status::text AS status, log_root, rewards_root, anchor_tx_hash FROM epochs WHERE month = $1`, [month]);
    const epochView = epoch
      ? { epoch: epoch.epoch as number, status: String(epoch.status), logRoot: hex(epoch.log_root), rewardsRoot: hex(epoch.rewards_root), anchorTxHash: (epoch.anchor_tx_hash as string | null)?.trim() ?? null }
      : null;

    async function* rows(): AsyncGenerator<Row> {
      let after = -1;
      for (;;) {
        const batch = await q(
          `SELECT seq::text AS seq, entry_hash, prev_hash, action_id::text AS action_id, player_address, xp, heart::text AS heart, impact_credits::text AS impact_credits,
                  fund_local_bps, fund_national_bps, fund_global_bps, formula_version, model_version, score, evidence_commitment, created_at
             FROM ledger_entries WHERE created_at >= $1 AND created_at < $2 AND seq > $3 ORDER BY seq LIMIT $4`, [from, to, after, EXPORT_BATCH]);
        for (const r of batch) {
          yield {
            ...r, entry_hash: hex(r.entry_hash), prev_hash: hex(r.prev_hash), evidence_commitment: hex(r.evidence_commitment),
            created_at: (r.created_at as Date).toISOString(), epoch: epochView?.epoch ?? null, log_root: epochView?.logRoot ?? null,
            rewards_root: epochView?.rewardsRoot ?? null, anchor_tx_hash: epochView?.anchorTxHash ?? null,
          };
        }
        if (batch.length < EXPORT_BATCH) return;
        after = Number(batch[batch.length - 1]!.seq);
      }
    }
    async function* csv(): AsyncGenerator<string> {
      yield `${EXPORT_COLUMNS.join(',')}\n`;
      for await (const r of rows()) yield `${EXPORT_COLUMNS.map((k) => csvCell(r[k])).join(',')}\n`;
    }
    async function* json(): AsyncGenerator<string> {
      yield `{"month":${JSON.stringify(month)},"epoch":${JSON.stringify(epochView)},"entries":[`;
      let first = true;
      for await (const r of rows()) {
        yield `${first ? '' : ','}\n${JSON.stringify(Object.fromEntries(EXPORT_COLUMNS.map((k) => [k, r[k]])))}`;
        first = false;
      }
      yield '\n]}\n';
    }
    reply
      .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8')
      .header('content-disposition', `attachment; filename="oneheart-ledger-${month}.${format}"`);
    return reply.send(Readable.from(format === 'csv' ? csv() : json()));
  });
}
