/**
 * almyty-auth's entry: argv → command; errors → messages and exit codes, in
 * one place. The only module that touches `Deno.*` for the commands.
 *
 * @example
 * ```sh
 * deno task cli whoami --json
 * ```
 * @module
 */
import { ApiError } from "./src/api/errors.ts";
import { TokenFormatError } from "./src/api/target.ts";
import { COMMANDS } from "./src/cli/commands.ts";
import { CliError, type Context, EXIT, type Output } from "./src/cli/context.ts";
import { commandHelp, mainHelp } from "./src/cli/help.ts";
import { parseCommandLine } from "./src/cli/parse.ts";
import { CredentialsError } from "./src/credentials/types.ts";
import { ENV_VARS } from "./src/permissions.ts";
import { denoFs } from "./src/platform/deno_fs.ts";
import { UrlRuleError } from "./src/protocol/urls.ts";
import { VERSION } from "./src/version.ts";

function output(stream: typeof Deno.stdout | typeof Deno.stderr): Output {
  const encoder = new TextEncoder();
  return {
    isTerminal: stream.isTerminal(),
    write(text) {
      const bytes = encoder.encode(text);
      let written = 0;
      while (written < bytes.length) written += stream.writeSync(bytes.subarray(written));
    },
  };
}

function realContext(signal: AbortSignal): Context {
  const env: Record<string, string | undefined> = {};
  for (const name of ENV_VARS) env[name] = Deno.env.get(name);
  return {
    env,
    fs: denoFs,
    fetch: globalThis.fetch,
    stdout: output(Deno.stdout),
    stderr: output(Deno.stderr),
    stdin: {
      isTerminal: Deno.stdin.isTerminal(),
      readText: () => new Response(Deno.stdin.readable).text(),
    },
    now: Date.now,
    sleep: (ms, abort) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(resolve, ms);
        abort?.addEventListener("abort", () => {
          clearTimeout(timer);
          reject(abort.reason);
        }, { once: true });
      }),
    hostname: () => Deno.hostname(),
    osRelease: () => Deno.osRelease(),
    launch: ({ command, args, raw }) => {
      try {
        const child = new Deno.Command(command, {
          args,
          stdin: "null",
          stdout: "null",
          stderr: "null",
          windowsRawArguments: raw,
        }).spawn();
        child.unref();
        child.status.catch(() => {});
        return Promise.resolve(true);
      } catch {
        return Promise.resolve(false); // not installed, or not permitted
      }
    },
    signal,
  };
}

/** Maps any error to a message and an exit code. */
function report(error: unknown, ctx: Context): number {
  const say = (message: string) => ctx.stderr.write(message.replace(/\n?$/, "\n"));
  if (error instanceof CliError) {
    say(error.message);
    return error.exitCode;
  }
  if (ctx.signal.aborted || (error as Error)?.name === "AbortError") {
    say("Interrupted.");
    return EXIT.interrupted;
  }
  if (error instanceof UrlRuleError || error instanceof TokenFormatError) {
    say(error.message);
    return EXIT.usage;
  }
  if (error instanceof CredentialsError || error instanceof ApiError) {
    say(error.message);
    return error instanceof ApiError && error.kind === "auth" ? EXIT.auth : EXIT.error;
  }
  if (error instanceof Deno.errors.NotCapable) {
    say(`Not permitted: ${(error as Error).message}`);
    return EXIT.error;
  }
  say(`Unexpected error: ${(error as Error)?.stack ?? error}`);
  return EXIT.error;
}

async function main(argv: string[]): Promise<number> {
  const interrupt = new AbortController();
  const onInterrupt = () => {
    if (interrupt.signal.aborted) Deno.exit(EXIT.interrupted); // a second Ctrl-C
    interrupt.abort(new DOMException("Interrupted", "AbortError"));
  };
  Deno.addSignalListener("SIGINT", onInterrupt);
  const ctx = realContext(interrupt.signal);
  try {
    const parsed = parseCommandLine(argv);
    if (parsed.kind === "version") {
      ctx.stdout.write(`almyty-auth ${VERSION}\n`);
      return EXIT.ok;
    }
    if (parsed.kind === "help") {
      ctx.stdout.write((parsed.command ? commandHelp(parsed.command) : mainHelp()) + "\n");
      return EXIT.ok;
    }
    const command = await COMMANDS[parsed.command].load();
    return await command.run(ctx, parsed.input);
  } catch (error) {
    return report(error, ctx);
  } finally {
    Deno.removeSignalListener("SIGINT", onInterrupt);
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
