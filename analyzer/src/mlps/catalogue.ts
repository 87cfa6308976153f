/**
 * The 等保 2.0 control catalogue (rules/mlps/catalogue): GB/T 22239-2019 level 2 and level 3
 * control points and items as data, validated on load, and the `djbh.l<level>.<clause>.<item>`
 * tags that tie a rule to the items it gives evidence for.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EduError, z } from '@edusentry/core';
import { mlpsDir } from '@edusentry/rules';
import { parse } from 'yaml';

export type MlpsLevel = 2 | 3;
export const MLPS_LEVELS: readonly MlpsLevel[] = [2, 3];

const clause = z.string().regex(/^\d+(\.\d+)+$/, 'a clause number such as 8.1.3.1');
const itemSchema = z
  .object({
    summary: z.string().min(4),
    evidence: z.union([z.literal('manual'), z.array(z.string()).nonempty()]),
  })
  .strict();
const controlSchema = z
  .object({
    clause,
    title: z.string().min(2),
    items: z.record(z.string().regex(/^[a-z]$/, 'an item letter a, b, c …'), itemSchema),
  })
  .strict();
const familySchema = z
  .object({ clause, title: z.string().min(2), controls: z.array(controlSchema).nonempty() })
  .strict();
const levelSchema = z
  .object({
    standard: z.literal('GB/T 22239-2019'),
    level: z.union([z.literal(2), z.literal(3)]),
    chapter: z.string(),
    families: z.array(familySchema).nonempty(),
  })
  .strict();
const evidenceSchema = z.object({ sources: z.record(z.string()) }).strict();

/** One item of a control point, flattened: `clause` is the control point's number. */
export interface CatalogueItem {
  level: MlpsLevel;
  family: string;
  familyTitle: string;
  clause: string;
  controlTitle: string;
  item: string;
  summary: string;
  /** Evidence source ids (evidence.yml), or empty when the item is attested by hand. */
  evidence: string[];
  manual: boolean;
  /** The tag a rule carries to serve this item. */
  tag: string;
}

export interface Catalogue {
  level: MlpsLevel;
  chapter: string;
  families: { clause: string; title: string }[];
  items: CatalogueItem[];
}

export const clauseTag = (level: MlpsLevel, clause: string, item: string) => `djbh.l${level}.${clause}.${item}`;

/** `djbh.l3.8.1.3.3.a` → its level, clause and item; null for a tag of another namespace. */
export function parseClauseTag(tag: string): { level: number; clause: string; item: string } | null {
  if (!tag.toLowerCase().startsWith('djbh.')) return null;
  const m = /^djbh\.l(\d)\.(\d+(?:\.\d+)+)\.([a-z])$/i.exec(tag);
  return m ? { level: Number(m[1]), clause: m[2], item: m[3].toLowerCase() } : { level: 0, clause: '', item: '' };
}

function readYaml(file: string): unknown {
  try {
    return parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new EduError('EDU_ERR_CONFIG', `cannot read the 等保 catalogue ${file}: ${(e as Error).message}`);
  }
}

function fail(file: string, error: z.ZodError): never {
  const i = error.issues[0];
  throw new EduError('EDU_ERR_CONFIG', `${file}: ${i.path.join('.') || '(top)'}: ${i.message}`);
}

const cache = new Map<string, Catalogue>();

/** The evidence source ids an item may name (rules/mlps/catalogue/evidence.yml). */
export function evidenceSources(dir = join(mlpsDir, 'catalogue')): Record<string, string> {
  const file = join(dir, 'evidence.yml');
  const r = evidenceSchema.safeParse(readYaml(file));
  if (!r.success) fail(file, r.error);
  return r.data.sources;
}

/** The catalogue of one level; an unknown evidence source or a clause outside its chapter is refused. */
export function loadCatalogue(level: MlpsLevel, dir = join(mlpsDir, 'catalogue')): Catalogue {
  const file = join(dir, `level-${level}.yml`);
  const hit = cache.get(file);
  if (hit) return hit;
  const r = levelSchema.safeParse(readYaml(file));
  if (!r.success) fail(file, r.error);
  const doc = r.data;
  if (doc.level !== level) throw new EduError('EDU_ERR_CONFIG', `${file}: level is ${doc.level}, expected ${level}`);
  const sources = evidenceSources(dir);
  const items: CatalogueItem[] = [];
  const seen = new Set<string>();
  for (const f of doc.families) {
    if (!f.clause.startsWith(`${doc.chapter}.`))
      throw new EduError('EDU_ERR_CONFIG', `${file}: ${f.clause} is outside ${doc.chapter}`);
    for (const c of f.controls) {
      if (!c.clause.startsWith(`${f.clause}.`))
        throw new EduError('EDU_ERR_CONFIG', `${file}: ${c.clause} is outside ${f.clause}`);
      if (seen.has(c.clause)) throw new EduError('EDU_ERR_CONFIG', `${file}: ${c.clause} twice`);
      seen.add(c.clause);
      for (const [item, v] of Object.entries(c.items)) {
        const evidence = v.evidence === 'manual' ? [] : v.evidence;
        for (const s of evidence)
          if (!(s in sources))
            throw new EduError(
              'EDU_ERR_CONFIG',
              `${file}: ${c.clause}.${item}: unknown evidence source ${s} (see evidence.yml)`,
            );
        items.push({
          level,
          family: f.clause,
          familyTitle: f.title,
          clause: c.clause,
          controlTitle: c.title,
          item,
          summary: v.summary,
          evidence,
          manual: evidence.length === 0,
          tag: clauseTag(level, c.clause, item),
        });
      }
    }
  }
  const cat: Catalogue = {
    level,
    chapter: doc.chapter,
    families: doc.families.map((f) => ({ clause: f.clause, title: f.title })),
    items,
  };
  cache.set(file, cat);
  return cat;
}

/** Every item tag of both levels. */
export function knownClauseTags(): Set<string> {
  return new Set(MLPS_LEVELS.flatMap((l) => loadCatalogue(l).items.map((i) => i.tag)));
}

export interface UnknownClauseTag {
  file: string;
  line: number;
  title: string;
  tag: string;
}

/** The `djbh.*` tags of these rules that name no catalogue item (a typo, or a clause of another level). */
export function unknownClauseTags(
  docs: { meta: { title: string; tags: string[] }; source: { file: string; line: number } }[],
): UnknownClauseTag[] {
  const known = knownClauseTags();
  const out: UnknownClauseTag[] = [];
  for (const d of docs)
    for (const tag of d.meta.tags)
      if (parseClauseTag(tag) && !known.has(tag.toLowerCase()))
        out.push({ file: d.source.file, line: d.source.line, title: d.meta.title, tag });
  return out;
}
