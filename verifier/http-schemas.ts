/** JSON schemas of the verifier's internal HTTP API (verifier/http.ts). */
const date = { type: 'string', format: 'date-time' } as const;
const lat = { type: 'number', minimum: -90, maximum: 90 } as const;
const lon = { type: 'number', minimum: -180, maximum: 180 } as const;
const point = (extra: Record<string, unknown> = {}, required: string[] = []) =>
  ({ type: 'object', additionalProperties: false, required: ['latitude', 'longitude', ...required], properties: { latitude: lat, longitude: lon, ...extra } }) as const;

export const MAX_IMAGE_BYTES = 12 * 1024 * 1024;
/** Base64 of MAX_IMAGE_BYTES, plus JSON framing. */
export const IMAGE_BODY_LIMIT = Math.ceil(MAX_IMAGE_BYTES / 3) * 4 + 64 * 1024;

export const locationBody = {
  type: 'object',
  additionalProperties: false,
  required: ['latitude', 'longitude', 'accuracyM', 'capturedAt', 'mission'],
  properties: {
    latitude: lat,
    longitude: lon,
    accuracyM: { type: 'number', minimum: 0, maximum: 100_000 },
    capturedAt: date,
    mission: point({ radiusM: { type: 'number', exclusiveMinimum: 0, maximum: 100_000 } }),
    previous: point({ capturedAt: date }, ['capturedAt']),
  },
} as const;

export const timestampBody = {
  type: 'object',
  additionalProperties: false,
  required: ['capturedAt'],
  properties: {
    capturedAt: date,
    submittedAt: { ...date, description: 'default: now' },
    exifTakenAt: date,
    recentSubmissions: { type: 'array', maxItems: 1000, items: date, description: "the player's other submission times" },
  },
} as const;

export const imageBody = {
  type: 'object',
  additionalProperties: false,
  required: ['mediaType'],
  properties: {
    image: { type: 'string', minLength: 4, maxLength: IMAGE_BODY_LIMIT, pattern: '^[A-Za-z0-9+/]*={0,2}$', description: 'base64 bytes' },
    objectKey: { type: 'string', minLength: 1, maxLength: 512, description: 'or: a stored object' },
    mediaType: { type: 'string', pattern: '^[a-z]+/[a-z0-9.+-]{1,60}$' },
    before: { ...date, description: 'compare with evidence of proofs submitted no later than this (default: now)' },
  },
  oneOf: [{ required: ['image'] }, { required: ['objectKey'] }],
} as const;

export const comprehensiveBody = {
  type: 'object',
  additionalProperties: false,
  required: ['actionId'],
  properties: { actionId: { type: 'string', format: 'uuid' } },
} as const;

const rule = {
  type: 'object',
  required: ['name', 'passed', 'severity', 'detail'],
  properties: { name: { type: 'string' }, passed: { type: 'boolean' }, severity: { type: 'string' }, detail: { type: 'string' } },
} as const;

export const rulesResponse = {
  type: 'object',
  required: ['passed', 'flags', 'rules'],
  properties: { passed: { type: 'boolean' }, flags: { type: 'array', items: { type: 'string' } }, rules: { type: 'array', items: rule } },
} as const;

const nullableInt = { type: ['integer', 'null'] } as const;
export const imageResponse = {
  type: 'object',
  required: [...rulesResponse.required, 'sha256', 'sniffedType', 'typeMismatch', 'decodable', 'width', 'height', 'phash', 'exif', 'exactDuplicate', 'nearest'],
  properties: {
    ...rulesResponse.properties,
    sha256: { type: 'string' }, sniffedType: { type: ['string', 'null'] }, typeMismatch: { type: 'boolean' }, decodable: { type: 'boolean' },
    width: nullableInt, height: nullableInt, phash: { type: ['string', 'null'], description: '64-bit perceptual hash, hex' },
    exif: { type: ['object', 'null'], properties: { latitude: { type: 'number' }, longitude: { type: 'number' }, takenAt: { type: 'string' } } },
    exactDuplicate: { type: 'boolean' },
    nearest: { type: ['object', 'null'], properties: { evidenceId: { type: 'string' }, actionId: { type: 'string' }, distance: { type: 'integer' } } },
  },
} as const;

export const comprehensiveResponse = {
  type: 'object',
  required: [...rulesResponse.required, 'actionId', 'decision', 'authenticity', 'confidence', 'modelScore', 'modelVersion', 'stored'],
  properties: {
    ...rulesResponse.properties,
    actionId: { type: 'string' }, decision: { type: 'string' }, authenticity: { type: 'integer' }, confidence: { type: 'number' },
    modelScore: { type: 'number' }, modelVersion: { type: 'string' },
    stored: { type: ['object', 'null'], description: 'the stored verification result, when there is one', properties: { decision: { type: 'string' }, authenticity: { type: 'integer' }, flags: { type: 'array', items: { type: 'string' } } } },
  },
} as const;

const errorBody = {
  type: 'object',
  required: ['error'],
  properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' }, details: {} } } },
} as const;
export const errors = (...statuses: number[]) => Object.fromEntries(statuses.map((s) => [s, errorBody]));
