// Which copy of a proof's evidence a caller may see. Originals stay private:
// only their owner and admins get signed URLs to them. Everyone else (other
// players, sponsors, auditors) gets the face-blurred, metadata-free
// derivative the verifier's vision stages stored (verifier/vision/privacy.ts: a
// JPEG for a still, a short MP4 for a video);
// evidence without one yet is not shown to them at all.
import type { Db } from '../../lib/db.ts';
import { derivativeMediaType } from '../../lib/public-derivative.ts';
import type { Storage } from '../../lib/storage.ts';
import type { AccessClaims } from '../auth/roles.ts';

export type MediaVariant = 'public' | 'original';

export interface MediaItem {
  evidenceId: string;
  variant: MediaVariant;
  mediaType: string;
  url: string;
  width: number | null;
  height: number | null;
  /** Faces blurred in a public derivative (null for an original). */
  facesBlurred: number | null;
}

export const mediaItemSchema = {
  type: 'object',
  required: ['evidenceId', 'variant', 'mediaType', 'url', 'width', 'height', 'facesBlurred'],
  properties: {
    evidenceId: { type: 'string' }, variant: { type: 'string', enum: ['public', 'original'] }, mediaType: { type: 'string' }, url: { type: 'string' },
    width: { type: ['integer', 'null'] }, height: { type: ['integer', 'null'] }, facesBlurred: { type: ['integer', 'null'] },
  },
} as const;

/** May `me` see the originals of a proof by `ownerId`? Its owner and admins only. */
export const seesOriginals = (me: AccessClaims, ownerId: string) => me.sub === ownerId || me.role === 'admin';

/** Signed URLs (valid `ttlS` seconds) to the evidence of an action in `variant`, oldest evidence first. */
export async function proofMedia(db: Db, storage: Storage, actionId: string, variant: MediaVariant, ttlS: number): Promise<MediaItem[]> {
  const evidence = await db.evidence.findMany({
    where: { actionId }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    select: { id: true, objectKey: true, mediaType: true, width: true, height: true },
  });
  if (variant === 'original') {
    return Promise.all(evidence.map(async (e) => ({
      evidenceId: e.id, variant, mediaType: e.mediaType, url: await storage.presignGet(e.objectKey, ttlS), width: e.width, height: e.height, facesBlurred: null,
    })));
  }
  const derivatives = await db.evidenceDerivative.findMany({ where: { evidenceId: { in: evidence.map((e) => e.id) } } });
  const byEvidence = new Map(derivatives.map((d) => [d.evidenceId, d]));
  const shown = evidence.flatMap((e) => {
    const d = byEvidence.get(e.id);
    return d ? [{ e, d }] : [];
  });
  return Promise.all(shown.map(async ({ e, d }) => ({
    evidenceId: e.id, variant, mediaType: derivativeMediaType(d.objectKey), url: await storage.presignGet(d.objectKey, ttlS), width: d.width, height: d.height, facesBlurred: d.facesBlurred,
  })));
}
