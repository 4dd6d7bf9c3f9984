/**
 * The real `Context`, from `Deno.*`: the one module the commands' outside
 * world comes from. Only the environment variables the permission set allows
 * are read.
 *
 * @example
 * ```ts
 * import { denoContext } from "./deno_context.ts";
 * const ctx = denoContext(new AbortController().signal);
 * ctx.stdout.write(`${ctx.hostname()}\n`);
 * ```
 * @module
 */
import { denoFs } from "../platform/deno_fs.ts";
import { onFatalSignal } from "../platform/fatal_signals.ts";
import { directLoopbackFetch } from "../platform/http.ts";
import { ENV_VARS, LOGIN_VARS } from "../permissions.ts";
import type { Context, Launched, LaunchSpec, Output } from "./context.ts";
import { visibleWidth, wrapForTerminal } from "./output.ts";
import { CliError, EXIT } from "./errors.ts";
import { fsErrorText } from "../credentials/fix_hints.ts";

// The prompt, the lock, `exec`'s foreground run and the listener's shutdown deadline are
// loaded when first used: a command that needs none of them (whoami, token, status) does not
// pay for them at start-up.
let prompt: typeof import("../platform/prompt.ts") | null = null;
let foreground: typeof import("../platform/foreground.ts") | null = null;

/**
 * Puts the terminal back in its normal mode if a prompt left it otherwise
 * (`platform/prompt.ts`); nothing to do when no prompt ever ran.
 *
 * @example
 * ```ts
 * restoreTerminal(); // a no-op unless a prompt is running
 * ```
 */
export function restoreTerminal(): void {
  prompt?.restoreTerminal();
}

/**
 * True while `exec` runs a program in the foreground (`platform/foreground.ts`).
 *
 * @example
 * ```ts
 * inForeground(); // false
 * ```
 */
export function inForeground(): boolean {
  return foreground?.inForeground() ?? false;
}

/**
 * An output stream. With `wrap` (stderr: messages for people), text on a
 * terminal breaks between words at its width (`wrapForTerminal`: never inside
 * a command or URL) instead of being cut mid-word; a pipe gets it as it is,
 * and so does a line redrawn in place (`\r`, cursor moves).
 */
