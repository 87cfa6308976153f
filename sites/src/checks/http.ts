/** Availability: status, redirect chain, timing phases, size; retries before `down`. */
import type { FetchResult } from '../net/fetch';
import type { CheckOutcome, SiteCheck } from './types';

/** No answer, or no complete page within the deadline (a slow-drip page counts as down, as a probe would). */
const unreachable = (r: FetchResult) => (r.status === undefined && !r.offsiteRedirect) || r.errorCode === 'timeout';

export const httpCheck: SiteCheck = {
  name: 'http',
  async run(ctx) {
    const url = ctx.site.url;
    let r = await ctx.fetch(url);
    let tries = 1;
    for (; unreachable(r) && tries <= ctx.config.retries; tries++) {
      await ctx.sleep(ctx.config.retryDelayMs);
      r = await ctx.fetch(url, true);
    }
    const findings = [];
    if (unreachable(r)) {
      findings.push(
        ctx.finding('down', 'critical', `unreachable after ${tries} tries: ${r.error ?? 'no answer'}`, undefined, {
          error: r.errorCode,
        }),
      );
    } else if (r.errorCode === 'too_many_redirects') {
      findings.push(ctx.finding('http_error', 'high', r.error ?? 'redirect loop', 'redirects'));
    } else if (r.status !== undefined && r.status >= 400) {
      findings.push(
        ctx.finding('http_error', r.status >= 500 ? 'high' : 'medium', `HTTP ${r.status}`, String(r.status)),
      );
    } else if (r.status !== undefined && r.status >= 300 && !r.offsiteRedirect) {
      findings.push(
        ctx.finding('http_error', 'medium', `HTTP ${r.status} without a usable Location`, String(r.status)),
      );
    }
    if (r.offsiteRedirect)
      findings.push(
        ctx.finding(
          'redirect_offsite',
          'high',
          `redirects off the site to ${r.offsiteRedirect}`,
          new URL(r.offsiteRedirect).host,
          { location: r.offsiteRedirect },
        ),
      );
    if (!unreachable(r) && r.timings.totalMs > ctx.config.slowMs)
      findings.push(
        ctx.finding('slow', 'low', `page took ${Math.round(r.timings.totalMs)} ms (limit ${ctx.config.slowMs} ms)`),
      );
    const out: CheckOutcome = {
      outcome: unreachable(r) ? 'failure' : 'success',
      findings,
      durationMs: r.timings.totalMs,
      error: r.error,
      fields: {
        http:
          r.status !== undefined ? { response: { status_code: r.status, body: { bytes: r.body.length } } } : undefined,
        destination: r.remoteAddress ? { ip: r.remoteAddress, domain: new URL(url).hostname } : undefined,
      },
      measurements: {
        up: !unreachable(r),
        latency_ms: r.timings.totalMs,
        status_code: r.status,
        timings: r.timings,
        redirects: r.redirects.length ? r.redirects : undefined,
        tries,
        truncated: r.truncated || undefined,
      },
    };
    return [out];
  },
};
