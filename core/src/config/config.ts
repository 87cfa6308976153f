/**
 * One YAML file per process, validated at start. Unknown keys and wrong types are
 * rejected with their path; every key has a default that works on one machine.
 * Packages contribute their own section schema (collector, analyzer, console)
 * and the CLI composes them with `composeConfigSchema`.
 */
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { z, type ZodTypeAny } from 'zod';
import { EduError } from '../errors';

export const storeConfigSchema = z
  .object({
    kind: z.enum(['embedded', 'elasticsearch']).default('embedded'),
    /** For elasticsearch: the cluster URL (OpenSearch 2.x or Elasticsearch 7.10+). */
    url: z.string().url().default('http://127.0.0.1:9201'),
    username: z.string().optional(),
    password: z.string().optional(),
    indexPrefix: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]*$/)
      .default('edusentry'),
    /** Cybersecurity Law art. 21: network logs kept at least six months. */
    retentionDays: z.number().int().min(1).default(180),
    /** Roll an index over after this many days or this size, whichever first. */
    rolloverDays: z.number().int().min(1).default(1),
    rolloverSize: z.string().default('30gb'),
    shards: z.number().int().min(1).default(1),
    replicas: z.number().int().min(0).default(0),
    /** Tail returns only events ingested at least this long ago (refresh/clock lag): the analyzer's latency floor. */
    tailLagMs: z.number().int().min(0).default(1000),
    /**
     * Tail also looks back this far before its cursor for documents that became searchable
     * late (a long bulk, a slow refresh): an event is missed only if it shows up more than
     * tailLagMs + tailOverlapMs after its event.ingested. Costs a bigger seen-id set, not latency.
     */
    tailOverlapMs: z.number().int().min(1000).default(3000),
    requestTimeoutMs: z.number().int().min(100).default(30000),
  })
  .strict();

export const baseConfigSchema = {
  dataDir: z.string().default('./data'),
  organization: z
    .object({ id: z.string().min(1).default('school-demo'), name: z.string().default('演示学校') })
    .strict()
    .default({}),
  observer: z
    .object({ id: z.string().min(1).default('collector-1'), name: z.string().default('校园出口采集器') })
    .strict()
    .default({}),
  store: storeConfigSchema.default({}),
  log: z
    .object({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') })
    .strict()
    .default({}),
};

export type StoreConfig = z.infer<typeof storeConfigSchema>;

export function composeConfigSchema<S extends Record<string, ZodTypeAny>>(sections: S) {
  return z.object({ ...baseConfigSchema, ...sections }).strict();
}

export const baseOnlySchema = composeConfigSchema({});
export type BaseConfig = z.infer<typeof baseOnlySchema>;

/** Parses YAML text and validates it; errors name the file, the key path and the line where possible. */
export function parseConfig<T extends ZodTypeAny>(text: string, schema: T, file = '<config>'): z.infer<T> {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length) {
    const e = doc.errors[0];
    throw new EduError(
      'EDU_ERR_CONFIG',
      `${file}: YAML error at line ${e.linePos?.[0].line ?? '?'}: ${e.message.split('\n')[0]}`,
    );
  }
  const raw = doc.toJS() ?? {};
  const result = schema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    let path = issue.path.join('.');
    let msg = issue.message;
    if (issue.code === 'unrecognized_keys') {
      path = [...issue.path, issue.keys[0]].join('.');
      msg = 'unknown key';
    }
    const node = doc.getIn(path.split('.'), true) as { range?: [number, number] } | undefined;
    const line = node?.range ? text.slice(0, node.range[0]).split('\n').length : undefined;
    throw new EduError('EDU_ERR_CONFIG', `${file}${line ? `:${line}` : ''}: ${path || '(root)'}: ${msg}`);
  }
  return result.data;
}

export function loadConfig<T extends ZodTypeAny>(file: string | undefined, schema: T): z.infer<T> {
  if (!file) return parseConfig('{}', schema);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new EduError(
      'EDU_ERR_CONFIG',
      `cannot read config file ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`,
    );
  }
  return parseConfig(text, schema, file);
}
