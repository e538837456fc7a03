import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { epochsByStatus, latestEpoch, ledgerSize, QUEUE_STATES } from '../admin/platform-state.ts';
import type { Deps } from '../deps.ts';
import { impactQueue, verifyQueue } from '../proofs/queue.ts';
import { indexerStatus, type IndexerStatusView } from '../indexer-status.ts';

/**
 * Prometheus metrics at GET /metrics (prom-client): request rate, latency and
 * errors by route, plus platform state read at scrape time (cheap queries,
 * api/admin/platform-state.ts) — ledger size, epochs by status, latest and
 * latest anchored epoch, queue depths, indexer progress (head, indexed
 * block, lag, events/s, report age) and the Postgres pool's use. One registry per app,
 * so several app instances in one process never collide.
 */
export default fp(async function metrics(app: FastifyInstance, { deps }: { deps: Deps }) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const labelNames = ['method', 'route', 'status'] as const;
  const requests = new Counter({ name: 'oneheart_http_requests_total', help: 'HTTP requests', labelNames, registers: [registry] });
  const latency = new Histogram({
    name: 'oneheart_http_request_duration_seconds',
    help: 'HTTP request latency',
    labelNames,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const errorsTotal = new Counter({
    name: 'oneheart_http_errors_total',
    help: 'HTTP responses with status >= 400, by class (4xx: the caller, 5xx: us)',
    labelNames: ['method', 'route', 'class'] as const,
    registers: [registry],
  });
  const queues = [verifyQueue(deps), impactQueue(deps)];

  const gauge = (name: string, help: string, collect: () => Promise<number | null>) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        const v = await collect().catch(() => null);
        if (v !== null) this.set(v);
      },
    });
  gauge('oneheart_ledger_entries', 'entries in the impact ledger', () => ledgerSize(deps.db));
  gauge('oneheart_latest_epoch', 'latest closed epoch, any status (0 when none)', async () => (await latestEpoch(deps.db))?.epoch ?? 0);
  gauge('oneheart_latest_anchored_epoch', 'latest epoch anchored on-chain (0 when none)', async () => {
    const rows = await deps.db.$queryRawUnsafe<{ v: number }[]>(`SELECT coalesce(max(epoch), 0)::int AS v FROM epochs WHERE status = 'anchored'`);
    return rows[0]?.v ?? 0;
  });
  // indexer progress as it last reported it (indexer_status + checkpoint)
  const indexer = (pick: (s: IndexerStatusView) => number) => async () => {
    const s = await indexerStatus(deps.db);
    return s ? pick(s) : null;
  };
  gauge('oneheart_indexer_block', 'last block mirrored by the indexer', indexer((s) => s.indexedBlock));
  gauge('oneheart_indexer_head_block', 'chain head the indexer last saw', indexer((s) => s.head));
  gauge('oneheart_indexer_lag_blocks', 'chain head minus the last mirrored block, as the indexer last saw it', indexer((s) => s.lag));
  gauge('oneheart_indexer_events_per_second', 'events mirrored per second over the last minute', indexer((s) => s.eventsPerSecond));
  gauge('oneheart_indexer_status_age_seconds', 'seconds since the indexer last reported (grows when it is down)', indexer((s) => s.ageSeconds));
  new Gauge({
    name: 'oneheart_epochs',
    help: 'epochs per status (closing, exported, anchoring, anchored)',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      const counts = await epochsByStatus(deps.db).catch(() => ({}));
      for (const [status, n] of Object.entries(counts)) this.set({ status }, n);
    },
  });
  new Gauge({
    name: 'oneheart_queue_jobs',
    help: 'jobs per queue and state',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      for (const q of queues) {
        const counts = await q.getJobCounts(...QUEUE_STATES).catch(() => ({}) as Record<string, number>);
        for (const [state, n] of Object.entries(counts)) this.set({ queue: q.name, state }, n);
      }
    },
  });

  new Gauge({
    name: 'oneheart_db_pool',
    help: "this process's one Postgres pool: connections open and idle, queries waiting for a connection, and its size (DATABASE_POOL_MAX)",
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const { pool } = deps;
      this.set({ state: 'open' }, pool.totalCount);
      this.set({ state: 'idle' }, pool.idleCount);
      this.set({ state: 'waiting' }, pool.waitingCount);
      this.set({ state: 'max' }, deps.config.DATABASE_POOL_MAX);
    },
  });

  app.addHook('onResponse', async (req, reply) => {
    const labels = { method: req.method, route: req.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) };
    requests.inc(labels);
    latency.observe(labels, reply.elapsedTime / 1000);
    if (reply.statusCode >= 400) errorsTotal.inc({ method: labels.method, route: labels.route, class: reply.statusCode >= 500 ? '5xx' : '4xx' });
  });
  app.addHook('onClose', async () => {
    await Promise.all(queues.map((q) => q.close()));
  });

  app.get('/metrics', { logLevel: 'warn', schema: { hide: true } }, async (_req, reply) => {
    reply.header('content-type', registry.contentType);
    return registry.metrics();
  });
}, { name: 'oneheart-metrics' });
