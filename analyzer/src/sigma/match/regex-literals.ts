/**
 * Necessary literals of a regular expression (RE2 syntax): a set of lower-case strings at least
 * one of which occurs in every string the expression matches, or null when none can be derived.
 * The prefilter uses them so a `re` rule is evaluated only on events that contain one.
 *
 * Sound by construction: only plain characters that every match must contain in sequence form
 * a literal; anything else (classes, `.`, escapes like `\d`, optional or repeated atoms) ends the
 * current run. A concatenation picks its most selective part, an alternation unions its branches
 * (one branch without literals gives up), and any syntax not understood gives up entirely.
 * Literals are lower-cased (the prefilter scans lower-cased text); in a case-insensitive pattern
 * non-ASCII characters end the run, since case folding can match them across the ASCII boundary.
 */
export type LiteralSet = Set<string> | null;

const ESCAPED_LITERAL = /[^0-9A-Za-z]/;

export function regexLiterals(pattern: string, flags = ''): LiteralSet {
  const insensitive = flags.includes('i') || /\(\?[a-zA-Z]*i/.test(pattern);
  let i = 0;

  const giveUp = (): never => {
    throw GIVE_UP;
  };

  /** Quantifier at i: its minimum count (0 for ?, *), consumed; undefined when none. */
  const quantifier = (): number | undefined => {
    const c = pattern[i];
    let min: number | undefined;
    if (c === '?' || c === '*') {
      min = 0;
      i++;
    } else if (c === '+') {
      min = 1;
      i++;
    } else if (c === '{') {
      const m = /^\{(\d+)(,\d*)?\}/.exec(pattern.slice(i));
      if (!m) giveUp();
      min = Number(m![1]);
      i += m![0].length;
    } else return undefined;
    if (pattern[i] === '?') i++; // lazy
    if (pattern[i] === '?' || pattern[i] === '*' || pattern[i] === '+' || pattern[i] === '{') giveUp();
    return min;
  };

  /** A character class `[...]` starting at i, skipped. */
  const skipClass = () => {
    i++;
    if (pattern[i] === '^') i++;
    if (pattern[i] === ']') i++;
    while (i < pattern.length && pattern[i] !== ']') {
      if (pattern[i] === '\\') i += 2;
      else if (pattern.startsWith('[:', i)) {
        const end = pattern.indexOf(':]', i + 2);
        if (end < 0) giveUp();
        i = end + 2;
      } else i++;
    }
    if (i >= pattern.length) giveUp();
    i++;
  };

  /** alternation := sequence ('|' sequence)* ; ends at ')' or the end. */
  const alternation = (): LiteralSet => {
    const branches: LiteralSet[] = [sequence()];
    while (pattern[i] === '|') {
      i++;
      branches.push(sequence());
    }
    if (branches.length === 1) return branches[0];
    const out = new Set<string>();
    for (const b of branches) {
      if (!b) return null;
      for (const x of b) out.add(x);
    }
    return out;
  };

  const sequence = (): LiteralSet => {
    const parts: LiteralSet[] = [];
    let run = '';
    const endRun = () => {
      if (run) parts.push(new Set([run.toLowerCase()]));
      run = '';
    };
    while (i < pattern.length && pattern[i] !== '|' && pattern[i] !== ')') {
      const c = pattern[i];
      let char: string | undefined; // a plain character atom
      let group: LiteralSet | undefined; // a group atom
      if (c === '\\') {
        const n = pattern[i + 1];
        if (n === undefined) giveUp();
        if (n === 'Q') giveUp();
        i += 2;
        if (ESCAPED_LITERAL.test(n)) char = n;
        else if (n === 'p' || n === 'P') {
          if (pattern[i] === '{') {
            const end = pattern.indexOf('}', i);
            if (end < 0) giveUp();
            i = end + 1;
          } else i++;
        } else if (n === 'x') {
          if (pattern[i] === '{') {
            const end = pattern.indexOf('}', i);
            if (end < 0) giveUp();
            i = end + 1;
          } else i += 2;
        } else if (/[0-7]/.test(n)) {
          while (/[0-7]/.test(pattern[i] ?? '')) i++;
        }
        // Any other escape (\d \w \s \b \A \z \n \t ...) is not a plain character.
      } else if (c === '[') skipClass();
      else if (c === '(') {
        i++;
        if (pattern[i] === '?') {
          const flagsOnly = /^\?[a-zA-Z-]*\)/.exec(pattern.slice(i));
          if (flagsOnly) {
            i += flagsOnly[0].length;
            endRun();
            continue;
          }
          const head = /^\?(?:[a-zA-Z-]*:|P?<[A-Za-z_]\w*>)/.exec(pattern.slice(i));
          if (!head) giveUp(); // lookaround and the like: not RE2
          i += head![0].length;
        }
        group = alternation();
        if (pattern[i] !== ')') giveUp();
        i++;
      } else if (c === '?' || c === '*' || c === '+' || c === '{') giveUp();
      else {
        i++;
        if (c !== '.' && c !== '^' && c !== '$') char = c;
      }
      const min = quantifier();
      if (char !== undefined && min === undefined && !(insensitive && char.charCodeAt(0) > 127)) {
        run += char;
        continue;
      }
      endRun();
      if (group !== undefined && (min === undefined || min > 0) && group) parts.push(group);
    }
    endRun();
    return best(parts);
  };

  try {
    const out = alternation();
    if (i !== pattern.length) return null;
    return out;
  } catch (e) {
    if (e === GIVE_UP) return null;
    throw e;
  }
}

const GIVE_UP = Symbol('give up');

/** The most selective of several necessary sets: longest shortest literal (up to 8), then fewest. */
export function best(sets: LiteralSet[], scoreOf: (s: LiteralSet) => number = score): LiteralSet {
  let pick: LiteralSet = null;
  let top = -1;
  for (const s of sets) {
    const sc = scoreOf(s);
    if (sc > top) {
      top = sc;
      pick = s;
    }
  }
  return pick;
}

export function score(s: LiteralSet): number {
  if (!s || s.size === 0) return -1;
  let shortest = Infinity;
  for (const x of s) shortest = Math.min(shortest, x.length);
  if (shortest === 0) return -1;
  return Math.min(shortest, 8) * 1000 - Math.min(s.size, 999);
}
