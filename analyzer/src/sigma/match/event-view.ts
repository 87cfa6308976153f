/**
 * One event as the matcher sees it: field values looked up once per event and cached,
 * as strings (and lower-cased strings) ready for pattern tests. Field names are dotted
 * ECS paths; a flat key with dots wins over the nested path. Arrays (and arrays of
 * objects on the way) contribute every element.
 */
export const MISSING: readonly unknown[] = Object.freeze([]);

export class EventView {
  private raw = new Map<string, readonly unknown[]>();
  private strs?: Map<string, string[]>;
  private lowers?: Map<string, string[]>;
  private everything?: { strs: string[]; lowers: string[] };

  constructor(readonly doc: Record<string, unknown>) {}

  /** Leaf values of a field; MISSING when absent. `null` stays a value (the field exists). */
  values(field: string): readonly unknown[] {
    let v = this.raw.get(field);
    if (v === undefined) {
      v = lookup(this.doc, field);
      this.raw.set(field, v);
    }
    return v;
  }

  exists(field: string): boolean {
    return this.values(field) !== MISSING;
  }

  strings(field: string): string[] {
    this.strs ??= new Map();
    let s = this.strs.get(field);
    if (s === undefined) {
      s = [];
      for (const v of this.values(field)) if (v !== null && typeof v !== 'object') s.push(String(v));
      this.strs.set(field, s);
    }
    return s;
  }

  lowerStrings(field: string): string[] {
    this.lowers ??= new Map();
    let s = this.lowers.get(field);
    if (s === undefined) {
      s = this.strings(field).map((x) => x.toLowerCase());
      this.lowers.set(field, s);
    }
    return s;
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
