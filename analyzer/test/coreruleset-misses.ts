/**
 * Tuning aid (not a test): prints the CRS requests our web rules miss, and the benign-listed
 * ones they flag, grouped by CRS rule id, with the payload percent-decoded for reading.
 * Run: npx tsx test/coreruleset-misses.ts [fn|fp]
 */
import { analyzerConfigSchema, openRuleSet } from '../src';
import { loadCrsCases } from './coreruleset-events';

const want = process.argv[2] ?? 'fn';
const set = openRuleSet(analyzerConfigSchema.parse({}));
const groups = new Map<string, string[]>();
for (const c of loadCrsCases()) {
  const hits = set
    .match(c.event)
    .filter(
      (r) =>
        (r.rule.logsource.category === 'webserver' || r.rule.logsource.category === 'proxy') &&
        r.rule.meta.level !== 'informational',
    );
  const bad = want === 'fn' ? c.attack && hits.length === 0 : !c.attack && hits.length > 0;
  if (!bad || c.where === 'header') continue;
  const e = c.event as any;
  const payload = `${e.url.original} ${e.http.request.body?.content ?? ''}`;
  let shown = payload;
  try {
    shown = decodeURIComponent(payload.replace(/\+/g, ' '));
  } catch {
    /* keep raw */
  }
  const rule = c.id.split('-')[0];
  const line = `${c.id} [${hits.map((h) => h.rule.meta.title).join(',')}] ${shown.slice(0, 200).replace(/\s+/g, ' ')}`;
  groups.set(rule, [...(groups.get(rule) ?? []), line]);
}
for (const [rule, lines] of [...groups].sort((a, b) => b[1].length - a[1].length)) {
  process.stdout.write(`== ${rule} (${lines.length})\n${lines.slice(0, 8).join('\n')}\n`);
}
