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
import { TokenFormatError } from "../protocol/tokens.ts";
import { UrlRuleError } from "../protocol/urls.ts";
import { CredentialsError } from "../credentials/types.ts";
import { ApiError } from "./api_error.ts";

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
 * refused URL, an unsendable token, an invalid profile name or a profile
 * beside ALMYTY_TOKEN; 4 for a 401 and for a chosen login that is missing or
 * that a folder may not choose; 1 otherwise.
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
  if (error instanceof CredentialsError) return CREDENTIALS_EXIT[error.code] ?? EXIT.error;
  return EXIT.error;
}

/**
 * Credentials problems that are not plain errors: a name that cannot be a
 * profile, or a profile asked for beside ALMYTY_TOKEN, is a usage error; a
 * chosen login that does not exist, or that a folder may not choose, leaves
 * the command without a login (never another one), as does a file without
 * a token.
 */
const CREDENTIALS_EXIT: Partial<Record<CredentialsError["code"], number>> = {
  // A file with no token is no login (README: 4 for "no token").
  "missing-token": EXIT.auth,
  "invalid-profile-name": EXIT.usage,
  // ALMYTY_TOKEN set to whitespace: a usage error, as an unsendable token is.
  "blank-token": EXIT.usage,
  "profile-conflict": EXIT.usage,
  "profile-not-found": EXIT.auth,
  "directory-untrusted": EXIT.auth,
  "directory-mismatch": EXIT.auth,
};

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
