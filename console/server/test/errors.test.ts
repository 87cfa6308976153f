import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ALL_ERRORS, CONSOLE_ERRORS } from '../src';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('error catalogue', () => {
  const used = new Set(
    sources(join(__dirname, '..', 'src')).flatMap((f) =>
      [...readFileSync(f, 'utf8').matchAll(/'(EDU_ERR_[A-Z_]+)'/g)].map((m) => m[1]),
    ),
  );
  const apiMd = readFileSync(join(__dirname, '..', 'API.md'), 'utf8');

  it('every code the source uses is in the catalogue, with a status and a doc line', () => {
    for (const code of used) {
      expect(ALL_ERRORS[code]).toBeDefined();
      expect(ALL_ERRORS[code].doc.length).toBeGreaterThan(10);
      expect(ALL_ERRORS[code].status).toBeGreaterThanOrEqual(400);
    }
  });

  it('every console code is documented in API.md', () => {
    for (const code of Object.keys(CONSOLE_ERRORS)) expect(apiMd).toContain(`\`${code}\``);
  });
});
