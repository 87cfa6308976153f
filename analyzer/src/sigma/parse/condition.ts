/**
 * The condition grammar (spec: "Operator Precedence (least to most binding): or, and, not,
 * x of search-identifier, ( expression )"). `1 of x*` / `all of them` are resolved here
 * against the rule's search identifiers, so later stages only see and/or/not/id.
 */
import { SigmaError, type Condition } from '../types';

type Token = { t: 'lp' | 'rp' | 'word'; v: string };

function tokenize(text: string, line: number): Token[] {
  const words = text.match(/\(|\)|[^\s()]+/g) ?? [];
  if (words.some((w) => w.startsWith('|'))) {
    throw new SigmaError(
      'legacy aggregation in condition ("| count() ..."): Sigma v2 expresses it as a correlation rule',
      line,
    );
  }
  return words.map((v) => (v === '(' ? { t: 'lp', v } : v === ')' ? { t: 'rp', v } : { t: 'word', v }));
}

function globToRegExp(pattern: string): RegExp {
  return new RegExp('^' + pattern.replace(/[.+^${}()|[\]\\?]/g, '\\$&').replace(/\*/g, '.*') + '$');
}

export function parseCondition(text: string, identifiers: string[], line: number): Condition {
  const toks = tokenize(text, line);
  let i = 0;
  const peek = () => toks[i];
  const isWord = (w: string) => peek()?.t === 'word' && peek().v.toLowerCase() === w;
  const fail = (msg: string): never => {
    throw new SigmaError(`condition "${text}": ${msg}`, line);
  };

  const expand = (quant: string, pattern: string): Condition => {
    let names: string[];
    if (pattern === 'them') names = identifiers.filter((n) => !n.startsWith('_'));
    else {
      const re = globToRegExp(pattern);
      names = identifiers.filter((n) => re.test(n));
    }
    if (names.length === 0) fail(`"${quant} of ${pattern}" matches no search identifier`);
    const args: Condition[] = names.map((name) => ({ op: 'id', name }));
    if (quant === 'all') return args.length === 1 ? args[0] : { op: 'and', args };
    if (quant === '1' || quant === 'any') return args.length === 1 ? args[0] : { op: 'or', args };
    return fail(`"${quant} of" is not supported; use "1 of" or "all of"`);
  };

  const primary = (): Condition => {
    const tok = peek();
    if (!tok) return fail('unexpected end');
    if (tok.t === 'lp') {
      i++;
      const e = orExpr();
      if (peek()?.t !== 'rp') fail('missing ")"');
      i++;
      return e;
    }
    if (tok.t === 'rp') return fail('unexpected ")"');
    const next = toks[i + 1];
    if (next?.t === 'word' && next.v.toLowerCase() === 'of') {
      const pat = toks[i + 2];
      if (!pat || pat.t !== 'word') return fail(`"${tok.v} of" needs an identifier pattern`);
      i += 3;
      return expand(tok.v.toLowerCase(), pat.v);
    }
    const lw = tok.v.toLowerCase();
    if (lw === 'and' || lw === 'or' || lw === 'not') return fail(`unexpected "${tok.v}"`);
    i++;
    if (!identifiers.includes(tok.v)) fail(`unknown search identifier "${tok.v}"`);
    return { op: 'id', name: tok.v };
  };
  const notExpr = (): Condition => {
    if (isWord('not')) {
      i++;
      return { op: 'not', arg: notExpr() };
    }
    return primary();
  };
  const andExpr = (): Condition => {
    const args = [notExpr()];
    while (isWord('and')) {
      i++;
      args.push(notExpr());
    }
    return args.length === 1 ? args[0] : { op: 'and', args };
  };
  const orExpr = (): Condition => {
    const args = [andExpr()];
    while (isWord('or')) {
      i++;
      args.push(andExpr());
    }
    return args.length === 1 ? args[0] : { op: 'or', args };
  };

  if (toks.length === 0) fail('empty');
  const result = orExpr();
  if (i < toks.length) fail(`unexpected "${toks[i].v}"`);
  return result;
}

/** The search identifiers a condition refers to. */
export function conditionIds(c: Condition, out = new Set<string>()): Set<string> {
  if (c.op === 'id') out.add(c.name);
  else if (c.op === 'not') conditionIds(c.arg, out);
  else c.args.forEach((a) => conditionIds(a, out));
  return out;
}
