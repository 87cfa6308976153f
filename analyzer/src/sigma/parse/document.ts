/**
 * Sigma YAML → typed documents. A file may hold several documents (rule collections,
 * correlation rules with their base rules); each document either parses or becomes a
 * problem that names the file, the line and what is wrong. Legacy v1 collection actions
 * (`action: global|reset|repeat`) are honoured so old collections still load.
 */
import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseAllDocuments,
  type Document,
  type Node,
} from 'yaml';
import { parseCondition } from './condition';
import {
  SigmaError,
  type Condition,
  type CorrelationRule,
  type CorrelationType,
  type CountCondition,
  type DetectionItem,
  type DetectionNode,
  type FilterRule,
  type Logsource,
  type RawValue,
  type RuleMeta,
  type RuleProblem,
  type SigmaDocument,
} from '../types';

export interface ParsedFile {
  documents: SigmaDocument[];
  problems: RuleProblem[];
}

const CORRELATION_TYPES: CorrelationType[] = [
  'event_count',
  'value_count',
  'temporal',
  'temporal_ordered',
  'value_sum',
  'value_avg',
  'value_percentile',
];

export function parseSigmaText(text: string, file: string): ParsedFile {
  const lc = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const out: ParsedFile = { documents: [], problems: [] };
  const lineAt = (offset: number | undefined) => (offset === undefined ? 1 : lc.linePos(offset).line);
  let global: Record<string, unknown> = {};
  let previous: Record<string, unknown> | undefined;
  for (const doc of Array.isArray(docs) ? docs : [docs]) {
    const docLine = lineAt(doc.range?.[0]);
    if (doc.errors.length) {
      const e = doc.errors[0];
      out.problems.push({ file, line: lineAt(e.pos?.[0]), message: `YAML: ${e.message.split('\n')[0]}` });
      continue;
    }
    if (doc.contents === null) continue;
    if (!isMap(doc.contents)) {
      out.problems.push({ file, line: docLine, message: 'a Sigma document must be a YAML mapping' });
      continue;
    }
    const lines = new Map<unknown, number>();
    const plain = toPlain(doc.contents, lines, lineAt, doc) as Record<string, unknown>;
    const action = plain.action;
    if (action === 'global') {
      delete plain.action;
      global = plain;
      continue;
    }
    if (action === 'reset') {
      global = {};
      continue;
    }
    let merged = deepMerge(global, plain);
    if (action === 'repeat') {
      delete plain.action;
      merged = deepMerge(previous ?? {}, plain);
    }
    delete merged.action;
    previous = merged;
    try {
      out.documents.push(buildDocument(merged, file, docLine, lines));
    } catch (err) {
      const line = err instanceof SigmaError ? err.line : docLine;
      out.problems.push({
        file,
        line,
        title: typeof merged.title === 'string' ? merged.title : undefined,
        id: typeof merged.id === 'string' ? merged.id : undefined,
        message: (err as Error).message,
      });
    }
  }
  return out;
}

/** YAML node → plain JS, remembering the line of every mapping/sequence and key. */
function toPlain(
  node: unknown,
  lines: Map<unknown, number>,
  lineAt: (o?: number) => number,
  doc: Document.Parsed,
): unknown {
  if (isAlias(node)) return toPlain(node.resolve(doc), lines, lineAt, doc);
  if (isMap(node)) {
    const obj: Record<string, unknown> = {};
    lines.set(obj, lineAt((node as Node).range?.[0]));
    const keyLines: Record<string, number> = {};
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      keyLines[key] = lineAt((pair.key as Node | null)?.range?.[0]);
      obj[key] = toPlain(pair.value, lines, lineAt, doc);
    }
    lines.set(keyLines, 0);
    Object.defineProperty(obj, '__lines', { value: keyLines, enumerable: false });
    return obj;
  }
  if (isSeq(node)) {
    const arr = node.items.map((n) => toPlain(n, lines, lineAt, doc));
    lines.set(arr, lineAt((node as Node).range?.[0]));
    return arr;
  }
  if (isScalar(node)) return node.value;
  return node ?? null;
}

function keyLine(obj: unknown, key: string, fallback: number): number {
  const kl = (obj as { __lines?: Record<string, number> } | null)?.__lines;
  return kl?.[key] ?? fallback;
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const av = out[k];
    out[k] = isObj(av) && isObj(v) ? deepMerge(av, v) : v;
  }
  const lines = { ...((a as any).__lines ?? {}), ...((b as any).__lines ?? {}) };
  Object.defineProperty(out, '__lines', { value: lines, enumerable: false });
  return out;
}

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function str(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  return String(v);
}

