/**
 * `collect file`: log files line by line through the device parsers into one sink,
 * optionally following them (rotation, truncation, positions remembered in the data
 * directory). The line and event counts are the heartbeat's own counters.
 */
import { join } from 'node:path';
import { Attribution, EduError, type EcsEvent } from '@edusentry/core';
import { openSink, type SinkOptions } from '../sink';
import { followFiles } from './file-follower';
import { parserByName, PARSERS } from './parsers';
import { lineToEvent } from './syslog/to-event';

export interface CollectFilesOptions extends Omit<SinkOptions, 'extraCounters'> {
  paths: string[];
  follow?: boolean;
  /** A device parser's name instead of auto-detection. */
  parser?: string;
  /** Stops following. */
  signal?: AbortSignal;
  /** After each chunk of a file: bytes read so far and the file's size (see followFiles). */
  onProgress?: (path: string, offset: number, size: number) => void;
}

/** A file line with a syslog header (gateways often write syslog to files): priority or BSD date first. */
const SYSLOG_HEADER = /^<\d{1,3}>|^[A-Z][a-z]{2} [ \d]\d \d\d:/;

export async function collectFiles(o: CollectFilesOptions): Promise<{ lines: number; events: number }> {
  const forced = o.parser ? parserByName(o.parser) : undefined;
  if (o.parser && !forced)
    throw new EduError(
      'EDU_ERR_USAGE',
      `--parser "${o.parser}" is unknown (known: ${PARSERS.map((p) => p.name).join(', ')})`,
    );
  const counts = { lines: 0, events: 0 };
  const sink = await openSink({
    ...o,
    extraCounters: () => ({ 'file.lines': counts.lines, 'file.events': counts.events }),
  });
  const attribution = new Attribution();
  try {
    await followFiles(o.paths, {
      follow: !!o.follow,
      stateFile: o.follow ? join(o.dataDir, 'file-positions.json') : undefined,
      signal: o.signal,
      onProgress: o.onProgress,
      onLines: async (batch, path) => {
        const now = Date.now();
        counts.lines += batch.length;
        const evs = batch.map(
          (l) =>
            lineToEvent(l, `file:${path}`, now, {
              organization: o.organization,
              observer: o.observer,
              attribution,
              forced,
              plain: !SYSLOG_HEADER.test(l),
              input: path,
            }) as EcsEvent,
        );
        counts.events += evs.length;
        await sink.push(evs);
      },
    });
  } finally {
    await sink.close();
  }
  return counts;
}
