import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/**
 * The only module that reads `process.env`. Every service builds its typed
 * options here at boot; a missing or malformed variable fails fast with a
 * message naming it.
 */

/** Hardhat's well-known account #0. A DEV DEFAULT: public, never use it on a real chain. */
export const DEV_OPERATOR_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';
/** DEV DEFAULT signing secret for JWTs; refused when NODE_ENV=production. */
export const DEV_JWT_SECRET = 'dev-only-insecure-jwt-secret-change-me-0000';
/** DEV DEFAULT credentials of the embedded S3-compatible store (s3rver's own). */
export const DEV_S3_KEY = 'S3RVER';
/** DEV DEFAULT bearer token of the verifier's internal HTTP API (POST /verify/*); refused when NODE_ENV=production. */
export const DEV_VERIFIER_INTERNAL_TOKEN = 'dev-only-verifier-internal-token-change-me';
/** DEV DEFAULT Ed25519 key (PKCS#8 DER, base64) signing transparency-log checkpoints; public, refused in production. */
export const DEV_TLOG_SIGNING_KEY = 'MC4CAQAwBQYDK2VwBCIEIMs25wZtmXD69PpbU0M9sZLrKxUEDIt0WGuMbOG5NvDj';

/** DEV DEFAULT token of internal service routes (`/recommend/*`); refused when NODE_ENV=production. */
export const DEV_INTERNAL_TOKEN = 'dev-only-insecure-internal-token-change-me-00';

const url = (protocols: string[]) =>
  z.string().url().refine((v) => protocols.some((p) => v.startsWith(`${p}:`)), {
    message: `must be a ${protocols.join(' or ')} URL`,
  });

const hexKey = z
  .string()
  .regex(/^0x[0-9a-fA-F]{64}$/, 'must be a 0x-prefixed 32-byte hex private key')
  .transform((v) => v as `0x${string}`);

const serviceSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  TRUST_PROXY: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  /** /ready: how long each dependency check may take before it counts as down. */
  READY_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(2_000),
  CORS_ORIGINS: z.string().default('').transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean)),
  DATABASE_URL: url(['postgres', 'postgresql']),
  /** API: size of the process's one Postgres pool (api/deps.ts), shared by Prisma, every route and the in-process workers. */
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(1000).default(10),
  REDIS_URL: url(['redis', 'rediss']),
  S3_ENDPOINT: url(['http', 'https']),
  S3_REGION: z.string().default('us-east-1'),
  S3_BUCKET: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be a valid S3 bucket name').default('oneheart'),
  S3_ACCESS_KEY_ID: z.string().min(1).default(DEV_S3_KEY),
  S3_SECRET_ACCESS_KEY: z.string().min(1).default(DEV_S3_KEY),
  S3_FORCE_PATH_STYLE: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
  RPC_URL: url(['http', 'https', 'ws', 'wss']),
  DEPLOYMENTS_DIR: z.string().default('deployments'),
  EXPLORER_URL: z.string().url().optional(),
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').default(DEV_JWT_SECRET),
  OPERATOR_PRIVATE_KEY: hexKey.default(DEV_OPERATOR_KEY),
  PUBLIC_URL: url(['http', 'https']).default('http://localhost:3000'),
  REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9:_-]{1,64}$/, 'must be 1-64 of A-Z a-z 0-9 : _ -').default('oneheart:'),
  RATE_LIMIT_USER: z.coerce.number().int().positive().default(100),
  RATE_LIMIT_ANON: z.coerce.number().int().positive().default(10),
  RATE_LIMIT_ADMIN: z.coerce.number().int().positive().default(1000),
  /** Per minute and per route outside /api/: internal /recommend/* calls per client IP, /simulate/* calls per signed-in caller. */
  RATE_LIMIT_INTERNAL: z.coerce.number().int().positive().default(600),
  RATE_LIMIT_SIMULATE: z.coerce.number().int().positive().default(30),
  /** Ed25519 private key (PKCS#8 DER, base64) that signs the tiled log's checkpoints (tlog/). */
  TLOG_SIGNING_KEY: z.string().regex(/^[A-Za-z0-9+/]{64}$/, 'must be a base64 PKCS#8 Ed25519 private key (48 bytes)').default(DEV_TLOG_SIGNING_KEY),
  /** Checkpoint origin and signing key name of the tiled log: a scheme-less URL without spaces or '+'. */
  TLOG_ORIGIN: z.string().regex(/^[^\s+]{1,255}$/, 'must be 1-255 characters without spaces or +').default('oneheart.local/ledger'),
  /** BullMQ key prefix of the verify-proof / apply-impact queues (same as the verifier's). */
  VERIFIER_QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9:_-]{1,64}$/, 'must be 1-64 of A-Z a-z 0-9 : _ -').default('bull'),
  /** Marketplace: how long a redemption holds its stock before it expires unpaid. */
  REDEMPTION_TTL_S: z.coerce.number().int().min(10).max(7 * 86_400).default(900),
  /** API background loop: expire unpaid redemptions and follow relayed transactions to confirmation. */
  MARKET_SWEEP_MS: z.coerce.number().int().min(10).default(15_000),
  /** Telemetry: monthly event partitions entirely older than this many days are dropped (telemetry/store.ts). */
  TELEMETRY_RETENTION_DAYS: z.coerce.number().int().min(1).max(36_500).default(400),
  /** Notifications: SSE heartbeat comment interval of GET /api/notification/stream. */
  NOTIFY_SSE_HEARTBEAT_MS: z.coerce.number().int().min(10).default(15_000),
  /** Notifications: how often the dispatcher sweeps for undispatched rows besides its LISTEN wake-ups. */
  NOTIFY_SWEEP_MS: z.coerce.number().int().min(10).default(5_000),
  /** Outbound deliveries: attempts per delivery and exponential backoff base before the dead-letter queue. */
  NOTIFY_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
  NOTIFY_BACKOFF_MS: z.coerce.number().int().min(0).default(2_000),
  /** Outbound webhooks: request timeout. */
  NOTIFY_WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  /** Shared secret other services send as `x-internal-token` on internal routes (`config.auth: 'internal'`). */
  INTERNAL_API_TOKEN: z.string().min(32, 'must be at least 32 characters').default(DEV_INTERNAL_TOKEN),
  /** Recommender: seconds a loaded snapshot is served before checking the database for changes (0 = every request). */
  RECOMMEND_REFRESH_S: z.coerce.number().int().min(0).max(86_400).default(30),
});

