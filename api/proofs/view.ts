import type { Db } from '../../lib/db.ts';

/** A proof (action + evidence) as the API shows it; no salt, no raw GPS beyond what the owner sent. */
export interface ProofView {
  id: string;
  assignmentId: string | null;
  missionId: string;
  playerId: string;
  status: string;
  latitude: number;
  longitude: number;
  accuracyM: number;
  capturedAt: string;
  submittedAt: string;
  device: Record<string, string> | null;
  evidence: { objectKey: string; sha256: string; mediaType: string; sizeBytes: number; width: number | null; height: number | null }[];
}

const nullableInt = { type: ['integer', 'null'] } as const;
export const proofSchema = {
  type: 'object',
  required: ['id', 'assignmentId', 'missionId', 'playerId', 'status', 'latitude', 'longitude', 'accuracyM', 'capturedAt', 'submittedAt', 'device', 'evidence'],
  properties: {
    id: { type: 'string' }, assignmentId: { type: ['string', 'null'] }, missionId: { type: 'string' }, playerId: { type: 'string' },
    status: { type: 'string' }, latitude: { type: 'number' }, longitude: { type: 'number' }, accuracyM: { type: 'number' },
    capturedAt: { type: 'string' }, submittedAt: { type: 'string' },
    device: { type: ['object', 'null'], additionalProperties: { type: 'string' } },
    evidence: {
      type: 'array',
      items: {
        type: 'object',
        required: ['objectKey', 'sha256', 'mediaType', 'sizeBytes', 'width', 'height'],
        properties: { objectKey: { type: 'string' }, sha256: { type: 'string' }, mediaType: { type: 'string' }, sizeBytes: { type: 'integer' }, width: nullableInt, height: nullableInt },
      },
    },
  },
} as const;

export const verificationSchema = {
  type: ['object', 'null'],
  required: ['decision', 'authenticity', 'confidence', 'flags', 'modelVersion', 'createdAt'],
  properties: {
    decision: { type: 'string' }, authenticity: { type: 'integer' }, confidence: { type: 'number' },
    flags: { type: 'array', items: { type: 'string' } }, modelVersion: { type: 'string' }, createdAt: { type: 'string' },
  },
} as const;

const include = { evidence: { orderBy: { createdAt: 'asc' as const } } };
type Row = NonNullable<Awaited<ReturnType<Db['action']['findFirst']>>> & {
  evidence: { objectKey: string; sha256: string; mediaType: string; sizeBytes: number; width: number | null; height: number | null }[];
};

export function proofView(a: Row): ProofView {
  return {
    id: a.id, assignmentId: a.assignmentId, missionId: a.missionId, playerId: a.playerId, status: a.status,
    latitude: a.latitude, longitude: a.longitude, accuracyM: a.accuracyM,
    capturedAt: a.capturedAt.toISOString(), submittedAt: a.submittedAt.toISOString(),
    device: a.device && typeof a.device === 'object' && !Array.isArray(a.device) ? (a.device as Record<string, string>) : null,
    evidence: a.evidence.map((e) => ({ objectKey: e.objectKey, sha256: e.sha256, mediaType: e.mediaType, sizeBytes: e.sizeBytes, width: e.width, height: e.height })),
  };
}

export async function loadProof(db: Db, id: string): Promise<ProofView | null> {
  const a = await db.action.findUnique({ where: { id }, include });
  return a ? proofView(a) : null;
}

export async function listProofs(db: Db, playerId: string, limit: number, offset: number) {
  const [rows, total] = await Promise.all([
    db.action.findMany({ where: { playerId }, include, orderBy: [{ submittedAt: 'desc' }, { id: 'asc' }], take: limit, skip: offset }),
    db.action.count({ where: { playerId } }),
  ]);
  return { proofs: rows.map(proofView), total, limit, offset };
}
