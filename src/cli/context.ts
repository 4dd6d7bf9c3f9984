/**
 * Everything a command touches of the outside world, passed in so that tests
 * need no globals. `main.ts` builds the real one from `Deno.*`.
 *
 * @example
 * ```ts
 * import { CliError, EXIT } from "./context.ts";
 * throw new CliError("Not authenticated", EXIT.auth);
 * ```
 * @module
 */

import type { CredentialsFs } from "../credentials/fs.ts";
import type { CredentialsIo } from "../credentials/types.ts";

/** Exit codes, as documented in README. */
export const EXIT = { ok: 0, error: 1, usage: 2, auth: 4, interrupted: 130 } as const;

/** A failure with a message for the user and an exit code. */
export class CliError extends Error {
  override name = "CliError";
  constructor(message: string, readonly exitCode: number = EXIT.error) {
    super(message);
  }
}

/** An output stream. */
export interface Output {
  write(text: string): void;
  readonly isTerminal: boolean;
}

/** How a program is launched to open a URL. */
export interface LaunchSpec {
  command: string;
  args: string[];
  /** Windows: pass `args` to the process unescaped (for `cmd /c start "" "<url>"`). */
  raw?: boolean;
}

/** The outside world. */
export interface Context {
  /** Environment variables (only those the CLI is allowed to read). */
  env: Readonly<Record<string, string | undefined>>;
  /** File operations for the credentials library. */
  fs: CredentialsFs;
  fetch: typeof fetch;
  stdout: Output;
  stderr: Output;
  stdin: { readonly isTerminal: boolean; readText(): Promise<string> };
  now(): number;
  /** Waits `ms`, or rejects when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  hostname(): string;
  /** Kernel release (used to recognise WSL). */
  osRelease(): string;
  /** Starts a program without waiting for it; false when it could not be started. */
  launch(spec: LaunchSpec): Promise<boolean>;
  /** Aborted on Ctrl-C. */
  signal: AbortSignal;
}

/** What the credentials library needs from the context. */
export function credentialsIo(ctx: Context, onWarning?: (message: string) => void): CredentialsIo {
  // The library finds HOME (USERPROFILE on Windows) in env itself.
  return { fs: ctx.fs, env: ctx.env, onWarning };
}

/** True when colour is allowed on this stream. */
export function useColor(ctx: Context, out: Output): boolean {
  return out.isTerminal && !ctx.env.NO_COLOR && ctx.env.TERM !== "dumb";
}
