/** Time-of-day slots by local solar time (UTC shifted by longitude / 15 h): night, morning, afternoon, evening. */
export const SLOTS = ['night', 'morning', 'afternoon', 'evening'] as const;

/** The slot (index into SLOTS) of instant `at` at `longitude`. */
export function localSlot(at: number, longitude: number): number {
  const hour = (((at / 3_600_000 + longitude / 15) % 24) + 24) % 24;
  return Math.min(3, Math.floor(hour / 6));
}
