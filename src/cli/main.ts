/**
 * The CLI as a function of a context and argv: parse, run the command, and
 * turn any error into its message and exit code. The real process
 * (`main.ts`) and the in-process tests both go through here.
 *
 * @example
 * ```ts
 * import { runCli } from "./main.ts";
 * import { denoContext } from "../runtime/deno_context.ts";
 * const code = await runCli(denoContext(new AbortController().signal), ["--version"]);
 * ```
 * @module
 */
import type { Context } from "../runtime/context.ts";
import { EXIT, exitCodeFor, messageFor } from "../runtime/errors.ts";
import { loadCommand } from "./commands.ts";
import { parseCommandLine } from "./parse.ts";
import { terminalText } from "../protocol/text.ts";

/**
 * Runs `argv` in `ctx` and returns the exit code; errors go to stderr.
 *
 * @example
 * ```ts
 * import { denoContext } from "../runtime/deno_context.ts";
 * const ctx = { ...denoContext(new AbortController().signal), env: { HOME: Deno.makeTempDirSync() } };
 * await runCli(ctx, ["--version"]); // 0
 * ```
 */
export async function runCli(ctx: Context, argv: string[]): Promise<number> {
  try {
    const parsed = parseCommandLine(argv);
    if (parsed.kind === "version") {
      // Loaded only here: the version comes from deno.json, a module no command needs.
      const { VERSION } = await import("../version.ts");
      ctx.stdout.write(`almyty-auth ${VERSION}\n`);
      return EXIT.ok;
    }
    if (parsed.kind === "help") {
      // Loaded only for help: no other command's start-up pays for the help pages.
      const { commandHelp, mainHelp } = await import("./help.ts");
      ctx.stdout.write((parsed.command ? commandHelp(parsed.command) : mainHelp()) + "\n");
      return EXIT.ok;
    }
    const command = await loadCommand(parsed.command);
    return await command.run(ctx, parsed.input);
  } catch (error) {
    // Messages quote servers and pasted text: whatever got through, no escape reaches the terminal.
    ctx.stderr.write(terminalText(messageFor(error, ctx.signal.aborted)).replace(/\n?$/, "\n"));
    return exitCodeFor(error, ctx.signal.aborted);
  }
}
