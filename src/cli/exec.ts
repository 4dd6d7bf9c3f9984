/**
 * `almyty-auth exec [--profile <name>] -- <program> [args…]`: runs a program
 * (no shell) with the login's ALMYTY_TOKEN, ALMYTY_URL, ALMYTY_FRONTEND_URL
 * and ALMYTY_PROFILE replacing inherited ones, so any almyty CLI, unchanged,
 * uses that login. Exits with the program's code (128+n for signal n, 127
 * not found, 126 not executable).
 *
 * @example
 * ```sh
 * almyty-auth exec --profile staging -- almyty agents list
 * ```
 * @module
 */
import type { CommandInput } from "../runtime/command.ts";
import type { Context } from "../runtime/context.ts";
import { CliError, EXIT } from "../runtime/errors.ts";
import { line } from "../runtime/output.ts";
import { stripControl } from "../protocol/text.ts";
import { handoff } from "./handoff.ts";

/** Exit codes of a program that could not be started, as shells use them. */
const NOT_FOUND = 127;
const NOT_EXECUTABLE = 126;

/**
 * Runs the command.
 *
 * @example
 * ```ts
 * import { denoContext } from "../runtime/deno_context.ts";
 * const ctx = { ...denoContext(new AbortController().signal), env: { ALMYTY_TOKEN: "almyty_example" } };
 * await run(ctx, { flags: {}, positionals: ["true"] }); // 0
 * ```
 */
export async function run(ctx: Context, { flags, positionals }: CommandInput): Promise<number> {
  const [command, ...args] = positionals;
  if (!command) {
    const profile = flags.profile === undefined
      ? "[--profile <name>]"
      : `--profile ${stripControl(String(flags.profile))}`;
    throw new CliError(
      `exec needs a program to run: almyty-auth exec ${profile} -- <program> [args…]\n` +
        "Run `almyty-auth help exec` for usage.",
      EXIT.usage,
    );
  }
  const { vars } = handoff(ctx, flags.profile as string | undefined);
  const result = await ctx.runForeground({ command, args, env: vars });
  if ("code" in result) return result.code;
  line(ctx.stderr, `almyty-auth exec: ${stripControl(command)}: ${result.message}`);
  return result.failed === "not-found" ? NOT_FOUND : NOT_EXECUTABLE;
}
