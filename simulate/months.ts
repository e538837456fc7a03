// UTC calendar months as 'YYYY-MM' strings.

export const MONTH_PATTERN = '^[0-9]{4}-(0[1-9]|1[0-2])$';

const index = (month: string) => {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return y * 12 + (m - 1);
};
const label = (i: number) => `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`;

export const addMonths = (month: string, k: number) => label(index(month) + k);

/** Months from `from` up to but excluding `to` (empty when to <= from). */
export function monthRange(from: string, to: string): string[] {
  return Array.from({ length: Math.max(0, index(to) - index(from)) }, (_, k) => label(index(from) + k));
}

export const monthOf = (d: Date) => d.toISOString().slice(0, 7);

/** The first instant of `month` (UTC). */
export const monthStart = (month: string) => new Date(`${month}-01T00:00:00.000Z`);
