/**
 * Narrows the rules of one log source to those that could match an event: one walk over the
 * event's values feeds each value to the Aho-Corasick automaton of its field (the literals the
 * rules need in that field) and, when keyword rules exist, to the automaton of literals that may
 * occur anywhere (see literals.ts). A rule is a candidate when every one of its clauses has a
 * literal that occurs (rules without clauses always are); candidates missing a field their
 * condition cannot do without are skipped too. Only then are predicates evaluated.
 * The walk reads own enumerable properties, which is all an event (JSON, object literals) has.
 */
import type { Condition, DetectionNode } from '../types';
import { AhoCorasick, foldable, Hits } from './aho-corasick';
import type { EventView } from './event-view';
import { splitKey } from './literals';
import type { CompiledRule } from './ruleset';

/** The field paths that have literals, as a tree over path segments. */
interface PathNode {
  children: Map<string, PathNode>;
  scan?: AhoCorasick;
  /** Lower-cased whole values the rules compare this field with → literal id. */
  whole?: Map<string, number>;
}

export class Prefilter {
  private always: number[] = [];
  /** Per literal id: (rule index << 3 | clause index) for each clause it belongs to. */
  private byLiteral: number[][] = [];
  /** Per rule: the bit mask with one bit per clause. */
  private full: Uint8Array;
  private mask: Uint8Array;
  private touched: Int32Array;
  private hits: Hits;
  private root: PathNode = { children: new Map() };
  private anywhere?: AhoCorasick;
  /** Fields a plain walk cannot read as the matcher does (a segment inherited from Object). */
  private viaLookup: { field: string; node: PathNode }[] = [];
  private required: string[][];

  constructor(private rules: CompiledRule[]) {
    this.required = rules.map((r) => [...requiredFields(r.rule.condition, r.rule.detection)]);
    this.full = new Uint8Array(rules.length);
    this.mask = new Uint8Array(rules.length);
    this.touched = new Int32Array(rules.length);
    const ids = new Map<string, number>();
    /** Per field ('' for anywhere): its literal texts and their ids, and its whole values. */
    const perField = new Map<string, { texts: string[]; ids: number[]; whole: Map<string, number> }>();
    rules.forEach((r, i) => {
      // A clause with a literal the scan cannot lose (empty once folded) always holds: dropped.
      const clauses = r.literals
        .map((clause) =>
          [...clause]
            .map(splitKey)
            .map(({ field, text, whole }) => ({ field: field ?? '', text: whole ? text : foldable(text), whole })),
        )
        .filter((lits) => !lits.some((l) => l.text === '' && !l.whole));
      if (clauses.length === 0) return void this.always.push(i);
      this.full[i] = (1 << clauses.length) - 1;
      clauses.forEach((lits, c) => {
        for (const { field, text, whole } of lits) {
          const key = `${field}\u0001${whole ? '\u0002' : ''}${text}`;
          let id = ids.get(key);
          if (id === undefined) {
            id = ids.size;
            ids.set(key, id);
            this.byLiteral.push([]);
            let f = perField.get(field);
            if (!f) perField.set(field, (f = { texts: [], ids: [], whole: new Map() }));
            if (whole) f.whole.set(text, id);
            else {
              f.texts.push(text);
              f.ids.push(id);
            }
          }
          this.byLiteral[id].push((i << 3) | c);
        }
      });
    });
    this.hits = new Hits(ids.size);
    for (const [field, { texts, ids: litIds, whole }] of perField) {
      const scan = texts.length ? new AhoCorasick(texts, litIds) : undefined;
      if (field === '') this.anywhere = scan;
      else {
        const own: PathNode = { children: new Map(), scan, whole: whole.size ? whole : undefined };
        if (field.split('.').some((seg) => seg in Object.prototype)) {
          this.viaLookup.push({ field, node: own });
          continue;
        }
        let node = this.root;
        for (const seg of field.split('.')) {
          let next = node.children.get(seg);
          if (!next) node.children.set(seg, (next = { children: new Map() }));
          node = next;
        }
        node.scan = own.scan;
        node.whole = own.whole;
        // A flat key with dots ("url.original": ...) holds the same field.
        if (field.includes('.')) this.root.children.set(field, node);
      }
    }
  }

