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
import { SHUTDOWN_DEADLINE_MS, withDeadline } from "../platform/deadline.ts";
import { denoFs } from "../platform/deno_fs.ts";
import { denoLocker } from "../platform/lock.ts";
import { ENV_VARS } from "../permissions.ts";
import type { Context, Output } from "./context.ts";

let rawTerminal = false;

/**
 * Puts the terminal back in its normal mode if a prompt left it otherwise:
 * called on every way out of the process.
 *
 * @example
 * ```ts
 * restoreTerminal(); // a no-op unless a hidden prompt is running
 * ```
 */
export function restoreTerminal(): void {
  if (!rawTerminal) return;
  rawTerminal = false;
  try {
    Deno.stdin.setRaw(false);
  } catch { /* not a terminal any more */ }
}

/**
 * One line from the terminal in cbreak mode (no echo, no line editing by the
 * terminal, but Ctrl-C still raises SIGINT): echoes it when asked, handles
 * backspace, ends at Enter; null at Ctrl-D on an empty line or when `signal`
 * aborts.
 */
async function readTerminalLine(
  prompt: string,
  echo: boolean,
  signal?: AbortSignal,
): Promise<string | null> {
  const encoder = new TextEncoder();
  const show = (text: string) => echo && Deno.stderr.writeSync(encoder.encode(text));
  Deno.stdin.setRaw(true, { cbreak: true });
  rawTerminal = true;
  Deno.stderr.writeSync(encoder.encode(prompt));
  const aborted = new Promise<null>((resolve) => {
    if (signal?.aborted) resolve(null);
    signal?.addEventListener("abort", () => resolve(null), { once: true });
  });
  try {
    let line = "";
    const buffer = new Uint8Array(4096);
    const decoder = new TextDecoder();
    for (;;) {
      const read = await Promise.race([Deno.stdin.read(buffer), aborted]);
      if (read === null) return signal?.aborted || line === "" ? null : line;
      for (const char of decoder.decode(buffer.subarray(0, read), { stream: true })) {
        if (char === "\r" || char === "\n") {
          show("\n");
          if (!echo) Deno.stderr.writeSync(encoder.encode("\n"));
          return line;
        }
        if (char === "\x7f" || char === "\b") {
          if (line) show("\b \b");
          line = line.slice(0, -1);
        } else if (char === "\x04" && line === "") {
          return null;
        } else if (char >= " ") {
          line += char;
          show(char);
        }
      }
    }
  } finally {
    restoreTerminal();
  }
}

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

/**
 * The real context; `signal` aborts on Ctrl-C.
 *
 * @example
 * ```ts
 * const ctx = denoContext(new AbortController().signal);
 * ctx.now() > 0; // true
 * ```
 */
export function denoContext(signal: AbortSignal): Context {
  const env: Record<string, string | undefined> = {};
  for (const name of ENV_VARS) env[name] = Deno.env.get(name);
  return {
    env,
    fs: denoFs,
    fetch: globalThis.fetch,
    serve(handler) {
      const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, handler);
      return {
        port: server.addr.port,
        // A client that never finishes its request must not keep the CLI alive:
        // after the deadline the process goes on (and exits) without waiting.
        shutdown: () => withDeadline(server.shutdown(), SHUTDOWN_DEADLINE_MS),
      };
    },
    stdout: output(Deno.stdout),
    stderr: output(Deno.stderr),
    stdin: {
      isTerminal: Deno.stdin.isTerminal(),
      readText: () => new Response(Deno.stdin.readable).text(),
      readLine: (options) => readTerminalLine(options.prompt, options.echo, options.signal),
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
    // /etc/passwd is outside the permission set; getent asks the system's user database.
    userName: (uid) => {
      try {
        const out = new Deno.Command("getent", {
          args: ["passwd", String(uid)],
          stdout: "piped",
          stderr: "null",
        })
          .outputSync();
        return out.success ? new TextDecoder().decode(out.stdout).split(":")[0] || null : null;
      } catch {
        return null;
      }
    },
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
        const status = child.status.then((s) => s.code, () => 1);
        return Promise.resolve({ started: true, status });
      } catch {
        return Promise.resolve({ started: false }); // not installed, or not permitted
      }
    },
    signal,
    lock: denoLocker,
  };
}
