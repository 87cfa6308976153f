/** One JSON POST for the HTTP channels; a non-2xx answer or a robot's non-zero errcode is a failed attempt. */
export async function postJson(
  url: string,
  body: unknown,
  opts: { timeoutMs: number; headers?: Record<string, string>; robot?: boolean },
): Promise<void> {
  const payload = typeof body === 'string' ? body : JSON.stringify(body);
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8', ...opts.headers },
    body: payload,
    redirect: 'error',
    signal: AbortSignal.timeout(opts.timeoutMs),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`HTTP ${res.status} ${text.slice(0, 200)}`);
  if (opts.robot) {
    let answer: { errcode?: number; errmsg?: string } = {};
    try {
      answer = JSON.parse(text);
    } catch {
      throw new Error(`answer is not JSON: ${text.slice(0, 200)}`);
    }
    if (answer.errcode !== 0) throw new Error(`errcode ${answer.errcode}: ${answer.errmsg ?? ''}`);
  }
}

/** A channel URL without its query (access tokens and keys live there), for logs and errors. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(invalid url)';
  }
}
