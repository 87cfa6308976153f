/**
 * Every CRS request the campus web rules still get wrong, by category, with the reason it is
 * left. coreruleset.test.ts checks that each miss and false positive falls in one of these
 * categories, so a new gap cannot appear unexplained.
 *
 * Also a tuning aid: `npx tsx test/coreruleset-misses.ts [fn|fp]` prints the misses (or false
 * positives) by category with the payload percent-decoded for reading.
 */
import { join } from 'node:path';
import { sigmaDir } from '@edusentry/rules';
import { analyzerConfigSchema, openRuleSet } from '../src';
import { CrsCase, loadCrsCases } from './coreruleset-events';

export interface Gap {
  kind: 'miss' | 'false positive';
  why: string;
  /** CRS rule ids (the first part of a case id) wholly in this category, or exact case ids. */
  covers: (c: CrsCase) => boolean;
}

const rule =
  (...ids: string[]) =>
  (c: CrsCase) =>
    ids.includes(c.id.split('-')[0]);
const cases =
  (...ids: string[]) =>
  (c: CrsCase) =>
    ids.includes(c.id);

export const GAPS: Gap[] = [
  {
    kind: 'miss',
    why: 'payload only in a Cookie, Remote-IP, Authorization or custom header: access logs record none of them',
    covers: (c) => c.where === 'header' && c.id !== '941130-19-0',
  },
  {
    kind: 'miss',
    why: 'payload in a webhook signature header (Stripe-Signature, Square) of a request whose logged body is clean',
    covers: cases('941120-10-0', '941120-13-0'),
  },
  {
    kind: 'miss',
    why:
      'a bare SQL operator with nothing around it (>>, <=>, ||, XOR, RLIKE, !=, ->, "in ( Aa,- Ab-"): ' +
      'CRS flags these at paranoia level 2; as whole values they are ordinary text, code and arrows',
    covers: rule('942120'),
  },
  {
    kind: 'miss',
    why:
      "special-character counts and repetition (((((( ))))), !@#$%^, ----, foo...., `>65, '0:0:6, '.'.'.): " +
      'CRS anomaly heuristics at paranoia level 3-4, not SQL syntax a pattern can name without flooding',
    covers: (c) =>
      rule('942490', '942430', '942431', '942432', '942460')(c) || cases('942370-7-0', '942370-9-0', '942521-18-0')(c),
  },
  {
    kind: 'miss',
    why:
      'chained-injection fragments that end in a bare OR/AND ("/3 or ", "/xxxx_R AND ", "4oR2-") or are HTML ' +
      '(div role=") or a word after ";": CRS\'s own negatives ("/xxxx_R or", "/Business and", "4AND4+") differ only ' +
      'by a trailing space, and a search box sends "salt and " while the user types',
    covers: rule('942210'),
  },
  {
    kind: 'miss',
    why:
      "true vs false comparisons (11!=1 and '1 is not 2' are attacks, 11!=11 and '1 is not 1' CRS negatives): " +
      'telling them apart needs backreferences, which RE2 does not have',
    covers: cases('942131-1-0', '942131-2-0', '942131-4-0'),
  },
  {
    kind: 'miss',
    why:
      'one-off shapes with no SQL or script syntax an access log pattern can rely on: <a href= (rich-text posts), ' +
      '"data: , <x>", "\' infoo.bar=", { "admin \'":"foo" }, ",varname"=", "\\x23", "and \'5\'orig", ' +
      'a CAPTCHA token with -- inside (CRS has JWT/fbclid negatives of that shape), and a Windows shell ' +
      'command (command injection, not SQL)',
    covers: cases(
      '941150-1-0',
      '941170-5-0',
      '941340-1-0',
      '942180-8-0',
      '942200-1-0',
      '942330-3-0',
      '942400-1-0',
      '942440-24-0',
      '942100-13-0',
    ),
  },
  {
    kind: 'false positive',
    why: 'an attack CRS expects from a sibling rule (see CrsCase.siblingWhy): counted only in the upper bound',
    covers: (c) => c.negative === 'sibling',
  },
  {
    kind: 'false positive',
    why:
      'injection syntax that CRS leaves alone because the condition is false or misspelled ' +
      "(\"1\" sSOUNDS LIKE \"SOUNDS LIKE 1, '1' not regexp '1'); its true twins ('1' not regexp '2', " +
      "something LIKE ') are CRS attacks, and RE2 cannot compare the operands",
    covers: cases('942130-1-0', '942131-7-0'),
  },
  {
    kind: 'false positive',
    why:
      "prose about SQL injection quoting whole payloads (Wikipedia: ' or '1'='1' --, select * from person where): " +
      'exempting prose would let an attacker pad a payload with sentences; accepted, students on a campus forum will post this',
    covers: cases('942521-16-0', '942522-8-0'),
  },
];

/** The category of a request the rules got wrong, or undefined if none explains it. */
export function gapOf(c: CrsCase, hit: boolean): Gap | undefined {
  const kind = c.attack && !hit ? 'miss' : !c.attack && hit ? 'false positive' : undefined;
  return kind ? GAPS.find((g) => g.kind === kind && g.covers(c)) : undefined;
}

if (require.main === module) {
  const want = process.argv[2] === 'fp' ? 'false positive' : 'miss';
  const set = openRuleSet(analyzerConfigSchema.parse({}), [join(sigmaDir, 'campus')]);
  const groups = new Map<string, string[]>();
  for (const c of loadCrsCases()) {
    const hits = set
      .match(c.event)
      .filter((r) => r.rule.logsource.category === 'webserver' && r.rule.meta.level !== 'informational');
    const wrong = want === 'miss' ? c.attack && !hits.length : !c.attack && hits.length > 0;
    if (!wrong) continue;
    const e = c.event as { url: { original: string }; http: { request: { body?: { content: string } } } };
    let shown = `${e.url.original} ${e.http.request.body?.content ?? ''}`;
    try {
      shown = decodeURIComponent(shown.replace(/\+/g, ' '));
    } catch {
      /* keep raw */
    }
    const why = gapOf(c, hits.length > 0)?.why ?? 'UNEXPLAINED';
    groups.set(why, [...(groups.get(why) ?? []), `${c.id} ${shown.slice(0, 160).replace(/\s+/g, ' ')}`]);
  }
  for (const [why, lines] of [...groups].sort((a, b) => b[1].length - a[1].length)) {
    process.stdout.write(`== ${lines.length}: ${why}\n${lines.slice(0, 8).join('\n')}\n`);
  }
}
