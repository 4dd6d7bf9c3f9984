/**
 * Writing and deleting the login files (the default's, a profile's) and the
 * directory record: atomic, 0600 from the first byte. Kept apart from reading,
 * so that a command that only reads never loads the writer.
 *
 * @example
 * ```ts
 * import { writeCredentialsWith } from "./write.ts";
 * import { nodeFs } from "./node_fs.ts";
 * const home = Deno.makeTempDirSync();
 * writeCredentialsWith({ url: "https://api.almyty.com", token: "almyty_…" }, { fs: nodeFs, home });
 * ```
 * @module
 */
import { AtomicWriteError, checkWritable, sweepStaleTemps, writeFileAtomic } from "./atomic.ts";
import { fsErrorText } from "./fix_hints.ts";
import { DEFAULT_API_URL } from "../protocol/constants.ts";
import { parseJson } from "../protocol/json.ts";
import { directoriesPathWith, type DirectoryRecord } from "./directory.ts";
import { credentialsPathWith } from "./path.ts";
import { lacksUrl } from "./read.ts";
import {
  checkVersion,
  DEFAULT_PROFILE,
  isNewer,
  loginPathWith,
  PROFILE_VERSION,
} from "./profiles.ts";
import { type Credentials, CredentialsError, type CredentialsIo } from "./types.ts";

/**
 * Writes `credentials` atomically (see `writeFileAtomic`) and returns the path.
 * A symlink at the target is refused with a CredentialsError("symlink").
 *
 * @example
 * ```ts
 * import { nodeFs } from "./node_fs.ts";
 * const home = Deno.makeTempDirSync();
 * const path = writeCredentialsWith({ url: "https://api.almyty.com", token: "almyty_…" }, {
 *   fs: nodeFs,
 *   home,
 * });
 * ```
 */
export function writeCredentialsWith(credentials: Credentials, io: CredentialsIo): string {
  return writePrivateJson(withUrl(credentials), credentialsPathWith(io), io);
}

/**
 * The default login as almyty's other CLIs must find it: with its `url`
 * (theirs hand it to their client, which crashes on `undefined`). Without
 * one, this library reads the default API, so that is what is written.
 */
function withUrl(credentials: Credentials): Credentials {
  if (!lacksUrl(credentials)) return credentials;
  const { url: _absent, ...fields } = credentials;
  return { url: DEFAULT_API_URL, ...fields } as Credentials;
}

/**
 * Writes `value` as indented JSON to a private file of ours at `path` (a
 * login file, the directory record, a pending login): atomically, 0600,
 * folder 0700; a symlink there is refused. Returns the path.
 *
 * @example
 * ```ts
 * import { nodeFs } from "./node_fs.ts";
 * writePrivateJson({ trusted: {} }, `${Deno.makeTempDirSync()}/.almyty/directories.json`, { fs: nodeFs });
 * ```
 */
export function writePrivateJson(value: unknown, path: string, io: CredentialsIo): string {
  try {
    writeFileAtomic(io.fs, path, JSON.stringify(value, null, 2) + "\n");
  } catch (error) {
    throw asCredentialsError(error, path);
  }
  return path;
}

/** An atomic write's failure as the library reports it (a CredentialsError passes as it is). */
function asCredentialsError(error: unknown, path: string): unknown {
  if (!(error instanceof AtomicWriteError)) return error;
  return new CredentialsError(
    error.reason === "symlink" ? "symlink" : "write-failed",
    path,
    error.message,
  );
}

/**
 * Checks that `writeCredentialsWith` could write the file (or `path`) now
 * (see `checkWritable`), without changing it: a login asks this before it
 * has a key minted that it then could not save.
 *
 * @example
 * ```ts
 * import { nodeFs } from "./node_fs.ts";
 * checkWritableWith({ fs: nodeFs, home: Deno.makeTempDirSync() });
 * ```
 */
export function checkWritableWith(io: CredentialsIo, path = credentialsPathWith(io)): void {
  try {
    checkWritable(io.fs, path);
  } catch (error) {
    throw asCredentialsError(error, path);
  }
}

