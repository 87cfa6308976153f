import { z } from '@edusentry/core';
import { auditConfigSchema } from './state/audit-anchor';
import { noticesConfigSchema, notifyConfigSchema } from './notify/config';

/** The `console:` section of the YAML configuration. Defaults follow 等保 8.1.4.1 (lockout, idle timeout). */
export const consoleConfigSchema = z
  .object({
    host: z.string().default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(8080),
    /** App-state SQLite file; default <dataDir>/console.db. */
    statePath: z.string().optional(),
    /** Serve HTTPS with this certificate and key (PEM files); the session cookie is then Secure. */
    tls: z
      .object({ cert: z.string().min(1), key: z.string().min(1) })
      .strict()
      .optional(),
    /**
     * Addresses of reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (fastify
     * trustProxy: true, an address, a CIDR or a list). Default: none, the socket peer is the client.
     */
    trustProxy: z.union([z.boolean(), z.string(), z.array(z.string())]).default(false),
    session: z
      .object({
        /** A session unused this long is gone. */
        idleMinutes: z.number().positive().default(15),
        /** A session ends this long after login however busy it is (a wall display logs in again). */
        absoluteHours: z.number().positive().default(12),
        /** Always set the Secure flag on the session cookie; it is set anyway on requests that came over HTTPS. */
        secureCookie: z.boolean().default(false),
      })
      .strict()
      .default({}),
    lockout: z
      .object({
        /** Consecutive failed logins that lock the account. */
        threshold: z.number().int().min(1).default(5),
        minutes: z.number().positive().default(15),
        /** Failed logins from one client address (any usernames) that lock that address for `minutes`. */
        addressThreshold: z.number().int().min(1).default(20),
      })
      .strict()
      .default({}),
    password: z
      .object({
        minLength: z.number().int().min(8).default(10),
        /** Of: lower case, upper case, digit, symbol. */
        minClasses: z.number().int().min(1).max(4).default(3),
      })
      .strict()
      .default({}),
    rateLimit: z
      .object({
        /** Requests per window per client address, all routes. */
        max: z.number().int().min(1).default(1200),
        windowMs: z.number().int().min(1000).default(60_000),
        /** Login attempts per window per client address. */
        loginMax: z.number().int().min(1).default(30),
      })
      .strict()
      .default({}),
    live: z
      .object({
        /** How often the console reads new alerts and heartbeats from the store to push them. */
        pollMs: z.number().int().min(50).default(1000),
        /**
         * Origins besides the console's own (same host and port as the request) whose pages may open
         * the live socket, exactly as the browser sends them (e.g. "https://soc.example.edu.cn").
         */
        allowedOrigins: z.array(z.string().url()).default([]),
      })
      .strict()
      .default({}),
    /** Notices (通报): default deadlines, working-day calendar, reminders, attachment limits. */
    notices: noticesConfigSchema.default({}),
    /** Outbound notifications: channels and the rules routing events to them. */
    notify: notifyConfigSchema.default({}),
    /** The audit trail's checkpoints: how often, the append-only file, the system log. */
    audit: auditConfigSchema.default({}),
    /** A collector whose last heartbeat is older than this is shown as down. */
    collectorDownAfterSeconds: z.number().int().min(1).default(120),
    /** The built SPA (console/web/dist); served with history fallback when it exists. */
    webDist: z.string().optional(),
  })
  .strict();

export type ConsoleConfig = z.infer<typeof consoleConfigSchema>;
/** What a caller may pass: every key with a default is optional, at every level. */
export type ConsoleConfigInput = z.input<typeof consoleConfigSchema>;

export function consoleConfig(partial: unknown = {}): ConsoleConfig {
  return consoleConfigSchema.parse(partial);
}
