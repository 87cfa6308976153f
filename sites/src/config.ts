import { z } from '@edusentry/core';

/** The `sites:` section of the YAML configuration (site monitor). */
export const sitesConfigSchema = z
  .object({
    /** Resolvers (host:port), each a DNS vantage point; every lookup goes to them. Empty: the system resolver. */
    resolvers: z.array(z.string()).default([]),
    /** Default check interval of a site (s). */
    intervalSec: z.number().int().min(30).default(300),
    /** Whole-request deadline: connect, TLS, headers and body (slow drip included). */
    timeoutMs: z.number().int().min(100).default(10_000),
    /** Response-size cap, also after decompression (a gzip bomb stops here). */
    maxBytes: z
      .number()
      .int()
      .min(1024)
      .default(5 * 1024 * 1024),
    maxRedirects: z.number().int().min(0).max(10).default(10),
    /** Extra tries before `down`, spread over retryDelayMs. */
    retries: z.number().int().min(0).default(2),
    retryDelayMs: z.number().int().min(0).default(2000),
    /** Consecutive results that agree before a site's state (up/down) changes: flapping suppressed. */
    flapThreshold: z.number().int().min(1).default(2),
    /** A page slower than this (total ms) is `slow`. */
    slowMs: z.number().int().min(1).default(3000),
    /** Certificates expiring within this many days are `cert_expiring`. */
    certExpiringDays: z.number().int().min(1).default(14),
    /** Key pages unchanged this long make the site `stale` (zombie site). */
    staleDays: z.number().int().min(1).default(180),
    /** PEM files of extra trusted CAs (besides the system CAs). */
    extraCAs: z.array(z.string()).default([]),
    /** Keyword lists (YAML); empty = the shipped rules/sites lists. */
    darkLinkKeywords: z.string().default(''),
    sensitiveWords: z.string().default(''),
    /** Linked attachments (same site) read per page for personal data. */
    maxAttachments: z.number().int().min(0).default(5),
    scheduler: z
      .object({
        /** Checks running at once, all sites. */
        concurrency: z.number().int().min(1).default(16),
        /** Requests at once to one host (politeness). */
        perHost: z.number().int().min(1).default(2),
        /** Results are written to the store in batches of this size, or every flushMs. */
        batchSize: z.number().int().min(1).default(500),
        flushMs: z.number().int().min(10).default(2000),
        /** Longest back-off after repeated failures (s). */
        maxBackoffSec: z.number().int().min(1).default(3600),
      })
      .strict()
      .default({}),
  })
  .strict();

export type SitesConfig = z.infer<typeof sitesConfigSchema>;

export function defaultSitesConfig(overrides: Partial<SitesConfig> = {}): SitesConfig {
  return { ...sitesConfigSchema.parse({}), ...overrides };
}
