/**
 * The interface every command file implements. `main.ts` loads each file in
 * commands/ and calls `register`, so adding a command is adding a file.
 */
import { Command } from 'commander';
import { addGlobalOptions, createContext, type Context, type GlobalOptions } from './context';

export interface CommandModule {
  register(program: Command): void;
}

/** The parent command `name` (e.g. "collect"), created on first use. */
export function parent(program: Command, name: string, description: string): Command {
  const found = program.commands.find((c) => c.name() === name);
  if (found) return found;
  return addGlobalOptions(program.command(name).description(description));
}

/** A leaf command with the common options; `run` gets its context and its own options. */
export function leaf<O>(
  parentCmd: Command,
  spec: string,
  description: string,
  run: (ctx: Context, args: string[], opts: O, cmd: Command) => Promise<number | void>,
): Command {
  const cmd = addGlobalOptions(parentCmd.command(spec).description(description));
  cmd.action(async (...received: unknown[]) => {
    const self = received[received.length - 1] as Command;
    const args = (received.slice(0, -2) as (string | string[])[]).flat();
    const opts = self.optsWithGlobals() as O & GlobalOptions;
    const ctx = createContext(opts);
    try {
      const code = await run(ctx, args, opts, self);
      process.exitCode = code ?? 0;
    } finally {
      await ctx.close();
    }
  });
  return cmd;
}
