/**
 * `pnpm bench sigma [--count N] [--no-rsigma] [--no-e2e]`: the Sigma engine's speed.
 *
 * 1. Throughput on one core with every SigmaHQ rule loaded (inactive rules cost nothing at
 *    match time: routing by event.dataset), on generated province traffic and on events
 *    decoded from the suricata-verify captures; matching alone and the whole detector
 *    (alerts, correlations).
 * 2. rsigma (crates.io, a Rust Sigma engine) on the same events, rules and pipelines, side by
 *    side, when its binary is on PATH or in $RSIGMA (`cargo install rsigma`), both in CPU time;
 *    match sets compared, each disagreement printed with its reason (see rsigmaSideBySide).
 * 3. End to end on the embedded store: event written → alert written, p95 (`pnpm bench alert-latency`).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Detector, loadPipelines, pipelinesDir, RuleSet, sigmaDir } from '@edusentry/analyzer';
import { generateEvents } from '@edusentry/sample';

const ROOT = resolve(__dirname, '../..');
const CORPUS = resolve(ROOT, '../shared/testdata/sigma');
const CAPTURES = resolve(ROOT, '../shared/testdata/pcap/suricata-verify/tests');

function arg(args: string[], name: string, dflt: string): string {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1] : dflt;
}

/**
 * Runs `f` over the events repeatedly for at least `minMs`. Reports events per second of this
 * process's CPU time (one core, whatever else the machine is doing) and of wall time.
 */
function measure(
  events: Record<string, unknown>[],
  f: (e: Record<string, unknown>) => void,
  minMs = 3000,
): { perSec: number; wallPerSec: number; n: number } {
  for (let i = 0; i < Math.min(events.length, 20000); i++) f(events[i]); // warm up
  let n = 0;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  do {
    for (const e of events) f(e);
    n += events.length;
  } while (performance.now() - t0 < minMs);
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  const cpuMs = (c.user + c.system) / 1000;
  return { perSec: (n / cpuMs) * 1000, wallPerSec: (n / wall) * 1000, n };
}

const fmt = (x: number) => `${Math.round(x).toLocaleString('en-US')} events/s`;

function captureEvents(limit: number): Record<string, unknown>[] {
  const cache = join(tmpdir(), `edusentry-bench-captures-${limit}.ndjson`);
  if (!existsSync(cache)) {
    const dirs = readdirSync(CAPTURES)
      .filter((d) => /http|dns|tls|ssh|flow/i.test(d))
      .slice(0, limit);
    const files = dirs.flatMap((d) =>
      readdirSync(join(CAPTURES, d))
        .filter((f) => /\.pcap(ng)?$/.test(f))
        .map((f) => join(CAPTURES, d, f)),
    );
    const out = spawnSync(
      'pnpm',
      ['-s', 'edusentry', 'collect', 'pcap', ...files, '--ndjson', '--log-level', 'error'],
      { cwd: ROOT, maxBuffer: 1 << 30 },
    );
    writeFileSync(cache, out.stdout);
  }
  return readFileSync(cache, 'utf8')
    .split('\n')
    .filter(Boolean)
    .flatMap((l) => {
      try {
        return [JSON.parse(l)];
      } catch {
        return [];
      }
    });
}

export async function run(args: string[]): Promise<void> {
  const [load1] = require('node:os').loadavg() as number[];
  console.log(
    `machine: ${require('node:os').cpus().length} cores, load average ${load1.toFixed(1)} (CPU-second rates are per core, wall rates suffer from load)`,
  );
  const count = Number(arg(args, '--count', '200000'));
  const t0 = performance.now();
  const set = RuleSet.fromPaths([CORPUS], { pipelines: loadPipelines(pipelinesDir) });
  const loadMs = performance.now() - t0;
  console.log(
    `rules: ${set.files} SigmaHQ files loaded in ${(loadMs / 1000).toFixed(2)} s: ${set.rules.length} active (routed to our events), ${set.inactive.length} inactive, ${set.problems.length} rejected`,
  );

  const generated = generateEvents({
    seed: 7,
    count,
    from: Date.parse('2026-03-01T08:00:00Z'),
    to: Date.parse('2026-03-01T09:00:00Z'),
  }) as unknown as Record<string, unknown>[];
  const captured = captureEvents(200);
  console.log(
    `events: ${generated.length} generated (sample/src/sample.ts, seed 7), ${captured.length} decoded from suricata-verify captures`,
  );

  // The analyzer reads events back from the store as JSON, so objects of the few shapes JSON.parse
  // makes; the generator's object literals (spread) give nearly every event its own hidden class,
  // which makes every property read a megamorphic lookup. Both are measured.
  const stored = generated.map((e) => JSON.parse(JSON.stringify(e)) as Record<string, unknown>);
  for (const [name, events] of [
    ['generated', generated],
    ['stored', stored],
    ['captures', captured],
  ] as const) {
    if (events.length === 0) continue;
    let matches = 0;
    for (const e of events) matches += set.match(e).length;
    const m = measure(events, (e) => set.match(e));
    const detector = new Detector(set);
    let alerts = 0;
    for (const e of events) alerts += detector.process(e).length;
    const d = measure(events, (e) => detector.process(e));
    console.log(
      `${name.padEnd(10)} match: ${fmt(m.perSec)} per CPU-second (${fmt(m.wallPerSec)} wall), ${matches} matches per pass; ` +
        `detector with alerts: ${fmt(d.perSec)} per CPU-second (${fmt(d.wallPerSec)} wall), ${alerts} alerts on the first pass`,
    );
  }
  console.log(
    '  generated: objects as @edusentry/sample builds them; stored: the same events as the analyzer reads them from the store (JSON); captures: NDJSON from collect pcap',
  );

  if (!args.includes('--no-rsigma')) rsigmaSideBySide(generated.slice(0, Number(arg(args, '--rsigma-count', '50000'))));
  // End to end (event written → alert written) is its own bench; the embedded run, polling every 50 ms.
  if (!args.includes('--no-e2e')) await (await import('./alert-latency')).run(['--poll-ms', '50']);
}

