// POST /api/proof/submit: evidence checks, one transaction, then the verify job.
import { randomBytes } from 'node:crypto';
import type { Queue } from 'bullmq';
import { jobOptions, VERIFY_JOB, type VerifyJobData } from '../../lib/queues.ts';
import type { Deps } from '../deps.ts';
import { ApiError, conflict, notFound } from '../errors.ts';
import { checkUploaded, ownsObjectKey } from './media.ts';
import { loadProof, type ProofView } from './view.ts';

export interface SubmitBody {
  assignmentId: string;
  objectKey: string;
  sha256: string;
  latitude: number;
  longitude: number;
  accuracyM: number;
  capturedAt: string;
  device?: Record<string, string>;
  idempotencyKey: string;
}

async function existing(deps: Deps, playerId: string, body: SubmitBody): Promise<ProofView | null> {
  const found = await deps.db.action.findUnique({
    where: { playerId_idempotencyKey: { playerId, idempotencyKey: body.idempotencyKey } },
    select: { id: true, assignmentId: true, evidence: { select: { objectKey: true, sha256: true } } },
  });
  if (!found) return null;
  const same = found.assignmentId === body.assignmentId
    && found.evidence.some((e) => e.objectKey === body.objectKey && e.sha256 === body.sha256.toLowerCase());
  if (!same) throw conflict('IDEMPOTENCY_KEY_REUSED', 'this idempotency key was used for a different submission');
  return loadProof(deps.db, found.id);
}

/**
 * Idempotent per (player, idempotencyKey): a repeat, even concurrent, returns
 * the first submission's proof and enqueues nothing new (jobId = action id).
 */
export async function submitProof(deps: Deps, queue: Queue<VerifyJobData>, playerId: string, body: SubmitBody): Promise<ProofView> {
  const repeat = await existing(deps, playerId, body);
  if (repeat) {
    await queue.add(VERIFY_JOB, { actionId: repeat.id }, jobOptions(repeat.id));
    return repeat;
  }
  if (!ownsObjectKey(playerId, body.objectKey)) throw new ApiError(403, 'EVIDENCE_NOT_OWNED', 'object key is not under your upload prefix');
  const capturedAt = new Date(body.capturedAt);
  if (capturedAt.getTime() > Date.now() + 5 * 60_000) throw new ApiError(400, 'VALIDATION_FAILED', 'capturedAt is in the future');
  const assignment = await deps.db.questAssignment.findFirst({ where: { id: body.assignmentId, playerId }, select: { missionId: true, status: true } });
  if (!assignment) throw notFound('assignment');
  if (assignment.status !== 'active') throw conflict('QUEST_NOT_ACTIVE', `assignment is ${assignment.status}`);
  const media = await checkUploaded(deps.storage, body.objectKey, body.sha256);

  const actionId = await deps.db.$transaction(async (tx) => {
    const inserted = await tx.$queryRaw<{ id: string }[]>`
      INSERT INTO actions (id, player_id, mission_id, assignment_id, idempotency_key, latitude, longitude, accuracy_m, captured_at, device)
      VALUES (gen_random_uuid(), ${playerId}::uuid, ${assignment.missionId}::uuid, ${body.assignmentId}::uuid, ${body.idempotencyKey},
              ${body.latitude}, ${body.longitude}, ${body.accuracyM}, ${capturedAt}, ${body.device ? JSON.stringify(body.device) : null}::jsonb)
      ON CONFLICT (player_id, idempotency_key) DO NOTHING
      RETURNING id::text AS id`;
    const id = inserted[0]?.id;
    if (!id) return null; // a concurrent identical submission won
    const used = await tx.evidence.findUnique({ where: { objectKey: body.objectKey }, select: { id: true } });
    if (used) throw conflict('EVIDENCE_ALREADY_USED', 'this object is already evidence of another proof');
    await tx.evidence.create({
      data: {
        actionId: id, objectKey: body.objectKey, sha256: media.sha256, mediaType: media.mediaType, sizeBytes: media.sizeBytes,
        width: media.width, height: media.height, salt: randomBytes(32),
      },
    });
    const moved = await tx.questAssignment.updateMany({ where: { id: body.assignmentId, playerId, status: 'active' }, data: { status: 'submitted' } });
    if (moved.count !== 1) throw conflict('QUEST_NOT_ACTIVE', 'assignment is no longer active');
    return id;
  }, { maxWait: 30_000, timeout: 30_000 }).catch((err: unknown) => {
    // a concurrent submission with another idempotency key took the same object
    if ((err as { code?: string }).code === 'P2002') throw conflict('EVIDENCE_ALREADY_USED', 'this object is already evidence of another proof');
    throw err;
  });

  if (actionId === null) {
    const winner = await existing(deps, playerId, body);
    if (!winner) throw new Error('idempotent submission vanished');
    await queue.add(VERIFY_JOB, { actionId: winner.id }, jobOptions(winner.id));
    return winner;
  }
  await queue.add(VERIFY_JOB, { actionId }, jobOptions(actionId));
  const view = await loadProof(deps.db, actionId);
  if (!view) throw new Error('proof vanished after commit');
  return view;
}
