/**
 * `edusentry drill validate|list|run`: emergency drills (应急演练) against a running system's store.
 * `run` writes the scenario's injects as the school's events and waits for what the school does
 * (alerts with the drill id, their triage), then prints a score per expectation and overall.
 * A finished run exits 0 whatever its score (scores are data); a usage or file error is non-zero.
 */
import { EduError } from '@edusentry/core';
import {
  incidentCategories,
  loadScenario,
  loadScenarios,
  runDrill,
  type DrillRunResult,
  type TimelineEntry,
} from '@edusentry/drills';
import type { Command } from 'commander';
import { leaf, parent } from '../command';
import { organizationsOf } from '../config';

const categoryName = (id: string) => incidentCategories().find((c) => c.id === id)?.zh ?? id;

const OUTCOME: Record<string, string> = { full: '达成', partial: '部分达成', none: '未达成', pending: '待评' };

function printResult(r: DrillRunResult): void {
  const out = process.stdout;
  out.write(`演练 ${r.drillId}  场景 ${r.scenario}  单位 ${r.orgId}\n`);
  for (const e of r.expectations)
    out.write(
      `  ${e.id}\t${e.type}\t${OUTCOME[e.outcome]}\t${e.score ?? '-'}${e.seconds !== undefined ? `\t${e.seconds}s` : ''}${e.evidence ? `\t${e.evidence}` : ''}\n`,
    );
  const cats = Object.entries(r.byCategory)
    .map(([c, s]) => `${c} ${s ?? '-'}`)
    .join(', ');
  out.write(`总分 ${r.score ?? '-'} (${cats}); ${r.pending} 项待人工或控制台评定\n`);
}

/** Each timeline entry on stderr as it happens; on a terminal a bar of resolved expectations too. */
function timelinePrinter(): (e: TimelineEntry) => void {
  let resolved = 0;
  const tty = process.stderr.isTTY;
  return (e) => {
    if (e.what === 'met' || e.what === 'expired' || e.what === 'pending') resolved++;
    const line = `${e.at} ${e.what} ${e.inject}${e.expectation ? `/${e.expectation}` : ''}${e.detail ? ` ${e.detail}` : ''}`;
    process.stderr.write(
      tty ? `\r\x1b[K${line}\n[${'#'.repeat(Math.min(30, resolved))}] ${resolved} resolved` : `${line}\n`,
    );
  };
}

export function register(program: Command): void {
  const drill = parent(program, 'drill', 'emergency drills (应急演练): scenarios, rehearsal runs and scores');

  leaf(drill, 'validate <file>', 'check a scenario file; errors name the field', async (_ctx, [file]) => {
    const s = loadScenario(file);
    const expectations = s.injects.reduce((n, i) => n + i.expectations.length, 0);
    process.stdout.write(`${file}: ok — ${s.id}, ${s.injects.length} injects, ${expectations} expectations\n`);
  });

  leaf<{ json?: boolean; scenarios?: string }>(drill, 'list', 'list the drill scenarios', async (_ctx, _a, opts) => {
    const all = loadScenarios(opts.scenarios);
    if (opts.json) return void process.stdout.write(JSON.stringify(all) + '\n');
    if (!all.length) return void process.stdout.write('no scenarios: add one to rules/drills (see its README)\n');
    for (const s of all)
      process.stdout.write(
        `${s.id}\t${categoryName(s.category)}\t${s.grade}\t${s.injects.length} injects\t${s.title.zh}\n`,
      );
  })
    .option('--json', 'print as JSON')
    .option('--scenarios <dir>', 'scenario folder (default: the shipped rules/drills)');

  leaf<{ scenario: string; org: string; speed: string; json?: boolean; scenarios?: string; drillId?: string }>(
    drill,
    'run',
    "rehearse a scenario for one school: inject its events into the store, wait for the school's response, score it",
    async (ctx, _a, opts) => {
      const scenario = loadScenarios(opts.scenarios).find((s) => s.id === opts.scenario);
      if (!scenario)
        throw new EduError('EDU_ERR_USAGE', `--scenario "${opts.scenario}" is not a scenario (edusentry drill list)`);
      const speed = Number(opts.speed);
      if (!Number.isFinite(speed) || speed <= 0)
        throw new EduError('EDU_ERR_USAGE', `--speed must be a positive number, not "${opts.speed}"`);
      const node = organizationsOf(ctx.config).find((n) => n.id === opts.org);
      if (!node)
        throw new EduError(
          'EDU_ERR_USAGE',
          `--org "${opts.org}" is not an organisation of this installation (organizations: in the configuration)`,
        );
      const result = await runDrill({
        store: await ctx.store(),
        scenario,
        org: { id: node.id, name: node.name },
        speed,
        drillId: opts.drillId,
        onTimeline: opts.json ? undefined : timelinePrinter(),
      });
      if (opts.json) process.stdout.write(JSON.stringify(result) + '\n');
      else printResult(result);
    },
  )
    .requiredOption('--scenario <id>', 'scenario id (edusentry drill list)')
    .requiredOption('--org <id>', 'the school that rehearses')
    .option('--speed <n>', 'compress the timeline n times (offsets and time limits divided by n)', '1')
    .option('--drill-id <id>', 'the drill id its events and alerts carry (default: drill-<scenario>-<time>)')
    .option('--scenarios <dir>', 'scenario folder (default: the shipped rules/drills)')
    .option('--json', 'print the result as JSON');
}
