/**
 * One detection item (`field|modifiers: values`) → a predicate on an event. Modifiers are
 * applied in the order written (spec: "The value modifiers are applied in the given order
 * to the value"); `expand` first, because placeholders are resolved before anything else.
 */
import RE2 from 're2';
import type { DetectionItem, RawValue } from '../types';
import { SigmaError } from '../types';
import type { EventView } from '../match/event-view';
import {
  ANY,
  compilePattern,
  mapText,
  normalize,
  parseSigmaString,
  plain,
  hasWildcards,
  textOf,
  type SigmaString,
  type StringTest,
} from './sigma-string';
import { parseCidr, type CidrTest } from './cidr';

export type Predicate = (ev: EventView) => boolean;

export const MODIFIERS = new Set([
  'contains',
  'startswith',
  'endswith',
  'all',
  'exists',
  'cased',
  'neq',
  'windash',
  're',
  'i',
  'm',
  's',
  'base64',
  'base64offset',
  'utf16le',
  'wide',
  'utf16be',
  'utf16',
  'lt',
  'lte',
  'gt',
  'gte',
  'minute',
  'hour',
  'day',
  'week',
  'month',
  'year',
  'cidr',
  'expand',
  'fieldref',
]);

const TIME_PARTS = ['minute', 'hour', 'day', 'week', 'month', 'year'] as const;
const COMPARE = ['lt', 'lte', 'gt', 'gte'] as const;

export interface CompileOptions {
  /** Placeholder name → values, for `expand`. */
  placeholders: Record<string, string[]>;
  /**
   * Evaluate as Lucene on keyword fields would (case-sensitive values, anchored regular
   * expressions): used to explain differences with Lucene-based references, never for alerts.
   */
  emulate?: 'lucene';
}

/** A value after transformation modifiers: a pattern, or the raw operand of a type modifier. */
type Val = { s: SigmaString } | { null: true };

/** A detection item after its modifiers: what to test, on which field, how. Shared by matcher and converters. */
export type ItemSpec =
  | { kind: 'exists'; field: string; want: boolean }
  | {
      kind: 'fieldref';
      field: string;
      refs: string[];
      mode: 'eq' | 'startswith' | 'endswith' | 'contains';
      cased: boolean;
      neq: boolean;
      all: boolean;
    }
  | {
      kind: 'compare';
      field: string;
      op: 'eq' | 'lt' | 'lte' | 'gt' | 'gte';
      nums: number[];
      timePart?: TimePart;
      neq: boolean;
      all: boolean;
    }
  | { kind: 'cidr'; field: string; nets: string[]; neq: boolean; all: boolean }
  | {
      kind: 're';
      field: string | null;
      patterns: string[];
      flags: string;
      neq: boolean;
      all: boolean;
      anchored?: boolean;
    }
  /** `null` in values means "the field is missing or null". */
  | { kind: 'str'; field: string | null; values: (SigmaString | null)[]; cased: boolean; neq: boolean; all: boolean };

export type TimePart = (typeof TIME_PARTS)[number];

