import { z } from '@edusentry/core';

/** The `analyzer.mlps:` section: the level-protection rules' lists and thresholds. */
export const mlpsConfigSchema = z
  .object({
    /** Off: only the Sigma rules run. */
    enabled: z.boolean().default(true),
    /** Inbound sessions accepted from outside the campus to these ports are high-risk exposure. */
    highRiskPorts: z
      .array(z.number().int().min(1).max(65535))
      .default([23, 135, 139, 445, 1433, 1521, 2375, 3306, 3389, 5432, 5900, 5985, 6379, 9200, 11211, 27017]),
    /** 非法外联: destinations campus hosts must not reach (CIDR blocks, and domains with their subdomains). */
    forbiddenNetworks: z.array(z.string()).default([]),
    forbiddenDomains: z.array(z.string()).default([]),
    /**
     * The observers (observer.id, observer.hostname or observer.ip) that are the sanctioned exits; when set,
     * campus-to-outside traffic seen by any other observer bypasses the exit. Empty: not checked.
     */
    exitObservers: z.array(z.string()).default([]),
    /** A log source that sent nothing for this long (by event time) is silent. */
    silentAfterMin: z.number().positive().default(60),
    /** Successful login after this many failures from the same client to the same account within the window. */
    loginFailures: z.number().int().min(1).default(5),
    loginWindowSec: z.number().int().positive().default(600),
  })
  .strict();

export type MlpsConfig = z.infer<typeof mlpsConfigSchema>;
