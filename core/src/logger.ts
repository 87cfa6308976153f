import pino, { type Logger } from 'pino';

export type { Logger };

/** Structured logs on stderr (stdout is for data, e.g. --ndjson). Secrets are redacted. */
export function createLogger(name: string, level: string = process.env.EDUSENTRY_LOG_LEVEL ?? 'info'): Logger {
  return pino(
    {
      name,
      level,
      redact: { paths: ['password', '*.password', 'store.password', 'token', '*.token', 'authorization', '*.authorization', 'cookie', '*.cookie'], censor: '[redacted]' },
    },
    pino.destination(2),
  );
}
