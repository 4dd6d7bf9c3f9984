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
import { directLoopbackFetch } from "../platform/http.ts";
import { denoLocker } from "../platform/lock.ts";
import { runForeground } from "../platform/foreground.ts";
import { ENV_VARS } from "../permissions.ts";
import { denoTerminal, promptLine } from "../platform/prompt.ts";
import type { Context, Output } from "./context.ts";

export { restoreTerminal } from "../platform/prompt.ts";
export { inForeground } from "../platform/foreground.ts";

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
 * The real context; `signal` aborts on Ctrl-C. `interrupt` is what the
 * process does on SIGINT, for a Ctrl-C a prompt reads as a character (raw
 * mode, on Windows).
 *
 * @example
 * ```ts
 * const ctx = denoContext(new AbortController().signal);
 * ctx.now() > 0; // true
 * ```
 */
export function denoContext(signal: AbortSignal, interrupt?: () => void): Context {
  const env: Record<string, string | undefined> = {};
  for (const name of ENV_VARS) env[name] = Deno.env.get(name);
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
        shutdown: () => withDeadline(server.shutdown(), SHUTDOWN_DEADLINE_MS),
      };
    },
    stdout: output(Deno.stdout),
    stderr: output(Deno.stderr),
    stdin: {
      isTerminal: Deno.stdin.isTerminal(),
      readText: () => new Response(Deno.stdin.readable).text(),
      readLine: (options) => promptLine(denoTerminal, { ...options, interrupt }),
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
    runForeground,
  };
}
