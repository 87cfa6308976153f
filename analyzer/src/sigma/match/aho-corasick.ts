/**
 * Multi-pattern substring search (Aho-Corasick) compiled to a dense transition table over
 * ASCII; every other character shares one column, which can only add matches (the caller
 * confirms with the real predicate), never lose them. One pass over the text finds which of
 * thousands of literals occur.
 */
const ALPHABET = 128;
const col = (c: number) => (c < ALPHABET ? c : ALPHABET - 1);

export class AhoCorasick {
  private delta: Int32Array;
  /** For each state, the pattern ids that end there (following failure links). */
  private out: (number[] | undefined)[];

  constructor(patterns: string[]) {
    const trie: Map<number, number>[] = [new Map()];
    const ends: number[][] = [[]];
    patterns.forEach((p, id) => {
      let s = 0;
      for (let i = 0; i < p.length; i++) {
        const c = col(p.charCodeAt(i));
        let next = trie[s].get(c);
        if (next === undefined) {
          next = trie.length;
          trie.push(new Map());
          ends.push([]);
          trie[s].set(c, next);
        }
        s = next;
      }
      ends[s].push(id);
    });
    const n = trie.length;
    const delta = new Int32Array(n * ALPHABET);
    const fail = new Int32Array(n);
    const out: (number[] | undefined)[] = new Array(n);
    const queue: number[] = [];
    for (let c = 0; c < ALPHABET; c++) {
      const t = trie[0].get(c);
      delta[c] = t ?? 0;
      if (t !== undefined) {
        fail[t] = 0;
        queue.push(t);
      }
    }
    out[0] = ends[0].length ? ends[0] : undefined;
    for (let qi = 0; qi < queue.length; qi++) {
      const s = queue[qi];
      const own = ends[s];
      const inherited = out[fail[s]];
      out[s] = own.length || inherited ? [...own, ...(inherited ?? [])] : undefined;
      for (let c = 0; c < ALPHABET; c++) {
        const t = trie[s].get(c);
        if (t !== undefined) {
          fail[t] = delta[fail[s] * ALPHABET + c];
          delta[s * ALPHABET + c] = t;
          queue.push(t);
        } else delta[s * ALPHABET + c] = delta[fail[s] * ALPHABET + c];
      }
    }
    this.delta = delta;
    this.out = out;
  }

  /** Calls `hit(id)` for each pattern occurrence in `text` (an id may repeat). */
  scan(text: string, hit: (id: number) => void): void {
    const { delta, out } = this;
    let s = 0;
    for (let i = 0; i < text.length; i++) {
      s = delta[s * ALPHABET + col(text.charCodeAt(i))];
      const o = out[s];
      if (o !== undefined) for (let k = 0; k < o.length; k++) hit(o[k]);
    }
  }
}
