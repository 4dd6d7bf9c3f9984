/**
 * Choosing a login by folder, in a way a repository cannot abuse:
 *
 * - a `.almyty-profile` file (`{"profile": "acme-staging"}`, optionally
 *   `"api"` and `"organization"` as assertions), found walking up from the
 *   working folder, is honoured only once the user trusted it
 *   (`almyty-auth profile trust`), which records its path and SHA-256 in
 *   `~/.almyty/directories.json`; a changed file is untrusted again. It can
 *   only choose among logins the user made: it never carries a token or a
 *   URL that is used;
 * - a binding (`almyty-auth profile bind <name> [dir]`) chooses a login for a
 *   folder tree with no file in the repository; the longest bound prefix wins.
 *
 * The nearer of the two applies (a binding of the same folder beats its file).
 * The walk stops at HOME, and before a folder someone else owns.
 *
 * @example
 * ```ts
 * import { directoryChoiceWith } from "./directory.ts";
 * import { nodeFs } from "./node_fs.ts";
 * const home = Deno.makeTempDirSync();
 * directoryChoiceWith({ fs: nodeFs, home }, home); // null: no file, no binding
 * ```
 * @module
 */
import { parseJson } from "../protocol/json.ts";
import { sha256Hex } from "../protocol/sha256.ts";
import { stripControl } from "../protocol/text.ts";
import { removeFileCommand, shellWord } from "./fix_hints.ts";
import { directoryOf, type FileFacts, joinPath, separator } from "./fs.ts";
import { homeDirectoryWith } from "./path.ts";
import { checkProfileName, describeLogin, readProfileWith } from "./profiles.ts";
import { readPrivateText } from "./read.ts";
import { type Credentials, CredentialsError, type CredentialsIo } from "./types.ts";

/** The name of a folder's login choice. */
export const DIRECTORY_FILE = ".almyty-profile";

/** Largest `.almyty-profile` read, in bytes. */
export const DIRECTORY_FILE_LIMIT = 4096;

/** What `~/.almyty/directories.json` records. */
export interface DirectoryRecord {
  /** Trusted `.almyty-profile` files: absolute path → SHA-256 (hex) of the trusted content. */
  trusted: Record<string, string>;
  /** Bound folders: absolute path → profile name. */
  bindings: Record<string, string>;
}

/** A login chosen by folder. */
export interface DirectoryChoice {
  profile: string;
  source: "directory" | "binding";
  /** The `.almyty-profile` file, or the bound folder. */
  origin: string;
  /** What a `.almyty-profile` asserts about the login it selects. */
  assert?: { api?: string; organization?: string };
}

/** A `.almyty-profile`, read and checked. */
export interface DirectoryFile {
  path: string;
  profile: string;
  api?: string;
  organization?: string;
  /** SHA-256 of its content, hex. */
  sha256: string;
}

/**
 * `<home>/.almyty/directories.json`.
 *
 * @example
 * ```ts
 * import { nodeFs } from "./node_fs.ts";
 * directoriesPathWith({ fs: nodeFs, home: "/home/alice" }); // "/home/alice/.almyty/directories.json"
 * ```
 */
export function directoriesPathWith(io: CredentialsIo): string {
  return joinPath(io.fs.platform, homeDirectoryWith(io), ".almyty", "directories.json");
}

/**
 * The trust record and bindings (empty when the file does not exist). A file
 * that cannot be used throws: bindings that cannot be read must not silently
 * stop applying.
 *
 * @example
 * ```ts
 * import { nodeFs } from "./node_fs.ts";
 * readDirectoryRecordWith({ fs: nodeFs, home: "/nonexistent" }); // { trusted: {}, bindings: {} }
 * ```
 */
export function readDirectoryRecordWith(io: CredentialsIo): DirectoryRecord {
  const path = directoriesPathWith(io);
  const empty = { trusted: {}, bindings: {} };
  if (!io.fs.exists(path)) return empty; // the common case costs one cheap call
  const fix = `Fix it or remove it (${
    removeFileCommand(io.fs.platform, path)
  }), then trust and bind again.`;
  const text = readPrivateText(io, path);
  if (text === null) return empty;
  const parsed = parseJson(text);
  if (!parsed.ok || typeof parsed.value !== "object" || parsed.value === null) {
    throw new CredentialsError("malformed", path, `${path} is not a JSON object. ${fix}`);
  }
  const record = parsed.value as Record<string, unknown>;
  if (typeof record.version === "number" && record.version > 1) {
    throw new CredentialsError(
      "unsupported-version",
      path,
      `${path} was written by a newer almyty-auth (format version ${record.version}). Upgrade almyty-auth.`,
    );
  }
  const table = (name: string): Record<string, string> => {
    const value = record[name] ?? {};
    if (
      typeof value !== "object" || value === null || Array.isArray(value) ||
      Object.values(value).some((v) => typeof v !== "string")
    ) {
      throw new CredentialsError("malformed", path, `${path}: "${name}" is not a table. ${fix}`);
    }
    return value as Record<string, string>;
  };
  return { trusted: table("trusted"), bindings: table("bindings") };
}

