/** Certificates and TLS: validity window, chain trust (system CAs + sites.extraCAs), name, protocol, cipher. */
import type { CheckOutcome, SiteCheck } from './types';

const WEAK_PROTOCOLS = new Set(['SSLv3', 'TLSv1', 'TLSv1.1']);
const WEAK_CIPHER = /RC4|DES|NULL|EXPORT|anon|MD5|IDEA|SEED/i;
/** Errors about time or the name, not trust: reported as cert_expired / cert_name_mismatch instead. */
const NOT_TRUST_ERRORS = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'ERR_TLS_CERT_ALTNAME_INVALID']);

export const tlsCheck: SiteCheck = {
  name: 'tls',
  async run(ctx) {
    if (!ctx.site.url.startsWith('https:')) return [];
    const r = await ctx.fetch(ctx.site.url);
    const t = r.tls;
    if (!t) return [{ outcome: 'failure', findings: [], error: r.error ?? 'no TLS session' }];
    const findings = [];
    const now = ctx.now.getTime();
    const notAfter = t.notAfter ? Date.parse(t.notAfter) : undefined;
    const notBefore = t.notBefore ? Date.parse(t.notBefore) : undefined;
    if (notAfter !== undefined && notAfter < now)
      findings.push(ctx.finding('cert_expired', 'critical', `certificate expired on ${t.notAfter}`, t.fingerprint256));
    else if (notBefore !== undefined && notBefore > now)
      findings.push(
        ctx.finding('cert_expired', 'high', `certificate not valid before ${t.notBefore}`, t.fingerprint256),
      );
    else if (notAfter !== undefined && notAfter - now <= ctx.config.certExpiringDays * 86_400_000)
      findings.push(
        ctx.finding(
          'cert_expiring',
          'medium',
          `certificate expires in ${Math.ceil((notAfter - now) / 86_400_000)} days (${t.notAfter})`,
          t.fingerprint256,
        ),
      );
    if (!t.authorized && t.authorizationError && !NOT_TRUST_ERRORS.has(t.authorizationError))
      findings.push(
        ctx.finding('cert_untrusted', 'high', `certificate not trusted: ${t.authorizationError}`, t.fingerprint256, {
          issuer: t.issuer,
        }),
      );
    if (t.nameError)
      findings.push(ctx.finding('cert_name_mismatch', 'high', t.nameError, t.fingerprint256, { san: t.san }));
    if ((t.protocol && WEAK_PROTOCOLS.has(t.protocol)) || (t.cipher && WEAK_CIPHER.test(t.cipher)))
      findings.push(
        ctx.finding(
          'tls_weak',
          'medium',
          `weak TLS: ${t.protocol} ${t.cipher ?? ''}`.trim(),
          `${t.protocol}/${t.cipher}`,
        ),
      );
    const out: CheckOutcome = {
      outcome: 'success',
      findings,
      fields: {
        tls: {
          version: t.protocol?.replace(/^TLSv/, ''),
          version_protocol: 'tls',
          cipher: t.cipher,
          established: true,
          server: {
            not_after: t.notAfter,
            not_before: t.notBefore,
            subject: t.subject,
            issuer: t.issuer,
            hash: t.fingerprint256 ? { sha256: t.fingerprint256.replace(/:/g, '') } : undefined,
            x509: {
              not_after: t.notAfter,
              not_before: t.notBefore,
              subject: { distinguished_name: t.subject },
              issuer: { distinguished_name: t.issuer },
              alternative_names: t.san ? t.san.split(/,\s*/) : undefined,
            },
          },
        },
      },
      measurements: { authorized: t.authorized, authorization_error: t.authorizationError },
    };
    return [out];
  },
};