export function itemSpec(item: DetectionItem, opts: CompileOptions): ItemSpec {
  const mods = item.modifiers.map((m) => m.toLowerCase());
  const line = item.line;
  const fail = (msg: string): never => {
    throw new SigmaError(`${item.field ?? 'keywords'}|${item.modifiers.join('|')}: ${msg}`, line);
  };
  for (const m of mods) if (!MODIFIERS.has(m)) fail(`unknown modifier "${m}"`);
  const has = (m: string) => mods.includes(m);
  const all = has('all');
  const neq = has('neq');
  const field = item.field;
  const cased = has('cased') || opts.emulate === 'lucene';
  const needField = (m: string): string => field ?? fail(`${m} needs a field`);

  if (has('exists')) {
    const want = item.values[0];
    if (item.values.length !== 1 || typeof want !== 'boolean') fail('exists takes true or false');
    return { kind: 'exists', field: needField('exists'), want: want as boolean };
  }
  if (has('fieldref')) {
    const mode = has('startswith') ? 'startswith' : has('endswith') ? 'endswith' : has('contains') ? 'contains' : 'eq';
    return { kind: 'fieldref', field: needField('fieldref'), refs: item.values.map(String), mode, cased, neq, all };
  }
  const timePart = TIME_PARTS.find((t) => has(t));
  const cmp = COMPARE.find((c) => has(c));
  if (timePart || cmp) {
    const nums = item.values.map((v) => {
      const n = typeof v === 'number' ? v : Number(v);
      if (v === null || v === '' || !Number.isFinite(n)) fail(`"${v}" is not a number`);
      return n;
    });
    return { kind: 'compare', field: needField(timePart ?? cmp!), op: cmp ?? 'eq', nums, timePart, neq, all };
  }
  if (has('cidr')) {
    const nets = item.values.map(String);
    for (const n of nets) {
      try {
        parseCidr(n);
      } catch (e) {
        fail((e as Error).message);
      }
    }
    return { kind: 'cidr', field: needField('cidr'), nets, neq, all };
  }
  if (has('re')) {
    let flags = '';
    if (has('i')) flags += 'i';
    if (has('m')) flags += 'm';
    if (has('s')) flags += 's';
    const patterns = item.values.map(String);
    for (const p of patterns) {
      try {
        new RE2(p, flags);
      } catch (e) {
        fail(`regular expression /${p}/ is not supported by RE2: ${(e as Error).message}`);
      }
    }
    return { kind: 're', field, patterns, flags, neq, all, anchored: opts.emulate === 'lucene' };
  }

  // String, number, boolean and null values through the transformation modifiers.
  let vals: Val[] = [];
  for (const v of item.values) {
    if (v === null) vals.push({ null: true });
    else if (has('expand') && typeof v === 'string') {
      for (const s of expandPlaceholders(v, opts.placeholders, fail)) vals.push({ s });
    } else vals.push({ s: typeof v === 'string' ? parseSigmaString(v) : plain(String(v)) });
  }
  for (const m of mods) {
    if (m === 'all' || m === 'cased' || m === 'neq' || m === 'expand') continue;
    vals = vals.flatMap((v): Val[] => {
      if ('null' in v)
        return m === 'contains' || m === 'startswith' || m === 'endswith' ? [v] : fail(`${m} cannot apply to null`);
      return transform(m, v.s, fail).map((s) => ({ s }));
    });
  }
  // Keywords search the event's values for the text (as `contains`), unless the rule positions it.
  if (field === null && !mods.some((m) => m === 'contains' || m === 'startswith' || m === 'endswith')) {
    vals = vals.map((v) => ('null' in v ? v : { s: normalize([ANY, ...v.s, ANY]) }));
  }
  return { kind: 'str', field, values: vals.map((v) => ('null' in v ? null : v.s)), cased, neq, all };
}

export function compileItem(item: DetectionItem, opts: CompileOptions): Predicate {
  return specPredicate(itemSpec(item, opts));
}

