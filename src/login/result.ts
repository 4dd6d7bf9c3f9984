/**
 * What a successful login learned, whichever flow ran.
 *
 * @example
 * ```ts
 * import type { LoginResult } from "./result.ts";
 * const result: LoginResult = { token: "almyty_…", email: "alice@example.com", keyOrigin: "minted" };
 * ```
 * @module
 */
import type { Organization } from "../protocol/types.ts";

/** The outcome of a login, before it is saved. */
export interface LoginResult {
  token: string;
  email: string;
  keyId?: string;
  organization?: Organization | null;
  /** `minted` by this login (logout revokes it) or `supplied` by the user (never revoked). */
  keyOrigin: "minted" | "supplied";
  /** When the key expires (ISO 8601), when the server said. */
  expiresAt?: string;
}

/**
 * Saves a result (the command decides how). The engine calls it once, only
 * while the login is still running, and answers the browser after it.
 * `ended` aborts when the login is over meanwhile (its deadline passed while
 * the save waited for the lock): the save must then write nothing.
 */
export type Commit = (result: LoginResult, ended?: AbortSignal) => Promise<void>;