function strList(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  return (Array.isArray(v) ? v : [v]).map((x) => String(x));
}

function buildMeta(d: Record<string, unknown>, line: number): RuleMeta {
  const title = str(d.title);
  if (!title) throw new SigmaError('missing "title"', line);
  const level = str(d.level);
  if (level && !['informational', 'low', 'medium', 'high', 'critical'].includes(level)) {
    throw new SigmaError(
      `level "${level}" is not one of informational, low, medium, high, critical`,
      keyLine(d, 'level', line),
    );
  }
  return {
    title,
    id: str(d.id),
    name: str(d.name),
    status: str(d.status),
    description: str(d.description),
    author: str(d.author),
    references: strList(d.references ?? d.reference),
    license: str(d.license),
    level,
    tags: strList(d.tags),
    date: str(d.date),
    modified: str(d.modified),
    falsepositives: strList(d.falsepositives),
  };
}

function buildDocument(
  d: Record<string, unknown>,
  file: string,
  line: number,
  lines: Map<unknown, number>,
): SigmaDocument {
  const meta = buildMeta(d, line);
  const source = { file, line };
  if (d.correlation !== undefined) return buildCorrelation(d, meta, source);
  if (d.filter !== undefined) return buildFilter(d, meta, source, lines);
  const logsource = buildLogsource(d, line);
  if (!isObj(d.detection)) throw new SigmaError('missing "detection" section', line);
  const { detection, condition } = buildDetection(d.detection, keyLine(d, 'detection', line), lines);
  return { kind: 'rule', meta, logsource, detection, condition, source };
}

function buildLogsource(d: Record<string, unknown>, line: number): Logsource {
  const ls = d.logsource;
  if (!isObj(ls)) throw new SigmaError('missing "logsource" section', line);
  const out: Logsource = {
    category: str(ls.category)?.toLowerCase(),
    product: str(ls.product)?.toLowerCase(),
    service: str(ls.service)?.toLowerCase(),
    definition: str(ls.definition),
  };
  if (!out.category && !out.product && !out.service) {
    throw new SigmaError('logsource needs at least one of category, product, service', keyLine(d, 'logsource', line));
  }
  return out;
}

function buildDetection(
  det: Record<string, unknown>,
  line: number,
  lines: Map<unknown, number>,
): { detection: Record<string, DetectionNode>; condition: Condition } {
  const detection: Record<string, DetectionNode> = {};
  for (const [name, def] of Object.entries(det)) {
    if (name === 'condition' || name === 'timeframe') continue;
    detection[name] = buildSearch(def, keyLine(det, name, line), lines, name);
  }
  const raw = det.condition;
  if (raw === undefined || raw === null) throw new SigmaError('detection has no "condition"', line);
  const condLine = keyLine(det, 'condition', line);
  const ids = Object.keys(detection);
  const conds = (Array.isArray(raw) ? raw : [raw]).map((c) => parseCondition(String(c), ids, condLine));
  return { detection, condition: conds.length === 1 ? conds[0] : { op: 'or', args: conds } };
}

function buildSearch(def: unknown, line: number, lines: Map<unknown, number>, name: string): DetectionNode {
  if (isObj(def)) return buildMapSearch(def, lines.get(def) ?? line);
  if (Array.isArray(def)) {
    const seqLine = lines.get(def) ?? line;
    if (def.length === 0) throw new SigmaError(`search identifier "${name}" is an empty list`, seqLine);
    if (def.every((v) => !isObj(v) && !Array.isArray(v))) {
      return {
        type: 'item',
        item: { field: null, modifiers: [], values: def.map((v) => scalar(v, seqLine)), line: seqLine },
      };
    }
    return {
      type: 'or',
      children: def.map((v) => buildSearch(v, lines.get(v) ?? seqLine, lines, name)),
    };
  }
  if (def === null) throw new SigmaError(`search identifier "${name}" is empty`, line);
  return { type: 'item', item: { field: null, modifiers: [], values: [scalar(def, line)], line } };
}

function buildMapSearch(map: Record<string, unknown>, line: number): DetectionNode {
  const children: DetectionNode[] = [];
  for (const [key, value] of Object.entries(map)) {
    const kl = keyLine(map, key, line);
    const [fieldPart, ...mods] = key.split('|');
    const values = Array.isArray(value) ? value.map((v) => scalar(v, kl)) : [scalar(value, kl)];
    if (Array.isArray(value) && value.length === 0) throw new SigmaError(`"${key}" has an empty value list`, kl);
    const item: DetectionItem = { field: fieldPart === '' ? null : fieldPart, modifiers: mods, values, line: kl };
    children.push({ type: 'item', item });
  }
  if (children.length === 0) throw new SigmaError('empty selection', line);
  return children.length === 1 ? children[0] : { type: 'and', children };
}

