/**
 * Everything a command and the login engine touch of the outside world,
 * passed in so that tests need no globals: environment, files, HTTP out and
 * in (a loopback server), the terminal, the clock, launching a program,
 * locks between processes, and Ctrl-C. `deno_context.ts` builds the real one from `Deno.*`; tests build
 * their own.
 *
 * @example
 * ```ts
 * import type { Context } from "./context.ts";
 * const greet = (ctx: Context) => ctx.stdout.write(`it is ${new Date(ctx.now())}\n`);
 * ```
 * @module
 */
import type { CredentialsFs } from "../credentials/fs.ts";
import type { CredentialsIo } from "../credentials/types.ts";
import type { Locker } from "../platform/lock.ts";
import type { ForegroundResult, ForegroundSpec } from "../platform/foreground.ts";

/** An output stream. */
export interface Output {
  /** Writes; a closed pipe (`almyty-auth whoami | head -1`) swallows the rest quietly. */
  write(text: string): void;
  readonly isTerminal: boolean;
  /** The terminal's size, when this is a terminal that says. */
  size?(): { columns: number; rows: number } | null;
}

/** The input stream. */
export interface Input {
  readonly isTerminal: boolean;
  /**
   * All of stdin (a pipe or a file), or null when it holds more than
   * `maxBytes` (what was read is dropped: `< /dev/zero` ends too). Throws
   * what reading it throws (stdin a folder: EISDIR).
   */
  readText(maxBytes: number): Promise<string | null>;
  /**
   * On a terminal: writes `prompt` (to stderr, once the terminal no longer
   * echoes, so nothing typed early is shown), then reads one line, shown as
   * it is typed only when `echo`; null at end of input or when `signal`
   * aborts. The terminal is restored on every path; Ctrl-C interrupts (an
   * AbortError), and a hidden prompt where echo cannot be turned off throws
   * `TerminalModeError` (see `src/platform/prompt.ts`).
   */
  readLine(
    options: { prompt: string; echo: boolean; signal?: AbortSignal },
  ): Promise<string | null>;
}

/** How a program is launched to open a URL. */
export interface LaunchSpec {
  command: string;
  args: string[];
  /** Windows: pass `args` to the process unescaped (for `cmd /d /c start "" "<url>"`). */
  raw?: boolean;
}

/** A launched program; `status` settles with its exit code. */
export type Launched = { started: false } | { started: true; status: Promise<number> };

/** A request handler. */
export type HttpHandler = (request: Request) => Response | Promise<Response>;

/** A server listening on 127.0.0.1. */
export interface LoopbackServer {
  readonly port: number;
  /** Stops listening; open connections are closed. */
  shutdown(): Promise<void>;
}

/** The outside world. */
export interface Context {
  /** Environment variables (only those the CLI is allowed to read). */
  env: Readonly<Record<string, string | undefined>>;
  /** File operations for the credentials library. */
  fs: CredentialsFs;
  fetch: typeof fetch;
  /** Serves `handler` on 127.0.0.1, on a free port. */
  serve(handler: HttpHandler): LoopbackServer;
  stdout: Output;
  stderr: Output;
  stdin: Input;
  /** Epoch milliseconds. */
  now(): number;
  /** Waits `ms`, or rejects with `signal`'s reason when it aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Calls `fn` every `ms` until the returned function is called. */
  every(ms: number, fn: () => void): () => void;
  hostname(): string;
  /** The name of the user with this uid, or null when it cannot be found. */
  userName(uid: number): string | null;
  /** Kernel release (used to recognise WSL). */
  osRelease(): string;
  /** Starts a program without waiting for it (`status` tells how it ended). */
  launch(spec: LaunchSpec): Promise<Launched>;
  /** Aborted on Ctrl-C. */
  signal: AbortSignal;
  /**
   * Runs `cleanup` should SIGTERM, SIGHUP or SIGQUIT end the process before
   * the returned function is called (`platform/fatal_signals.ts`).
   */
  onFatalSignal(cleanup: () => void): () => void;
  /** Takes a lock between processes that the kernel releases if we die (`platform/lock.ts`). */
  lock: Locker;
  /** Runs a program on our terminal until it ends, signals passed on (`platform/foreground.ts`). */
  runForeground(spec: ForegroundSpec): Promise<ForegroundResult>;
}

/**
 * What the credentials library needs from the context.
 *
 * @example
 * ```ts
 * import { denoContext } from "./deno_context.ts";
 * import { readCredentialsWith } from "../credentials/read.ts";
 * const ctx = { ...denoContext(new AbortController().signal), env: { HOME: Deno.makeTempDirSync() } };
 * readCredentialsWith(credentialsIo(ctx, (warning) => ctx.stderr.write(`${warning}\n`))); // null: no login
 * ```
 */
export function credentialsIo(ctx: Context, onWarning?: (message: string) => void): CredentialsIo {
  // The library finds HOME (USERPROFILE on Windows) in env itself.
  return { fs: ctx.fs, env: ctx.env, onWarning };
}

/**
 * True when colour is allowed on this stream.
 *
 * @example
 * ```ts
 * import { denoContext } from "./deno_context.ts";
 * const ctx = { ...denoContext(new AbortController().signal), env: { NO_COLOR: "1" } };
 * useColor(ctx, ctx.stderr); // false
 * ```
 */
export function useColor(ctx: Context, out: Output): boolean {
  return out.isTerminal && !ctx.env.NO_COLOR && ctx.env.TERM !== "dumb";
}
