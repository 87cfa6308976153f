/**
 * Secrets out of log lines, at any depth: values under a secret-looking key
 * (password, token, cookie, authorization, secret, api key …) become "[redacted]",
 * and credentials inside URLs (`scheme://user:pass@host`) are cut from every string.
 * pino's own `redact` paths are one level per wildcard, so a password three objects
 * down (a config, a request body inside an error) would slip through.
 */
const SECRET_KEY =
  /pass(?:word|wd|phrase)|secret|api[-_]?key|private[-_]?key|token$|^(?:pass|authorization|proxy-authorization|cookie|set-cookie|csrf|credentials?)$/i;
const URL_CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/)[^\s/@:]+(?::[^\s/@]*)?@/gi;
export const CENSOR = '[redacted]';
const MAX_DEPTH = 12;

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/** Strips `user:password@` from URLs in a string. */
export function scrubUrls(s: string): string {
  return s.includes('@') ? s.replace(URL_CREDENTIALS, `$1${CENSOR}@`) : s;
}

/** A copy of `value` with secrets censored; the input is not changed. */
export function redactDeep<T>(value: T): T {
  return walk(value, 0, new WeakSet()) as T;
}

function walk(v: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof v === 'string') return scrubUrls(v);
  if (v === null || typeof v !== 'object') return v;
  if (seen.has(v)) return '[circular]';
  if (depth >= MAX_DEPTH) return '[too deep]';
  seen.add(v);
  try {
    if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1, seen));
    if (Buffer.isBuffer(v) || v instanceof Date) return v;
    const out: Record<string, unknown> = {};
    if (v instanceof Error) {
      // Kept an Error, so pino's error serializer still writes type, message and stack.
      const e = new Error(scrubUrls(v.message));
      e.name = v.name;
      e.stack = v.stack && scrubUrls(v.stack);
      for (const [k, x] of Object.entries(v)) (e as unknown as Record<string, unknown>)[k] = field(k, x, depth, seen);
      if (v.cause !== undefined) e.cause = walk(v.cause, depth + 1, seen);
      return e;
    }
    for (const [k, x] of Object.entries(v)) out[k] = field(k, x, depth, seen);
    return out;
  } finally {
    seen.delete(v);
  }
}

function field(k: string, x: unknown, depth: number, seen: WeakSet<object>): unknown {
  // Flags such as mustChangePassword say nothing secret: only values are censored.
  const secretValue = x !== undefined && x !== null && x !== '' && typeof x !== 'boolean';
  return secretValue && isSecretKey(k) ? CENSOR : walk(x, depth + 1, seen);
}