function scalar(v: unknown, line: number): RawValue {
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Date) return v.toISOString();
  throw new SigmaError(`value ${JSON.stringify(v)} is not a string, number, boolean or null`, line);
}

function buildCorrelation(
  d: Record<string, unknown>,
  meta: RuleMeta,
  source: { file: string; line: number },
): CorrelationRule {
  const c = d.correlation;
  const line = keyLine(d, 'correlation', source.line);
  if (!isObj(c)) throw new SigmaError('"correlation" must be a mapping', line);
  const type = str(c.type) as CorrelationType;
  if (!CORRELATION_TYPES.includes(type)) {
    throw new SigmaError(
      `correlation type "${c.type}" is not one of ${CORRELATION_TYPES.join(', ')}`,
      keyLine(c, 'type', line),
    );
  }
  const rules = strList(c.rules);
  if (rules.length === 0) throw new SigmaError('correlation needs "rules"', line);
  const timespanMs = parseTimespan(c.timespan ?? c.timeframe, keyLine(c, 'timespan', line));
  const cond = c.condition;
  const condition: CountCondition = {};
  let field: string | undefined;
  let percentile: number | undefined;
  const temporal = type === 'temporal' || type === 'temporal_ordered';
  if (cond === undefined || cond === null) {
    if (!temporal) throw new SigmaError(`${type} correlation needs a "condition"`, line);
  } else if (isObj(cond)) {
    for (const [k, v] of Object.entries(cond)) {
      if (k === 'field') field = String(v);
      else if (k === 'percentile') percentile = Number(v);
      else if (['gt', 'gte', 'lt', 'lte', 'eq', 'neq'].includes(k)) {
        const n = Number(v);
        if (!Number.isFinite(n)) throw new SigmaError(`condition ${k}: "${v}" is not a number`, keyLine(cond, k, line));
        (condition as Record<string, number>)[k] = n;
      } else throw new SigmaError(`unknown correlation condition key "${k}"`, keyLine(cond, k, line));
    }
  } else throw new SigmaError('correlation "condition" must be a mapping like {gte: 10}', line);
  if (['value_count', 'value_sum', 'value_avg', 'value_percentile'].includes(type) && !field) {
    throw new SigmaError(`${type} correlation needs "field" in its condition`, line);
  }
  const aliases: Record<string, Record<string, string>> = {};
  if (isObj(c.aliases)) {
    for (const [alias, m] of Object.entries(c.aliases)) {
      if (!isObj(m)) throw new SigmaError(`alias "${alias}" must map rule names to fields`, line);
      aliases[alias] = Object.fromEntries(Object.entries(m).map(([k, v]) => [k, String(v)]));
    }
  }
  const generate = c.generate ?? d.generate;
  return {
    kind: 'correlation',
    meta,
    type,
    rules,
    groupBy: strList(c['group-by']),
    timespanMs,
    condition,
    field,
    percentile,
    aliases,
    generate: generate === true,
    source,
  };
}

export function parseTimespan(v: unknown, line: number): number {
  const m = /^(\d+)\s*([smhdwMy])$/.exec(String(v ?? ''));
  if (!m) throw new SigmaError(`timespan "${v ?? ''}" must be a number and a unit s, m, h, d (e.g. 5m)`, line);
  const unit = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 7 * 86400e3, M: 30 * 86400e3, y: 365 * 86400e3 }[m[2]]!;
  return Number(m[1]) * unit;
}

function buildFilter(
  d: Record<string, unknown>,
  meta: RuleMeta,
  source: { file: string; line: number },
  lines: Map<unknown, number>,
): FilterRule {
  const f = d.filter;
  const line = keyLine(d, 'filter', source.line);
  if (!isObj(f)) throw new SigmaError('"filter" must be a mapping', line);
  const rules = strList(f.rules);
  const det: Record<string, unknown> = { ...f };
  delete det.rules;
  Object.defineProperty(det, '__lines', { value: (f as any).__lines, enumerable: false });
  const { detection, condition } = buildDetection(det, line, lines);
  const logsource = isObj(d.logsource) ? buildLogsource(d, source.line) : {};
  return { kind: 'filter', meta, logsource, rules, detection, condition, source };
}
