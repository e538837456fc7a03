// The public derivative of an evidence item: written by the verifier
// (verifier/vision/privacy.ts), served by the API (api/proofs/public-media.ts).
// Where it is stored beside the original and what it is, in one place.

/** A still's derivative is a face-blurred JPEG; a video's a short face-blurred MP4 (verifier/vision/video-derivative.ts). */
export const DERIVATIVE_FORMATS = {
  image: { suffix: '.public.jpg', mediaType: 'image/jpeg' },
  video: { suffix: '.public.mp4', mediaType: 'video/mp4' },
} as const;

export type DerivativeKind = keyof typeof DERIVATIVE_FORMATS;

/** Object key of an evidence item's public derivative: beside the original, outside the player's upload key. */
export const derivativeKey = (originalKey: string, kind: DerivativeKind) => `${originalKey}${DERIVATIVE_FORMATS[kind].suffix}`;

/** Media type of the derivative stored under `key`. */
export const derivativeMediaType = (key: string): string =>
  key.endsWith(DERIVATIVE_FORMATS.video.suffix) ? DERIVATIVE_FORMATS.video.mediaType : DERIVATIVE_FORMATS.image.mediaType;
