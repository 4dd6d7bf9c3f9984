/**
 * The credentials file's shape and the error every library function throws.
 *
 * @example
 * ```ts
 * import type { Credentials } from "./types.ts";
 * const c: Credentials = { url: "https://api.almyty.com", token: "ak_live_…" };
 * ```
 * @module
 */

/** The contents of `~/.almyty/credentials.json`. Unknown fields are kept. */
export interface Credentials {
  /** API base URL the token belongs to. */
  url: string;
  /** The API key. */
  token: string;
  email?: string;
  frontendUrl?: string;
  /** Server id of the key, used by `logout` to revoke it. */
  keyId?: string;
  organization?: { id?: string; name: string; slug?: string };
  createdAt?: string;
  [field: string]: unknown;
}

/** Where a resolved value came from. */
export type Source = "env" | "file" | "default";

/** Why the credentials file could not be used. */
export type CredentialsErrorCode =
  | "malformed"
  | "missing-token"
  | "invalid-field"
  | "not-a-file"
  | "unreadable"
  | "symlink"
  | "write-failed";

/** A problem with the credentials file; the message names the path and the fix. */
export class CredentialsError extends Error {
  override name = "CredentialsError";
  constructor(
    readonly code: CredentialsErrorCode,
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

/** Options shared by the library's functions; all default to the real process. */
export interface CredentialsOptions {
  /** Environment lookup; defaults to `process.env`. */
  env?: Record<string, string | undefined>;
  /** Home directory; defaults to HOME (USERPROFILE on Windows). */
  home?: string;
  /** Receives warnings such as a group-readable file; defaults to `console.warn`. */
  onWarning?: (message: string) => void;
}
