/**
 * Named logins on disk. The default login stays `~/.almyty/credentials.json`,
 * byte for byte what it always was (almyty's other CLIs read it); each named
 * login is its own file, `~/.almyty/profiles/<name>.json`, with the same
 * fields plus `"version": 1`, written with the same atomic write and read
 * with the same trust checks. One file per login: almyty's old `@almyty/auth`
 * rewrites or unlinks `credentials.json` and cannot touch them, and two
 * processes saving two logins never share a read-modify-write.
 *
 * @example
 * ```ts
 * import { checkProfileName, loginPathWith } from "./profiles.ts";
 * import { nodeFs } from "./node_fs.ts";
 * loginPathWith({ fs: nodeFs, home: "/home/alice" }, checkProfileName("staging", "--profile"));
 * // "/home/alice/.almyty/profiles/staging.json"
 * ```
 * @module
 */
import { DEFAULT_API_URL } from "../protocol/constants.ts";
import { stripControl } from "../protocol/text.ts";
import { isKeyOrToken } from "../protocol/tokens.ts";
import { directoryOf, joinPath } from "./fs.ts";
import { credentialsPathWith, homeDirectoryWith } from "./path.ts";
import { readLoginFileAt } from "./read.ts";
import { checkFolder } from "./trust.ts";
import {
  type Credentials,
  CredentialsError,
  type CredentialsIo,
  DEFAULT_PROFILE,
  isProfileName,
  isWindowsDeviceName,
} from "./types.ts";

export { DEFAULT_PROFILE };

/** The format version this library writes into a profile file, and the newest it reads. */
export const PROFILE_VERSION = 1;

/**
 * `name` when it is a valid profile name; otherwise CredentialsError
 * ("invalid-profile-name") naming where it came from (`from`: "--profile",
 * "ALMYTY_PROFILE", a file's path). A name never becomes a path outside
 * `profiles/`.
 *
 * @example
 * ```ts
 * checkProfileName("acme-staging", "--profile"); // "acme-staging"
 * ```
 */
export function checkProfileName(name: string, from: string): string {
  if (isProfileName(name)) return name;
  const rule =
    'use 1 to 63 lowercase letters, digits, "-" or "_", starting with a letter or a digit';
  // A key where a name belongs (ALMYTY_PROFILE=$(almyty-auth token)) is never echoed into a log.
  if (isKeyOrToken(name)) {
    throw new CredentialsError(
      "invalid-profile-name",
      "",
      `Invalid profile (from ${from}): it holds an API key or token, not a profile name (not ` +
        `shown here). A key goes in ALMYTY_TOKEN; for a profile name, ${rule}.`,
    );
  }
  const shown = JSON.stringify(stripControl(name).slice(0, 80));
  const why = isWindowsDeviceName(name)
    ? `${shown} is a device name on Windows, so no file can have it: choose another name`
    : `${shown} is not a profile name: ${rule}`;
  throw new CredentialsError("invalid-profile-name", "", `Invalid profile (from ${from}): ${why}.`);
}

/**
 * `<home>/.almyty/profiles`.
 *
 * @example
 * ```ts
 * import { nodeFs } from "./node_fs.ts";
 * profilesDirWith({ fs: nodeFs, home: "/home/alice" }); // "/home/alice/.almyty/profiles"
 * ```
 */
export function profilesDirWith(io: CredentialsIo): string {
  return joinPath(io.fs.platform, homeDirectoryWith(io), ".almyty", "profiles");
}

/**
 * The file of the login `name` (checked with `checkProfileName` first):
 * `credentials.json` for `default`, else `profiles/<name>.json`.
 *
 * @example
 * ```ts
 * import { nodeFs } from "./node_fs.ts";
 * loginPathWith({ fs: nodeFs, home: "/home/alice" }, "default"); // "/home/alice/.almyty/credentials.json"
 * ```
 */
export function loginPathWith(io: CredentialsIo, name: string): string {
  return name === DEFAULT_PROFILE
    ? credentialsPathWith(io)
    : joinPath(io.fs.platform, profilesDirWith(io), `${name}.json`);
}

/**
 * Reads the login `name`: null when its file does not exist. A profile file
 * of a newer format is refused (CredentialsError "unsupported-version"); the
 * returned credentials never carry `version` (it describes the file).
 *
 * @example
 * ```ts
 * import { nodeFs } from "./node_fs.ts";
 * readProfileWith({ fs: nodeFs, home: "/nonexistent" }, "staging"); // null
 * ```
 */
export function readProfileWith(io: CredentialsIo, name: string): Credentials | null {
  const path = loginPathWith(io, name);
  if (name === DEFAULT_PROFILE) return readLoginFileAt(io, path);
  // ~/.almyty as for the default login: whoever can write it can replace `profiles/` itself.
  checkFolder(io.fs, directoryOf(io.fs.platform, profilesDirWith(io)), path);
  const read = readLoginFileAt(io, path, name);
  if (!read) return null;
  checkVersion(read.version, path);
  const { version: _version, ...credentials } = read;
  return credentials as Credentials;
}

