import type { GeoPoint } from './context.ts';

const EARTH_RADIUS_M = 6_371_008.8;
const rad = (deg: number) => (deg * Math.PI) / 180;

/** Great-circle distance in metres (haversine). */
export function haversineM(a: GeoPoint, b: GeoPoint): number {
  const dLat = rad(b.latitude - a.latitude);
  const dLon = rad(b.longitude - a.longitude);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.latitude)) * Math.cos(rad(b.latitude)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

export type Continent = 'NA' | 'SA' | 'EU' | 'AF' | 'AS' | 'OC' | 'AN';

/** A coarse continent of a point (bounding boxes; good enough to spot a jump between continents). */
export function continentOf({ latitude: lat, longitude: lon }: GeoPoint): Continent {
  if (lat < -60) return 'AN';
  if (lon >= -170 && lon < -30) return lat >= 12 || (lat >= 7 && lon < -77) ? 'NA' : 'SA';
  if (lon >= -30 && lon < 60) {
    if (lat >= 36) return 'EU';
    return lon >= 35 && lat >= 12 ? 'AS' : 'AF';
  }
  if (lat < -10 && lon >= 110) return 'OC';
  if ((lon >= 165 || lon < -170) && lat < 0) return 'OC';
  return 'AS';
}
