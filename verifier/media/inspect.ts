import { createHash } from 'node:crypto';
import exifr from 'exifr';
import sharp from 'sharp';
import type { ExifInfo } from '../context.ts';
import { phash } from './phash.ts';

const MIME: Record<string, string> = { jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp', heif: 'image/heic', avif: 'image/avif', gif: 'image/gif', tiff: 'image/tiff' };
const MIN_SIDE = 64;
const MAX_SIDE = 12_000;

export interface MediaFacts {
  sha256: string;
  decodable: boolean;
  sniffedType: string | null;
  typeMismatch: boolean;
  width: number | null;
  height: number | null;
  phash: bigint | null;
  exif: ExifInfo | null;
}

const norm = (t: string) => (t === 'image/jpg' ? 'image/jpeg' : t === 'image/heif' ? 'image/heic' : t.toLowerCase());

/** Decodes one evidence file: real type vs declared, sane dimensions, SHA-256, perceptual hash, EXIF GPS/time. */
export async function inspectMedia(bytes: Uint8Array, declaredType: string): Promise<MediaFacts> {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const facts: MediaFacts = { sha256, decodable: false, sniffedType: null, typeMismatch: true, width: null, height: null, phash: null, exif: null };
  try {
    const meta = await sharp(bytes).metadata();
    facts.sniffedType = meta.format ? (MIME[meta.format] ?? `image/${meta.format}`) : null;
    facts.typeMismatch = facts.sniffedType === null || facts.sniffedType !== norm(declaredType);
    facts.width = meta.width ?? null;
    facts.height = meta.height ?? null;
    const sane = (v: number | null) => v !== null && v >= MIN_SIDE && v <= MAX_SIDE;
    if (!sane(facts.width) || !sane(facts.height)) return facts;
    facts.phash = await phash(bytes);
    facts.decodable = true;
  } catch {
    return facts;
  }
  facts.exif = await readExif(bytes);
  return facts;
}

async function readExif(bytes: Uint8Array): Promise<ExifInfo | null> {
  try {
    const raw = (await exifr.parse(Buffer.from(bytes), { gps: true, pick: ['DateTimeOriginal', 'CreateDate', 'GPSLatitude', 'GPSLongitude', 'GPSLatitudeRef', 'GPSLongitudeRef'] })) as
      | { latitude?: number; longitude?: number; DateTimeOriginal?: Date; CreateDate?: Date }
      | undefined;
    if (!raw) return null;
    const info: ExifInfo = {};
    if (typeof raw.latitude === 'number' && typeof raw.longitude === 'number') {
      info.latitude = raw.latitude;
      info.longitude = raw.longitude;
    }
    const taken = raw.DateTimeOriginal ?? raw.CreateDate;
    if (taken instanceof Date && !Number.isNaN(taken.getTime())) info.takenAt = taken;
    return info.latitude === undefined && info.takenAt === undefined ? null : info;
  } catch {
    return null;
  }
}