/**
 * The nearest `.almyty-profile` at or above `cwd`: its path and facts, or
 * null. The walk stops after HOME, at the root, and before any folder that
 * another user owns.
 *
 * @example
 * ```ts
 * import { nodeFs } from "./node_fs.ts";
 * findDirectoryFile({ fs: nodeFs, home: "/nonexistent" }, Deno.makeTempDirSync()); // null
 * ```
 */
export function findDirectoryFile(
  io: CredentialsIo,
  cwd: string,
): { path: string; facts: FileFacts } | null {
  const { fs } = io;
  const home = trimSeparator(fs.platform, homeDirectoryWith(io));
  const sep = separator(fs.platform);
  const walked: string[] = [];
  let dir = trimSeparator(fs.platform, cwd);
  for (let depth = 0; depth < 256; depth++) {
    walked.push(dir);
    const path = (dir.endsWith(sep) ? dir : dir + sep) + DIRECTORY_FILE;
    // The usual miss costs one cheap call; the owners are checked only when a file is there.
    if (fs.exists(path)) {
      // The walk stops before a folder someone else owns: a file is reached only through ours.
      const me = fs.uid();
      for (const folder of walked) {
        const facts = fs.stat(folder);
        if (!facts || (me !== null && facts.uid !== null && facts.uid !== me)) return null;
      }
      const facts = fs.lstat(path);
      if (facts) return { path, facts };
    }
    const parent = directoryOf(fs.platform, dir);
    if (dir === home || parent === dir) return null;
    dir = parent;
  }
  return null;
}

/**
 * Reads a `.almyty-profile` with every check a repository's file must pass:
 * a regular file (no symlink), ours, not writable by group or others, at most
 * 4 KiB, strict JSON with `profile` and only the assertions `api` and
 * `organization`. Throws CredentialsError("directory-untrusted") naming the
 * problem.
 *
 * @example
 * ```ts
 * import { nodeFs } from "./node_fs.ts";
 * const dir = Deno.makeTempDirSync();
 * Deno.writeTextFileSync(`${dir}/.almyty-profile`, '{"profile": "staging"}', { mode: 0o600 });
 * readDirectoryFile({ fs: nodeFs }, `${dir}/.almyty-profile`).profile; // "staging"
 * ```
 */
export function readDirectoryFile(io: CredentialsIo, path: string): DirectoryFile {
  const { fs } = io;
  const refuse = (why: string, fix = "") =>
    new CredentialsError(
      "directory-untrusted",
      path,
      `${path} is not used: ${why}.${fix ? ` ${fix}` : ""} ` +
        "Nothing was sent. To choose a login here yourself, pass --profile <name>.",
    );
  const facts = fs.lstat(path);
  if (!facts) throw refuse("it disappeared while being read");
  if (facts.isSymlink) throw refuse("it is a symbolic link", "Make it a regular file.");
  if (!facts.isFile) throw refuse("it is not a regular file");
  const me = fs.uid();
  if (me !== null && facts.uid !== null && facts.uid !== me) {
    throw refuse(`it belongs to another user (uid ${facts.uid}; you are uid ${me})`);
  }
  if (fs.platform !== "win32" && (facts.mode & 0o022) !== 0) {
    throw refuse(
      `others can change it (mode ${facts.mode.toString(8)})`,
      `Fix it with: chmod go-w ${shellWord(path)}`,
    );
  }
  if (facts.size > DIRECTORY_FILE_LIMIT) {
    throw refuse(`it is larger than ${DIRECTORY_FILE_LIMIT} bytes (${facts.size})`);
  }
  let text;
  try {
    text = fs.readFile(path)?.text;
  } catch (error) {
    throw refuse(`it cannot be read (${(error as { code?: string }).code ?? error})`);
  }
  if (text === undefined) throw refuse("it disappeared while being read");
  if (new TextEncoder().encode(text).length > DIRECTORY_FILE_LIMIT) {
    throw refuse(`it is larger than ${DIRECTORY_FILE_LIMIT} bytes`);
  }
  const example = 'It must hold JSON such as {"profile": "acme-staging"}.';
  const parsed = parseJson(text);
  if (!parsed.ok) throw refuse(`it is ${parsed.error}`, example);
  const value = parsed.value;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw refuse("it does not hold a JSON object", example);
  }
  const record = value as Record<string, unknown>;
  if ("token" in record) {
    throw refuse("it holds a token; a folder may choose a login, never supply one");
  }
  const unknown = Object.keys(record).filter((k) =>
    !["profile", "api", "organization"].includes(k)
  );
  if (unknown.length) {
    throw refuse(
      `it has ${unknown.map((k) => JSON.stringify(stripControl(k).slice(0, 40))).join(", ")}, ` +
        'but only "profile", "api" and "organization" are allowed',
    );
  }
  if (typeof record.profile !== "string") throw refuse('"profile" is missing', example);
  for (const field of ["api", "organization"]) {
    if (record[field] !== undefined && typeof record[field] !== "string") {
      throw refuse(`"${field}" must be a string`);
    }
  }
  let profile;
  try {
    profile = checkProfileName(record.profile, path);
  } catch (error) {
    throw refuse(
      (error as Error).message.replace(/^Invalid profile \(from [^)]*\): /, "").replace(/\.$/, ""),
    );
  }
  return {
    path,
    profile,
    ...(typeof record.api === "string" ? { api: record.api } : {}),
    ...(typeof record.organization === "string" ? { organization: record.organization } : {}),
    sha256: sha256Hex(text),
  };
}

