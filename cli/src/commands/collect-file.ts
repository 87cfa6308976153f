/** `edusentry collect file`: log files through the device parsers, optionally following them. */
import { statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { ProgressBar } from '@edusentry/core';
import { collectFiles, PARSERS, sinkOptions } from '@edusentry/collector';
import type { Command } from 'commander';
import { leaf, parent } from '../command';

interface FileOpts {
  follow?: boolean;
  parser?: string;
  ndjson?: boolean;
  store?: string | boolean;
}

export function register(program: Command): void {
  const collect = parent(program, 'collect', 'collect events: packets, flow logs, syslog, log files');
  leaf<FileOpts>(
    collect,
    'file <paths...>',
    'read log files (web servers, gateways, firewalls) with the device parsers',
    async (ctx, paths, o) => {
      const abort = new AbortController();
      const stop = () => abort.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      // A bar over all the files' bytes when reading them once (following has no end to measure).
      const progress = new ProgressBar();
      const read = new Map<string, number>();
      const sizes = new Map<string, number>();
      for (const p of o.follow ? [] : paths) {
        try {
          sizes.set(resolve(p), statSync(p).size);
        } catch {
          // not there: collectFiles says so
        }
      }
      const { lines, events } = await collectFiles({
        ...sinkOptions(ctx.config, ctx.dataDir, ctx.log, o),
        paths,
        follow: o.follow,
        parser: o.parser,
        signal: abort.signal,
        onProgress: o.follow
          ? undefined
          : (path, offset, size) => {
              read.set(path, offset);
              sizes.set(path, size);
              const mb = (n: number) => (n / 1e6).toFixed(1);
              const done = [...read.values()].reduce((a, b) => a + b, 0);
              const total = [...sizes.values()].reduce((a, b) => a + b, 0);
              progress.update(
                basename(path),
                done,
                total,
                `${mb(done)} of ${mb(total)} MB, file ${read.size}/${paths.length}`,
              );
            },
      });
      progress.clear();
      process.stderr.write(`${lines} lines, ${events} events\n`);
    },
  )
    .option('--follow', 'keep reading as the files grow (survives rotation and truncation, remembers positions)')
    .option('--parser <name>', `device parser instead of auto-detection: ${PARSERS.map((p) => p.name).join(', ')}`)
    .option('--ndjson', 'write events as NDJSON on stdout (default)');
}
