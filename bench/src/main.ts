/**
 * `pnpm bench <name> [args]`: runs bench/src/<name>.ts, which exports
 * `run(args: string[]): Promise<void>` and prints its figures.
 */
import { readdirSync } from 'node:fs';

async function main(): Promise<void> {
  const [name, ...args] = process.argv.slice(2);
  const available = readdirSync(__dirname)
    .filter((f) => f.endsWith('.ts') && !['main.ts', 'index.ts'].includes(f))
    .map((f) => f.slice(0, -3));
  if (!name || !available.includes(name)) {
    console.error(`usage: pnpm bench <name> [options]; benchmarks: ${available.sort().join(', ')}`);
    process.exit(2);
  }
  const mod = (await import(`./${name}`)) as { run?: (args: string[]) => Promise<void> };
  if (typeof mod.run !== 'function') throw new Error(`bench/src/${name}.ts does not export run(args)`);
  await mod.run(args);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
