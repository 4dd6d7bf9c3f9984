/**
 * `almyty-auth exec [--profile <name>] -- <program> [args…]`: runs a program
 * (no shell) with the login's ALMYTY_TOKEN, ALMYTY_URL, ALMYTY_FRONTEND_URL
 * and ALMYTY_PROFILE replacing inherited ones, so any almyty CLI, unchanged,
 * uses that login. Exits with the program's code (128+n for signal n, 127
 * not found, 126 not executable or its interpreter missing, as shells do).
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
import { isKeyOrToken, quoteTyped } from "../protocol/tokens.ts";
import { checkProfileName } from "../credentials/profiles.ts";
import { shellWord } from "../credentials/fix_hints.ts";
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
    // A valid name only is repeated in the hint (a key typed as the name is said to be one).
    const profile = flags.profile === undefined
      ? "[--profile <name>]"
      : `--profile ${checkProfileName(String(flags.profile), "--profile")}`;
    throw new CliError(
      `exec needs a program to run: almyty-auth exec ${profile} -- <program> [args…]\n` +
        "Run `almyty-auth help exec` for usage.",
      EXIT.usage,
    );
  }
  const { vars } = handoff(ctx, flags.profile as string | undefined);
  const result = await ctx.runForeground({ command, args, env: vars });
  if ("code" in result) return result.code;
  const unstartable = result.failed === "not-found" ? missingInterpreter(ctx, command) : null;
  // A key typed where the program goes (`exec -- $KEY`) is named as one, never shown.
  const program = isKeyOrToken(command) ? quoteTyped(command) : stripControl(command);
  line(ctx.stderr, `almyty-auth exec: ${program}: ${unstartable ?? result.message}`);
  return result.failed === "not-found" && !unstartable ? NOT_FOUND : NOT_EXECUTABLE;
}

/**
 * Why a program file that exists was "not found" by the system: what its
 * first line (`#!`) names is missing, often because the line ends in a
 * Windows line break; or, for a binary, its loader (built for another
 * system). Null when `command` is no file (it was not found: 127).
 */
function missingInterpreter(ctx: Context, command: string): string | null {
  if (!/[\\/]/.test(command) || !ctx.fs.stat(command)?.isFile) return null;
  let first: string | null = null;
  try {
    first = ctx.fs.readFile(command)?.text.split("\n", 1)[0] ?? null;
  } catch { /* too large (a binary) or not readable as a file (a link): not looked at */ }
  if (first === null) {
    return "the file exists, but the system cannot start it: the interpreter its #! line names, " +
      "or the loader a program built for another system needs, is missing.";
  }
  if (!first.startsWith("#!")) {
    return "the file exists, but the system cannot start it: the loader or libraries it needs " +
      "are missing; is it built for another system?";
  }
  const interpreter = stripControl(first.slice(2).trim());
  return first.endsWith("\r")
    ? `its first line (#!${interpreter}) ends in a Windows line break (\\r), so the system looks ` +
      `for an interpreter named "${interpreter}\\r", which does not exist. Convert its line ` +
      `endings (dos2unix ${shellWord(stripControl(command))}) and run it again.`
    : `the interpreter its first line names (${interpreter}) does not exist: install it or fix ` +
      "that line.";
}
