/** `edusentry collect file`: log files through the device parsers, optionally following them. */
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
      const { lines, events } = await collectFiles({
        ...sinkOptions(ctx.config, ctx.dataDir, ctx.log, o),
        paths,
        follow: o.follow,
        parser: o.parser,
        signal: abort.signal,
      });
      process.stderr.write(`${lines} lines, ${events} events\n`);
    },
  )
    .option('--follow', 'keep reading as the files grow (survives rotation and truncation, remembers positions)')
    .option('--parser <name>', `device parser instead of auto-detection: ${PARSERS.map((p) => p.name).join(', ')}`)
    .option('--ndjson', 'write events as NDJSON on stdout (default)');
}
