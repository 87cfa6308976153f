/**
 * The error catalogue. Every error a user can see has a code, so it can be
 * looked up, documented and matched in tests. Messages say what, where and what to do.
 */
export const ERROR_CATALOGUE = {
  EDU_ERR_CONFIG: { status: 400, doc: 'The configuration file is unreadable or a key is unknown or ill-typed.' },
  EDU_ERR_USAGE: { status: 400, doc: 'A command was called with missing or invalid arguments.' },
  EDU_ERR_STORE_UNREACHABLE: {
    status: 503,
    doc: 'The Elasticsearch/OpenSearch cluster did not answer at the configured URL.',
  },
  EDU_ERR_STORE_CORRUPT: { status: 500, doc: 'The embedded store file is not a valid SQLite database.' },
  EDU_ERR_STORE: { status: 500, doc: 'The store rejected a request.' },
  EDU_ERR_STORE_TIMEOUT: {
    status: 504,
    doc: 'The store did not finish a search within the request timeout (store.requestTimeoutMs): narrow it.',
  },
  EDU_ERR_INPUT: { status: 400, doc: 'An input file or stream is not in a format EduSentry reads.' },
  EDU_ERR_CAPTURE: {
    status: 500,
    doc: 'Live capture could not open or read the interface (permissions, name, BPF filter).',
  },
  EDU_ERR_NOT_FOUND: { status: 404, doc: 'The requested object does not exist.' },
  EDU_ERR_BACKUP_INVALID: {
    status: 422,
    doc: 'A backup fails verification (a file missing or changed, a database that does not open or lost rows).',
  },
} as const;

/**
 * Codes a package adds to the catalogue: it augments this interface beside its own table
 * (console/server/src/errors.ts does), so `ErrorCode` stays a closed union and a typo does not compile.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface PackageErrorCodes {}

export type ErrorCode = keyof typeof ERROR_CATALOGUE | keyof PackageErrorCodes;

export class EduError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'EduError';
  }
}

export function isEduError(err: unknown): err is EduError {
  return err instanceof EduError;
}
