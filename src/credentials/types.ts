/**
 * The credentials file's shape and the error every library function throws.
 *
 * @example
 * ```ts
 * import type { Credentials } from "./types.ts";
 * const c: Credentials = { url: "https://api.almyty.com", token: "almyty_…" };
 * ```
 * @module
 */
import type { CredentialsFs } from "./fs.ts";

/** The name that means the default login (`credentials.json`). */
export const DEFAULT_PROFILE = "default";

const NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;
/** Names Windows reserves for devices in every folder (`nul.json` is the null device). */
const WINDOWS_DEVICES = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/;

/**
 * True when `name` is a valid profile name, as `checkProfileName` accepts: 1
 * to 63 lowercase letters, digits, "-" or "_", starting with a letter or a
 * digit, and no Windows device name. Here, beside `DEFAULT_PROFILE`, so the
 * argument parser, which every command loads, reads no credentials module.
 *
 * @example
 * ```ts
 * isProfileName("acme-staging"); // true
 * isProfileName("nul"); // false: a device on Windows
 * ```
 */
export function isProfileName(name: string): boolean {
  return NAME.test(name) && !isWindowsDeviceName(name);
}

/**
 * True for a name Windows reserves for a device in every folder, so that no
 * file can have it.
 *
 * @example
 * ```ts
 * isWindowsDeviceName("com1"); // true
 * ```
 */
export function isWindowsDeviceName(name: string): boolean {
  return WINDOWS_DEVICES.test(name);
}

/** The contents of `~/.almyty/credentials.json`. Unknown fields are kept. */
export interface Credentials {
  /** API base URL the token belongs to. */
  url: string;
  /** The API key. */
  token: string;
  /** The account's email. */
  email?: string;
  /** Web app URL for this environment. */
  frontendUrl?: string;
  /** Server id of the key, used by `logout` to revoke it. */
  keyId?: string;
  /** The organization the key is bound to. */
  organization?: { id?: string; name: string; slug?: string };
  /** When this login was saved (ISO 8601). */
  createdAt?: string;
  /**
   * `minted`: a login created this key, so logout revokes it; `supplied`: the
   * user brought it (`--token`, `--with-token`) and it may be in use elsewhere,
   * so it is never revoked. Absent in files of older versions.
   */
  keyOrigin?: "minted" | "supplied";
  /** Fields of other tools; kept on rewrite. */
  [field: string]: unknown;
}

/** Options with the file system chosen: what the library's modules take. */
export type CredentialsIo = CredentialsOptions & { fs: CredentialsFs };

/** Where a resolved value came from. */
export type Source = "env" | "file" | "default";

/** Why the credentials file could not be used. */
export type CredentialsErrorCode =
  | "malformed"
  | "missing-token"
  | "invalid-field"
  | "not-a-file"
  | "untrusted"
  | "unreadable"
  /** Larger than `MAX_FILE_BYTES` (a credentials file is a few hundred bytes): not read. */
  | "too-large"
  | "symlink"
  | "write-failed"
  | "no-home"
  /** The selected profile has no file: log in to it (never a fall back to another login). */
  | "profile-not-found"
  /** A profile name outside `^[a-z0-9][a-z0-9_-]{0,62}$`, or a Windows device name. */
  | "invalid-profile-name"
  /** A profile was asked for while `ALMYTY_TOKEN` is set: which one is meant? */
  | "profile-conflict"
  /** A `.almyty-profile` that is not trusted (never trusted, changed, not ours, a symlink, …). */
  | "directory-untrusted"
  /** The login a `.almyty-profile` selects is not at the API or organization it asserts. */
  | "directory-mismatch"
  /** A file written by a newer almyty-auth. */
  | "unsupported-version"
  /** `ALMYTY_TOKEN` holds only whitespace: no token to send (unset it to use the saved login). */
  | "blank-token";

/**
 * A problem with the credentials file; the message names the path and the fix.
 *
 * @example
 * ```ts
 * new CredentialsError("malformed", "/c.json", "/c.json is not valid JSON").code; // "malformed"
 * ```
 */
export class CredentialsError extends Error {
  /** Always "CredentialsError". */
  override name = "CredentialsError";
  /** Builds the error; `message` should name the path and the fix. */
  constructor(
    /** What went wrong. */
    readonly code: CredentialsErrorCode,
    /** The credentials file's path. */
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

/** Options shared by the library's functions; all default to the real process. */
export interface CredentialsOptions {
  /** File-system operations; defaults to node:fs (see `CredentialsFs`). */
  fs?: CredentialsFs;
  /** Environment lookup; defaults to `process.env`. */
  env?: Record<string, string | undefined>;
  /** Home directory; defaults to HOME (USERPROFILE on Windows). */
  home?: string;
  /** Receives warnings such as a group-readable file; defaults to `console.warn`. */
  onWarning?: (message: string) => void;
}

/** Which login to use, for the functions that choose one (`resolveCredentials`). */
export interface SelectOptions {
  /** A named login, as `--profile` gives it (`default`: the default login). */
  profile?: string;
  /** Where a `.almyty-profile` or a binding is looked for; defaults to the working directory. */
  cwd?: string;
  /** False: ignore `.almyty-profile` files and bindings. Default true. */
  directory?: boolean;
}
