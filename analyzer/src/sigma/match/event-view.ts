/**
 * One event as the matcher sees it: field values looked up once per event and cached,
 * as strings (and lower-cased strings) ready for pattern tests. Field names are dotted
 * ECS paths; a flat key with dots wins over the nested path. Arrays (and arrays of
 * objects on the way) contribute every element.
 */
export const MISSING: readonly unknown[] = Object.freeze([]);

/** Shared by every absent or non-scalar field: never mutated. */
const NO_STRINGS: string[] = [];

/** One field of one event: its leaf values, then as strings and lower-cased strings when asked. */
interface Slot {
  raw: readonly unknown[];
  strs?: string[];
  lowers?: string[];
}

export class EventView {
  /** One map for all three forms of a field: a single hash lookup per access. */
  private slots = new Map<string, Slot>();
  private everything?: { strs: string[]; lowers: string[] };

  constructor(readonly doc: Record<string, unknown>) {}

  private slot(field: string): Slot {
    let s = this.slots.get(field);
    if (s === undefined) {
      s = { raw: lookup(this.doc, field), strs: undefined, lowers: undefined };
      this.slots.set(field, s);
    }
    return s;
  }

  /** Leaf values of a field; MISSING when absent. `null` stays a value (the field exists). */
  values(field: string): readonly unknown[] {
    return this.slot(field).raw;
  }

  exists(field: string): boolean {
    return this.slot(field).raw !== MISSING;
  }

  strings(field: string): string[] {
    const s = this.slot(field);
    return s.strs ?? (s.strs = toStrings(s.raw));
  }

  lowerStrings(field: string): string[] {
    const s = this.slot(field);
    if (s.lowers === undefined) {
      const strs = s.strs ?? (s.strs = toStrings(s.raw));
      if (strs.length === 0) s.lowers = NO_STRINGS;
      else if (strs.length === 1) s.lowers = [strs[0].toLowerCase()];
      else s.lowers = strs.map((x) => x.toLowerCase());
    }
    return s.lowers;
  }

  private joined?: string;

  /** Every value lower-cased in one string (prefilter scan). */
  joinedLower(): string {
    return (this.joined ??= concat(this.doc, '').toLowerCase());
  }

  /** Every scalar value of the event (keyword search). */
  allStrings(lower: boolean): string[] {
    if (!this.everything) {
      const strs: string[] = [];
      collect(this.doc, strs);
      this.everything = { strs, lowers: strs.map((x) => x.toLowerCase()) };
    }
    return lower ? this.everything.lowers : this.everything.strs;
  }
}

/** Every scalar value, each preceded by NUL (which no literal contains). */
function concat(v: unknown, acc: string): string {
  const parts: string[] = [''];
  collect(v, parts);
  return acc + parts.join('\u0000');
}

function toStrings(raw: readonly unknown[]): string[] {
  if (raw.length === 0) return NO_STRINGS;
  if (raw.length === 1) {
    const v = raw[0];
    if (typeof v === 'string') return [v];
    return v !== null && typeof v !== 'object' ? [String(v)] : NO_STRINGS;
  }
  const out: string[] = [];
  for (const v of raw) if (v !== null && typeof v !== 'object') out.push(String(v));
  return out;
}

function collect(v: unknown, out: string[]): void {
  if (v === null || v === undefined) return;
  if (Array.isArray(v)) for (const x of v) collect(x, out);
  else if (typeof v === 'object') for (const x of Object.values(v as object)) collect(x, out);
  else out.push(String(v));
}

const PATHS = new Map<string, string[]>();

function lookup(doc: Record<string, unknown>, field: string): readonly unknown[] {
  if (field in doc) return leaves(doc[field]);
  if (!field.includes('.')) return MISSING;
  let parts = PATHS.get(field);
  if (!parts) PATHS.set(field, (parts = field.split('.')));
  // Fast path: plain nested objects, no arrays on the way.
  let o: any = doc;
  let i = 0;
  for (; i < parts.length; i++) {
    if (o === null || typeof o !== 'object' || Array.isArray(o)) break;
    if (!(parts[i] in o)) return MISSING;
    o = o[parts[i]];
  }
  if (i === parts.length) return leaves(o);
  let cur: unknown[] = [doc];
  for (const part of parts) {
    const next: unknown[] = [];
    for (const c of cur) {
      if (Array.isArray(c)) {
        for (const e of c) if (e && typeof e === 'object' && part in e) next.push((e as any)[part]);
      } else if (c && typeof c === 'object' && part in (c as object)) next.push((c as any)[part]);
    }
    if (next.length === 0) return MISSING;
    cur = next;
  }
  const out: unknown[] = [];
  for (const c of cur) out.push(...leaves(c));
  return out.length === 0 && cur.length > 0 ? [] : out;
}

function leaves(v: unknown): unknown[] {
  if (v === undefined) return MISSING as unknown[];
  if (Array.isArray(v)) return v.flatMap((x) => (Array.isArray(x) ? leaves(x) : [x]));
  return [v];
}