/**
 * Removes the credentials file. Returns false when there was none.
 *
 * @example
 * ```ts
 * import { nodeFs } from "./node_fs.ts";
 * const home = Deno.makeTempDirSync();
 * if (!deleteCredentialsWith({ fs: nodeFs, home })) console.log("Not logged in");
 * ```
 */
export function deleteCredentialsWith(io: CredentialsIo): boolean {
  return deletePrivateFile(credentialsPathWith(io), io);
}

/**
 * Removes a private file of ours at `path` (a login file, a pending login)
 * and the temp files a crashed save left beside it. Returns false when there
 * was none.
 *
 * @example
 * ```ts
 * import { nodeFs } from "./node_fs.ts";
 * deletePrivateFile(`${Deno.makeTempDirSync()}/x.json`, { fs: nodeFs }); // false
 * ```
 */
export function deletePrivateFile(path: string, io: CredentialsIo): boolean {
  try {
    sweepStaleTemps(io.fs, path); // a crashed save may have left a copy of the token
    return io.fs.remove(path);
  } catch (error) {
    throw new CredentialsError(
      "write-failed",
      path,
      `Cannot remove ${path}: ${fsErrorText(error)}. Remove it by hand.`,
    );
  }
}

/**
 * Writes the login `name` atomically (0600, folders 0700) and returns its
 * path. A profile file gets `"version": 1`; one written by a newer
 * almyty-auth is never overwritten.
 *
 * @example
 * ```ts
 * import { nodeFs } from "./node_fs.ts";
 * const home = Deno.makeTempDirSync();
 * writeProfileWith({ fs: nodeFs, home }, "staging", { url: "https://api.staging.almyty.com", token: "almyty_…" });
 * ```
 */
export function writeProfileWith(
  io: CredentialsIo,
  name: string,
  credentials: Credentials,
): string {
  const path = loginPathWith(io, name);
  if (name === DEFAULT_PROFILE) return writePrivateJson(withUrl(credentials), path, io);
  const existing = existingVersion(io, path);
  if (isNewer(existing)) checkVersion(existing, path);
  const { version: _version, ...fields } = credentials;
  return writePrivateJson({ version: PROFILE_VERSION, ...fields }, path, io);
}

/**
 * Removes the login `name`'s file; false when there was none.
 *
 * @example
 * ```ts
 * import { nodeFs } from "./node_fs.ts";
 * deleteProfileWith({ fs: nodeFs, home: Deno.makeTempDirSync() }, "staging"); // false
 * ```
 */
export function deleteProfileWith(io: CredentialsIo, name: string): boolean {
  return deletePrivateFile(loginPathWith(io, name), io);
}

/** The `version` of the file at `path` as it is now, if it has one that can be read. */
function existingVersion(io: CredentialsIo, path: string): unknown {
  let text;
  try {
    text = io.fs.readFile(path)?.text;
  } catch {
    return undefined; // not a readable regular file: the write reports it
  }
  const parsed = text === undefined ? null : parseJson(text);
  return parsed?.ok && typeof parsed.value === "object" && parsed.value !== null
    ? (parsed.value as Record<string, unknown>).version
    : undefined;
}

/**
 * Writes the record atomically (0600) and returns its path.
 *
 * @example
 * ```ts
 * import { nodeFs } from "./node_fs.ts";
 * writeDirectoryRecordWith({ fs: nodeFs, home: Deno.makeTempDirSync() }, { trusted: {}, bindings: {} });
 * ```
 */
export function writeDirectoryRecordWith(io: CredentialsIo, record: DirectoryRecord): string {
  const sorted = (table: Record<string, string>) =>
    Object.fromEntries(Object.entries(table).sort(([a], [b]) => a.localeCompare(b)));
  return writePrivateJson(
    { version: 1, trusted: sorted(record.trusted), bindings: sorted(record.bindings) },
    directoriesPathWith(io),
    io,
  );
}
