/**
 * The prefilter only saves work: `RuleSet.match` (routing, Aho-Corasick literal clauses,
 * required fields, then predicates) must return exactly the rules whose predicate holds, on
 * real rules and events. Also pins the pieces it relies on: necessary literals of regular
 * expressions (sound on every shipped pattern against real request values) and the
 * case-insensitive scan (Unicode characters whose lower case crosses into ASCII).
 */
import { join } from 'node:path';
import RE2 from 're2';
import { flatten } from '@edusentry/core';
import { pipelinesDir, sigmaDir } from '@edusentry/rules';
import { EventView, loadPipelines, RuleSet, ruleFiles, type CompiledRule, type DetectionNode } from '../src';
import { itemSpec } from '../src/sigma/compile/item';
import { ANY, ONE, type SigmaString } from '../src/sigma/compile/sigma-string';
import { AhoCorasick, foldable, Hits } from '../src/sigma/match/aho-corasick';
import { regexLiterals } from '../src/sigma/match/regex-literals';
import { loadCrsCases } from './coreruleset-events';
import { matches } from './helpers';

/** Loaded once for the whole file: the shipped rules and the CRS requests. */
const shipped = (() => {
  let rs: RuleSet | undefined;
  return () =>
    (rs ??= RuleSet.fromPaths(ruleFiles([join(sigmaDir, 'sigmahq'), join(sigmaDir, 'campus')]), {
      pipelines: loadPipelines(pipelinesDir),
    }));
})();
const crsEvents = (() => {
  let evs: Record<string, unknown>[] | undefined;
  return () => (evs ??= loadCrsCases().map((c) => c.event));
})();

describe('necessary literals of a regular expression', () => {
  const lits = (p: string, flags = '') => {
    const s = regexLiterals(p, flags);
    return s && [...s].sort();
  };

  it('joins plain characters and escaped punctuation into one run', () => {
    expect(lits('ipfs\\.io/x')).toEqual(['ipfs.io/x']);
    expect(lits('\\/etc\\/passwd')).toEqual(['/etc/passwd']);
  });

  it('picks the most selective part of a concatenation', () => {
    expect(lits('ab[0-9]+longer\\d')).toEqual(['longer']);
    expect(lits('a.b.c(?:union|select)x')).toEqual(['select', 'union']);
  });

  it('unions the branches of an alternation, giving up when one has no literal', () => {
    expect(lits('-[a-z0-9]{3}\\.[a-z0-9-]{3,}-s-account\\.workers\\.dev|\\.up\\.railway\\.app')).toEqual([
      '-s-account.workers.dev',
      '.up.railway.app',
    ]);
    expect(lits('(?i)(ipfs\\.io/|ipfs\\.io\\s).+\\..+@.+\\.[a-z]+')).toEqual(['ipfs.io', 'ipfs.io/']);
    expect(lits('abc|[0-9]+')).toBeNull();
    expect(lits('abc|')).toBeNull();
  });

  it('drops optional and repeated atoms from runs', () => {
    expect(lits('abcd?ef')).toEqual(['abc']);
    expect(lits('abc*')).toEqual(['ab']);
    expect(lits('xy+z')).toEqual(['x']);
    expect(lits('(?:foo)?barbaz')).toEqual(['barbaz']);
    expect(lits('(?:foo)+ba')).toEqual(['foo']);
    expect(lits('ab{0,3}cd')).toEqual(['cd']);
  });

  it('lower-cases literals and ends runs at non-ASCII characters of case-insensitive patterns', () => {
    expect(lits('SELECT')).toEqual(['select']);
    expect(lits('(?i)abcÉdef')).toEqual(['abc']);
    expect(lits('abcÉdef')).toEqual(['abcédef']);
  });

  it('gives up on what it does not understand, never guesses', () => {
    expect(lits('\\Qa.b\\E')).toBeNull();
    expect(lits('[abc]')).toBeNull();
    expect(lits('a{x')).toBeNull();
    expect(lits('.*')).toBeNull();
    expect(lits('(?=x)abc')).toBeNull();
    expect(lits('abc)')).toBeNull();
  });

  it('is sound on every shipped regular expression against real request values', () => {
    const set = shipped();
    const patterns: { p: string; flags: string }[] = [];
    const walk = (n: DetectionNode): void => {
      if (n.type !== 'item') return n.children.forEach(walk);
      if (!n.item.modifiers.includes('re')) return;
      const spec = itemSpec(n.item, { placeholders: {} });
      if (spec.kind === 're') for (const p of spec.patterns) patterns.push({ p, flags: spec.flags });
    };
    for (const r of set.rules) Object.values(r.rule.detection).forEach(walk);
    const values = new Set<string>();
    for (const e of crsEvents()) for (const v of new EventView(e).allStrings(false)) if (v.length > 3) values.add(v);
    let derived = 0;
    let matched = 0;
    for (const { p, flags } of patterns) {
      const lit = regexLiterals(p, flags);
      if (!lit) continue;
      derived++;
      const re = new RE2(p, flags);
      for (const v of values) {
        if (!re.test(v)) continue;
        matched++;
        const lower = v.toLowerCase();
        expect({ p, v, found: [...lit].some((l) => lower.includes(l)) }).toEqual({ p, v, found: true });
      }
    }
    process.stdout.write(
      `regex literals: ${derived} of ${patterns.length} shipped patterns have literals; ${matched} pattern matches on ${values.size} request values checked\n`,
    );
    expect(derived).toBeGreaterThan(patterns.length / 2);
    expect(matched).toBeGreaterThan(50);
  });
});

