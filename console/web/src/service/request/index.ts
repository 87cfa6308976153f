/**
 * One fetch wrapper for the whole app: same-origin cookie session, the CSRF header on
 * writes, the server's error body turned into an ApiError, and one place that shows
 * errors and reacts to an ended session.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, any> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface RequestOptions {
  query?: Record<string, unknown>;
  body?: unknown;
  /** Do not show the error message globally (the caller shows its own). */
  silent?: boolean;
}

export interface RequestHooks {
  /** Called for every failed request that is not silent. */
  onError?: (err: ApiError) => void;
  /** Called when the server says the session is missing or expired. */
  onUnauthorized?: (err: ApiError) => void;
}

let csrfToken = '';
let hooks: RequestHooks = {};

export function setCsrfToken(token: string) {
  csrfToken = token;
}

export function setRequestHooks(h: RequestHooks) {
  hooks = h;
}

/** `?a=1&b=x` from an object, leaving out undefined, null and empty strings. */
export function toQueryString(query: Record<string, unknown> | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue;
    params.append(k, Array.isArray(v) ? v.join(',') : String(v));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

async function toApiError(res: Response): Promise<ApiError> {
  let body: Partial<Api.Common.ErrorBody> = {};
  try {
    body = await res.json();
  } catch {
    // not JSON (proxy page, empty body): keep the status line
  }
  return new ApiError(
    res.status,
    body.code ?? `HTTP_${res.status}`,
    body.message ?? res.statusText,
    body.details ?? {},
  );
}

export async function request<T>(method: string, url: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(url + toQueryString(opts.query), {
      method,
      headers,
      credentials: 'same-origin',
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    });
  } catch (e) {
    const err = new ApiError(0, 'NETWORK', e instanceof Error ? e.message : String(e));
    if (!opts.silent) hooks.onError?.(err);
    throw err;
  }
  if (!res.ok) {
    const err = await toApiError(res);
    if (res.status === 401 && err.code !== 'EDU_ERR_AUTH_FAILED') hooks.onUnauthorized?.(err);
    else if (!opts.silent) hooks.onError?.(err);
    throw err;
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

export const http = {
  get: <T>(url: string, query?: Record<string, unknown>, opts: Omit<RequestOptions, 'query'> = {}) =>
    request<T>('GET', url, { ...opts, query }),
  post: <T>(url: string, body?: unknown, opts: Omit<RequestOptions, 'body'> = {}) =>
    request<T>('POST', url, { ...opts, body: body ?? {} }),
  patch: <T>(url: string, body: unknown, opts: Omit<RequestOptions, 'body'> = {}) =>
    request<T>('PATCH', url, { ...opts, body }),
  put: <T>(url: string, body: unknown, opts: Omit<RequestOptions, 'body'> = {}) =>
    request<T>('PUT', url, { ...opts, body }),
  del: <T>(url: string, opts: RequestOptions = {}) => request<T>('DELETE', url, opts),
};
