/**
 * Exit codes, the error every command throws for the user, and the one
 * mapping from any error to a message and an exit code.
 *
 * @example
 * ```ts
 * import { CliError, EXIT, exitCodeFor } from "./errors.ts";
 * exitCodeFor(new CliError("Not authenticated", EXIT.auth), false); // 4
 * ```
 * @module
 */
import { UrlRuleError } from "../protocol/urls.ts";
import { CredentialsError } from "../credentials/types.ts";
import { ApiError } from "./api_error.ts";
import { TokenFormatError } from "./target.ts";

/** Exit codes, as documented in README. */
export const EXIT = {
  ok: 0,
  error: 1,
  usage: 2,
  auth: 4,
  /** A two-step login (`login --continue`) is still waiting for approval. */
  pending: 8,
  interrupted: 130,
} as const;

/**
 * A failure with a message for the user and an exit code.
 *
 * @example
 * ```ts
 * new CliError("Not authenticated", EXIT.auth).exitCode; // 4
 * ```
 */
export class CliError extends Error {
  override name = "CliError";
  /** Builds the error; `message` names the problem and the fix. */
  constructor(message: string, readonly exitCode: number = EXIT.error) {
    super(message);
  }
}

/**
 * The exit code for an error: CliError's own; 130 when interrupted; 2 for a
 * refused URL or an unsendable token; 4 for a 401; 1 otherwise.
 *
 * @example
 * ```ts
 * exitCodeFor(new Error("boom"), false); // 1
 * exitCodeFor(new Error("boom"), true); // 130
 * ```
 */
export function exitCodeFor(error: unknown, interrupted: boolean): number {
  if (error instanceof CliError) return error.exitCode;
  if (interrupted || (error as Error)?.name === "AbortError") return EXIT.interrupted;
  if (error instanceof UrlRuleError || error instanceof TokenFormatError) return EXIT.usage;
  if (error instanceof ApiError && error.kind === "auth") return EXIT.auth;
  return EXIT.error;
}

/**
 * The message for an error: ours as they are; anything unexpected with its stack.
 *
 * @example
 * ```ts
 * messageFor(new CliError("Not authenticated"), false); // "Not authenticated"
 * ```
 */
export function messageFor(error: unknown, interrupted: boolean): string {
  if (error instanceof CliError) return error.message;
  if (interrupted || (error as Error)?.name === "AbortError") return "Interrupted.";
  if (
    error instanceof UrlRuleError || error instanceof TokenFormatError ||
    error instanceof CredentialsError || error instanceof ApiError
  ) return error.message;
  if ((error as Error)?.name === "NotCapable") return `Not permitted: ${(error as Error).message}`;
  return `Unexpected error: ${(error as Error)?.stack ?? error}`;
}