export type Config = z.infer<typeof serviceSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(readonly issues: string[]) {
    super(`invalid configuration:\n  ${issues.join('\n  ')}`);
  }
}

function parse<S extends z.ZodType>(schema: S, env: Record<string, string | undefined>): z.infer<S> {
  const result = schema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((i) => {
        const key = String(i.path[0]);
        return `${i.path.join('.')}: ${env[key] === undefined ? 'is required but not set' : i.message}`;
      }),
    );
  }
  return result.data;
}

/** Options of a long-running service (API, verifier, indexer). */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const config = parse(serviceSchema, env);
  if (config.NODE_ENV === 'production') {
    const devDefaults: [keyof Config, string][] = [
      ['JWT_SECRET', DEV_JWT_SECRET],
      ['OPERATOR_PRIVATE_KEY', DEV_OPERATOR_KEY],
      ['S3_SECRET_ACCESS_KEY', DEV_S3_KEY],
      ['TLOG_SIGNING_KEY', DEV_TLOG_SIGNING_KEY],
      ['INTERNAL_API_TOKEN', DEV_INTERNAL_TOKEN],
    ];
    const leaked = devDefaults.filter(([k, v]) => config[k] === v).map(([k]) => `${k}: dev default is not allowed in production`);
    if (leaked.length) throw new ConfigError(leaked);
  }
  return config;
}

