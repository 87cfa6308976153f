#!/usr/bin/env node
/**
 * The `edusentry` CLI. Errors print one line — what, where, what to do — and exit
 * non-zero; a stack trace only with EDUSENTRY_DEBUG=1.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { isEduError } from '@edusentry/core';
import { Command, CommanderError } from 'commander';
import type { CommandModule } from './command';
import { addGlobalOptions } from './context';

/**
 * Command files name their command ("collect-pcap.ts" registers `collect pcap`), so a
 * run loads only the files of the command it names: the others import heavy packages
 * (analyzer, console server) that a `collect pcap` run would pay for at start-up.
 * Without a command word (`--help`, options first) or with an unknown one, all load.
 */
export function commandFiles(files: string[], argv: string[] = []): string[] {
  const words: string[] = [];
  for (const a of argv) {
    if (a.startsWith('-') || words.length === 2) break;
    words.push(a);
  }
  const matches = files.filter((f) => {
    const parts = f.replace(/\.(ts|js)$/, '').split('-');
    return words.every((w, i) => i >= parts.length || parts[i] === w);
  });
  return matches.length ? matches : files;
}

/** The program; `argv` (the words after the executable and script) limits which command files load. */
export function buildProgram(argv?: string[]): Command {
  const program = addGlobalOptions(
    new Command('edusentry')
      .description('EduSentry: network-security monitoring for education networks')
      .version('0.1.0')
      .showHelpAfterError('(add --help for usage)')
      .exitOverride(),
  );
  const dir = join(__dirname, 'commands');
  const files = readdirSync(dir)
    .filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts'))
    .sort();
  for (const file of commandFiles(files, argv)) {
    (require(join(dir, file)) as CommandModule).register(program);
  }
  return program;
}

export function reportError(err: unknown): number {
  if (err instanceof CommanderError) return err.exitCode;
  const msg = isEduError(err) ? `${err.message} [${err.code}]` : err instanceof Error ? err.message : String(err);
  process.stderr.write(`edusentry: error: ${msg}\n`);
  if (process.env.EDUSENTRY_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
  return 1;
}

if (require.main === module) {
  buildProgram(process.argv.slice(2))
    .parseAsync(process.argv)
    .catch((err) => {
      process.exitCode = reportError(err);
    });
}
