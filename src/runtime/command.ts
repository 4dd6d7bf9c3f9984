/**
 * What a command is and what it receives: the shape every module in
 * `src/cli/` exports, so the command table and the commands need not
 * import each other.
 *
 * @example
 * ```ts
 * import type { Command } from "./command.ts";
 * const hello: Command = { run: (ctx) => (ctx.stdout.write("hi\n"), Promise.resolve(0)) };
 * ```
 * @module
 */
import type { Context } from "./context.ts";

/** Parsed flags and positionals. */
export interface CommandInput {
  flags: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/** A command module. */
export interface Command {
  run(ctx: Context, input: CommandInput): Promise<number>;
}
