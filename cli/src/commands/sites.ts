/**
 * `edusentry sites import|list|check|baseline accept|monitor`: the key-site monitor (网站监测) by hand.
 * `check` runs every check once on the sites of a sheet (or the registry) and exits 0 whatever it
 * finds (findings are data); only a usage or configuration error is non-zero.
 */
import { userInfo } from 'node:os';
import { EduError, eventId, type EcsEvent } from '@edusentry/core';
import {
  CHECK_NAMES,
  CHECKS,
  readSheet,
  Scheduler,
  SiteMonitor,
  SiteRegistry,
  storeWriter,
  type Site,
  type SiteRunResult,
} from '@edusentry/sites';
import type { Command } from 'commander';
import { leaf, parent } from '../command';
import type { Context } from '../context';

/** A sheet's site has no id column: one derived from its URL, so baselines carry over between runs. */
const idForUrl = (url: string) => `site-${eventId('site', url).slice(0, 12)}`;

function sitesOf(ctx: Context, file: string | undefined, org: string | undefined): Site[] {
  if (!file) {
    const reg = SiteRegistry.open(ctx.dataDir);
    try {
      return reg.list(org ? [org] : undefined).filter((s) => s.enabled);
    } finally {
      reg.close();
    }
  }
  const sheet = readSheet(file, { defaultOrg: org, defaultIntervalSec: ctx.config.sites.intervalSec });
  for (const p of sheet.problems) process.stderr.write(`${file}:${p.line}: ${p.column}: ${p.message}\n`);
  return sheet.sites.map(({ line: _line, ...s }) => ({ ...s, id: s.id ?? idForUrl(s.url) }));
}

/**
 * The monitor with the configured (or given) resolvers and this machine's observer: run on a
 * collector with `--checks dns`, its results are that collector's DNS vantage point.
 */
function monitorFor(ctx: Context, resolvers: string[] | undefined, only?: string[]): SiteMonitor {
  const config = { ...ctx.config.sites, resolvers: resolvers?.length ? resolvers : ctx.config.sites.resolvers };
  const unknown = only?.find((c) => !(CHECK_NAMES as readonly string[]).includes(c));
  if (unknown) throw new EduError('EDU_ERR_USAGE', `--checks "${unknown}" is not a check (${CHECK_NAMES.join(', ')})`);
  return new SiteMonitor({
    config,
    checks: only?.length ? CHECKS.filter((c) => only.includes(c.name)) : undefined,
    dataDir: ctx.dataDir,
    observer: { id: ctx.config.observer.id, name: ctx.config.observer.name, type: 'sitemon' },
    log: ctx.log.child({ service: 'sites' }),
  });
}

/** A progress bar on stderr, drawn only on a terminal. */
function progress(total: number): { tick(r: SiteRunResult): void; done(): void } {
  let n = 0;
  const tty = process.stderr.isTTY;
  return {
    tick() {
      n++;
      if (!tty) return;
      const w = 30;
      const filled = Math.round((n / Math.max(1, total)) * w);
      process.stderr.write(`\r[${'#'.repeat(filled)}${' '.repeat(w - filled)}] ${n}/${total} sites`);
    },
    done() {
      if (tty) process.stderr.write('\n');
    },
  };
}

