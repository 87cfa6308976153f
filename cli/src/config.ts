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
  /** Data backup (数据备份与恢复): the daily backup `edusentry start` takes (cli/src/services/backup.ts). */
  backup: z
    .object({
      /** Take one a day while `edusentry start` runs. */
      daily: z.boolean().default(true),
      /** Local time of day, HH:MM. */
      at: z
        .string()
        .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM')
        .default('02:30'),
      /** Backups kept in the folder; older ones are deleted after a new one is complete. */
      keep: z.number().int().min(1).default(7),
      /** The backups folder (default: backups/ in the data directory). */
      dir: z.string().optional(),
      /** A search-engine store's fs snapshot repository, on the engine's host (default: edusentry/ under its path.repo). */
      snapshotLocation: z.string().optional(),
    })
    .strict()
    .default({}),
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