function specPredicate(spec: ItemSpec): Predicate {
  const { all } = spec as { all?: boolean };
  const negate = (p: Predicate): Predicate => ((spec as { neq?: boolean }).neq ? (ev) => !p(ev) : p);
  switch (spec.kind) {
    case 'exists':
      return (ev) => ev.exists(spec.field) === spec.want;
    case 'fieldref': {
      const { field, cased, mode } = spec;
      const test = (ev: EventView, ref: string) => {
        const a = cased ? ev.strings(field) : ev.lowerStrings(field);
        const b = cased ? ev.strings(ref) : ev.lowerStrings(ref);
        if (mode === 'startswith') return a.some((x) => b.some((y) => x.startsWith(y)));
        if (mode === 'endswith') return a.some((x) => b.some((y) => x.endsWith(y)));
        if (mode === 'contains') return a.some((x) => b.some((y) => x.includes(y)));
        return a.some((x) => b.includes(x));
      };
      return negate(all ? (ev) => spec.refs.every((r) => test(ev, r)) : (ev) => spec.refs.some((r) => test(ev, r)));
    }
    case 'compare': {
      const { field, op, timePart } = spec;
      const extract = timePart
        ? (x: unknown) => datePart(x, timePart)
        : (x: unknown) => (x === null || x === '' ? NaN : Number(x));
      const one = (ev: EventView, n: number) =>
        ev.values(field).some((x) => {
          const f = extract(x);
          if (Number.isNaN(f)) return false;
          switch (op) {
            case 'lt':
              return f < n;
            case 'lte':
              return f <= n;
            case 'gt':
              return f > n;
            case 'gte':
              return f >= n;
            default:
              return f === n;
          }
        });
      return negate(all ? (ev) => spec.nums.every((n) => one(ev, n)) : (ev) => spec.nums.some((n) => one(ev, n)));
    }
    case 'cidr': {
      const nets: CidrTest[] = spec.nets.map(parseCidr);
      const { field } = spec;
      const inAny = (ev: EventView) => ev.strings(field).some((ip) => nets.some((n) => n(ip)));
      const inAll = (ev: EventView) => nets.every((n) => ev.strings(field).some((ip) => n(ip)));
      return negate(all ? inAll : inAny);
    }
    case 're': {
      const tests: StringTest[] = spec.patterns.map((p) => {
        const re = new RE2(spec.anchored ? `^(?:${p})$` : p, spec.flags);
        return (s) => re.test(s);
      });
      return valueTests(spec.field, tests, spec.all, spec.neq, true);
    }
    case 'str': {
      // A list of plain values on a field (OR): one hash lookup instead of one test per value.
      const exact = spec.values.filter((v): v is SigmaString => v !== null && !hasWildcards(v));
      if (spec.field !== null && !spec.all && exact.length > 4) {
        const set = new Set(exact.map((v) => (spec.cased ? textOf(v) : textOf(v).toLowerCase())));
        const rest = spec.values
          .filter((v) => v === null || hasWildcards(v))
          .map((v) => (v === null ? null : compilePattern(v, spec.cased)));
        const others = rest.length ? valueTests(spec.field, rest, false, false, spec.cased) : undefined;
        const field = spec.field;
        const inSet: Predicate = (ev) => {
          const strs = spec.cased ? ev.strings(field) : ev.lowerStrings(field);
          for (let i = 0; i < strs.length; i++) if (set.has(strs[i])) return true;
          return others ? others(ev) : false;
        };
        return negate(inSet);
      }
      const tests = spec.values.map((v) => (v === null ? null : compilePattern(v, spec.cased)));
      return valueTests(spec.field, tests, spec.all, spec.neq, spec.cased);
    }
  }
}

function transform(m: string, s: SigmaString, fail: (msg: string) => never): SigmaString[] {
  switch (m) {
    case 'contains':
      return [normalize([ANY, ...s, ANY])];
    case 'startswith':
      return [normalize([...s, ANY])];
    case 'endswith':
      return [normalize([ANY, ...s])];
    case 'windash':
      return windash(s);
    case 'base64':
    case 'base64offset':
    case 'utf16le':
    case 'wide':
    case 'utf16be':
    case 'utf16': {
      if (hasWildcards(s)) fail(`${m} cannot encode a value with wildcards ("${textOf(s)}")`);
      const bytes = Buffer.from(textOf(s), 'latin1');
      const text = textOf(s);
      if (m === 'utf16le' || m === 'wide') return [plain(Buffer.from(text, 'utf16le').toString('latin1'))];
      if (m === 'utf16be') return [plain(Buffer.from(text, 'utf16le').swap16().toString('latin1'))];
      if (m === 'utf16') return [plain('\xff\xfe' + Buffer.from(text, 'utf16le').toString('latin1'))];
      const raw = [...text].some((c) => c.charCodeAt(0) > 0xff) ? Buffer.from(text, 'utf8') : bytes;
      if (m === 'base64') return [plain(raw.toString('base64'))];
      return base64offset(raw).map(plain);
    }
    case 'i':
    case 'm':
    case 's':
      return fail(`"${m}" is a sub-modifier of re`);
    default:
      return fail(`modifier "${m}" cannot be combined this way`);
  }
}

