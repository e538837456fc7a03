// Proof submissions for `npm run bench:api`: active assignments with their
// evidence already uploaded (the app's presigned PUT, done here straight to S3),
// and the after-run audit that no accepted submission was lost or duplicated.
import { createHash, randomUUID } from 'node:crypto';
import type { Queue } from 'bullmq';
import type pg from 'pg';
import sharp from 'sharp';
import { objectKeyFor } from '../../api/proofs/media.ts';
import type { Storage } from '../../lib/storage.ts';
import type { World } from './seed.ts';

export interface Submission {
  playerId: string;
  body: { assignmentId: string; objectKey: string; sha256: string; latitude: number; longitude: number; accuracyM: number; capturedAt: string; idempotencyKey: string };
}

/** `n` ready submissions from `players` (several per player, distinct from the readers so rate limits do not mix). */
export async function prepareSubmissions(sql: pg.Pool, storage: Storage, world: World, players: World['players'], n: number): Promise<Submission[]> {
  const jpeg = await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 30, g: 120, b: 60 } } }).jpeg().toBuffer();
  const sha256 = createHash('sha256').update(jpeg).digest('hex');
  const capturedAt = new Date(Date.now() - 60_000).toISOString();
  const subs: Submission[] = Array.from({ length: n }, (_, i) => {
    const player = players[i % players.length]!;
    return {
      playerId: player.id,
      body: {
        assignmentId: randomUUID(), objectKey: objectKeyFor(player.id, randomUUID()), sha256,
        latitude: -1.2, longitude: 36.8, accuracyM: 5, capturedAt, idempotencyKey: `bench-${String(i).padStart(8, '0')}`,
      },
    };
  });
  await sql.query(
    `INSERT INTO quest_assignments (id, player_id, mission_id, status) SELECT id, player_id, mission_id, 'active' FROM unnest($1::uuid[], $2::uuid[], $3::uuid[]) AS t(id, player_id, mission_id)`,
    [subs.map((s) => s.body.assignmentId), subs.map((s) => s.playerId), subs.map((_, i) => world.missions[i % world.missions.length]!)]);
  let next = 0;
  await Promise.all(Array.from({ length: 32 }, async () => {
    while (next < subs.length) await storage.put(subs[next++]!.body.objectKey, jpeg, 'image/jpeg');
  }));
  return subs;
}

export interface SubmissionAudit {
  accepted: number;
  actions: number;
  evidence: number;
  jobs: number;
  lost: number;
  duplicated: number;
}

/**
 * Every accepted response (its proof id) must have exactly one action, one
 * evidence row and one verify-proof job; no assignment may carry two actions.
 */
export async function auditSubmissions(sql: pg.Pool, queue: Queue, acceptedIds: Set<string>): Promise<SubmissionAudit> {
  // one snapshot: each bench action with its evidence count
  const actions = (await sql.query<{ id: string; assignment_id: string; evidence: number }>(
    `SELECT a.id::text, a.assignment_id::text, count(e.id)::int AS evidence
       FROM actions a LEFT JOIN evidence e ON e.action_id = a.id WHERE a.idempotency_key LIKE 'bench-%' GROUP BY a.id`)).rows;
  const jobIds = new Set((await queue.getJobs(['waiting', 'active', 'delayed', 'prioritized', 'completed', 'failed'])).map((j) => j?.id).filter((id): id is string => !!id));
  const inDb = new Set(actions.filter((a) => a.evidence > 0).map((a) => a.id));
  let lost = 0;
  for (const id of acceptedIds) if (!inDb.has(id) || !jobIds.has(id)) lost++;
  const perAssignment = new Map<string, number>();
  for (const a of actions) perAssignment.set(a.assignment_id, (perAssignment.get(a.assignment_id) ?? 0) + 1);
  const duplicated = [...perAssignment.values()].reduce((n, c) => n + (c - 1), 0) + actions.reduce((n, a) => n + Math.max(0, a.evidence - 1), 0);
  return {
    accepted: acceptedIds.size, actions: actions.length, evidence: actions.reduce((n, a) => n + a.evidence, 0),
    jobs: actions.filter((a) => jobIds.has(a.id)).length, lost, duplicated,
  };
}
