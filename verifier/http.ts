// Internal HTTP API of the verifier process, for other services and operators: the same rule,
// media and model code the worker runs, answering scores and flags without writing anything.
import { createHash, timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import { assess } from './assess.ts';
import type { ProofContext, RuleResult } from './context.ts';
import { gatherProof } from './gather.ts';
import {
  comprehensiveBody, comprehensiveResponse, errors, IMAGE_BODY_LIMIT, imageBody, imageResponse, locationBody, MAX_IMAGE_BYTES,
  rulesResponse, timestampBody,
} from './http-schemas.ts';
import { mediaSignals, NO_ACTION } from './media/signals.ts';
import { toUnsigned } from './media/phash.ts';
import { continentJump, geofence, gpsAccuracy, impossibleTravel } from './rules/location.ts';
import { duplicateMedia, mediaIntegrity } from './rules/media.ts';
import { burst, exifConsistency, timestampSanity } from './rules/time.ts';
import type { VerifyDeps } from './verify.ts';

class HttpError extends Error {
  constructor(readonly statusCode: number, readonly code: string, message: string) {
    super(message);
  }
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Rule results → the answer shape every endpoint shares. */
function verdict(rules: RuleResult[]) {
  const failed = rules.filter((r) => !r.passed);
  return { passed: failed.length === 0, flags: failed.map((r) => `${r.severity}:${r.name}`), rules };
}

/** A context in which every signal the caller did not send is neutral (only the asked rules read it). */
function context(now: Date, over: Partial<ProofContext> & Pick<ProofContext, 'action'>): ProofContext {
  return {
    mission: { latitude: over.action.latitude, longitude: over.action.longitude, radiusM: 0 },
    previous: null,
    recentSubmissions: [],
    exif: null,
    media: { decodable: true, typeMismatch: false, exactDuplicate: false, nearestHamming: 64 },
    witnesses: [],
    now,
    ...over,
  };
}

interface LocationBody {
  latitude: number; longitude: number; accuracyM: number; capturedAt: string;
  mission: { latitude: number; longitude: number; radiusM?: number };
  previous?: { latitude: number; longitude: number; capturedAt: string };
}
interface TimestampBody { capturedAt: string; submittedAt?: string; exifTakenAt?: string; recentSubmissions?: string[] }
interface ImageBody { image?: string; objectKey?: string; mediaType: string; before?: string }

/**
 * Fastify app (no socket) answering POST /verify/image, /location, /timestamp
 * and /comprehensive behind `Authorization: Bearer <token>`.
 */
export async function buildVerifierHttp(deps: VerifyDeps, token: string, logger: FastifyBaseLogger): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: logger,
    bodyLimit: 64 * 1024,
    requestTimeout: 30_000,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
  });
  const expected = digest(token);
  app.addHook('onRequest', async (req) => {
    const h = req.headers.authorization;
    const given = typeof h === 'string' && h.startsWith('Bearer ') ? h.slice(7) : '';
    if (!given || !timingSafeEqual(digest(given), expected)) throw new HttpError(401, 'UNAUTHORIZED', 'a valid bearer token is required');
  });
  app.setErrorHandler((err: FastifyError | HttpError, req, reply) => {
    if (err instanceof HttpError) return reply.status(err.statusCode).send({ error: { code: err.code, message: err.message } });
    if ('validation' in err && err.validation) return reply.status(400).send({ error: { code: 'VALIDATION_FAILED', message: err.message } });
    if (typeof err.statusCode === 'number' && err.statusCode < 500) return reply.status(err.statusCode).send({ error: { code: err.code?.replace(/^FST_ERR_/, '') || 'BAD_REQUEST', message: err.message } });
    req.log.error({ err }, 'request failed');
    return reply.status(500).send({ error: { code: 'INTERNAL', message: 'internal error' } });
  });
  app.setNotFoundHandler((req, reply) => reply.status(404).send({ error: { code: 'NOT_FOUND', message: `no route ${req.method} ${req.url}` } }));

  app.post<{ Body: LocationBody }>('/verify/location', {
    schema: { body: locationBody, response: { 200: rulesResponse, ...errors(400, 401) } },
  }, async (req) => {
    const b = req.body;
    const ctx = context(new Date(), {
      action: { latitude: b.latitude, longitude: b.longitude, accuracyM: b.accuracyM, capturedAt: new Date(b.capturedAt), submittedAt: new Date() },
      mission: { latitude: b.mission.latitude, longitude: b.mission.longitude, radiusM: b.mission.radiusM ?? 0 },
      previous: b.previous ? { latitude: b.previous.latitude, longitude: b.previous.longitude, capturedAt: new Date(b.previous.capturedAt) } : null,
    });
    const o = deps.rules;
    return verdict([geofence(ctx, o), gpsAccuracy(ctx, o), impossibleTravel(ctx, o), continentJump(ctx)]);
  });

  app.post<{ Body: TimestampBody }>('/verify/timestamp', {
    schema: { body: timestampBody, response: { 200: rulesResponse, ...errors(400, 401) } },
  }, async (req) => {
    const b = req.body;
    const now = new Date();
    const ctx = context(now, {
      action: { latitude: 0, longitude: 0, accuracyM: 0, capturedAt: new Date(b.capturedAt), submittedAt: b.submittedAt ? new Date(b.submittedAt) : now },
      recentSubmissions: (b.recentSubmissions ?? []).map((d) => new Date(d)),
      exif: b.exifTakenAt ? { takenAt: new Date(b.exifTakenAt) } : null,
    });
    const o = deps.rules;
    return verdict([timestampSanity(ctx, o), burst(ctx, o), exifConsistency(ctx, o)]);
  });

  app.post<{ Body: ImageBody }>('/verify/image', {
    bodyLimit: IMAGE_BODY_LIMIT,
    schema: { body: imageBody, response: { 200: imageResponse, ...errors(400, 401, 404, 413) } },
  }, async (req) => {
    const b = req.body;
    const bytes = b.image !== undefined ? Buffer.from(b.image, 'base64') : await fetchObject(deps, b.objectKey ?? '');
    if (bytes.length > MAX_IMAGE_BYTES) throw new HttpError(413, 'IMAGE_TOO_LARGE', `at most ${MAX_IMAGE_BYTES} bytes`);
    const before = b.before ? new Date(b.before) : new Date();
    const report = await mediaSignals(deps.pool, [{ bytes, mediaType: b.mediaType }], NO_ACTION, before, deps.rules.nearDuplicateHamming);
    const file = report.files[0];
    if (!file) throw new Error('no media report');
    const ctx = context(before, { action: { latitude: 0, longitude: 0, accuracyM: 0, capturedAt: before, submittedAt: before }, media: report.media });
    const f = file.facts;
    return {
      ...verdict([mediaIntegrity(ctx), duplicateMedia(ctx, deps.rules)]),
      sha256: f.sha256, sniffedType: f.sniffedType, typeMismatch: f.typeMismatch, decodable: f.decodable, width: f.width, height: f.height,
      phash: f.phash === null ? null : toUnsigned(f.phash).toString(16).padStart(16, '0'),
      exif: f.exif ? { ...f.exif, takenAt: f.exif.takenAt?.toISOString() } : null,
      exactDuplicate: file.exactDuplicate, nearest: file.nearest,
    };
  });

  app.post<{ Body: { actionId: string } }>('/verify/comprehensive', {
    schema: { body: comprehensiveBody, response: { 200: comprehensiveResponse, ...errors(400, 401, 404) } },
  }, async (req) => {
    const { actionId } = req.body;
    const gathered = await gatherProof(deps.pool, { getObject: deps.getObject, nearDuplicateHamming: deps.rules.nearDuplicateHamming }, actionId);
    if (!gathered) throw new HttpError(404, 'NOT_FOUND', 'action not found');
    const a = assess(deps, gathered.ctx);
    const stored = (await deps.pool.query<{ decision: string; authenticity: number; flags: string[] }>(
      'SELECT decision::text AS decision, authenticity, flags FROM verification_results WHERE action_id = $1', [actionId])).rows[0] ?? null;
    return {
      ...verdict(a.rules), flags: a.flags, actionId, decision: a.decision, authenticity: a.authenticity, confidence: a.confidence,
      modelScore: a.modelScore, modelVersion: a.modelVersion, stored,
    };
  });

  return app;
}

async function fetchObject(deps: VerifyDeps, key: string): Promise<Uint8Array> {
  try {
    return await deps.getObject(key);
  } catch (err) {
    const name = err instanceof Error ? err.name : '';
    if (name === 'NoSuchKey' || name === 'NotFound') throw new HttpError(404, 'NOT_FOUND', 'no such object');
    throw err;
  }
}
