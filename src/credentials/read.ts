/**
 * Reading and validating the credentials file. A read never changes the file.
 *
 * @example
 * ```ts
 * import { readCredentialsWith } from "./read.ts";
 * import { nodeFs } from "./node_fs.ts";
 * const creds = readCredentialsWith({ fs: nodeFs, home: "/home/alice" }); // null when there is no file
 * ```
 * @module
 */
import { parseJson } from "../protocol/json.ts";
import {
  fsErrorText,
  loginCommand as loginCommandFor,
  moveAsideCommand,
  shellWord,
} from "./fix_hints.ts";
import { directoryOf, type FsError, MAX_FILE_BYTES } from "./fs.ts";
import { checkFileMode, checkFolder, checkOwner } from "./trust.ts";
import { credentialsPathWith } from "./path.ts";
import {
  type Credentials,
  CredentialsError,
  type CredentialsIo,
  DEFAULT_PROFILE,
} from "./types.ts";

const OPTIONAL_STRINGS = ["email", "frontendUrl", "keyId", "createdAt"] as const;

/**
 * Why almyty's CLIs built on `@almyty/client` (whose `resolveCredentials`
 * does `JSON.parse` on the raw text and hands `url` to its client) cannot use
 * the text of a `credentials.json` that this library reads, or null: a UTF-8
 * byte-order mark (their parse fails, so they say "Not authenticated"), or a
 * token without a `url` (their client gets `undefined` and crashes).
 *
 * @example
 * ```ts
 * sharedFileProblem('\uFEFF{"url":"https://api.almyty.com","token":"t"}'); // "it starts with a UTF-8 byte-order mark, …"
 * sharedFileProblem('{"url":"https://api.almyty.com","token":"t"}'); // null
 * ```
 */
export function sharedFileProblem(text: string): string | null {
  const problems: string[] = [];
  if (text.charCodeAt(0) === 0xfeff) {
    problems.push(
      'it starts with a UTF-8 byte-order mark, which their JSON parser rejects (they say "Not authenticated")',
    );
  }
  const parsed = parseJson(text.replace(/^\uFEFF/, ""));
  const value = parsed.ok ? parsed.value as Record<string, unknown> | null : null;
  if (
    value && typeof value === "object" && !Array.isArray(value) &&
    typeof value.token === "string" && value.token !== "" && lacksUrl(value)
  ) {
    problems.push(
      `it has a token but no "url"${
        value.url === "" ? " (it is empty)" : ""
      }, without which their client cannot start`,
    );
  }
  return problems.length ? problems.join(", and ") : null;
}

/**
 * True when a login's `url` is absent or empty: this library then reads the
 * default API, but almyty's other CLIs hand the value to their client, which
 * cannot start without one.
 *
 * @example
 * ```ts
 * lacksUrl({ token: "t", url: "" }); // true
 * lacksUrl({ token: "t", url: "https://api.almyty.com" }); // false
 * ```
 */
export function lacksUrl(login: { url?: unknown; [field: string]: unknown }): boolean {
  return login.url === undefined || login.url === null || login.url === "";
}

/**
 * Parses and validates the text of a credentials file; throws CredentialsError
 * when `token` or `url` is unusable. It tolerates the rest: a UTF-8 BOM or a
 * wrongly-typed optional field (`"email": null`, `"organization": "acme"`) is
 * reported to `onWarning` and the field ignored. For the shared
 * `credentials.json`, what almyty's other CLIs cannot read (`sharedFileProblem`)
 * is reported too, with the one-command fix.
 *
 * @example
 * ```ts
 * parseCredentials('{"url":"https://api.almyty.com","token":"almyty_x"}', "creds.json").token;
 * ```
 */
export function parseCredentials(
  text: string,
  path: string,
  onWarning: (message: string) => void = () => {},
  /** The command that rewrites this file (a profile's names its `--profile`). */
  loginCommand: string = loginCommandFor({}),
  /** The shared `credentials.json`, which almyty's other CLIs read too (not a profile's file). */
  shared = true,
): Credentials {
  const relogin = `Run \`${loginCommand}\` to write a fresh one.`;
  const foreign = shared ? sharedFileProblem(text) : null;
  if (foreign) {
    onWarning(
      `almyty's other CLIs (those built on @almyty/client) cannot read ${path}: ${foreign}. ` +
        "Fix it with: almyty-auth doctor --fix",
    );
  } else if (text.charCodeAt(0) === 0xfeff) {
    onWarning(`${path} starts with a byte-order mark; it was ignored.`);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const parsed = parseJson(text);
  if (!parsed.ok) {
    throw new CredentialsError("malformed", path, `${path} is ${parsed.error}. ${relogin}`);
  }
  const value = parsed.value;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new CredentialsError("malformed", path, `${path} must hold a JSON object. ${relogin}`);
  }
  const record = { ...value } as Record<string, unknown>;
  if (record.token === undefined || record.token === null || record.token === "") {
    throw new CredentialsError("missing-token", path, `${path} has no token. ${relogin}`);
  }
  for (const field of ["token", "url"]) {
    if (record[field] !== undefined && typeof record[field] !== "string") {
      throw new CredentialsError(
        "invalid-field",
        path,
        `${path}: "${field}" must be a string. ${relogin}`,
      );
    }
  }
  const ignore = (field: string, expected: string) => {
    onWarning(`${path}: "${field}" should be ${expected}; ignoring it.`);
    delete record[field];
  };
  for (const field of OPTIONAL_STRINGS) {
    if (record[field] !== undefined && typeof record[field] !== "string") ignore(field, "a string");
  }
  const org = record.organization;
  if (
    org !== undefined &&
    (typeof org !== "object" || org === null ||
      typeof (org as Record<string, unknown>).name !== "string")
  ) {
    if (org !== null) ignore("organization", "an object with a name");
    else delete record.organization;
  } else if (org !== undefined) {
    // Its id and slug are shown and compared as text: any other value is no id or slug.
    const fields = { ...(org as Record<string, unknown>) };
    for (const field of ["id", "slug"]) {
      if (fields[field] !== undefined && typeof fields[field] !== "string") {
        onWarning(`${path}: "organization.${field}" should be a string; ignoring it.`);
        delete fields[field];
      }
    }
    record.organization = fields;
  }
  if (
    record.keyOrigin !== undefined && record.keyOrigin !== "minted" &&
    record.keyOrigin !== "supplied"
  ) {
    ignore("keyOrigin", '"minted" or "supplied"');
  }
  return record as Credentials;
}

