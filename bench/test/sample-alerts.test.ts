/**
 * The shipped rules on the sample traffic `edusentry start` writes: normal campus traffic raises
 * no alert at all, and each kind of attack episode the generator mixes in is found, also when the
 * events are spread over a whole day as the demo history is.
 */
import { analyzerConfigSchema, Detector, openRuleSet } from '@edusentry/analyzer';
import { iterateEvents } from '@edusentry/sample';

const set = openRuleSet(analyzerConfigSchema.parse({}));
const from = Date.UTC(2026, 2, 1, 8);
const to = from + 3_600_000;

function ruleNames(attackShare: number, count: number, span = { from, to }): Map<string, number> {
  const detector = new Detector(set);
  const names = new Map<string, number>();
  for (const event of iterateEvents({ seed: 7, count, ...span, attackShare })) {
    for (const alert of detector.process(event as unknown as Record<string, unknown>)) {
      names.set(alert.rule.name, (names.get(alert.rule.name) ?? 0) + 1);
    }
  }
  return names;
}

describe('shipped rules on sample traffic', () => {
  it('raise nothing on 50 000 events of normal traffic', () => {
    expect(Object.fromEntries(ruleNames(0, 50_000))).toEqual({});
  });

  it('find every kind of attack episode the generator mixes in', () => {
    const names = [...ruleNames(0.05, 20_000).keys()].join('\n');
    console.log(`alerting rules on sample traffic with attacks:\n${names}`);
    expect(names).toMatch(/Vertical Port Scan/);
    expect(names).toMatch(/SSH.*Brute Force/i);
    expect(names).toMatch(/SQL Injection/i);
    expect(names).toMatch(/Cross.Site Scripting|XSS/i);
    expect(names).toMatch(/Tunnel/i);
    expect(names).toMatch(/Min(ing|er)/i);
  });

  it("fire the correlation rules on the demo's day of history too (episodes keep their own pace)", () => {
    // As `edusentry start` loads it: 20 000 events over 24 h (one every ~4 s on average).
    const day = { from: to - 86_400_000, to };
    const names = ruleNames(0.05, 20_000, day);
    expect([...names.keys()].join('\n')).toMatch(/Vertical Port Scan/);
    expect([...names.keys()].join('\n')).toMatch(/SSH.*Brute Force/i);
  });
});