const stackSchema = z.object({
  DATA_DIR: z.string().default('.data'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  LOG_LEVEL: serviceSchema.shape.LOG_LEVEL,
  DATABASE_URL: url(['postgres', 'postgresql']).optional(),
  REDIS_URL: url(['redis', 'rediss']).optional(),
  S3_ENDPOINT: url(['http', 'https']).optional(),
  RPC_URL: url(['http', 'https', 'ws', 'wss']).optional(),
  CHAIN_PORT: z.coerce.number().int().min(0).max(65535).default(8545),
});

export type StackConfig = z.infer<typeof stackSchema>;

/**
 * Options of the local launcher (`npm start`) and the test runner: every
 * service URL is optional — when absent, an embedded default is started.
 */
export function loadStackConfig(env: Record<string, string | undefined> = process.env): StackConfig {
  return parse(stackSchema, env);
}

/** File in DATA_DIR where `npm start` publishes the URLs of the services it runs. */
export const STACK_FILE = 'stack.json';

/**
 * Options of an operator command (epoch close, audit): the environment, with
 * service URLs a running `npm start` published filling whatever it leaves unset.
 */
export function loadOperatorConfig(env: Record<string, string | undefined> = process.env): Config {
  let published: Record<string, string> = {};
  try {
    published = JSON.parse(readFileSync(path.resolve(loadStackConfig(env).DATA_DIR, STACK_FILE), 'utf8')) as Record<string, string>;
  } catch {
    // no local stack running: the environment must name every service
  }
  return loadConfig({ ...published, ...env });
}

/** Environment for a child process: ours plus `extra` (extra wins). */
export function childEnv(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  return { ...process.env, ...extra };
}

/** Where the test runner publishes the services it started (see scripts/test.ts). */
export function testServices(env: Record<string, string | undefined> = process.env) {
  return parse(
    z.object({
      ONEHEART_TEST_PG_ADMIN_URL: url(['postgres', 'postgresql']),
      ONEHEART_TEST_TEMPLATE_DB: z.string(),
      REDIS_URL: url(['redis', 'rediss']),
      S3_ENDPOINT: url(['http', 'https']),
      RPC_URL: url(['http', 'https']),
    }),
    env,
  );
}

/** Seed of the indexer's chaos test; set it to replay the run that printed it (`CHAOS_SEED=… npm test`). */
export function chaosSeed(env: Record<string, string | undefined> = process.env): number | undefined {
  return parse(z.object({ CHAOS_SEED: z.coerce.number().int().min(0).optional() }), env).CHAOS_SEED;
}

/** Fields every worker process reads. */
const workerBase = {
  NODE_ENV: serviceSchema.shape.NODE_ENV,
  LOG_LEVEL: serviceSchema.shape.LOG_LEVEL,
  DATABASE_URL: url(['postgres', 'postgresql']),
};

/** Object storage settings, as the API reads them. */
const s3Fields = {
  S3_ENDPOINT: url(['http', 'https']),
  S3_REGION: serviceSchema.shape.S3_REGION,
  S3_BUCKET: serviceSchema.shape.S3_BUCKET,
  S3_ACCESS_KEY_ID: serviceSchema.shape.S3_ACCESS_KEY_ID,
  S3_SECRET_ACCESS_KEY: serviceSchema.shape.S3_SECRET_ACCESS_KEY,
  S3_FORCE_PATH_STYLE: serviceSchema.shape.S3_FORCE_PATH_STYLE,
};

const indexerSchema = z.object({
  ...workerBase,
  RPC_URL: url(['http', 'https', 'ws', 'wss']),
  DEPLOYMENTS_DIR: serviceSchema.shape.DEPLOYMENTS_DIR,
  INDEXER_CONFIRMATIONS: z.coerce.number().int().min(0).default(0),
  INDEXER_FINALITY_DEPTH: z.coerce.number().int().min(1).default(64),
  INDEXER_POLL_MS: z.coerce.number().int().min(10).default(1000),
  INDEXER_MAX_BLOCK_RANGE: z.coerce.number().int().min(1).default(10_000),
  INDEXER_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(4),
});

export type IndexerConfig = z.infer<typeof indexerSchema>;

/** Options of the chain indexer (`npm run indexer`). */
export function loadIndexerConfig(env: Record<string, string | undefined> = process.env): IndexerConfig {
  return parse(indexerSchema, env);
}

const verifierSchema = z.object({
  ...workerBase,
  REDIS_URL: url(['redis', 'rediss']),
  ...s3Fields,
  VERIFIER_QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9:_-]{1,64}$/, 'must be 1-64 of A-Z a-z 0-9 : _ -').default('bull'),
  VERIFIER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  VERIFIER_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(5),
  VERIFIER_BACKOFF_MS: z.coerce.number().int().min(0).default(2000),
  VERIFIER_APPROVE_AT: z.coerce.number().min(0).max(100).default(40),
  VERIFIER_REJECT_AT: z.coerce.number().min(0).max(100).default(20),
  VERIFIER_HARD_REJECT_MODEL: z.coerce.number().min(0).max(1).default(0.5),
  VERIFIER_DEFAULT_RADIUS_M: z.coerce.number().positive().default(50),
  VERIFIER_MAX_ACCURACY_M: z.coerce.number().positive().default(15),
  VERIFIER_MAX_SPEED_KMH: z.coerce.number().positive().default(100),
  VERIFIER_CLOCK_SKEW_S: z.coerce.number().min(0).default(120),
  VERIFIER_MAX_AGE_H: z.coerce.number().positive().default(24),
  VERIFIER_MAX_PER_HOUR: z.coerce.number().int().positive().default(12),
  VERIFIER_NEAR_DUPLICATE_HAMMING: z.coerce.number().int().min(0).max(11).default(7),
  /** Cosine similarity of visual descriptors (verifier/vision/duplicates.ts) at or above which a photo is a near-duplicate of another action's: 0.83: the highest unrelated pair in `npm run vision:eval` scores 0.8245. */
  VERIFIER_VISUAL_DUPLICATE_SIMILARITY: z.coerce.number().min(0).max(1).default(0.83),
  /** Snapshots of the visual-duplicate index in object storage (verifier/vision/dup-snapshot.ts): one worker writes one when the index holds this many descriptors more than the stored one… */
  VERIFIER_DUP_SNAPSHOT_EVERY: z.coerce.number().int().min(1).default(20_000),
  /** …or when the stored one is this many minutes old and anything was added; workers load the newest at start. */
  VERIFIER_DUP_SNAPSHOT_MINUTES: z.coerce.number().min(1).default(60),
  /** Key prefix of the snapshots in S3_BUCKET (one object per descriptor version). */
  VERIFIER_DUP_SNAPSHOT_PREFIX: z.string().regex(/^[A-Za-z0-9!_.*'()/-]{1,200}\/$/, 'must be an S3 key prefix ending in /').default('vision-index/'),
  /** Internal HTTP API of the verifier process (POST /verify/*): listen address and bearer token. */
  VERIFIER_HOST: z.string().default('127.0.0.1'),
  VERIFIER_PORT: z.coerce.number().int().min(0).max(65535).default(3100),
  VERIFIER_INTERNAL_TOKEN: z.string().min(24, 'must be at least 24 characters').default(DEV_VERIFIER_INTERNAL_TOKEN),
  /** Vision stages (verifier/vision/): faces, objects, unsafe content, quality, blurred derivatives. Unset: on, except off when NODE_ENV=test (tests that need them say on). */
  VERIFIER_VISION: z.enum(['on', 'off']).optional(),
}).transform((c) => ({ ...c, VERIFIER_VISION: c.VERIFIER_VISION ?? (c.NODE_ENV === 'test' ? 'off' : 'on') }));

export type VerifierConfig = z.infer<typeof verifierSchema>;

/** Options of the proof verifier (`npm run verifier`); refuses the dev internal token in production. */
export function loadVerifierConfig(env: Record<string, string | undefined> = process.env): VerifierConfig {
  const config = parse(verifierSchema, env);
  if (config.NODE_ENV === 'production' && config.VERIFIER_INTERNAL_TOKEN === DEV_VERIFIER_INTERNAL_TOKEN) {
    throw new ConfigError(['VERIFIER_INTERNAL_TOKEN: dev default is not allowed in production']);
  }
  return config;
}

const tlogSchema = z.object({
  ...workerBase,
  ...s3Fields,
  TLOG_SIGNING_KEY: serviceSchema.shape.TLOG_SIGNING_KEY,
  TLOG_ORIGIN: serviceSchema.shape.TLOG_ORIGIN,
  /** How often the sequencer (`npm run tlog`) publishes tiles and a signed checkpoint. */
  TLOG_PUBLISH_INTERVAL_MS: z.coerce.number().int().min(10).default(60_000),
});

export type TlogConfig = z.infer<typeof tlogSchema>;

/** Options of the tiled-log sequencer (`npm run tlog`); refuses the public dev keys in production. */
export function loadTlogConfig(env: Record<string, string | undefined> = process.env): TlogConfig {
  const config = parse(tlogSchema, env);
  if (config.NODE_ENV === 'production') {
    const devDefaults: [keyof TlogConfig, string][] = [
      ['S3_SECRET_ACCESS_KEY', DEV_S3_KEY],
      ['TLOG_SIGNING_KEY', DEV_TLOG_SIGNING_KEY],
    ];
    const leaked = devDefaults.filter(([k, v]) => config[k] === v).map(([k]) => `${k}: dev default is not allowed in production`);
    if (leaked.length) throw new ConfigError(leaked);
  }
  return config;
}
