/**
 * `edusentry sigma check|match|convert|hunt`: the Sigma engine by hand — validate rules,
 * run them over NDJSON events, convert them to search queries, hunt through stored history.
 */
import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import {
  convertRule,
  ConversionError,
  Detector,
  hunt,
  openRuleSet,
  parseRuleFiles,
  unknownClauseTags,
  type RuleSet,
} from '@edusentry/analyzer';
import { EduError, ProgressBar, type AlertEvent, type EcsEvent } from '@edusentry/core';
import type { Command } from 'commander';
import { leaf, parent } from '../command';
import type { Context } from '../context';

export function register(program: Command): void {
  const sigma = parent(program, 'sigma', 'Sigma rules: validate, match, convert, hunt');

  leaf<{ json?: boolean; verbose?: boolean }>(
    sigma,
    'check <rules...>',
    'validate rules; report active, inactive (and why) and rejected rules',
    async (ctx, args, opts) => {
      const set = load(ctx, args);
      // A djbh.* tag must name an item of the 等保 catalogue, or its alerts count for nothing.
      const clauseTags = unknownClauseTags(parseRuleFiles(args).documents);
      const reasons = new Map<string, number>();
      for (const i of set.inactive) reasons.set(i.reason, (reasons.get(i.reason) ?? 0) + 1);
      if (opts.json) {
        const out = {
          files: set.files,
          documents: set.documents,
          active: set.rules.length,
          correlations: set.correlations.length,
          inactive: set.inactive.length,
          rejected: set.problems.length,
          inactiveReasons: Object.fromEntries(reasons),
          problems: set.problems,
          unknownClauseTags: clauseTags,
        };
        process.stdout.write(JSON.stringify(out) + '\n');
      } else {
        const lines = [
          `files:        ${set.files}`,
          `documents:    ${set.documents}`,
          `active:       ${set.rules.length} detection rules, ${set.correlations.length} correlations`,
          `inactive:     ${set.inactive.length}`,
          ...[...reasons.entries()].sort((a, b) => b[1] - a[1]).map(([r, n]) => `  ${String(n).padStart(5)}  ${r}`),
          `rejected:     ${set.problems.length}`,
          ...set.problems.map((p) => `  ${p.file}:${p.line}: ${p.title ? `${p.title}: ` : ''}${p.message}`),
          `unknown clause tags: ${clauseTags.length}`,
          ...clauseTags.map((t) => `  ${t.file}:${t.line}: ${t.title}: ${t.tag} names no item of the 等保 catalogue`),
        ];
        if (opts.verbose)
          lines.push('inactive rules:', ...set.inactive.map((i) => `  ${i.file}: ${i.title}: ${i.reason}`));
        process.stdout.write(lines.join('\n') + '\n');
      }
      return set.problems.length || clauseTags.length ? 1 : 0;
    },
  )
    .option('--json', 'print the report as JSON')
    .option('--verbose', 'list every inactive rule');

  leaf<{ rules: string; events: string }>(
    sigma,
    'match',
    'run rules over NDJSON events; alerts (correlations included) as NDJSON on stdout',
    async (ctx, _a, opts) => {
      const set = load(ctx, [opts.rules]);
      const detector = new Detector(set, {
        latenessMs: ctx.config.analyzer.correlation.latenessSec * 1000,
        maxGroups: ctx.config.analyzer.correlation.maxGroups,
      });
      if (opts.events !== '-' && !existsSync(opts.events)) {
        throw new EduError(
          'EDU_ERR_NOT_FOUND',
          `events file ${opts.events} does not exist (give an NDJSON file, or - for stdin)`,
        );
      }
      const input = opts.events === '-' ? process.stdin : createReadStream(opts.events);
      let lineNo = 0;
      let bad = 0;
      let alerts = 0;
      for await (const line of createInterface({ input, crlfDelay: Infinity })) {
        lineNo++;
        if (!line.trim()) continue;
        let doc: unknown;
        try {
          doc = JSON.parse(line);
        } catch {
          doc = undefined;
        }
        if (!doc || typeof doc !== 'object' || Array.isArray(doc)) {
          if (bad++ === 0)
            ctx.log.warn(
              { file: opts.events, line: lineNo },
              'skipping a line that is not a JSON object (further ones counted)',
            );
          continue;
        }
        for (const alert of detector.process(doc as Record<string, unknown>)) {
          alerts++;
          process.stdout.write(JSON.stringify(alert) + '\n');
        }
      }
      const c = detector.counters;
      process.stderr.write(
        `${c.events} events, ${alerts} alerts (${c.correlationAlerts} from correlations), ${bad} bad lines, ${set.rules.length} active rules\n`,
      );
    },
  )
    .requiredOption('--rules <path>', 'rule file or folder')
    .requiredOption('--events <file>', 'NDJSON events, or - for stdin');

  leaf<{ target: string }>(
    sigma,
    'convert [rules...]',
    'convert rules to OpenSearch/Elasticsearch queries (NDJSON: id, title, query)',
    async (ctx, args, opts) => {
      if (opts.target !== 'lucene' && opts.target !== 'dsl')
        throw new EduError('EDU_ERR_USAGE', `--target must be lucene or dsl, not "${opts.target}"`);
      const set = load(ctx, args);
      let failed = 0;
      for (const r of set.rules) {
        try {
          const query = convertRule(r, opts.target, { placeholders: ctx.config.analyzer.placeholders });
          process.stdout.write(
            JSON.stringify({ id: r.rule.meta.id ?? r.key, title: r.rule.meta.title, target: opts.target, query }) +
              '\n',
          );
        } catch (e) {
          if (!(e instanceof ConversionError)) throw e;
          failed++;
          process.stderr.write(`not converted: ${r.rule.meta.title}: ${e.message}\n`);
        }
      }
      process.stderr.write(
        `${set.rules.length - failed} converted, ${failed} not convertible, ${set.inactive.length} inactive, ${set.problems.length} rejected\n`,
      );
    },
  ).requiredOption('--target <target>', 'lucene | dsl');

  leaf<{ rule?: string[]; from: string; to?: string; write?: boolean }>(
    sigma,
    'hunt',
    'run rules over stored history; alerts as NDJSON on stdout',
    async (ctx, _a, opts) => {
      if (!opts.rule?.length) throw new EduError('EDU_ERR_USAGE', 'give the rules to hunt with: --rule <file|dir>...');
      const set = load(ctx, opts.rule);
      const fromMs = parseTime(opts.from, '--from');
      const toMs = opts.to ? parseTime(opts.to, '--to') : Date.now();
      const store = await ctx.store();
      const found: AlertEvent[] = [];
      const progress = new ProgressBar();
      const label = store.kind === 'embedded' ? 'hunt' : 'hunt (rules run)';
      const res = await hunt({
        store,
        storeConfig: ctx.config.store,
        set,
        fromMs,
        toMs,
        placeholders: ctx.config.analyzer.placeholders,
        onAlert: (a) => {
          found.push(a);
          process.stdout.write(JSON.stringify(a) + '\n');
        },
        onProgress: (done, total, scanned) =>
          progress.update(label, done, total, `${scanned} events  ${found.length} alerts`),
      });
      progress.clear();
      if (opts.write && found.length) await store.write(found as unknown as EcsEvent[]);
      for (const u of res.unconverted) process.stderr.write(`not converted: ${u.rule}: ${u.reason}\n`);
      process.stderr.write(
        `hunt ${new Date(fromMs).toISOString()} .. ${new Date(toMs).toISOString()} on ${store.kind}: ${res.scanned} events evaluated${res.queryHits !== undefined ? ` (${res.queryHits} returned by the converted queries)` : ''}, ${res.alerts} alerts${opts.write ? ' written' : ''}\n`,
      );
    },
  )
    .option('--rule <paths...>', 'rule files or folders')
    .requiredOption('--from <time>', 'ISO time, or relative like 24h, 7d')
    .option('--to <time>', 'ISO time (default: now)')
    .option('--write', 'also write the alerts to the store');
}

function parseTime(v: string, name: string): number {
  const rel = /^(\d+)([smhdw])$/.exec(v);
  if (rel) return Date.now() - Number(rel[1]) * { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 604800e3 }[rel[2] as 's']!;
  const t = Date.parse(v);
  if (Number.isNaN(t))
    throw new EduError('EDU_ERR_USAGE', `${name} "${v}" is neither an ISO time nor a relative time like 24h`);
  return t;
}

function load(ctx: Context, paths: string[]): RuleSet {
  return openRuleSet(ctx.config.analyzer, paths);
}