/** Three encodings of a value at byte offsets 0, 1, 2 inside a larger base64 string (as pySigma does). */
export function base64offset(value: Buffer): string[] {
  const start = [0, 2, 3];
  const end = [undefined, -3, -2];
  const out: string[] = [];
  for (let i = 0; i < 3; i++) {
    const enc = Buffer.concat([Buffer.alloc(i, ' '), value]).toString('base64');
    const e = end[(value.length + i) % 3];
    out.push(enc.slice(start[i], e));
  }
  return out;
}

const DASHES = ['-', '/', '\u2013', '\u2014', '\u2015'];

/** All permutations of the dash characters where a flag starts (after whitespace or at the start). */
function windash(s: SigmaString): SigmaString[] {
  let results: SigmaString[] = [[]];
  for (const p of s) {
    if (typeof p !== 'string') {
      results = results.map((r) => [...r, p]);
      continue;
    }
    const pieces = p.split(/(?<![\w])([-/\u2013\u2014\u2015])(?=\w)/);
    let variants = [''];
    for (let i = 0; i < pieces.length; i++) {
      if (i % 2 === 0) variants = variants.map((v) => v + pieces[i]);
      else variants = variants.flatMap((v) => DASHES.map((d) => v + d));
      if (variants.length > 625) variants = variants.slice(0, 625);
    }
    results = results.flatMap((r) => variants.map((v) => [...r, v]));
  }
  return results.map(normalize);
}

function expandPlaceholders(
  raw: string,
  placeholders: Record<string, string[]>,
  fail: (msg: string) => never,
): SigmaString[] {
  const pieces = raw.split(/(?<!\\)%(\w+)%/);
  let out: string[] = [''];
  for (let i = 0; i < pieces.length; i++) {
    if (i % 2 === 0) {
      out = out.map((o) => o + pieces[i].replace(/\\%/g, '%'));
    } else {
      const values = placeholders[pieces[i]];
      if (!values || values.length === 0)
        fail(`placeholder %${pieces[i]}% is not configured (analyzer.placeholders.${pieces[i]})`);
      out = out.flatMap((o) => values!.map((v) => o + v));
    }
  }
  return out.map(parseSigmaString);
}

/**
 * Tests on a field (or, with field null, on every value of the event: keyword search).
 * null tests mean "the field is missing or null".
 */
function valueTests(
  field: string | null,
  tests: (StringTest | null)[],
  all: boolean,
  neq: boolean,
  cased: boolean,
): Predicate {
  const one = (ev: EventView, t: StringTest | null): boolean => {
    if (field === null) {
      if (t === null) return false;
      return ev.allStrings(!cased).some(t);
    }
    if (t === null) {
      const vs = ev.values(field);
      return vs.length === 0 || vs.every((x) => x === null);
    }
    const strs = cased ? ev.strings(field) : ev.lowerStrings(field);
    for (let i = 0; i < strs.length; i++) if (t(strs[i])) return true;
    return false;
  };
  let pos: Predicate;
  if (tests.length === 1) {
    const t = tests[0];
    pos = (ev) => one(ev, t);
  } else if (all) pos = (ev) => tests.every((t) => one(ev, t));
  else pos = (ev) => tests.some((t) => one(ev, t));
  return neq ? (ev) => !pos(ev) : pos;
}

function datePart(x: unknown, part: (typeof TIME_PARTS)[number]): number {
  const d = typeof x === 'number' ? new Date(x) : typeof x === 'string' ? new Date(x) : null;
  if (!d || Number.isNaN(d.getTime())) return NaN;
  switch (part) {
    case 'minute':
      return d.getUTCMinutes();
    case 'hour':
      return d.getUTCHours();
    case 'day':
      return d.getUTCDate();
    case 'month':
      return d.getUTCMonth() + 1;
    case 'year':
      return d.getUTCFullYear();
    case 'week': {
      // ISO 8601 week number.
      const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
      const day = t.getUTCDay() || 7;
      t.setUTCDate(t.getUTCDate() + 4 - day);
      const yearStart = Date.UTC(t.getUTCFullYear(), 0, 1);
      return Math.ceil(((t.getTime() - yearStart) / 86400000 + 1) / 7);
    }
  }
}

export type { RawValue };
export { mapText };
