/**
 * Multi-pattern substring search (Aho-Corasick) compiled to a dense transition table, matching
 * lower-case patterns case-insensitively without lower-casing the text. Columns are character
 * classes: each ASCII character that occurs in a pattern has its own (upper and lower case
 * share it), every other character shares one, which can only add matches (the caller confirms
 * with the real predicate), never lose them. A scan reads the text value by value, so an event
 * is searched without first joining its values; several automata can report into one `Hits`.
 *
 * Exactness: if `x.toLowerCase()` contains a pattern, the scan of `x` reports it. Lower-casing
 * maps each character to one character of the same class, except U+0130 (to "i" + U+0307, so a
 * pattern must not contain U+0307: `foldable` cuts it out) and U+212A (Kelvin, to "k"); long s
 * (U+017F) shares the class of "s" because case-insensitive RE2 patterns fold it so.
 */

/** The ASCII character a non-ASCII one stands for when scanning, or the character itself. */
const charOf = (c: number) =>
  c < 128 ? (c >= 65 && c <= 90 ? c + 32 : c) : c === 0x17f ? 0x73 : c === 0x212a ? 0x6b : c === 0x130 ? 0x69 : c;

/** The longest piece of a lower-case pattern the scan can find exactly (see above). */
export function foldable(pattern: string): string {
  if (!pattern.includes('\u0307')) return pattern;
  return pattern.split('\u0307').reduce((a, b) => (b.length > a.length ? b : a));
}

/** Pattern ids found since the last `reset`, each once, shared by the automata of one scan. */
export class Hits {
  readonly found: Int32Array;
  n = 0;
  private seen: Uint32Array;
  private epoch = 1;

  constructor(ids: number) {
    this.found = new Int32Array(ids);
    this.seen = new Uint32Array(ids);
  }

  reset(): void {
    this.n = 0;
    if (this.epoch === 0xffffffff) {
      this.seen.fill(0);
      this.epoch = 0;
    }
    this.epoch++;
  }

  add(id: number): void {
    if (this.seen[id] !== this.epoch) {
      this.seen[id] = this.epoch;
      this.found[this.n++] = id;
    }
  }
}

export class AhoCorasick {
  /** ASCII character → class (0: characters no pattern uses); non-ASCII → `other`. */
  private classOf = new Uint8Array(128);
  private other = 0;
  private width: number;
  private delta: Int32Array;
  /** Ids reported at each state (failure links followed), as ranges of `outIds`. */
  private outStart: Int32Array;
  private outIds: Int32Array;

  /** `ids[i]` is what finding `patterns[i]` reports (default: i). */
  constructor(patterns: string[], ids: number[] = patterns.map((_, i) => i)) {
    let classes = 1;
    let nonAscii = false;
    for (const p of patterns)
      for (let i = 0; i < p.length; i++) {
        const c = charOf(p.charCodeAt(i));
        if (c >= 128) nonAscii = true;
        else if (this.classOf[c] === 0) this.classOf[c] = classes++;
      }
    if (nonAscii) this.other = classes++;
    for (let c = 65; c <= 90; c++) this.classOf[c] = this.classOf[c + 32];
    const width = (this.width = classes);
    const cls = (c: number) => {
      c = charOf(c);
      return c < 128 ? this.classOf[c] : this.other;
    };

    const trie: Map<number, number>[] = [new Map()];
    const ends: number[][] = [[]];
    patterns.forEach((p, k) => {
      let s = 0;
      for (let i = 0; i < p.length; i++) {
        const c = cls(p.charCodeAt(i));
        let next = trie[s].get(c);
        if (next === undefined) {
          next = trie.length;
          trie.push(new Map());
          ends.push([]);
          trie[s].set(c, next);
        }
        s = next;
      }
      ends[s].push(ids[k]);
    });
    const n = trie.length;
    const delta = new Int32Array(n * width);
    const fail = new Int32Array(n);
    const out: number[][] = new Array(n);
    const queue: number[] = [];
    for (let c = 0; c < width; c++) {
      const t = trie[0].get(c);
      delta[c] = t ?? 0;
      if (t !== undefined) queue.push(t);
    }
    out[0] = ends[0];
    for (let qi = 0; qi < queue.length; qi++) {
      const s = queue[qi];
      out[s] = [...ends[s], ...out[fail[s]]];
      for (let c = 0; c < width; c++) {
        const t = trie[s].get(c);
        if (t !== undefined) {
          fail[t] = delta[fail[s] * width + c];
          delta[s * width + c] = t;
          queue.push(t);
        } else delta[s * width + c] = delta[fail[s] * width + c];
      }
    }
    // Transitions hold the next state's row offset (state × width), bit-inverted (negative) when
    // that state reports ids: the scan loop needs no multiplication and no output lookup per step.
    for (let i = 0; i < delta.length; i++) {
      const t = delta[i];
      delta[i] = out[t].length ? ~(t * width) : t * width;
    }
    this.delta = delta;
    this.outStart = new Int32Array(n + 1);
    for (let s = 0; s < n; s++) this.outStart[s + 1] = this.outStart[s] + out[s].length;
    this.outIds = Int32Array.from(out.flat());
  }

  /** Scans one value (a match never spans two values) and adds the ids found to `hits`. */
  feed(text: string, hits: Hits): void {
    const { delta, outStart, outIds, classOf, other, width } = this;
    const len = text.length;
    let row = 0;
    for (let i = 0; i < len; i++) {
      const c = text.charCodeAt(i);
      const cl =
        c < 128
          ? classOf[c]
          : c === 0x17f
            ? classOf[0x73]
            : c === 0x212a
              ? classOf[0x6b]
              : c === 0x130
                ? classOf[0x69]
                : other;
      row = delta[row + cl];
      if (row >= 0) continue;
      row = ~row;
      const s = row / width;
      const end = outStart[s + 1];
      for (let k = outStart[s]; k < end; k++) hits.add(outIds[k]);
    }
  }
}