/**
 * rsigma on the same events, rules and pipelines (it reads pySigma-format pipelines, so it
 * gets rules/pipelines/*.yml too). Rules: the SigmaHQ rules our pipelines route (the ones we
 * ship): without log-source routing rsigma would evaluate every Windows rule on every event.
 * Both sides measured in CPU time (rsigma's start-up, measured on no events, subtracted).
 *
 * Pipeline dialect: our pipelines say "any of these log sources" with pySigma's `rule_cond_op:
 * or`; rsigma 0.23 does not read that key (it reads its own `rule_cond_expression`) and ANDs the
 * conditions, so a transformation listing two log sources applies to no rule. The match sets
 * are compared twice: with the pipelines as written (the disagreement, each rule's reason
 * printed) and with the same pipelines in rsigma's dialect (the engines compared; timed).
 */
function rsigmaSideBySide(events: Record<string, unknown>[]): void {
  const bin = process.env.RSIGMA ?? 'rsigma';
  try {
    execFileSync(bin, ['--version'], { stdio: 'ignore' });
  } catch {
    console.log('rsigma: not found (cargo install rsigma, or RSIGMA=/path/to/rsigma); skipped');
    return;
  }
  const rulesDir = join(sigmaDir, 'sigmahq');
  const pipelines = loadPipelines(pipelinesDir);
  const dir = mkdtempSync(join(tmpdir(), 'rsigma-'));
  const asWritten = readdirSync(pipelinesDir)
    .filter((f) => f.endsWith('.yml'))
    .sort()
    .map((f) => join(pipelinesDir, f));
  const translated = pipelines.map((p, i) => {
    // JSON is YAML: the pipeline as loaded, `rule_cond_op: or` spelled as rsigma's expression.
    const transformations = p.transformations.map(({ rule_cond_op, ...t }) =>
      rule_cond_op === 'or' && t.rule_conditions
        ? { ...t, rule_cond_expression: t.rule_conditions.map((_, k) => `cond_${k}`).join(' or ') }
        : t,
    );
    const file = join(dir, `${i}-${p.name}.yml`);
    writeFileSync(file, JSON.stringify({ name: p.name, priority: p.priority, vars: p.vars, transformations }));
    return file;
  });
  const input = join(dir, 'events.ndjson');
  writeFileSync(input, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
  const empty = join(dir, 'none.ndjson');
  writeFileSync(empty, '');

  /** rsigma engine eval on a file: its output and the CPU seconds it used (bash `times`). */
  const rsigma = (pipelineFiles: string[], from: string, extra: string[] = []) => {
    const out = join(dir, 'out.ndjson');
    const args = ['engine', 'eval', '-r', rulesDir, ...pipelineFiles.flatMap((f) => ['-p', f]), '--no-stats', ...extra];
    const r = spawnSync('bash', ['-c', '"$0" "$@" < "$IN" > "$OUT" 2>/dev/null; echo "rc=$?"; times', bin, ...args], {
      env: { ...process.env, IN: from, OUT: out },
    });
    const text = r.stdout.toString();
    const rc = Number(/rc=(\d+)/.exec(text)?.[1] ?? 1);
    const lines = text.trim().split('\n');
    const secs = (t: string) => {
      const m = /(\d+)m([\d.]+)s/.exec(t);
      return m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
    };
    const [user, sys] = (lines[lines.length - 1] ?? '').split(' ');
    return { rc, cpu: secs(user) + secs(sys), output: rc === 0 ? readFileSync(out, 'utf8') : '' };
  };
  const matchSet = (output: string) => {
    const keys = new Set<string>();
    for (const line of output.split('\n')) {
      if (!line) continue;
      try {
        const m = JSON.parse(line);
        keys.add(`${m.rule_id}|${m.event?.event?.id}`);
      } catch {
        /* not a match line */
      }
    }
    return keys;
  };

  const set = RuleSet.fromPaths([rulesDir], { pipelines });
  const ours = new Set<string>();
  for (const e of events) for (const r of set.match(e)) ours.add(`${r.rule.meta.id}|${(e.event as { id: string }).id}`);
  const oursRate = measure(events, (e) => set.match(e)).perSec;
  // rsigma reads NDJSON: ours on the objects parsed from those lines, and with the parsing too.
  const lines = events.map((e) => ({ line: JSON.stringify(e) }));
  const parsed = lines.map((l) => JSON.parse(l.line) as Record<string, unknown>);
  const oursStoredRate = measure(parsed, (e) => set.match(e)).perSec;
  const oursParsedRate = measure(lines, (l) => set.match(JSON.parse(l.line as string))).perSec;

  const start = rsigma(translated, empty);
  const timed = rsigma(translated, input);
  if (timed.rc !== 0 || start.rc !== 0) {
    console.log(`rsigma: failed (exit ${timed.rc || start.rc})`);
    return;
  }
  const rsRate = events.length / Math.max(0.01, timed.cpu - start.cpu);
  const version = execFileSync(bin, ['--version']).toString().split('\n')[0];
  console.log(
    `rsigma ${version} engine eval, same ${set.rules.length} routed SigmaHQ rules and pipelines, ${events.length} events: ` +
      `${fmt(rsRate)} per CPU-second (start-up ${start.cpu.toFixed(2)} CPU-s subtracted, NDJSON parsing included)`,
  );
  const ratio = (x: number) => `${fmt(x)} per CPU-second, ours/rsigma ${(x / rsRate).toFixed(2)}x`;
  console.log(
    `  ours on the same rules: generated objects ${ratio(oursRate)}; objects parsed from the same NDJSON ${ratio(oursStoredRate)}; parsing the NDJSON lines too ${ratio(oursParsedRate)}`,
  );

  const compare = (label: string, theirs: Set<string>) => {
    const both = [...ours].filter((k) => theirs.has(k)).length;
    const onlyOurs = [...ours].filter((k) => !theirs.has(k));
    const onlyTheirs = [...theirs].filter((k) => !ours.has(k));
    console.log(
      `  match sets, ${label}: ${both} in both, ${onlyOurs.length} only ours, ${onlyTheirs.length} only rsigma`,
    );
    return { onlyOurs, onlyTheirs };
  };
  const engines = compare(
    "pipelines in rsigma's dialect (rule_cond_expression)",
    matchSet(rsigma(translated, input, ['--include-event']).output),
  );
  const written = compare(
    'pipelines as written (rule_cond_op: or)',
    matchSet(rsigma(asWritten, input, ['--include-event']).output),
  );

  // Why each rule disagrees: the transformations rsigma skips for it (AND instead of OR).
  const byRule = new Map<string, number>();
  for (const k of [...written.onlyOurs, ...written.onlyTheirs]) {
    const id = k.split('|')[0];
    byRule.set(id, (byRule.get(id) ?? 0) + 1);
  }
  for (const [id, n] of byRule) {
    const r = set.rules.find((x) => x.rule.meta.id === id);
    const ls = r?.rule.logsource ?? {};
    const skipped = pipelines.flatMap((p) =>
      p.transformations
        .filter((t) => {
          const conds = t.rule_conditions ?? [];
          const hit = (c: (typeof conds)[number]) =>
            (c.category === undefined || c.category === ls.category) &&
            (c.product === undefined || c.product === ls.product) &&
            (c.service === undefined || c.service === ls.service);
          return t.rule_cond_op === 'or' && conds.some(hit) && !conds.every(hit);
        })
        .map((t) => `${p.name}/${t.id ?? t.type}`),
    );
    const where = Object.entries(ls)
      .filter(([k, v]) => v && k !== 'definition')
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    const reason = skipped.length
      ? `rsigma ignores rule_cond_op: or, so it skips ${skipped.join(', ')} for this rule (no routing condition, ` +
        `no field mapping: the rule tests its own field names, absent from ECS events); pySigma applies them ` +
        `(rule_cond_op: or = any of the log sources): ours is right`
      : 'not explained by the pipeline dialect';
    console.log(
      `    ${id} "${r?.rule.meta.title ?? '?'}" (${where}): ${n} events only ${written.onlyOurs.some((k) => k.startsWith(id)) ? 'ours' : 'rsigma'}: ${reason}`,
    );
  }
  const sample = (xs: string[]) => xs.slice(0, 5).map((k) => `    ${k}`);
  if (engines.onlyOurs.length)
    console.log(['  only ours, same dialect (first 5):', ...sample(engines.onlyOurs)].join('\n'));
  if (engines.onlyTheirs.length)
    console.log(['  only rsigma, same dialect (first 5):', ...sample(engines.onlyTheirs)].join('\n'));
}
