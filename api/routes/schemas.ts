/** JSON schemas shared by routes (also the OpenAPI components). */
export const errorBody = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'requestId'],
      properties: { code: { type: 'string' }, message: { type: 'string' }, details: {}, requestId: { type: 'string' } },
    },
  },
} as const;

export const errors = (...statuses: number[]) => Object.fromEntries(statuses.map((s) => [s, errorBody]));

export const uuid = { type: 'string', format: 'uuid' } as const;
export const idParams = { type: 'object', required: ['id'], additionalProperties: false, properties: { id: uuid } } as const;
export const bearer = [{ bearerAuth: [] }];

export const decimalString = { type: 'string', pattern: '^-?[0-9]+(\\.[0-9]+)?$' } as const;
export const MISSION_TYPES = ['cleanup', 'planting', 'recycling', 'education', 'care', 'water', 'energy'] as const;
const nullableDate = { type: ['string', 'null'], format: 'date-time' } as const;

export const missionSchema = {
  type: 'object',
  required: ['id', 'zoneId', 'title', 'description', 'type', 'difficulty', 'baseXp', 'baseHeart', 'durationMinutes', 'latitude', 'longitude', 'radiusM', 'startsAt', 'endsAt', 'active'],
  properties: {
    id: { type: 'string' }, zoneId: { type: 'string' }, title: { type: 'string' }, description: { type: 'string' },
    type: { type: 'string', enum: [...MISSION_TYPES] }, difficulty: { type: 'integer' }, baseXp: { type: 'integer' },
    baseHeart: decimalString, durationMinutes: { type: 'integer' }, latitude: { type: 'number' }, longitude: { type: 'number' },
    radiusM: { type: 'integer' }, startsAt: nullableDate, endsAt: nullableDate, active: { type: 'boolean' },
  },
} as const;

/** A mission row as the API shows it (Heart as a decimal string). */
export function missionView<M extends { baseHeart: { toFixed(): string }; createdAt?: Date }>(m: M) {
  const { createdAt: _createdAt, ...rest } = m;
  return { ...rest, baseHeart: m.baseHeart.toFixed() };
}

/** Missions open now: active and inside their optional time window. */
export const openMissionWhere = (now: Date) => ({
  active: true,
  AND: [{ OR: [{ startsAt: null }, { startsAt: { lte: now } }] }, { OR: [{ endsAt: null }, { endsAt: { gt: now } }] }],
});
