// badge_earned telemetry, written after the impact transaction commits:
// derived data, so a failure here never undoes a committed award. Event ids
// are derived from (player, badge), so a repeat writes nothing new.
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { recordEvents } from '../../telemetry/store.ts';
import type { Award } from './award.ts';

/** A name-based UUID (SHA-256, version nibble 8 per RFC 9562 custom) for one player's badge. */
export function badgeEventId(a: Award): string {
  const h = createHash('sha256').update(`badge_earned:${a.playerId}:${a.code}`).digest('hex');
  const variant = ((parseInt(h[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Records one `badge_earned` event per award; returns false when telemetry could not be written. */
export async function recordBadgeEvents(pool: pg.Pool, awards: readonly Award[], zoneId: string | null, at: Date): Promise<boolean> {
  if (awards.length === 0) return true;
  try {
    await recordEvents(pool, awards.map((a) => ({ id: badgeEventId(a), name: 'badge_earned', occurredAt: at, playerId: a.playerId, zoneId, props: { code: a.code } })));
    return true;
  } catch {
    return false; // derived data: the award itself is committed and notified
  }
}
