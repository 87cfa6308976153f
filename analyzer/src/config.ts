import { z } from '@edusentry/core';
import { mlpsConfigSchema } from './mlps/config';

/** The `analyzer:` section of the YAML configuration. */
export const analyzerConfigSchema = z
  .object({
    /** Rule files or folders; empty = the rules we ship (rules/sigma). */
    rules: z.array(z.string()).default([]),
    /** Pipeline folder; empty = rules/pipelines. */
    pipelines: z.string().default(''),
    /** Values for `|expand` placeholders, e.g. { Administrators: [root, admin] }. */
    placeholders: z.record(z.array(z.string())).default({}),
    /** Events read from the store per batch. */
    batchSize: z.number().int().positive().default(2000),
    /** Wait between polls when the store has nothing new. */
    pollMs: z.number().int().positive().default(200),
    /**
     * While events keep coming, the cursor and correlation state are saved at most this often
     * (and always when the analyzer catches up or stops); 0 = after every batch.
     */
    stateSaveMs: z.number().int().nonnegative().default(2000),
    /** Reload the rules when a rule file changes. */
    watchRules: z.boolean().default(true),
    /**
     * The rule policy folder the console writes (rules switched off, severity overrides,
     * exceptions, uploaded rules); empty = rule-policy/ in the data directory.
     */
    policyDir: z.string().default(''),
    /** The level-protection (等保) rules' lists and thresholds (mlps/config.ts). */
    mlps: mlpsConfigSchema.default({}),
    /**
     * The schools' address ranges (as collector.packet.campusNetworks). An alert's campus end is
     * its asset (edu.alert.asset: the source of outbound traffic, the destination of inbound and
     * internal), the other end its remote party (edu.alert.remote).
     */
    campusNetworks: z.array(z.string()).default(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7']),
    correlation: z
      .object({
        /** Events this far behind the newest one still enter correlation windows. */
        latenessSec: z.number().nonnegative().default(60),
        /** Groups kept per correlation rule before the least recently used is evicted. */
        maxGroups: z.number().int().positive().default(100_000),
      })
      .strict()
      .default({}),
    /**
     * 实名可溯源 on alerts: bindings learnt from the RADIUS/portal events the analyzer reads give
     * an alert without user.name the account bound to its campus address at the alert's time.
     */
    attribution: z
      .object({
        enabled: z.boolean().default(true),
        /** Campus address ranges (as collector.packet.campusNetworks): only these are attributed. */
        campusNetworks: z.array(z.string()).default(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7']),
        /** A session with no stop seen ends this long after its start (as the collector's). */
        maxSessionHours: z.number().positive().default(24),
        /** Bindings older than this (behind the newest one) are forgotten. */
        retainHours: z.number().positive().default(72),
      })
      .strict()
      .default({}),
    /**
     * Alert aggregation: repeated alerts of one rule for the same source and destination within
     * the window become one alert with a count (a scanner's 300 requests are one alert to triage,
     * not 300). 0 = every match is its own alert. Per rule id overrides.
     */
    dedup: z
      .object({
        windowSec: z.number().nonnegative().default(600),
        rules: z.record(z.number().nonnegative()).default({}),
      })
      .strict()
      .default({}),
  })
  .strict();
export type AnalyzerConfig = z.infer<typeof analyzerConfigSchema>;
