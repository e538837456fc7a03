import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { mulberry32 } from '../../lib/mulberry32.ts';

// The near-duplicate evaluation set: the project's own base photos (photos
// shipped inside installed packages, cut into unrelated pictures, and scenes
// rendered from seeded SVG), never a download, and the edits a cheater applies
// to reuse one of them.

const PKG = new URL('../../node_modules/', import.meta.url);
/** Path of a file shipped in an installed package. */
export const shippedFile = (p: string) => fileURLToPath(new URL(p, PKG));

/** A region of a picture shipped in an installed package: [file, left, top, width, height]. */
export type ShippedRegion = [string, number, number, number, number];

/** Region `i` of `regions` as a JPEG (q92), scaled to fit 800×600 unless `native`. */
export async function shippedRegion(regions: readonly ShippedRegion[], i: number, { native = false } = {}): Promise<Buffer> {
  const r = regions[i];
  if (!r) throw new Error(`no shipped region ${i}`);
  const [path, left, top, width, height] = r;
  const cut = sharp(shippedFile(path)).extract({ left, top, width, height });
  return (native ? cut : cut.resize({ width: 800, height: 600, fit: 'inside' })).jpeg({ quality: 92 }).toBuffer();
}

/** Photos shipped in packages: [file, left, top, width, height] (the regions of the human samples sheet are separate photos). */
const PACKAGED: ShippedRegion[] = [
  ['@vladmandic/human/assets/samples.jpg', 0, 0, 155, 155],
  ['@vladmandic/human/assets/samples.jpg', 165, 0, 140, 155],
  ['@vladmandic/human/assets/samples.jpg', 330, 0, 205, 156],
  ['@vladmandic/human/assets/samples.jpg', 545, 0, 100, 155],
  ['@vladmandic/human/assets/samples.jpg', 645, 0, 140, 155],
  ['@vladmandic/human/assets/samples.jpg', 800, 0, 105, 155],
  ['@vladmandic/human/assets/samples.jpg', 910, 0, 210, 155],
  ['@vladmandic/human/assets/samples.jpg', 1130, 0, 150, 155],
  ['@vladmandic/human/assets/samples.jpg', 180, 195, 1100, 300],
  ['@vladmandic/human/assets/samples.jpg', 260, 560, 500, 580],
  ['@vladmandic/human/assets/samples.jpg', 800, 560, 480, 580],
  ['@vladmandic/human/assets/screenshot-facedetect.jpg', 0, 0, 800, 718],
  ['@vladmandic/human/assets/screenshot-faceid.jpg', 0, 0, 800, 564],
  ['@vladmandic/human/assets/screenshot-facematch.jpg', 0, 0, 1920, 954],
  ['@vladmandic/human/assets/screenshot-vrm.jpg', 0, 0, 800, 653],
  ['@fastify/static/test/static/shallow/sample.jpg', 0, 0, 500, 500],
  ['autocannon/test/j5.jpeg', 0, 0, 1169, 584],
];

export const PACKAGED_PHOTOS = PACKAGED.length;

export const packagedPhoto = (i: number): Promise<Buffer> => shippedRegion(PACKAGED, i);

const hex = (rnd: () => number) => `#${Math.floor(rnd() * 0xffffff).toString(16).padStart(6, '0')}`;

/**
 * A seeded outdoor scene rendered from SVG (800×600 JPEG): sky gradient,
 * ground, sun, hills, houses, trees, figures and a litter of small objects,
 * so each seed is a different picture of the same kind of place. With
 * `things: false`, only sky, sun, hills and ground (an empty landscape).
 */
