/** ATT&CK tactics are shown in the user's language, whether stored as the analyzer's slug or as a title. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TACTICS, tacticLabel } from '../attack';
import zhCN from '../../locales/langs/zh-cn';
import enUS from '../../locales/langs/en-us';

function i18n(messages: Record<string, unknown>) {
  const get = (key: string) =>
    key
      .split('.')
      .reduce<unknown>(
        (o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined),
        messages,
      );
  return { t: (key: string) => String(get(key)), te: (key: string) => typeof get(key) === 'string' };
}

describe('ATT&CK tactic names', () => {
  const zh = i18n(zhCN as unknown as Record<string, unknown>);
  const en = i18n(enUS as unknown as Record<string, unknown>);

  it('translate the slugs the analyzer stores and the titles alike', () => {
    expect(tacticLabel('credential-access', zh.t, zh.te)).toBe('凭据访问');
    expect(tacticLabel('Initial Access', zh.t, zh.te)).toBe('初始访问');
    expect(tacticLabel('command_and_control', zh.t, zh.te)).toBe('命令与控制');
    expect(tacticLabel('discovery', en.t, en.te)).toBe('Discovery');
    expect(tacticLabel('Made Up Tactic', zh.t, zh.te)).toBe('Made Up Tactic');
  });

  it('cover every tactic the analyzer knows, in both languages', () => {
    const src = readFileSync(
      join(__dirname, '..', '..', '..', '..', '..', 'analyzer', 'src', 'sigma', 'alert.ts'),
      'utf8',
    );
    const block = /const TACTICS[^{]*\{([^}]*)\}/.exec(src)![1];
    const known = [...block.matchAll(/'?([a-z-]+)'?:\s*'TA\d{4}'/g)].map((m) => m[1]);
    expect(known).toHaveLength(14);
    expect([...TACTICS].sort()).toEqual([...known].sort());
    for (const slug of known) {
      expect(zh.te(`attack.tactic.${slug}`)).toBe(true);
      expect(en.te(`attack.tactic.${slug}`)).toBe(true);
      expect(zh.t(`attack.tactic.${slug}`)).toMatch(/[\u4e00-\u9fff]/);
    }
  });
});
