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
import * as profiles from "./profiles.ts";
import * as read from "./read.ts";
import * as resolve from "./resolve.ts";
import type { Credentials, CredentialsIo, CredentialsOptions, SelectOptions } from "./types.ts";
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
 * refuses a symlink. Returns the path. Without a `url`, the default API's is
 * written: almyty's other CLIs read this file, and they need one.
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
 * The credentials that apply. `ALMYTY_TOKEN` wins (no file is then opened);
 * else the login chosen by `profile`, `ALMYTY_PROFILE`, a trusted
 * `.almyty-profile` or a binding of the working folder, else the default
 * login (`credentials.json`): its token with its own `url`. Null when there
 * is no token. Throws CredentialsError when a chosen profile does not exist
 * (`profile-not-found`: never a fall back to another login), when a folder's
 * `.almyty-profile` is not trusted (`directory-untrusted`) or asserts another
 * API or organization (`directory-mismatch`), for `profile` together with
 * `ALMYTY_TOKEN` (`profile-conflict`), for an `ALMYTY_TOKEN` of only
 * whitespace (`blank-token`), and when a file cannot be used. With no
 * profile anywhere, the result is exactly what almyty's own readers return.
 *
 * @example
 * ```ts
 * const creds = resolveCredentials();
 * if (!creds) console.error("Not authenticated. Run: npx @almyty/auth login");
 * else console.log(`${creds.profile ?? "ALMYTY_TOKEN"} → ${creds.url}`);
 * ```
 */
export function resolveCredentials(
  options: CredentialsOptions & SelectOptions = {},
): resolve.ResolvedCredentials | null {
  return resolve.resolveCredentialsWith(io(options), options);
}

/**
 * The default login (when it exists) and every named login, by name, with
 * email, organization, API, key origin and creation time; never a token.
 *
 * @example
 * ```ts
 * for (const login of listProfiles()) console.log(login.name, login.email ?? "", login.url ?? "");
 * ```
 */
export function listProfiles(options: CredentialsOptions = {}): profiles.ProfileInfo[] {
  return profiles.listProfilesWith(io(options));
}

/**
 * Reads the login `name` (`default`: `credentials.json`); null when it does
 * not exist. Throws CredentialsError for an invalid name
 * (`invalid-profile-name`), a file of a newer almyty-auth
 * (`unsupported-version`) or an unusable file.
 *
 * @example
 * ```ts
 * const staging = readProfile("staging");
 * if (staging) console.log(staging.url);
 * ```
 */
export function readProfile(name: string, options: CredentialsOptions = {}): Credentials | null {
  return profiles.readProfileWith(io(options), profiles.checkProfileName(name, "the name given"));
}

/**
 * Writes the login `name` (`~/.almyty/profiles/<name>.json`, or
 * `credentials.json` for `default`, with a `url` as `writeCredentials`)
 * atomically, 0600; returns its path.
 *
 * @example
 * ```ts
 * import { mkdtempSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * const home = mkdtempSync(`${tmpdir()}/almyty-`);
 * writeProfile("staging", { url: "https://api.staging.almyty.com", token: "almyty_…" }, { home });
 * ```
 */
export function writeProfile(
  name: string,
  credentials: Credentials,
  options: CredentialsOptions = {},
): string {
  return write.writeProfileWith(
    io(options),
    profiles.checkProfileName(name, "the name given"),
    credentials,
  );
}

/**
 * Removes the login `name`'s file (never another's); false when there was none.
 * It revokes nothing: `almyty-auth logout --profile <name>` does.
 *
 * @example
 * ```ts
 * import { mkdtempSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * deleteProfile("staging", { home: mkdtempSync(`${tmpdir()}/almyty-`) }); // false
 * ```
 */
export function deleteProfile(name: string, options: CredentialsOptions = {}): boolean {
  return write.deleteProfileWith(io(options), profiles.checkProfileName(name, "the name given"));
}

export { parseCredentials } from "./read.ts";
export type { ResolvedCredentials } from "./resolve.ts";
export type { ProfileSource } from "./select.ts";
export { DEFAULT_PROFILE, type ProfileInfo } from "./profiles.ts";
export type { CredentialsFs, FileFacts } from "./fs.ts";
export { FsError } from "./fs.ts";
export {
  type Credentials,
  CredentialsError,
  type CredentialsErrorCode,
  type CredentialsOptions,
  type SelectOptions,
  type Source,
} from "./types.ts";
