import pino, { type DestinationStream, type Logger } from 'pino';
import { redactDeep } from './redact';

export type { Logger };

/**
 * Structured logs on stderr (stdout is for data, e.g. --ndjson). Secrets are redacted at
 * any depth (redact.ts); child loggers inherit the formatter.
 */
export function createLogger(
  name: string,
  level: string = process.env.EDUSENTRY_LOG_LEVEL ?? 'info',
  destination: DestinationStream = pino.destination(2),
): Logger {
  return pino({ name, level, formatters: { log: (obj) => redactDeep(obj) } }, destination);
}
