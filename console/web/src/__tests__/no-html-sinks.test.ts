/** Event data is attacker-controlled: the app must have no HTML sinks that could interpret it. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return name === '__tests__' ? [] : sources(p);
    return /\.(vue|ts)$/.test(name) ? [p] : [];
  });
}

describe('HTML sinks', () => {
  const files = sources(join(__dirname, '..'));

  it('finds the app sources', () => {
    expect(files.some((f) => f.endsWith('alert-drawer.vue'))).toBe(true);
  });

  it.each([
    'v-html',
    'innerHTML',
    'outerHTML',
    'insertAdjacentHTML',
    'document.write',
    'dangerouslyUseHTMLString',
    'new Function(',
  ])('no file uses %s', (sink) => {
    const offenders = files.filter((f) => readFileSync(f, 'utf8').includes(sink));
    expect(offenders).toEqual([]);
  });
});
