/**
 * Reading and validating the credentials file. A read never changes the file.
 *
 * @example
 * ```ts
 * import { readCredentials } from "./read.ts";
 * const creds = readCredentials({ home: "/home/alice" }); // null when there is no file
 * ```
 * @module
 */
import { closeSync, fstatSync, openSync, readFileSync } from "node:fs";
import process from "node:process";
import { credentialsPath } from "./path.ts";
import { type Credentials, CredentialsError, type CredentialsOptions } from "./types.ts";

const OPTIONAL_STRINGS = ["url", "email", "frontendUrl", "keyId", "createdAt"] as const;

/**
 * Parses and validates the text of a credentials file; throws CredentialsError.
 *
 * @example
 * ```ts
 * parseCredentials('{"url":"https://api.almyty.com","token":"ak_live_x"}', "creds.json").token;
 * ```
 */
export function parseCredentials(text: string, path: string): Credentials {
  const relogin = "Run `almyty-auth login` to write a fresh one.";
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CredentialsError(
      "malformed",
      path,
      `${path} is not valid JSON (${(error as Error).message}). ${relogin}`,
    );
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new CredentialsError("malformed", path, `${path} must hold a JSON object. ${relogin}`);
  }
  const record = value as Record<string, unknown>;
  if (record.token === undefined || record.token === null || record.token === "") {
    throw new CredentialsError(
      "missing-token",
      path,
      `${path} has no token. ${relogin}`,
    );
  }
  if (typeof record.token !== "string") {
    throw new CredentialsError(
      "invalid-field",
      path,
      `${path}: "token" must be a string. ${relogin}`,
    );
  }
  for (const field of OPTIONAL_STRINGS) {
    if (record[field] !== undefined && typeof record[field] !== "string") {
      throw new CredentialsError(
        "invalid-field",
        path,
        `${path}: "${field}" must be a string. ${relogin}`,
      );
    }
  }
  const org = record.organization;
  if (
    org !== undefined && org !== null &&
    (typeof org !== "object" || typeof (org as Record<string, unknown>).name !== "string")
  ) {
    throw new CredentialsError(
      "invalid-field",
      path,
      `${path}: "organization" must be an object with a name. ${relogin}`,
    );
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
 * const creds = readCredentials({ onWarning: (w) => console.error(w) });
 * if (creds) console.log(creds.email ?? creds.url);
 * ```
 */
export function readCredentials(options: CredentialsOptions = {}): Credentials | null {
  const path = credentialsPath(options);
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return null;
    if (code === "EISDIR") throw notAFile(path);
    throw new CredentialsError(
      "unreadable",
      path,
      `Cannot read ${path} (${
        code ?? (error as Error).message
      }). Check its owner and mode: chmod 600 ${path}`,
    );
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw notAFile(path);
    if (process.platform !== "win32" && (stat.mode & 0o077) !== 0) {
      (options.onWarning ?? console.warn)(
        `Warning: ${path} is readable by other users (mode ${
          (stat.mode & 0o777).toString(8)
        }). Fix it with: chmod 600 ${path}`,
      );
    }
    return parseCredentials(readFileSync(fd, "utf8"), path);
  } catch (error) {
    if (error instanceof CredentialsError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EISDIR") throw notAFile(path);
    throw new CredentialsError(
      "unreadable",
      path,
      `Cannot read ${path} (${code ?? (error as Error).message}).`,
    );
  } finally {
    closeSync(fd);
  }
}

function notAFile(path: string): CredentialsError {
  return new CredentialsError(
    "not-a-file",
    path,
    `${path} is not a regular file. Move it aside (mv ${path} ${path}.bak) and log in again.`,
  );
}
