import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Role } from '../auth/roles.ts';
import type { Deps } from '../deps.ts';
import { ApiError, conflict, notFound } from '../errors.ts';
import { SIGNED_IN } from '../auth/roles.ts';
import { caller, requireSelfOr } from '../plugins/auth.ts';
import { checkDeclared, MAX_MEDIA_BYTES, MEDIA_TYPES, OBJECT_KEY_PATTERN, objectKeyFor } from '../proofs/media.ts';
import { verifyQueue } from '../proofs/queue.ts';
import { submitProof, type SubmitBody } from '../proofs/submit.ts';
import { mediaItemSchema, proofMedia, seesOriginals, type MediaVariant } from '../proofs/public-media.ts';
import { listProofs, loadProof, proofSchema, verificationSchema } from '../proofs/view.ts';
import { bearer, errors, idParams, uuid } from './schemas.ts';

export const PLAYER: readonly Role[] = ['player'];
const UPLOAD_TTL_S = 600;
const MEDIA_URL_TTL_S = 300;

export const pageQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { limit: { type: 'string', pattern: '^(100|[1-9][0-9]?)$' }, offset: { type: 'string', pattern: '^[0-9]{1,9}$' } },
} as const;
export const page = (q: { limit?: string; offset?: string }) => ({ limit: Number(q.limit ?? 20), offset: Number(q.offset ?? 0) });

const uploadBody = {
  type: 'object',
  additionalProperties: false,
  required: ['assignmentId', 'contentType', 'size'],
  properties: { assignmentId: uuid, contentType: { type: 'string', maxLength: 100 }, size: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER } },
} as const;

const submitBody = {
  type: 'object',
  additionalProperties: false,
  required: ['assignmentId', 'objectKey', 'sha256', 'latitude', 'longitude', 'accuracyM', 'capturedAt', 'idempotencyKey'],
  properties: {
    assignmentId: uuid,
    objectKey: { type: 'string', pattern: OBJECT_KEY_PATTERN },
    sha256: { type: 'string', pattern: '^[0-9a-fA-F]{64}$' },
    latitude: { type: 'number', minimum: -90, maximum: 90 },
    longitude: { type: 'number', minimum: -180, maximum: 180 },
    accuracyM: { type: 'number', minimum: 0, maximum: 100_000 },
    capturedAt: { type: 'string', format: 'date-time' },
    device: {
      type: 'object',
      additionalProperties: false,
      properties: { platform: { type: 'string', maxLength: 40 }, model: { type: 'string', maxLength: 80 }, osVersion: { type: 'string', maxLength: 40 }, appVersion: { type: 'string', maxLength: 40 } },
    },
    idempotencyKey: { type: 'string', pattern: '^[A-Za-z0-9._:-]{8,128}$' },
  },
} as const;

const uploadResponse = {
  type: 'object',
  required: ['uploadId', 'objectKey', 'url', 'method', 'headers', 'expiresAt'],
  properties: {
    uploadId: { type: 'string' }, objectKey: { type: 'string' }, url: { type: 'string' }, method: { type: 'string' },
    headers: { type: 'object', additionalProperties: { type: 'string' } }, expiresAt: { type: 'string' },
  },
} as const;