export async function renderedScene(seed: number, { things: withThings = true } = {}): Promise<Buffer> {
  const rnd = mulberry32(seed * 7919 + 17);
  const W = 800;
  const H = 600;
  const horizon = 250 + rnd() * 150;
  const parts: string[] = [
    `<defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${hex(rnd)}"/><stop offset="1" stop-color="${hex(rnd)}"/></linearGradient></defs>`,
    `<rect width="${W}" height="${H}" fill="url(#sky)"/>`,
    `<circle cx="${rnd() * W}" cy="${rnd() * horizon * 0.6}" r="${20 + rnd() * 50}" fill="${hex(rnd)}"/>`,
  ];
  for (let i = 0; i < 3; i++) parts.push(`<ellipse cx="${rnd() * W}" cy="${horizon}" rx="${150 + rnd() * 300}" ry="${40 + rnd() * 120}" fill="${hex(rnd)}"/>`);
  parts.push(`<rect y="${horizon}" width="${W}" height="${H - horizon}" fill="${hex(rnd)}"/>`);
  const things = withThings ? 6 + Math.floor(rnd() * 14) : 0;
  for (let i = 0; i < things; i++) {
    const x = rnd() * W;
    const y = horizon + rnd() * (H - horizon);
    const s = 0.4 + ((y - horizon) / (H - horizon)) * 1.6;
    const kind = Math.floor(rnd() * 4);
    if (kind === 0)
      parts.push(`<rect x="${x}" y="${y - 60 * s}" width="${70 * s}" height="${60 * s}" fill="${hex(rnd)}"/><polygon points="${x - 8 * s},${y - 60 * s} ${x + 35 * s},${y - 100 * s} ${x + 78 * s},${y - 60 * s}" fill="${hex(rnd)}"/>`);
    else if (kind === 1)
      parts.push(`<rect x="${x - 4 * s}" y="${y - 40 * s}" width="${8 * s}" height="${40 * s}" fill="#5b3a1a"/><circle cx="${x}" cy="${y - 55 * s}" r="${25 * s}" fill="${hex(rnd)}"/>`);
    else if (kind === 2)
      parts.push(`<circle cx="${x}" cy="${y - 52 * s}" r="${7 * s}" fill="#e0b090"/><rect x="${x - 8 * s}" y="${y - 45 * s}" width="${16 * s}" height="${28 * s}" rx="${4 * s}" fill="${hex(rnd)}"/><rect x="${x - 7 * s}" y="${y - 17 * s}" width="${14 * s}" height="${17 * s}" fill="${hex(rnd)}"/>`);
    else parts.push(`<rect x="${x}" y="${y - 10 * s}" width="${(10 + rnd() * 20) * s}" height="${(6 + rnd() * 10) * s}" transform="rotate(${rnd() * 90 - 45} ${x} ${y})" fill="${hex(rnd)}"/>`);
  }
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}">${parts.join('')}</svg>`;
  // A little sensor noise, as in a photo.
  const { data, info } = await sharp(Buffer.from(svg)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  for (let i = 0; i < data.length; i++) data[i] = Math.max(0, Math.min(255, (data[i] ?? 0) + Math.round((rnd() - 0.5) * 10)));
  return sharp(data, { raw: { width: info.width, height: info.height, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
}

export type EditName =
  | 'crop5' | 'crop10' | 'crop20' | 'border' | 'crop10+border' | 'flip'
  | 'jpeg-q10' | 'jpeg-q30' | 'jpeg-q60' | 'jpeg-q90' | 'resize' | 'brightness' | 'colour' | 'text' | 'screen';

export const EDITS: EditName[] = ['crop5', 'crop10', 'crop20', 'border', 'crop10+border', 'flip', 'jpeg-q10', 'jpeg-q30', 'jpeg-q60', 'jpeg-q90', 'resize', 'brightness', 'colour', 'text', 'screen'];

/** Removes `fraction` of the width and of the height, split unevenly between the sides. */
async function crop(img: Buffer, fraction: number, rnd: () => number): Promise<Buffer> {
  const { width = 0, height = 0 } = await sharp(img).metadata();
  const w = Math.round(width * (1 - fraction));
  const h = Math.round(height * (1 - fraction));
  return sharp(img).extract({ left: Math.floor(rnd() * (width - w)), top: Math.floor(rnd() * (height - h)), width: w, height: h }).jpeg({ quality: 90 }).toBuffer();
}

/** A plain frame of 8 % of the shorter side in a random colour. */
async function border(img: Buffer, rnd: () => number): Promise<Buffer> {
  const { width = 0, height = 0 } = await sharp(img).metadata();
  const b = Math.round(Math.min(width, height) * 0.08);
  return sharp(img).extend({ top: b, bottom: b, left: b, right: b, background: hex(rnd) }).jpeg({ quality: 90 }).toBuffer();
}

/** A caption across the lower part and a watermark in a corner. */
async function text(img: Buffer, rnd: () => number): Promise<Buffer> {
  const { width = 0, height = 0 } = await sharp(img).metadata();
  const size = Math.round(height / 10);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <text x="${width * 0.05}" y="${height * 0.85}" font-family="sans-serif" font-weight="bold" font-size="${size}" fill="${hex(rnd)}" stroke="#000" stroke-width="2">CLEANUP DAY #${Math.floor(rnd() * 100)}</text>
    <text x="${width * 0.6}" y="${height * 0.12}" font-family="sans-serif" font-size="${size / 2}" fill="#ffffff" fill-opacity="0.7">@oneheart</text></svg>`;
  return sharp(img).composite([{ input: Buffer.from(svg) }]).jpeg({ quality: 90 }).toBuffer();
}

/**
 * A screen re-photographed: the picture on a dark bezel, slightly rotated,
 * with gamma and colour cast of a display, a moiré of scan lines, defocus and
 * sensor noise, recompressed.
 */
async function screen(img: Buffer, rnd: () => number): Promise<Buffer> {
  const { width = 0, height = 0 } = await sharp(img).metadata();
  const bezel = Math.round(Math.min(width, height) * 0.12);
  const W = width + 2 * bezel;
  const H = height + 2 * bezel;
  const lines = Array.from({ length: Math.ceil(H / 3) }, (_, i) => `<rect y="${i * 3}" width="${W}" height="1" fill="#000" fill-opacity="0.18"/>`).join('');
  const moire = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><g transform="rotate(${(rnd() - 0.5) * 4} ${W / 2} ${H / 2})">${lines}</g></svg>`);
  const framed = await sharp(img)
    .gamma(1.6)
    .modulate({ brightness: 1.1, saturation: 0.8 })
    .tint({ r: 200, g: 215, b: 255 })
    .extend({ top: bezel, bottom: bezel, left: bezel, right: bezel, background: '#111111' })
    .composite([{ input: moire }])
    .rotate((rnd() - 0.5) * 6, { background: '#2a2a2a' })
    .blur(1.2)
    .raw()
    .toBuffer({ resolveWithObject: true });
  const { data, info } = framed;
  for (let i = 0; i < data.length; i++) data[i] = Math.max(0, Math.min(255, (data[i] ?? 0) + Math.round((rnd() - 0.5) * 24)));
  return sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } }).jpeg({ quality: 70 }).toBuffer();
}