export function register(program: Command): void {
  const sites = parent(program, 'sites', 'the key-site monitor (网站监测): registry, checks, baselines');

  leaf<{ org?: string }>(
    sites,
    'import <file>',
    'import sites from a CSV or .xlsx sheet; re-import updates by URL',
    async (ctx, [file], opts) => {
      const sheet = readSheet(file, { defaultOrg: opts.org, defaultIntervalSec: ctx.config.sites.intervalSec });
      for (const p of sheet.problems) process.stderr.write(`${file}:${p.line}: ${p.column}: ${p.message}\n`);
      const reg = SiteRegistry.open(ctx.dataDir);
      let created = 0;
      let updated = 0;
      try {
        for (const { line: _line, ...s } of sheet.sites) {
          if (reg.upsert(s).created) created++;
          else updated++;
        }
      } finally {
        reg.close();
      }
      const skipped = new Set(sheet.problems.filter((p) => p.line > 1).map((p) => p.line)).size;
      process.stdout.write(`sites: ${created} created, ${updated} updated, ${skipped} rows skipped\n`);
    },
  ).option('--org <id>', 'organisation of rows whose org_id is empty');

  leaf<{ json?: boolean; org?: string }>(sites, 'list', 'list the registered sites', async (ctx, _a, opts) => {
    const reg = SiteRegistry.open(ctx.dataDir);
    try {
      const list = reg.list(opts.org ? [opts.org] : undefined);
      if (opts.json) return void process.stdout.write(JSON.stringify(list) + '\n');
      if (!list.length) return void process.stdout.write('no sites yet: edusentry sites import <file.csv>\n');
      for (const s of list)
        process.stdout.write(
          `${s.id}\t${s.orgId}\t${s.enabled ? 'on ' : 'off'}\t${s.intervalSec}s\t${s.name}\t${s.url}\n`,
        );
    } finally {
      reg.close();
    }
  })
    .option('--json', 'print as JSON')
    .option('--org <id>', 'only this organisation');

  leaf<{
    sites?: string;
    once?: boolean;
    resolver?: string[];
    checks?: string[];
    ndjson?: boolean;
    store?: string | boolean;
    org?: string;
  }>(
    sites,
    'check',
    'run every check once on every site; results as site.check events (exit 0 even when sites are down)',
    async (ctx, _a, opts) => {
      if (opts.ndjson && opts.store) throw new EduError('EDU_ERR_USAGE', 'give --ndjson or --store, not both');
      const list = sitesOf(ctx, opts.sites, opts.org);
      if (!list.length)
        throw new EduError(
          'EDU_ERR_USAGE',
          opts.sites
            ? `${opts.sites}: no usable site rows`
            : 'no sites registered (edusentry sites import <file>, or --sites <file.csv>)',
        );
      const monitor = monitorFor(ctx, opts.resolver, opts.checks);
      const store = opts.store ? await ctx.store() : undefined;
      const bar = progress(list.length);
      const findings: Record<string, number> = {};
      let down = 0;
      const scheduler = new Scheduler({
        monitor,
        config: ctx.config.sites,
        sites: () => list,
        noJitter: true,
        write: async (events: EcsEvent[]) => {
          if (store) await storeWriter(store, ctx.log)(events);
          else if (opts.ndjson) for (const e of events) process.stdout.write(JSON.stringify(e) + '\n');
        },
        onResult: (r) => {
          bar.tick(r);
          if (!r.up) down++;
          for (const f of r.findings) findings[f.kind] = (findings[f.kind] ?? 0) + 1;
          if (!store && !opts.ndjson)
            process.stdout.write(
              `${r.up ? 'up  ' : 'DOWN'}  ${r.site.name}  ${r.site.url}  ${r.findings.map((f) => f.kind).join(' ') || '-'}\n`,
            );
        },
      });
      scheduler.start();
      await scheduler.drain();
      await scheduler.stop();
      bar.done();
      const summary =
        Object.entries(findings)
          .map(([k, n]) => `${k} ${n}`)
          .join(', ') || 'none';
      process.stderr.write(
        `${list.length} sites checked, ${down} down; findings: ${summary}${store ? ` (${scheduler.stats.written} results stored)` : ''}\n`,
      );
      return 0;
    },
  )
    .option('--sites <file>', 'CSV or .xlsx sheet of sites (default: the registry)')
    .option('--once', 'run once and exit (what check always does)')
    .option(
      '--resolver <host:port>',
      'resolvers to send every lookup to, each a DNS vantage point (repeatable)',
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option('--ndjson', 'write the site.check events to stdout as NDJSON')
    .option(
      '--checks <names...>',
      `only these checks (${CHECK_NAMES.join(', ')}); a collector runs dns as a vantage point`,
    )
    .option('--org <id>', 'only this organisation (registry), or the organisation of rows without one (sheet)');

  const baseline = parent(sites, 'baseline', 'key-page baselines of the content check');
  leaf<{ actor?: string }>(
    baseline,
    'accept <site-id>',
    "accept the pages as last seen as the site's new baseline (audited)",
    async (ctx, [siteId], opts) => {
      const actor = opts.actor ?? userInfo().username;
      const monitor = monitorFor(ctx, undefined);
      const pages = monitor.baselines.accept(siteId, actor);
      // Loaded here only: the console server's package is heavy for the other sites commands.
      const { ConsoleState, statePathOf } = await import('@edusentry/console-server');
      const state = new ConsoleState(statePathOf(ctx.config.console, ctx.dataDir));
      try {
        state.audit.append({
          actor,
          role: 'cli',
          action: 'sites.baseline.accept',
          target: siteId,
          outcome: 'success',
          details: { pages },
        });
      } finally {
        state.close();
      }
      process.stdout.write(
        pages.length
          ? `baseline accepted for ${pages.length} page(s):\n${pages.join('\n')}\n`
          : `site ${siteId}: no changed page waits for acceptance\n`,
      );
    },
  ).option('--actor <name>', 'who accepts (audit trail; default: the system user)');

  leaf<{ resolver?: string[] }>(
    sites,
    'monitor',
    'watch every registered site until Ctrl-C, results into the store',
    async (ctx, _a, opts) => {
      const store = await ctx.store();
      await store.init({ retentionDays: ctx.config.store.retentionDays });
      const reg = SiteRegistry.open(ctx.dataDir);
      const monitor = monitorFor(ctx, opts.resolver);
      const scheduler = new Scheduler({
        monitor,
        config: ctx.config.sites,
        sites: () => reg.list(),
        log: ctx.log.child({ service: 'sites' }),
        write: storeWriter(store, ctx.log),
      });
      scheduler.start();
      process.stdout.write(`sites: watching ${scheduler.stats.sites} sites; Ctrl-C stops\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await scheduler.stop();
      reg.close();
    },
  ).option(
    '--resolver <host:port>',
    'resolvers (vantage points) for every lookup',
    (v: string, prev: string[] = []) => [...prev, v],
  );
}
