/**
 * The almyty credentials library: find, read, write and resolve the token
 * every almyty CLI uses. Runs unchanged on Deno and Node.js ≥ 20 (built on
 * `node:fs`; pass `fs` to use another implementation).
 *
 * @example
 * ```ts
 * import { resolveCredentials } from "@almyty/auth";
 * const creds = resolveCredentials();
 * if (!creds) {
 *   console.error("Not authenticated. Run: npx @almyty/auth login");
 * } else {
 *   console.log(`Calling ${creds.url} with the token from ${creds.source.token}`);
 * }
 * ```
 * @module
 */
import { nodeFs } from "./node_fs.ts";
import * as path from "./path.ts";
import * as read from "./read.ts";
import * as resolve from "./resolve.ts";
import type { Credentials, CredentialsIo, CredentialsOptions } from "./types.ts";
import * as write from "./write.ts";

const io = (options: CredentialsOptions): CredentialsIo => ({
  ...options,
  fs: options.fs ?? nodeFs,
});

/**
 * The home directory: `home`, else HOME (USERPROFILE on Windows).
 *
 * @example
 * ```ts
 * homeDirectory({ env: { HOME: "/home/alice" } }); // "/home/alice"
 * ```
 */
export function homeDirectory(options: CredentialsOptions = {}): string {
  return path.homeDirectoryWith(io(options));
}

/**
 * `<home>/.almyty/credentials.json`.
 *
 * @example
 * ```ts
 * credentialsPath({ home: "/home/alice" }); // "/home/alice/.almyty/credentials.json"
 * ```
 */
export function credentialsPath(options: CredentialsOptions = {}): string {
  return path.credentialsPathWith(io(options));
}

/**
 * Reads the file: null when absent; CredentialsError when unusable; warns
 * (never fixes) when others can read it.
 *
 * @example
 * ```ts
 * const creds = readCredentials({ onWarning: (w) => console.error(w) });
 * ```
 */
export function readCredentials(options: CredentialsOptions = {}): Credentials | null {
  return read.readCredentialsWith(io(options));
}

/**
 * Writes the file atomically, 0600 from the first byte, in a 0700 directory;
 * refuses a symlink. Returns the path.
 *
 * @example
 * ```ts
 * import { mkdtempSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * const home = mkdtempSync(`${tmpdir()}/almyty-`);
 * writeCredentials({ url: "https://api.almyty.com", token: "almyty_…" }, { home });
 * ```
 */
export function writeCredentials(
  credentials: Credentials,
  options: CredentialsOptions = {},
): string {
  return write.writeCredentialsWith(credentials, io(options));
}

/**
 * Removes the file; false when there was none.
 *
 * @example
 * ```ts
 * import { mkdtempSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * const home = mkdtempSync(`${tmpdir()}/almyty-`);
 * if (!deleteCredentials({ home })) console.log("Not logged in");
 * ```
 */
export function deleteCredentials(options: CredentialsOptions = {}): boolean {
  return write.deleteCredentialsWith(io(options));
}

/**
 * The credentials that apply: `ALMYTY_TOKEN` wins (the file is then never
 * opened), else the file; URLs from `ALMYTY_URL`/`ALMYTY_FRONTEND_URL`, the
 * file, the defaults. Null when there is no token.
 *
 * @example
 * ```ts
 * const creds = resolveCredentials();
 * if (!creds) console.error("Not authenticated. Run: npx @almyty/auth login");
 * ```
 */
export function resolveCredentials(
  options: CredentialsOptions = {},
): resolve.ResolvedCredentials | null {
  return resolve.resolveCredentialsWith(io(options));
}

export { parseCredentials } from "./read.ts";
export type { ResolvedCredentials } from "./resolve.ts";
export type { CredentialsFs, FileFacts } from "./fs.ts";
export { FsError } from "./fs.ts";
export {
  type Credentials,
  CredentialsError,
  type CredentialsErrorCode,
  type CredentialsOptions,
  type Source,
} from "./types.ts";