/**
 * The binding that covers `cwd` (the longest bound folder it is in), or null.
 *
 * @example
 * ```ts
 * findBinding({ trusted: {}, bindings: { "/work": "acme" } }, "/work/app", "linux");
 * // { dir: "/work", profile: "acme" }
 * ```
 */
export function findBinding(
  record: DirectoryRecord,
  cwd: string,
  platform: string,
): { dir: string; profile: string } | null {
  const sep = separator(platform);
  let best: { dir: string; profile: string } | null = null;
  for (const [dir, profile] of Object.entries(record.bindings)) {
    const prefix = dir.endsWith(sep) ? dir : dir + sep;
    if ((cwd === dir || cwd.startsWith(prefix)) && (!best || dir.length > best.dir.length)) {
      best = { dir, profile };
    }
  }
  return best;
}

/**
 * The login the folder `cwd` chooses, or null. A `.almyty-profile` that
 * applies but is not trusted (never trusted, changed since, or failing a
 * check) throws CredentialsError("directory-untrusted"), naming the login it
 * selects and the trust command: there is no fall back to another login.
 *
 * @example
 * ```ts
 * import { nodeFs } from "./node_fs.ts";
 * directoryChoiceWith({ fs: nodeFs, home: "/nonexistent" }, Deno.makeTempDirSync()); // null
 * ```
 */
export function directoryChoiceWith(io: CredentialsIo, cwd: string): DirectoryChoice | null {
  const found = findDirectoryFile(io, cwd);
  const record = readDirectoryRecordWith(io);
  const binding = findBinding(record, trimSeparator(io.fs.platform, cwd), io.fs.platform);
  const fileDir = found ? directoryOf(io.fs.platform, found.path) : null;
  // The nearer choice applies; a binding of the file's own folder is the user's, and wins.
  if (binding && (!fileDir || binding.dir.length >= fileDir.length)) {
    return {
      profile: checkProfileName(binding.profile, `the binding of ${binding.dir}`),
      source: "binding",
      origin: binding.dir,
    };
  }
  if (!found) return null;
  const file = readDirectoryFile(io, found.path);
  const trusted = record.trusted[file.path];
  if (trusted !== file.sha256) throw untrusted(io, file, trusted !== undefined);
  return {
    profile: file.profile,
    source: "directory",
    origin: file.path,
    ...(file.api !== undefined || file.organization !== undefined
      ? {
        assert: {
          ...(file.api !== undefined ? { api: file.api } : {}),
          ...(file.organization !== undefined ? { organization: file.organization } : {}),
        },
      }
      : {}),
  };
}

/** The untrusted-file error: what it selects (read locally, nothing sent) and how to trust it. */
function untrusted(io: CredentialsIo, file: DirectoryFile, changed: boolean): CredentialsError {
  let login: Credentials | null = null;
  try {
    login = readProfileWith({ ...io, onWarning: () => {} }, file.profile);
  } catch { /* described as unusable below */ }
  const what = login ? describeLogin(login) : "no such login on this machine yet";
  const dir = directoryOf(io.fs.platform, file.path);
  return new CredentialsError(
    "directory-untrusted",
    file.path,
    `${file.path} selects the login "${file.profile}" (${what}), but ` +
      (changed ? "it changed since you trusted it" : "you have not trusted this file") +
      ": a repository must not choose your login by itself. Nothing was sent.\n" +
      `If you meant it, trust it: almyty-auth profile trust ${shellWord(dir, io.fs.platform)}\n` +
      "Or choose a login yourself: --profile <name> (or ALMYTY_PROFILE).",
  );
}

/** `path` without a trailing separator (the root keeps its own). */
function trimSeparator(platform: string, path: string): string {
  const trimmed = path.replace(platform === "win32" ? /[\\/]+$/ : /\/+$/, "");
  return trimmed === "" ? separator(platform) : trimmed;
}