/**
 * A login for people: "alice@example.com at https://api.staging.almyty.com",
 * never its token.
 *
 * @example
 * ```ts
 * describeLogin({ url: "https://api.staging.almyty.com", token: "t", email: "alice@example.com" });
 * // "alice@example.com at https://api.staging.almyty.com"
 * ```
 */
export function describeLogin(credentials: Credentials): string {
  const email = credentials.email ? `${stripControl(credentials.email)} at ` : "";
  return `${email}${stripControl(credentials.url ?? DEFAULT_API_URL)}`;
}

/** A login as `listProfiles` describes it: never its token. */
export interface ProfileInfo {
  /** The profile's name; `default` for `credentials.json`. */
  name: string;
  /** Its file. */
  path: string;
  url?: string;
  email?: string;
  frontendUrl?: string;
  organization?: Credentials["organization"];
  keyOrigin?: Credentials["keyOrigin"];
  /** The key's id at the server (not a secret: it names the key, it cannot use it). */
  keyId?: string;
  createdAt?: string;
  expiresAt?: string;
  /** The default login is a copy of this profile (`profile use`). */
  copyOf?: string;
  /** Why the file cannot be used, when it cannot. */
  problem?: string;
}

/**
 * The default login (when its file exists) and every profile, by name.
 * Unusable files are listed with their problem; tokens never.
 *
 * @example
 * ```ts
 * import { nodeFs } from "./node_fs.ts";
 * listProfilesWith({ fs: nodeFs, home: Deno.makeTempDirSync() }); // []
 * ```
 */
export function listProfilesWith(io: CredentialsIo): ProfileInfo[] {
  const dir = profilesDirWith(io);
  checkFolder(io.fs, dir, dir);
  const names = io.fs.list(dir)
    .filter((entry) => entry.endsWith(".json"))
    .map((entry) => entry.slice(0, -5))
    .filter((name) => isProfileName(name) && name !== DEFAULT_PROFILE)
    .sort();
  const quiet = { ...io, onWarning: () => {} };
  const infos: ProfileInfo[] = [];
  for (const name of [DEFAULT_PROFILE, ...names]) {
    const path = loginPathWith(io, name);
    try {
      const credentials = readProfileWith(quiet, name);
      if (credentials) infos.push(describe(name, path, credentials));
    } catch (error) {
      if (!(error instanceof CredentialsError)) throw error;
      infos.push({ name, path, problem: error.message });
    }
  }
  return infos;
}

/**
 * The logins other than `except` whose file holds the same key (the same
 * `keyId`, or the same token): a key they still use must not be revoked.
 *
 * @example
 * ```ts
 * import { nodeFs } from "./node_fs.ts";
 * loginsHoldingKey({ fs: nodeFs, home: Deno.makeTempDirSync() }, { token: "almyty_x" }, "default"); // []
 * ```
 */
export function loginsHoldingKey(
  io: CredentialsIo,
  key: { token: string; keyId?: string },
  except: string,
): string[] {
  const quiet = { ...io, onWarning: () => {} };
  return listProfilesWith(quiet).filter((info) => {
    if (info.name === except || info.problem) return false;
    if (key.keyId && info.keyId === key.keyId) return true;
    try {
      return readProfileWith(quiet, info.name)?.token === key.token;
    } catch {
      return false;
    }
  }).map((info) => info.name);
}

function describe(name: string, path: string, c: Credentials): ProfileInfo {
  const info: ProfileInfo = { name, path };
  const strings = ["url", "email", "frontendUrl", "keyId", "createdAt", "expiresAt"] as const;
  for (const field of strings) if (typeof c[field] === "string") info[field] = c[field] as string;
  if (c.organization) info.organization = c.organization;
  if (c.keyOrigin) info.keyOrigin = c.keyOrigin;
  if (name === DEFAULT_PROFILE && typeof c.profile === "string") info.copyOf = c.profile;
  return info;
}

/**
 * True for a format version newer than this library's.
 *
 * @example
 * ```ts
 * isNewer(2); // true
 * ```
 */
export function isNewer(version: unknown): boolean {
  return typeof version === "number" && Number.isInteger(version) && version > PROFILE_VERSION;
}

/**
 * Refuses a profile file's `version` this library cannot honour (newer:
 * "unsupported-version"; not 1: "invalid-field").
 *
 * @example
 * ```ts
 * checkVersion(1, "/p.json"); // fine
 * ```
 */
export function checkVersion(version: unknown, path: string): void {
  if (version === undefined || version === PROFILE_VERSION) return;
  if (isNewer(version)) {
    throw new CredentialsError(
      "unsupported-version",
      path,
      `${path} was written by a newer almyty-auth (format version ${version}; this one knows ` +
        `version ${PROFILE_VERSION}), so it is neither used nor overwritten. Upgrade almyty-auth.`,
    );
  }
  throw new CredentialsError(
    "invalid-field",
    path,
    `${path}: "version" must be ${PROFILE_VERSION}. Log in to this profile again to rewrite it.`,
  );
}