/**
 * Reads the credentials file. Returns null when it does not exist; throws
 * CredentialsError for every other problem. Warns (never fixes) when the file
 * is readable by group or others.
 *
 * @example
 * ```ts
 * import { nodeFs } from "./node_fs.ts";
 * const creds = readCredentialsWith({ fs: nodeFs, onWarning: (w) => console.error(w) });
 * if (creds) console.log(creds.email ?? creds.url);
 * ```
 */
export function readCredentialsWith(io: CredentialsIo): Credentials | null {
  return readLoginFileAt(io, credentialsPathWith(io));
}

/**
 * Reads the file of the login `profile` (the default one's, or a named
 * one's) at `path` with the trust checks of `readCredentialsWith`; null when
 * it does not exist. Only the default login's file is the one almyty's other
 * CLIs share; a problem names the login that rewrites it.
 *
 * @example
 * ```ts
 * import { nodeFs } from "./node_fs.ts";
 * readLoginFileAt({ fs: nodeFs }, "/nonexistent/credentials.json"); // null
 * ```
 */
export function readLoginFileAt(
  io: CredentialsIo,
  path: string,
  profile = DEFAULT_PROFILE,
): Credentials | null {
  const warn = io.onWarning ?? ((message: string) => console.warn(`Warning: ${message}`));
  const text = readPrivateText(io, path);
  if (text === null) return null;
  const shared = profile === DEFAULT_PROFILE;
  return parseCredentials(text, path, warn, loginCommandFor({ login: { profile } }), shared);
}

/**
 * The text of a private file of ours (a login file, the directory record):
 * null when absent; CredentialsError when it is not a regular file, cannot be
 * read, or is not trusted (its folder or itself owned by another user, its
 * folder writable by others). Warns when others can read it.
 *
 * @example
 * ```ts
 * import { nodeFs } from "./node_fs.ts";
 * readPrivateText({ fs: nodeFs }, "/nonexistent/directories.json"); // null
 * ```
 */
export function readPrivateText(io: CredentialsIo, path: string): string | null {
  let file;
  try {
    checkFolder(io.fs, directoryOf(io.fs.platform, path), path);
    file = io.fs.readFile(path);
  } catch (error) {
    if (error instanceof CredentialsError) throw error;
    const code = (error as FsError).code;
    if (code === "EISDIR" || code === "ENOTREG") throw notAFile(io.fs.platform, path);
    if (code === "EFBIG") throw tooLarge(io.fs.platform, path);
    // Another user's file we may not open (left by `sudo almyty-auth login`): a chmod of ours
    // cannot help; say whose it is and how to remove it.
    if (code === "EACCES" || code === "EPERM") {
      const facts = io.fs.lstat(path);
      if (facts) checkOwner(io.fs, facts, path, path);
    }
    throw new CredentialsError(
      "unreadable",
      path,
      `Cannot read ${path}: ${fsErrorText(error)}. ${
        io.fs.platform === "win32"
          ? "Check that it is yours and not held open by another program"
          : `Check its owner and mode: chmod 600 ${shellWord(path)}`
      }`,
    );
  }
  if (!file) return null;
  // A file system of the caller's may not cap its reads (MAX_FILE_BYTES): refuse it here too.
  if (file.text.length > MAX_FILE_BYTES) throw tooLarge(io.fs.platform, path);
  checkOwner(io.fs, file.facts, path, path);
  checkFileMode(io.fs, file.facts, path);
  const warn = io.onWarning ?? ((message: string) => console.warn(`Warning: ${message}`));
  if (io.fs.platform !== "win32" && (file.facts.mode & 0o077) !== 0) {
    warn(
      `${path} is readable by other users (mode ${
        file.facts.mode.toString(8)
      }). Fix it with: chmod 600 ${shellWord(path)}`,
    );
  }
  return file.text;
}

function tooLarge(platform: string, path: string): CredentialsError {
  return new CredentialsError(
    "too-large",
    path,
    `${path} is larger than ${
      MAX_FILE_BYTES / 1024 / 1024
    } MiB, which no credentials file is (they hold a few hundred bytes); it was not read. ` +
      `Move it aside (${moveAsideCommand(platform, path)}) and log in again.`,
  );
}

function notAFile(platform: string, path: string): CredentialsError {
  return new CredentialsError(
    "not-a-file",
    path,
    `${path} is not a regular file (a folder, a FIFO, a socket or a device?); it was not opened. ` +
      `Move it aside (${moveAsideCommand(platform, path)}) and log in again.`,
  );
}
