/**
 * Sigma string values with wildcards. Spec (rules, "Escaping"): "The backslash character `\`
 * is used for escaping of wildcards `*` and `?` as well as the backslash character itself."
 * A SigmaString is a list of plain text runs and wildcard tokens.
 */
import RE2 from 're2';

export const ANY = Symbol('*');
export const ONE = Symbol('?');
export type Part = string | typeof ANY | typeof ONE;
export type SigmaString = Part[];

/** Parses the escaping rules: `\*` `\?` `\\` are escapes; any other backslash is literal. */
export function parseSigmaString(raw: string): SigmaString {
  const out: Part[] = [];
  let buf = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === '\\') {
      const n = raw[i + 1];
      if (n === '*' || n === '?' || n === '\\') {
        buf += n;
        i++;
      } else buf += c;
    } else if (c === '*' || c === '?') {
      if (buf) out.push(buf);
      buf = '';
      out.push(c === '*' ? ANY : ONE);
    } else buf += c;
  }
  if (buf) out.push(buf);
  return normalize(out);
}

export function plain(text: string): SigmaString {
  return text ? [text] : [];
}

/** Merges adjacent text runs and collapses `**`. */
export function normalize(parts: Part[]): SigmaString {
  const out: Part[] = [];
  for (const p of parts) {
    const last = out[out.length - 1];
    if (typeof p === 'string') {
      if (p === '') continue;
      if (typeof last === 'string') out[out.length - 1] = last + p;
      else out.push(p);
    } else if (!(p === ANY && last === ANY)) out.push(p);
  }
  return out;
}

export function hasWildcards(s: SigmaString): boolean {
  return s.some((p) => typeof p !== 'string');
}

export function textOf(s: SigmaString): string {
  return s.map((p) => (p === ANY ? '*' : p === ONE ? '?' : p)).join('');
}

/** Back to Sigma notation with escapes (for display and conversion). */
export function escapeSigma(s: SigmaString): string {
  return s.map((p) => (p === ANY ? '*' : p === ONE ? '?' : p.replace(/[\\*?]/g, '\\$&'))).join('');
}

/** Applies a transformation to the plain text runs only. */
export function mapText(s: SigmaString, f: (t: string) => string): SigmaString {
  return normalize(s.map((p) => (typeof p === 'string' ? f(p) : p)));
}

export type StringTest = (value: string) => boolean;

/**
 * Compiles a pattern into a test on a value. With `cased` false the pattern and the value
 * are compared lower-cased (the caller passes lower-cased values).
 */
export function compilePattern(s: SigmaString, cased: boolean): StringTest {
  const parts = cased ? s : mapText(s, (t) => t.toLowerCase());
  if (parts.length === 0) return (v) => v === '';
  if (parts.includes(ONE)) {
    const src = parts.map((p) => (p === ANY ? '[\\s\\S]*' : p === ONE ? '[\\s\\S]' : escapeRegex(p))).join('');
    const re = new RE2('^' + src + '$', 's');
    return (v) => re.test(v);
  }
  const texts = parts.filter((p): p is string => typeof p === 'string');
  const leadingAny = parts[0] === ANY;
  const trailingAny = parts[parts.length - 1] === ANY;
  if (texts.length === 0) return () => true;
  if (texts.length === 1) {
    const t = texts[0];
    if (leadingAny && trailingAny) return (v) => v.includes(t);
    if (leadingAny) return (v) => v.endsWith(t);
    if (trailingAny) return (v) => v.startsWith(t);
    return (v) => v === t;
  }
  return (v) => {
    let pos = 0;
    let first = 0;
    let last = texts.length;
    if (!leadingAny) {
      if (!v.startsWith(texts[0])) return false;
      pos = texts[0].length;
      first = 1;
    }
    let end = v.length;
    if (!trailingAny) {
      const t = texts[texts.length - 1];
      if (!v.endsWith(t)) return false;
      end = v.length - t.length;
      last--;
      if (end < pos) return false;
    }
    for (let i = first; i < last; i++) {
      const at = v.indexOf(texts[i], pos);
      if (at < 0 || at + texts[i].length > end) return false;
      pos = at + texts[i].length;
    }
    return true;
  };
}

export function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}
