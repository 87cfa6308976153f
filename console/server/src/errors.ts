/**
 * The console's error catalogue: every error the API answers with has an `EDU_ERR_*`
 * code, an HTTP status and a line of documentation (API.md lists them too; a test
 * checks that every code used in the source is here and documented there).
 */
import { ERROR_CATALOGUE, EduError, type ErrorCode } from '@edusentry/core';

export const CONSOLE_ERRORS = {
  EDU_ERR_VALIDATION: { status: 400, doc: 'A request field is missing or invalid; the message names it.' },
  EDU_ERR_PASSWORD_POLICY: { status: 400, doc: 'The new password does not meet the password policy.' },
  EDU_ERR_AUTH_REQUIRED: { status: 401, doc: 'No session: log in first.' },
  EDU_ERR_SESSION_EXPIRED: {
    status: 401,
    doc: 'The session was idle longer than the idle timeout, or is older than its absolute lifetime: log in again.',
  },
  EDU_ERR_AUTH_FAILED: {
    status: 401,
    doc: 'Login failed: wrong username or password, or the account is locked or disabled (one answer for all).',
  },
  EDU_ERR_PASSWORD_CHANGE_REQUIRED: {
    status: 403,
    doc: 'An administrator set the password of this account: change it (POST /api/auth/password) before anything else.',
  },
  EDU_ERR_CSRF: { status: 403, doc: 'The x-csrf-token header is missing or does not match the session.' },
  EDU_ERR_FORBIDDEN: { status: 403, doc: 'The role of the caller may not do this.' },
  EDU_ERR_OUT_OF_SCOPE: { status: 403, doc: "The organisation is outside the caller's subtree." },
  EDU_ERR_CONFLICT: {
    status: 409,
    doc: 'Duplicate name, object still in use, or an administrator locking themselves out.',
  },
  EDU_ERR_INVALID_TRANSITION: { status: 409, doc: 'The state change is not allowed from the current state.' },
  EDU_ERR_RULE_INVALID: {
    status: 400,
    doc: 'The uploaded Sigma file does not parse or compile, or a rule would not run; details.problems give each line and reason.',
  },
  EDU_ERR_NOTICE_STATE: {
    status: 409,
    doc: 'The notice is not in a state that allows this action; the message names its current state.',
  },
  EDU_ERR_ATTACHMENT_TOO_LARGE: { status: 413, doc: 'The uploaded file is larger than the attachment size limit.' },
  EDU_ERR_ATTACHMENT_TYPE: {
    status: 415,
    doc: 'The uploaded file is not an image, PDF, office document or plain text (markup is refused).',
  },
  EDU_ERR_RATE_LIMITED: { status: 429, doc: 'Too many requests from this address: retry later.' },
  EDU_ERR_AUDIT_BROKEN: {
    status: 500,
    doc: 'The audit trail failed verification: a record was edited, inserted or deleted.',
  },
  EDU_ERR_RULE_POLICY: { status: 500, doc: 'The rule policy file is unreadable; the server log names the file.' },
  EDU_ERR_INTERNAL: { status: 500, doc: 'An unexpected server error; it is logged with the request id.' },
} as const;

export type ConsoleErrorCode = keyof typeof CONSOLE_ERRORS;

// The console's codes join core's closed ErrorCode union (see PackageErrorCodes).
declare module '@edusentry/core' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface PackageErrorCodes extends Record<ConsoleErrorCode, true> {}
}

/** Every code the console can answer with: its own and core's. */
export const ALL_ERRORS: Record<string, { status: number; doc: string }> = { ...ERROR_CATALOGUE, ...CONSOLE_ERRORS };

/** The HTTP status of a code; a code from elsewhere (a library's error) is a 500. */
export function statusOf(code: ErrorCode | (string & {})): number {
  return ALL_ERRORS[code]?.status ?? 500;
}

/** Shorthand: `throw apiError('EDU_ERR_FORBIDDEN', 'role auditor may not triage alerts')`. */
export function apiError(
  code: ConsoleErrorCode | keyof typeof ERROR_CATALOGUE,
  message: string,
  details?: unknown,
): EduError {
  return new EduError(code, message, details);
}
