import { pino, type Logger } from 'pino';

export type { Logger };

/** Paths that may carry secrets; pino replaces them before anything is written. */
const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-internal-token"]',
  '*.password',
  '*.privateKey',
  '*.secret',
  '*.refreshToken',
  '*.accessToken',
  '*.DATABASE_URL',
  '*.JWT_SECRET',
  '*.OPERATOR_PRIVATE_KEY',
  '*.S3_SECRET_ACCESS_KEY',
  '*.INTERNAL_API_TOKEN',
];

export function createLogger(name: string, level = 'info'): Logger {
  return pino({ name, level, redact: { paths: REDACT, censor: '[redacted]' } });
}