function output(stream: typeof Deno.stdout | typeof Deno.stderr, wrap = false): Output {
  const encoder = new TextEncoder();
  const isTerminal = stream.isTerminal();
  const size = () => {
    if (!isTerminal) return null;
    try {
      return Deno.consoleSize();
    } catch {
      return null;
    }
  };
  // Whoever read the output has gone (`whoami | head -1`): the rest is
  // dropped, and the command ends as it would have, with its own exit code.
  let closed = false;
  let line = ""; // what is on the terminal's current line, for the next write's wrapping
  return {
    isTerminal,
    write(text) {
      if (closed) return;
      const columns = wrap ? size()?.columns : undefined;
      // deno-lint-ignore no-control-regex -- a redrawn line or a cursor move is drawn as it is
      if (columns && !/\r|\x1b\[[\d;]*[^\d;m]/.test(text)) {
        text = wrapForTerminal(text, columns, { column: visibleWidth(line) });
      }
      line = /[\r\n]/.test(text) ? text.slice(text.search(/[^\r\n]*$/)) : line + text;
      const bytes = encoder.encode(text);
      let written = 0;
      try {
        while (written < bytes.length) written += stream.writeSync(bytes.subarray(written));
      } catch (error) {
        closed = true;
        // A full disk (`almyty-auth env > .envrc`) is a failure to name, not a stack trace; on
        // stderr there is nowhere left to name it.
        if (error instanceof Deno.errors.BrokenPipe || stream === Deno.stderr) return;
        throw new CliError(`Cannot write the output to stdout: ${fsErrorText(error)}.`);
      }
    },
    size,
  };
}

/**
 * Runs `spec` with every `ALMYTY_*` variable removed from its environment:
 * a browser (and all it starts) must not inherit a token. Deno can only set
 * variables, and may read only those the permission set names, so on POSIX
 * a `/bin/sh` prelude unsets them all by prefix and reports, before `exec`,
 * whether the command exists; elsewhere the known ones are set empty (an
 * empty ALMYTY_TOKEN means "unset" to every almyty reader).
 */
function launchWithoutAlmytyEnv({ command, args, raw }: LaunchSpec): Promise<Launched> {
  const blanked = Object.fromEntries(
    ENV_VARS.filter((name) => name.startsWith("ALMYTY_")).map((name) => [name, ""]),
  );
  try {
    if (Deno.build.os === "windows") {
      const child = new Deno.Command(command, {
        args,
        env: blanked,
        stdin: "null",
        stdout: "null",
        stderr: "null",
        windowsRawArguments: raw,
      }).spawn();
      child.unref();
      return Promise.resolve({ started: true, status: child.status.then((s) => s.code, () => 1) });
    }
    const child = new Deno.Command("/bin/sh", {
      args: ["-c", UNSET_ALMYTY_AND_EXEC, "almyty-open", command, ...args],
      env: blanked,
      stdin: "null",
      stdout: "piped",
      stderr: "null",
    }).spawn();
    const status = child.status.then((s) => s.code, () => 1);
    // "x" is written once the command is found, just before it replaces the shell.
    return child.stdout.getReader().read().then(({ value }) => {
      child.stdout.cancel().catch(() => {});
      child.unref();
      return value?.length ? { started: true, status } : { started: false };
    }, () => ({ started: false }));
  } catch {
    return Promise.resolve({ started: false }); // not permitted
  }
}

/**
 * The prelude: unset every ALMYTY_* variable (names only of letters, digits
 * and underscores; `set -f` keeps values from being globbed), check that the
 * command exists, say so on stdout, then exec it with no output of ours.
 */
const UNSET_ALMYTY_AND_EXEC = [
  "set -f",
  "IFS='\n'",
  'for entry in $(env); do name=${entry%%=*}; case $name in ALMYTY_*) case $name in *[!A-Za-z0-9_]*) ;; *) unset "$name" ;; esac ;; esac; done',
  "unset IFS",
  'command -v -- "$1" >/dev/null 2>&1 || exit 127',
  "printf x",
  'exec "$@" >/dev/null 2>&1',
].join("\n");

/**
 * The variables that choose the login and where it goes: one that cannot be
 * read is an error, never "unset" (an unset ALMYTY_TOKEN means the saved
 * login: another account; an unset HOME, no login at all). The others only
 * tune (BROWSER, a timeout, a proxy, TERM): as if unset, so that `token` in a
 * script is not stopped by a variable it does not use.
 */
const ACTED_ON: ReadonlySet<string> = new Set(LOGIN_VARS);

/**
 * The real context; `signal` aborts on Ctrl-C. `interrupt` is what the
 * process does on SIGINT, for a Ctrl-C a prompt reads as a character (raw
 * mode, on Windows). Throws CliError (usage) when a variable it acts on is
 * not UTF-8 (`ACTED_ON`).
 *
 * @example
 * ```ts
 * const ctx = denoContext(new AbortController().signal);
 * ctx.now() > 0; // true
 * ```
 */
export function denoContext(signal: AbortSignal, interrupt?: () => void): Context {
  const env: Record<string, string | undefined> = {};
  for (const name of ENV_VARS) {
    try {
      env[name] = Deno.env.get(name);
    } catch (error) {
      if (!(error instanceof Deno.errors.InvalidData)) throw error;
      // Deno cannot read a value that is not UTF-8, and its error quotes it (it may be a key).
      if (ACTED_ON.has(name)) {
        throw new CliError(
          `${name} is not valid UTF-8 text, so almyty-auth cannot use it; nothing was read or ` +
            "sent. Set it to UTF-8 text, or unset it.",
          EXIT.usage,
        );
      }
      // One that only tunes (TERM, BROWSER, a proxy, an agent's marker): as if unset.
    }
  }
  return {
    env,
    fs: denoFs,
    // Loopback requests never go through a proxy (platform/http.ts).
    fetch: directLoopbackFetch(),
    serve(handler) {
      const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, handler);
      return {
        port: server.addr.port,
        // A client that never finishes its request must not keep the CLI alive:
        // after the deadline the process goes on (and exits) without waiting.
        shutdown: async () => {
          const { SHUTDOWN_DEADLINE_MS, withDeadline } = await import("../platform/deadline.ts");
          await withDeadline(server.shutdown(), SHUTDOWN_DEADLINE_MS);
        },
      };
    },
    stdout: output(Deno.stdout),
    stderr: output(Deno.stderr, true),
    stdin: {
      isTerminal: Deno.stdin.isTerminal(),
      readText: async (maxBytes) => {
        const decoder = new TextDecoder();
        let text = "";
        let size = 0;
        for await (const chunk of Deno.stdin.readable) {
          size += chunk.length;
          if (size > maxBytes) return null;
          text += decoder.decode(chunk, { stream: true });
        }
        return text + decoder.decode();
      },
      readLine: async (options) => {
        prompt ??= await import("../platform/prompt.ts");
        return await prompt.promptLine(prompt.denoTerminal, { ...options, interrupt });
      },
    },
    now: Date.now,
    sleep: (ms, abort) =>
      new Promise((resolve, reject) => {
        if (abort?.aborted) return reject(abort.reason);
        const timer = setTimeout(resolve, ms);
        abort?.addEventListener("abort", () => {
          clearTimeout(timer);
          reject(abort.reason);
        }, { once: true });
      }),
    every(ms, fn) {
      const timer = setInterval(fn, ms);
      return () => clearInterval(timer);
    },
    hostname: () => Deno.hostname(),
    // /etc/passwd is outside the permission set: ask the system's user database, with getent
    // (Linux) or id (macOS has no getent).
    userName: (uid) => {
      const asks: [string, string[], (out: string) => string][] = [
        ["getent", ["passwd", String(uid)], (out) => out.split(":")[0]],
        ["id", ["-nu", String(uid)], (out) => out.trim()],
      ];
      for (const [command, args, nameIn] of asks) {
        try {
          const out = new Deno.Command(command, { args, stdout: "piped", stderr: "null" })
            .outputSync();
          const name = out.success ? nameIn(new TextDecoder().decode(out.stdout)) : "";
          if (name) return name;
        } catch { /* not installed here */ }
      }
      return null;
    },
    osRelease: () => Deno.osRelease(),
    launch: launchWithoutAlmytyEnv,
    signal,
    onFatalSignal,
    lock: async (path, options) =>
      await (await import("../platform/lock.ts")).denoLocker(path, options),
    runForeground: async (spec) => {
      foreground ??= await import("../platform/foreground.ts");
      return await foreground.runForeground(spec);
    },
  };
}
