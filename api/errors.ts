/**
 * An error the caller can act on: an HTTP status below 500 and a stable,
 * machine-readable `code` (SCREAMING_SNAKE). Anything else is a 500 whose
 * details stay in the log.
 */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new ApiError(404, 'NOT_FOUND', `${what} not found`);
export const forbidden = (why = 'not allowed') => new ApiError(403, 'FORBIDDEN', why);
export const conflict = (code: string, message: string) => new ApiError(409, code, message);
