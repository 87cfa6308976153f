/**
 * DNS from every vantage point: each answer against the expected answers (addresses or CIDRs)
 * and against the other vantage points. A vantage point whose answer shares no address with
 * most of the others (or with the expected ranges) is named in `dns_mismatch`.
 */
import { isIP } from 'node:net';
import { addressMatches } from '../domain';
import type { CheckOutcome, SiteCheck } from './types';

export const dnsCheck: SiteCheck = {
  name: 'dns',
  async run(ctx) {
    const host = new URL(ctx.site.url).hostname.replace(/^\[|\]$/g, '');
    if (isIP(host)) return [];
    const t0 = performance.now();
    const answers = await ctx.resolvers.resolveAll(host);
    const ms = performance.now() - t0;
    const ok = answers.filter((a) => a.addresses.length);
    const expected = ctx.site.expectedDns;
    return answers.map((a): CheckOutcome => {
      const findings = [];
      if (!a.addresses.length) {
        findings.push(
          ctx.finding('dns_failure', 'high', `${a.vantage}: no answer for ${host} (${a.error})`, a.vantage, {
            vantage: a.vantage,
            error: a.error,
          }),
        );
      } else {
        const unexpected = expected.length
          ? a.addresses.filter((ip) => !expected.some((e) => addressMatches(ip, e)))
          : [];
        const others = ok.filter((o) => o !== a);
        const agreeing = others.filter((o) => o.addresses.some((ip) => a.addresses.includes(ip))).length;
        const outvoted = others.length > 0 && agreeing < others.length / 2;
        if (unexpected.length)
          findings.push(
            ctx.finding(
              'dns_mismatch',
              'high',
              `${a.vantage} answers ${unexpected.join(', ')} for ${host}, outside the expected ${expected.join(', ')}`,
              a.vantage,
              {
                vantage: a.vantage,
                answers: a.addresses,
                expected,
              },
            ),
          );
        else if (outvoted)
          findings.push(
            ctx.finding(
              'dns_mismatch',
              'high',
              `${a.vantage} answers ${a.addresses.join(', ')} for ${host}; the other vantage points do not`,
              a.vantage,
              {
                vantage: a.vantage,
                answers: a.addresses,
                others: Object.fromEntries(others.map((o) => [o.vantage, o.addresses])),
              },
            ),
          );
      }
      return {
        outcome: a.addresses.length ? 'success' : 'failure',
        findings,
        vantage: a.vantage,
        durationMs: ms,
        error: a.error,
        fields: {
          dns: {
            question: { name: host, type: 'A' },
            resolved_ip: a.addresses,
            response_code: a.error ? a.error : 'NOERROR',
          },
        },
        measurements: { vantage: a.vantage, answers: a.addresses },
      };
    });
  },
};