/** `name` applied to `img`, seeded. */
export async function applyEdit(img: Buffer, name: EditName, seed: number): Promise<Buffer> {
  const rnd = mulberry32(seed);
  switch (name) {
    case 'crop5': return crop(img, 0.05, rnd);
    case 'crop10': return crop(img, 0.1, rnd);
    case 'crop20': return crop(img, 0.2, rnd);
    case 'border': return border(img, rnd);
    case 'crop10+border': return border(await crop(img, 0.1, rnd), rnd);
    case 'flip': return sharp(img).flop().jpeg({ quality: 90 }).toBuffer();
    case 'jpeg-q10': return sharp(img).jpeg({ quality: 10 }).toBuffer();
    case 'jpeg-q30': return sharp(img).jpeg({ quality: 30 }).toBuffer();
    case 'jpeg-q60': return sharp(img).jpeg({ quality: 60 }).toBuffer();
    case 'jpeg-q90': return sharp(img).jpeg({ quality: 90 }).toBuffer();
    case 'resize': {
      const { width = 0 } = await sharp(img).metadata();
      return sharp(img).resize({ width: Math.round(width * 0.45) }).jpeg({ quality: 85 }).toBuffer();
    }
    case 'brightness': return sharp(img).modulate({ brightness: rnd() < 0.5 ? 0.65 : 1.35 }).jpeg({ quality: 90 }).toBuffer();
    case 'colour': return sharp(img).modulate({ hue: 30 + Math.round(rnd() * 60), saturation: 1.4 }).jpeg({ quality: 90 }).toBuffer();
    case 'text': return text(img, rnd);
    case 'screen': return screen(img, rnd);
  }
}
