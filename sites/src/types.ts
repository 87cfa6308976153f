/** The site monitor's vocabulary: a registered site, a check's findings and measurements. */

/** A key web site of an organisation node (school, city or province). */
export interface Site {
  id: string;
  orgId: string;
  name: string;
  url: string;
  /** Extra pages watched for content; the site's URL is always one of its key pages. */
  keyPages: string[];
  owner: string;
  intervalSec: number;
  /** Expected DNS answers: addresses or CIDRs (empty: compared between vantage points only). */
  expectedDns: string[];
  /** The school's own address ranges and domains, for 双非 (offsite_host). */
  ownCidrs: string[];
  ownDomains: string[];
  enabled: boolean;
  createdAt?: string;
  updatedAt?: string;
}

export const FINDING_KINDS = [
  'down',
  'http_error',
  'slow',
  'redirect_offsite',
  'cert_expired',
  'cert_expiring',
  'cert_untrusted',
  'cert_name_mismatch',
  'tls_weak',
  'dns_failure',
  'dns_mismatch',
  'tampered',
  'dark_link',
  'injected_script',
  'sensitive_word',
  'personal_data',
  'stale',
  'offsite_host',
] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

export type Severity = 'low' | 'medium' | 'high' | 'critical';

export interface Finding {
  /** Stable across runs for the same problem (site + kind + key): what a notice links to. */
  id: string;
  kind: FindingKind;
  severity: Severity;
  /** One line a person reads; attacker-controlled text is quoted, never markup. */
  detail: string;
  /** Structured facts (vantage point, technique, masked samples, ...). */
  data?: Record<string, unknown>;
}

export const CHECK_NAMES = ['http', 'tls', 'dns', 'content', 'dark-link', 'sensitive', 'offsite-stale'] as const;
export type CheckName = (typeof CHECK_NAMES)[number];
