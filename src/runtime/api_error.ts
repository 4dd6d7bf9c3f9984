/**
 * Errors of the HTTP client, each naming the URL and what came back.
 *
 * @example
 * ```ts
 * import { ApiError } from "./api_error.ts";
 * const e = new ApiError("auth", "https://api.almyty.com/auth/profile", "Invalid API key", 401);
 * e.kind; // "auth"
 * ```
 * @module
 */

/**
 * - `auth`: the server answered 401.
 * - `http`: any other error status, with almyty's error code when it sent one.
 * - `network`: no answer (refused, DNS, TLS).
 * - `timeout`: no answer in time.
 * - `bad-response`: an answer that is not almyty's JSON (a proxy's HTML page,
 *   garbage, a body over the cap, a redirect to another origin).
 */
export type ApiErrorKind = "auth" | "http" | "network" | "timeout" | "bad-response";

/**
 * A failed request to almyty's API.
 *
 * @example
 * ```ts
 * new ApiError("timeout", "https://api.almyty.com/auth/profile", "did not answer").kind; // "timeout"
 * ```
 */
export class ApiError extends Error {
  override name = "ApiError";
  /** Builds the error; `message` is safe to print (no token, no control characters). */
  constructor(
    readonly kind: ApiErrorKind,
    readonly url: string,
    message: string,
    readonly status?: number,
    /** almyty's error code, or the OAuth `error`. */
    readonly code?: string,
    /** Seconds the server asked to wait (Retry-After), when it said. */
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}

/**
 * True for failures worth retrying: no answer, a timeout, 429 and 5xx.
 *
 * @example
 * ```ts
 * isTransient(new ApiError("http", "https://api.almyty.com/auth/cli/token", "down", 503)); // true
 * isTransient(new ApiError("http", "https://api.almyty.com/auth/profile", "gone", 404)); // false
 * ```
 */
export function isTransient(error: ApiError): boolean {
  return error.kind === "network" || error.kind === "timeout" ||
    error.status === 429 || (error.status !== undefined && error.status >= 500);
}
