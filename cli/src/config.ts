/** The whole configuration: core's keys plus each package's section. */
import { composeConfigSchema, z, type OrgNode } from '@edusentry/core';
import { analyzerConfigSchema } from '@edusentry/analyzer/config';
import { collectorConfigSchema } from '@edusentry/collector/config';
import { consoleConfigSchema } from '@edusentry/console-server/config';
import { sitesConfigSchema } from '@edusentry/sites/config';
import { sampleProvince } from '@edusentry/sample';

const orgNodeSchema = z
  .object({
    id: z.string().min(1),
    name: z.string().min(1),
    level: z.enum(['province', 'city', 'school']),
    parentId: z.string().min(1).nullable().default(null),
    /** Campus address ranges of a school. */
    cidrs: z.array(z.string()).default([]),
  })
  .strict();

export const configSchema = composeConfigSchema({
  collector: collectorConfigSchema.default({}),
  analyzer: analyzerConfigSchema.default({}),
  console: consoleConfigSchema.default({}),
  /** The key-site monitor (网站监测). */
  sites: sitesConfigSchema.default({}),
  /** What `edusentry start` loads and keeps flowing on the demo province. */
  sample: z
    .object({
      historyEvents: z.number().int().min(0).default(20000),
      eventsPerSecond: z.number().int().min(0).default(5),
    })
    .strict()
    .default({}),
  /**
   * The organisation tree `edusentry start` (and `console create-admin`) seed into an empty console,
   * and the schools the demo traffic comes from; default: the sample province.
   */
  organizations: z
    .array(orgNodeSchema)
    .min(1)
    .optional()
    .superRefine((nodes, ctx) => {
      const ids = new Set(nodes?.map((n) => n.id));
      nodes?.forEach((n, i) => {
        if (n.parentId !== null && !ids.has(n.parentId))
          ctx.addIssue({
            code: 'custom',
            path: [i, 'parentId'],
            message: `"${n.parentId}" is not an organisation id here`,
          });
      });
    }),
});

export type Config = z.infer<typeof configSchema>;

/** The organisation tree of this installation: `organizations` from the configuration, else the sample province. */
export function organizationsOf(config: Config): OrgNode[] {
  return config.organizations ?? sampleProvince();
}