describe('case-insensitive scan', () => {
  const found = (patterns: string[], text: string) => {
    const ac = new AhoCorasick(patterns.map(foldable));
    const hits = new Hits(patterns.length);
    hits.reset();
    ac.feed(text, hits);
    return [...hits.found.slice(0, hits.n)].map((i) => patterns[i]).sort();
  };

  it('finds lower-case patterns in text of any case, each once', () => {
    expect(found(['union select', 'or 1=1', 'zzz'], 'x UNION SELECT a OR 1=1 or 1=1')).toEqual([
      'or 1=1',
      'union select',
    ]);
  });

  it('finds what lower-casing would produce: Kelvin sign, dotted capital I, long s', () => {
    expect(found(['kelvin'], '\u212aELVIN')).toEqual(['kelvin']);
    expect(found(['xi'], 'X\u0130')).toEqual(['xi']);
    expect(found(['ipfs.io'], 'IPF\u017f.io')).toEqual(['ipfs.io']);
    // A pattern with U+0307 (which only lower-casing U+0130 adds) is cut to what the scan sees.
    expect(foldable('ab\u0307cde')).toBe('cde');
  });

  it('keeps matches inside one value', () => {
    const ac = new AhoCorasick(['ab']);
    const hits = new Hits(1);
    hits.reset();
    ac.feed('a', hits);
    ac.feed('b', hits);
    expect(hits.n).toBe(0);
  });

  it('agrees with the matcher on such values end to end', () => {
    expect(matches('sel:\n  f|contains: kelvin\ncondition: sel', { f: 'x\u212aELVINx' })).toBe(true);
    expect(matches('sel:\n  f|re|i: ipfs\\.io\ncondition: sel', { f: 'IPF\u017f.io' })).toBe(
      new RE2('ipfs\\.io', 'i').test('IPF\u017f.io'),
    );
  });
});

/** A value each positive string item accepts: wildcards filled in, in the case given. */
function sample(s: SigmaString, upper: boolean): string {
  const text = s.map((p) => (p === ANY ? 'Qz' : p === ONE ? 'q' : p)).join('');
  return upper ? text.toUpperCase() : text;
}

function set(doc: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur = doc as Record<string, any>;
  for (const p of parts.slice(0, -1)) cur = cur[p] = typeof cur[p] === 'object' && cur[p] ? cur[p] : {};
  cur[parts[parts.length - 1]] = value;
}

/** Events carrying the rules' own values: one per item value, and one per rule with all of them. */
function ruleEvents(rules: CompiledRule[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  let n = 0;
  const base = (ds: string) => ({
    '@timestamp': '2026-03-01T10:00:00Z',
    event: { id: `pf-${++n}`, kind: 'event', dataset: ds },
  });
  for (const r of rules) {
    for (const upper of [false, true]) {
      const whole = base(r.datasets[0]);
      const walk = (node: DetectionNode): void => {
        if (node.type !== 'item') return node.children.forEach(walk);
        const { field } = node.item;
        if (field === 'event.dataset') return;
        const spec = itemSpec(node.item, { placeholders: r.placeholders });
        if (spec.kind !== 'str' || spec.neq) return;
        const values = spec.values.filter((v): v is SigmaString => v !== null).slice(0, 4);
        if (values.length === 0) return;
        const texts = values.map((v) => sample(v, upper));
        const target = field ?? 'message';
        for (const t of texts) {
          const one = base(r.datasets[0]);
          set(one, target, t);
          out.push(one);
        }
        set(whole, target, spec.all ? texts.join(' ') : texts[0]);
      };
      Object.values(r.rule.detection).forEach(walk);
      out.push(whole);
      // The same values as flat dotted keys, and one level down inside arrays of objects.
      const flat = flatten(whole);
      out.push({ ...flat, event: whole.event, 'event.id': `pf-${++n}` });
      const nested: Record<string, unknown> = { ...whole, event: { ...whole.event, id: `pf-${++n}` } };
      for (const [k, v] of Object.entries(nested))
        if (k !== 'event' && v && typeof v === 'object') nested[k] = [v, { other: 1 }];
      out.push(nested);
    }
  }
  return out;
}

describe('RuleSet.match equals evaluating every routed rule', () => {
  it('on the shipped rules, CRS requests and events made of the rules’ own values', () => {
    const rs = shipped();
    const events: Record<string, unknown>[] = [...ruleEvents(rs.rules)];
    // The requests in each web log source (the other sources' rules test fields requests lack).
    for (const ds of ['syslog', 'network.http'])
      for (const e of crsEvents()) events.push({ ...e, event: { ...(e.event as object), dataset: ds } });
    let expected = 0;
    let evaluatedWithout = 0;
    let evaluatedWith = 0;
    const mismatches: string[] = [];
    for (const e of events) {
      const ds = (e.event as { dataset: string }).dataset;
      const view = new EventView(e);
      const routed = rs.rules.filter((r) => r.datasets.includes(ds));
      const want = routed.filter((r) => r.predicate(view)).map((r) => r.key);
      const got = rs.match(e).map((r) => r.key);
      evaluatedWithout += routed.length;
      evaluatedWith += rs.candidates(e).length;
      expected += want.length;
      if (want.join() !== got.join())
        mismatches.push(`${(e.event as { id: string }).id}: want ${want.join()} got ${got.join()}`);
    }
    process.stdout.write(
      `prefilter: ${events.length} events, ${expected} matches; predicates evaluated ${evaluatedWith} times instead of ${evaluatedWithout}\n`,
    );
    expect(mismatches.slice(0, 10)).toEqual([]);
    expect(expected).toBeGreaterThan(1000);
    expect(evaluatedWith).toBeLessThan(evaluatedWithout / 5);
  });
});