  /** Feeds every scalar under `v` (at path node `node`) to its field's automaton and the anywhere one. */
  private walk(v: unknown, node: PathNode | undefined): void {
    if (v === null || v === undefined) return;
    if (typeof v !== 'object') {
      const text = typeof v === 'string' ? v : String(v);
      if (node !== undefined) {
        if (node.scan !== undefined) node.scan.feed(text, this.hits);
        if (node.whole !== undefined) {
          const id = node.whole.get(text.toLowerCase());
          if (id !== undefined) this.hits.add(id);
        }
      }
      if (this.anywhere !== undefined) this.anywhere.feed(text, this.hits);
      return;
    }
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) this.walk(v[i], node);
      return;
    }
    if (node === undefined && this.anywhere === undefined) return;
    // Keys and values in two calls, no per-key property lookup (slow on objects of many shapes).
    const keys = Object.keys(v);
    const values = Object.values(v);
    for (let i = 0; i < keys.length; i++) {
      const child = node === undefined ? undefined : node.children.get(keys[i]);
      if (child !== undefined || this.anywhere !== undefined) this.walk(values[i], child);
    }
  }

  /** Rules that could match, in load order: those without clauses, and those whose every clause has a literal that occurs. */
  candidates(view: EventView): CompiledRule[] {
    const picked: number[] = [];
    const { byLiteral, mask, touched, full, hits } = this;
    hits.reset();
    this.walk(view.doc, this.root);
    for (const { field, node } of this.viaLookup)
      for (const v of view.strings(field)) {
        node.scan?.feed(v, hits);
        const id = node.whole?.get(v.toLowerCase());
        if (id !== undefined) hits.add(id);
      }
    let t = 0;
    for (let k = 0; k < hits.n; k++) {
      const entries = byLiteral[hits.found[k]];
      for (let j = 0; j < entries.length; j++) {
        const e = entries[j];
        const r = e >> 3;
        if (mask[r] === 0) touched[t++] = r;
        mask[r] |= 1 << (e & 7);
      }
    }
    for (let k = 0; k < t; k++) {
      const r = touched[k];
      if (mask[r] === full[r]) picked.push(r);
      mask[r] = 0;
    }
    for (const i of this.always) picked.push(i);
    if (picked.length > 1) picked.sort((a, b) => a - b);
    const out: CompiledRule[] = [];
    outer: for (const i of picked) {
      for (const f of this.required[i]) if (!view.exists(f)) continue outer;
      out.push(this.rules[i]);
    }
    return out;
  }
}

/** Fields that must exist for the condition to hold (a conservative under-approximation). */
export function requiredFields(c: Condition, det: Record<string, DetectionNode>): Set<string> {
  switch (c.op) {
    case 'id':
      return nodeRequired(det[c.name]);
    case 'not':
      return new Set();
    case 'and': {
      const out = new Set<string>();
      for (const a of c.args) for (const f of requiredFields(a, det)) out.add(f);
      return out;
    }
    case 'or':
      return intersect(c.args.map((a) => requiredFields(a, det)));
  }
}

function nodeRequired(n: DetectionNode | undefined): Set<string> {
  if (!n) return new Set();
  if (n.type === 'item') {
    const { field, modifiers, values } = n.item;
    const mods = modifiers.map((m) => m.toLowerCase());
    if (!field || mods.includes('neq') || mods.includes('exists') || values.some((v) => v === null)) return new Set();
    return new Set([field]);
  }
  const sets = n.children.map(nodeRequired);
  if (n.type === 'or') return intersect(sets);
  const out = new Set<string>();
  for (const s of sets) for (const f of s) out.add(f);
  return out;
}

function intersect(sets: Set<string>[]): Set<string> {
  if (sets.length === 0) return new Set();
  const [first, ...rest] = sets;
  return new Set([...first].filter((f) => rest.every((s) => s.has(f))));
}
