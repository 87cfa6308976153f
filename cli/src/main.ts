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

export function buildProgram(): Command {
  const program = addGlobalOptions(
    new Command('edusentry')
      .description('EduSentry: network-security monitoring for education networks')
      .version('0.1.0')
      .showHelpAfterError('(add --help for usage)')
      .exitOverride(),
  );
  const dir = join(__dirname, 'commands');
  for (const file of readdirSync(dir)
    .filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts'))
    .sort()) {
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
  buildProgram()
    .parseAsync(process.argv)
    .catch((err) => {
      process.exitCode = reportError(err);
    });
}
