/**
 * A drill scenario as data (rules/drills/*.yaml): what it rehearses, who takes part, and a
 * timeline of injects, each with the expectations that score the school's response.
 * One schema here; `loadScenario` names the file, the field path and the reason of any error.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EduError } from '@edusentry/core';
import { drillsDir } from '@edusentry/rules';
import { parse } from 'yaml';
import { z } from 'zod';
import { incidentCategories } from './categories';

/** "90s", "5m", "2h" or a number of seconds → milliseconds. */
const duration = z
  .union([z.number().nonnegative(), z.string().regex(/^\d+(\.\d+)?(ms|s|m|h)$/, 'a duration like 30s, 5m or 2h')])
  .transform((v) => {
    if (typeof v === 'number') return v * 1000;
    const [, n, unit] = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(v)!;
    return Number(n) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit as 'ms' | 's' | 'm' | 'h'];
  });

const text = z.object({ zh: z.string().min(1), en: z.string().min(1) }).strict();

const expectation = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'lower-case letters, digits, - and _'),
    /** detect: an alert of `rule`; acknowledge: that alert triaged; escalate: an incident; report: a report or 通报 reply; manual: the facilitator's judgement. */
    type: z.enum(['detect', 'acknowledge', 'escalate', 'report', 'manual']),
    within: duration,
    rule: z.string().min(1).optional(),
    /** Reporting limit by operator type (the 2025 national rules: 1, 2 or 4 hours). */
    limit_hours: z.number().positive().optional(),
    category: z.string().optional(),
    description: text.optional(),
  })
  .strict()
  .superRefine((e, ctx) => {
    if (e.type === 'detect' && !e.rule)
      ctx.addIssue({
        code: 'custom',
        path: ['rule'],
        message: 'a detect expectation names the rule id whose alert it waits for',
      });
  });

/** An event template; strings may use {{i}} (0-based index) and {{n}} (index + 1). */
const eventTemplate = z
  .record(z.unknown())
  .refine((e) => typeof (e.event as { dataset?: unknown } | undefined)?.dataset === 'string', {
    message: 'an event needs event.dataset',
  });

const inject = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'lower-case letters, digits, - and _'),
    offset: duration,
    kind: z.enum(['events', 'site', 'message', 'manual']),
    title: text,
    /** events/site: templates written `count` times each, `every` apart. */
    events: z.array(eventTemplate).min(1).optional(),
    count: z.number().int().positive().max(10_000).default(1),
    every: duration.default(0),
    /** message/manual: what participants or the facilitator read. */
    text: text.optional(),
    expectations: z.array(expectation).default([]),
  })
  .strict()
  .superRefine((i, ctx) => {
    if ((i.kind === 'events' || i.kind === 'site') && !i.events)
      ctx.addIssue({ code: 'custom', path: ['events'], message: `a ${i.kind} inject needs events` });
    if ((i.kind === 'message' || i.kind === 'manual') && !i.text)
      ctx.addIssue({ code: 'custom', path: ['text'], message: `a ${i.kind} inject needs text` });
    if (i.kind === 'site' && i.events?.some((e) => (e.event as { dataset?: string }).dataset !== 'site.check'))
      ctx.addIssue({ code: 'custom', path: ['events'], message: 'a site inject writes site.check results' });
  });

export const scenarioSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and -'),
    title: text,
    description: text.optional(),
    category: z.string().refine((c) => incidentCategories().some((k) => k.id === c), {
      message: 'not a GB/T 20986-2023 category (rules/drills/categories/gbt20986-2023.yaml)',
    }),
    /** The incident grade rehearsed (GB/T 20986-2023: 特别重大 I … 一般 IV). */
    grade: z.enum(['I', 'II', 'III', 'IV']),
    roles: z.array(z.enum(['school_officer', 'city_monitor', 'province_monitor', 'facilitator', 'principal'])).min(1),
    injects: z.array(inject).min(1),
  })
  .strict()
  .superRefine((s, ctx) => {
    const seen = new Set<string>();
    s.injects.forEach((i, n) => {
      for (const [m, e] of i.expectations.entries()) {
        if (seen.has(e.id))
          ctx.addIssue({
            code: 'custom',
            path: ['injects', n, 'expectations', m, 'id'],
            message: `expectation id "${e.id}" is used twice`,
          });
        seen.add(e.id);
      }
    });
  });

export type Scenario = z.infer<typeof scenarioSchema>;
export type Inject = Scenario['injects'][number];
export type Expectation = Inject['expectations'][number];

/** Parses and validates one scenario's text; errors say `file: path: reason`. */
export function parseScenario(yamlText: string, file: string): Scenario {
  let doc: unknown;
  try {
    doc = parse(yamlText);
  } catch (e) {
    throw new EduError('EDU_ERR_CONFIG', `${file}: not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  const r = scenarioSchema.safeParse(doc);
  if (r.success) return r.data;
  const lines = r.error.issues.map((i) => `${file}: ${i.path.join('.') || '(top)'}: ${i.message}`);
  throw new EduError('EDU_ERR_CONFIG', lines.join('\n'));
}

export function loadScenario(file: string): Scenario {
  return parseScenario(readFileSync(file, 'utf8'), file);
}

/** Every scenario of a folder (default: the shipped ones), in file-name order; one bad file fails with its name. */
export function loadScenarios(dir = drillsDir): Scenario[] {
  const files = readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
  const out = files.map((f) => loadScenario(join(dir, f)));
  const ids = new Set<string>();
  for (const [n, s] of out.entries()) {
    if (ids.has(s.id))
      throw new EduError('EDU_ERR_CONFIG', `${join(dir, files[n])}: id: scenario "${s.id}" is defined twice`);
    ids.add(s.id);
  }
  return out;
}
