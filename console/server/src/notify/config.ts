/** `console.notify` and `console.notices` in the YAML configuration: channels, routing rules, deadlines. */
import { z } from '@edusentry/core';
import { SPAN_PATTERN } from '../deadlines';

const span = z.string().regex(SPAN_PATTERN, 'a span such as "24h", "3d" or "5wd" (working days)');
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD');
const id = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, "_", "." or "-"');

export const channelSchema = z.discriminatedUnion('kind', [
  z
    .object({
      id,
      kind: z.literal('webhook'),
      url: z.string().url(),
      /** Key of the X-EduSentry-Signature header (sha256=<hex HMAC of the body>). */
      secret: z.string().min(1).optional(),
    })
    .strict(),
  z
    .object({
      id,
      kind: z.literal('email'),
      host: z.string().min(1),
      port: z.number().int().min(1).max(65535).default(587),
      /** Credentials; sent only after STARTTLS (the connection is refused without it). */
      user: z.string().optional(),
      pass: z.string().optional(),
      from: z.string().min(3),
      to: z.array(z.string().min(3)).min(1),
      tls: z
        .object({ rejectUnauthorized: z.boolean().default(true), ca: z.string().optional() })
        .strict()
        .default({}),
    })
    .strict(),
  z
    .object({
      id,
      kind: z.literal('dingtalk'),
      /** The robot's webhook (…/robot/send?access_token=…). */
      url: z.string().url(),
      /** The robot's 加签 secret (SEC…). */
      secret: z.string().min(1).optional(),
    })
    .strict(),
  z.object({ id, kind: z.literal('wecom'), /** …/cgi-bin/webhook/send?key=… */ url: z.string().url() }).strict(),
]);
export type ChannelConfig = z.infer<typeof channelSchema>;

export const notifyConfigSchema = z
  .object({
    channels: z.array(channelSchema).default([]),
    routes: z
      .array(
        z
          .object({
            /** notice.issued, notice.returned, notice.overdue, alert.new, site.down, … or "*". */
            event: z.string().min(1),
            /** A notice grade (一般…特别重大) or an alert severity (low…critical). */
            minSeverity: z.string().optional(),
            /** Only events of this organisation's subtree. */
            orgId: z.string().optional(),
            channels: z.array(z.string()).min(1),
          })
          .strict(),
      )
      .default([]),
    queue: z
      .object({
        maxAttempts: z.number().int().min(1).default(12),
        /** Back-off: baseDelayMs · 2^(attempt-1), at most maxDelayMs. */
        baseDelayMs: z.number().int().min(10).default(5_000),
        maxDelayMs: z.number().int().min(10).default(3_600_000),
        pollMs: z.number().int().min(10).default(1_000),
        timeoutMs: z.number().int().min(100).default(10_000),
      })
      .strict()
      .default({}),
  })
  .strict()
  .superRefine((c, ctx) => {
    const ids = new Set(c.channels.map((ch) => ch.id));
    c.routes.forEach((r, i) =>
      r.channels.forEach((ch, j) => {
        if (!ids.has(ch))
          ctx.addIssue({ code: 'custom', path: ['routes', i, 'channels', j], message: `no channel "${ch}"` });
      }),
    );
  });
export type NotifyConfig = z.infer<typeof notifyConfigSchema>;

export const noticesConfigSchema = z
  .object({
    /** Default deadline per severity when the issuer gives none. */
    deadlines: z
      .object({
        特别重大: span.default('24h'),
        重大: span.default('3d'),
        较大: span.default('5wd'),
        一般: span.default('10wd'),
      })
      .strict()
      .default({}),
    /** Rest days (法定节假日) and make-up working days (调休), local dates. */
    holidays: z.array(date).default([]),
    workdays: z.array(date).default([]),
    utcOffsetMinutes: z.number().int().min(-720).max(840).default(480),
    /** Remind the target and the issuer this long before the deadline. */
    remindBefore: z.array(z.string().regex(/^\d{1,4}(h|d)$/, 'a span such as "2h" or "1d"')).default(['24h']),
    /** How often the escalation timer looks for due notices. */
    checkMs: z.number().int().min(10).default(60_000),
    attachments: z
      .object({
        maxBytes: z
          .number()
          .int()
          .min(1)
          .default(20 * 1024 * 1024),
        maxPerNotice: z.number().int().min(1).default(50),
      })
      .strict()
      .default({}),
  })
  .strict();
export type NoticesConfig = z.infer<typeof noticesConfigSchema>;
