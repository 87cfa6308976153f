/** `edusentry collect file`: log files through the device parsers, optionally following them. */
import { join } from 'node:path';
import { EduError, type EcsEvent } from '@edusentry/core';
import { Attribution, followFiles, lineToEvent, parserByName, PARSERS } from '@edusentry/collector';
import type { Command } from 'commander';
import { leaf, parent } from '../command';
import { openSink } from './collect-listen';

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
      const forced = o.parser ? parserByName(o.parser) : undefined;
      if (o.parser && !forced)
        throw new EduError(
          'EDU_ERR_USAGE',
          `--parser "${o.parser}" is unknown (known: ${PARSERS.map((p) => p.name).join(', ')})`,
        );
      const toStore = o.store !== undefined && o.store !== false;
      if (o.ndjson && toStore) throw new EduError('EDU_ERR_USAGE', 'choose one of --ndjson and --store');
      const sink = await openSink(ctx, toStore);
      const organization = { id: ctx.config.organization.id, name: ctx.config.organization.name };
      const observer = { id: ctx.config.observer.id, name: ctx.config.observer.name };
      const attribution = new Attribution();
      const abort = new AbortController();
      const stop = () => abort.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      let events = 0;
      const { lines } = await followFiles(paths, {
        follow: !!o.follow,
        stateFile: o.follow ? join(ctx.dataDir, 'file-positions.json') : undefined,
        signal: abort.signal,
        onLines: async (batch, path) => {
          const now = Date.now();
          // A file line may or may not carry a syslog header (gateways often write syslog to files).
          const evs = batch.map(
            (l) =>
              lineToEvent(l, `file:${path}`, now, {
                organization,
                observer,
                attribution,
                forced,
                plain: !/^<\d{1,3}>|^[A-Z][a-z]{2} [ \d]\d \d\d:/.test(l),
                input: path,
              }) as EcsEvent,
          );
          events += evs.length;
          await sink.push(evs);
        },
      });
      await sink.close();
      process.stderr.write(`${lines} lines, ${events} events\n`);
    },
  )
    .option('--follow', 'keep reading as the files grow (survives rotation and truncation, remembers positions)')
    .option('--parser <name>', `device parser instead of auto-detection: ${PARSERS.map((p) => p.name).join(', ')}`)
    .option('--ndjson', 'write events as NDJSON on stdout (default)');
}