/** Evidence uploads (presigned, straight to S3) and proof submission. */
export default async function proofRoutes(app: FastifyInstance, { deps }: { deps: Deps }) {
  const { db, storage } = deps;
  const queue = verifyQueue(deps);
  app.addHook('onClose', async () => {
    await queue.close();
  });

  app.post<{ Body: { assignmentId: string; contentType: string; size: number } }>('/api/proof/upload-url', {
    config: { auth: PLAYER },
    schema: {
      summary: `Presigned PUT for one evidence file (${MEDIA_TYPES.join(', ')}; at most ${MAX_MEDIA_BYTES} bytes)`,
      tags: ['proof'], security: bearer, body: uploadBody, response: { 200: uploadResponse, ...errors(400, 401, 403, 404, 409, 429) },
    },
  }, async (req) => {
    const me = caller(req);
    const { assignmentId, contentType, size } = req.body;
    checkDeclared(contentType, size);
    const assignment = await db.questAssignment.findFirst({ where: { id: assignmentId, playerId: me.sub }, select: { status: true } });
    if (!assignment) throw notFound('assignment');
    if (assignment.status !== 'active') throw conflict('QUEST_NOT_ACTIVE', `assignment is ${assignment.status}`);
    const uploadId = randomUUID();
    const objectKey = objectKeyFor(me.sub, uploadId);
    const url = await storage.presignPut(objectKey, contentType, UPLOAD_TTL_S);
    return { uploadId, objectKey, url, method: 'PUT', headers: { 'content-type': contentType }, expiresAt: new Date(Date.now() + UPLOAD_TTL_S * 1000).toISOString() };
  });

  app.post<{ Body: SubmitBody }>('/api/proof/submit', {
    config: { auth: PLAYER },
    schema: {
      summary: 'Submit a proof for an active quest; idempotent per idempotencyKey',
      tags: ['proof'], security: bearer, body: submitBody, response: { 200: proofSchema, ...errors(400, 401, 403, 404, 409, 429) },
    },
  }, async (req) => submitProof(deps, queue, caller(req).sub, req.body));

  app.get<{ Querystring: { limit?: string; offset?: string } }>('/api/proof/list', {
    config: { auth: PLAYER },
    schema: {
      summary: 'Your proofs, newest first', tags: ['proof'], security: bearer, querystring: pageQuery,
      response: { 200: { type: 'object', required: ['proofs', 'total', 'limit', 'offset'], properties: { proofs: { type: 'array', items: proofSchema }, total: { type: 'integer' }, limit: { type: 'integer' }, offset: { type: 'integer' } } }, ...errors(400, 401, 403, 429) },
    },
  }, async (req) => {
    const { limit, offset } = page(req.query);
    return listProofs(db, caller(req).sub, limit, offset);
  });

  app.get<{ Params: { id: string } }>('/api/proof/:id', {
    config: { auth: ['player', 'admin', 'auditor'] },
    schema: {
      summary: 'One proof with short-lived media URLs (originals for its owner and admins, face-blurred derivatives for auditors) and its verification result',
      tags: ['proof'], security: bearer, params: idParams,
      response: {
        200: { type: 'object', required: ['proof', 'mediaUrls', 'verification'], properties: { proof: proofSchema, mediaUrls: { type: 'array', items: { type: 'string' } }, verification: verificationSchema } },
        ...errors(400, 401, 403, 404, 429),
      },
    },
  }, async (req) => {
    const proof = await loadProof(db, req.params.id);
    if (!proof) throw notFound('proof');
    const me = requireSelfOr(req, proof.playerId, ['admin', 'auditor']);
    const v = await db.verificationResult.findUnique({ where: { actionId: proof.id } });
    const media = await proofMedia(db, storage, proof.id, seesOriginals(me, proof.playerId) ? 'original' : 'public', MEDIA_URL_TTL_S);
    const mediaUrls = media.map((m) => m.url);
    const verification = v ? { decision: v.decision, authenticity: v.authenticity, confidence: v.confidence, flags: v.flags, modelVersion: v.modelVersion, createdAt: v.createdAt.toISOString() } : null;
    return { proof, mediaUrls, verification };
  });

  app.get<{ Params: { id: string }; Querystring: { variant?: MediaVariant } }>('/api/proof/:id/media', {
    config: { auth: SIGNED_IN },
    schema: {
      summary: "A proof's evidence media as short-lived URLs: `public` (default) is the face-blurred, metadata-free derivative anyone signed in may see once the proof is approved (its owner, admins and auditors: at any status); `original` is for its owner and admins only",
      tags: ['proof'], security: bearer, params: idParams,
      querystring: { type: 'object', additionalProperties: false, properties: { variant: { type: 'string', enum: ['public', 'original'] } } },
      response: { 200: { type: 'object', required: ['media'], properties: { media: { type: 'array', items: mediaItemSchema } } }, ...errors(400, 401, 403, 404, 429) },
    },
  }, async (req) => {
    const me = caller(req);
    const variant = req.query.variant ?? 'public';
    const action = await db.action.findUnique({ where: { id: req.params.id }, select: { playerId: true, status: true } });
    const privileged = action !== null && (seesOriginals(me, action.playerId) || me.role === 'auditor');
    // Other players and sponsors see approved proofs only; anything else is not found for them.
    if (!action || (!privileged && action.status !== 'approved')) throw notFound('proof');
    if (variant === 'original' && !seesOriginals(me, action.playerId)) throw new ApiError(403, 'ORIGINAL_MEDIA_FORBIDDEN', 'original evidence is shown only to its owner and admins');
    return { media: await proofMedia(db, storage, req.params.id, variant, MEDIA_URL_TTL_S) };
  });
}
