/**
 * Two-step logins waiting for approval (`login --no-wait`, finished by
 * `login --continue`): one file per login, `~/.almyty/pending/<profile or
 * "default">.json`, written like the credentials (atomic, 0600 from the
 * first byte in a 0700 folder) and trusted on the same terms (ours, a
 * regular file, no symlink, in folders only we can write). It holds the
 * device code, a secret: it is never printed. CLI-only state: not part of
 * the library other almyty CLIs import. Writing is `pending_write.ts`, so a
 * command that only reads (`whoami`, `status`) never loads the writer.
 *
 * @example
 * ```ts
 * import { readPending } from "./pending.ts";
 * import { denoFs } from "../platform/deno_fs.ts";
 * readPending({ fs: denoFs, home: Deno.makeTempDirSync() }, "default"); // null: nothing pending
 * ```
 * @module
 */
import { directoryOf, type FsError } from "../credentials/fs.ts";
import { fsErrorText, shellWord } from "../credentials/fix_hints.ts";
import { checkFileMode, checkFolder, checkOwner } from "../credentials/trust.ts";
import { CredentialsError, type CredentialsIo, DEFAULT_PROFILE } from "../credentials/types.ts";
import {
  linkKind,
  loginCommand,
  removeFileCommand,
  removeTreeCommand,
} from "../credentials/fix_hints.ts";
import { parseJson } from "../protocol/json.ts";
import type { TokenGrant } from "../protocol/types.ts";
import { CliError, EXIT } from "../runtime/errors.ts";
import { pendingPathWith } from "./pending_path.ts";

/** The format this version writes and reads. */
export const PENDING_VERSION = 1;

/** A login started with `--no-wait`, as saved. */
export interface PendingLogin {
  version: typeof PENDING_VERSION;
  /** The login it is for: "default" or a profile's name. */
  profile: string;
  /** The API and frontend it was started against: `--continue` uses these, never the environment's. */
  api: string;
  frontend: string;
  /** Where to poll, from the server's discovery document at the start. */
  tokenEndpoint: string;
  deviceCancel?: string;
  /** The secret the CLI polls with. */
  deviceCode: string;
  userCode: string;
  verificationUri: string;
  verificationUriComplete: string;
  /** ISO 8601. */
  createdAt: string;
  /** When the code expires, absolute (ISO 8601). */
  expiresAt: string;
  /** Seconds between polls, as the server last said (slow_down adds 5). */
  interval: number;
  /** The last poll (ISO 8601), so separate `--continue` runs keep the interval. */
  lastPollAt?: string;
  /**
   * The token response, written here before the credentials are saved: a
   * crash between the two is finished by the next `--continue`.
   */
  grant?: TokenGrant;
}

/**
 * Refuses the pending file's two folders (`~/.almyty` and `pending/`) unless
 * both are ours and closed to others.
 *
 * @example
 * ```ts
 * import { denoFs } from "../platform/deno_fs.ts";
 * checkFolders({ fs: denoFs }, "/nonexistent/.almyty/pending/default.json"); // absent: fine
 * ```
 */
export function checkFolders(io: CredentialsIo, path: string): void {
  const dir = directoryOf(io.fs.platform, path);
  checkFolder(io.fs, directoryOf(io.fs.platform, dir), path);
  checkFolder(io.fs, dir, path);
}

function startOver(path: string, why: string, profile: string): CliError {
  const login = { login: { profile } };
  return new CliError(
    `${path} ${why}. Forget it with \`${loginCommand(login, "--cancel")}\` (or remove the ` +
      `file), then start again with \`${loginCommand(login, "--no-wait")}\`.`,
    EXIT.error,
  );
}

/**
 * True when a pending login's code expired before it was approved: it can no
 * longer be approved, only started again. An approved one never expires
 * here (its key waits to be saved).
 *
 * @example
 * ```ts
 * codeExpired({ expiresAt: "2020-01-01T00:00:00.000Z" }, Date.now()); // true
 * ```
 */
export function codeExpired(
  pending: Pick<PendingLogin, "expiresAt" | "grant">,
  now: number,
): boolean {
  return pending.grant === undefined && Date.parse(pending.expiresAt) <= now;
}

/**
 * The pending login `name`, or null when there is none. Throws
 * CredentialsError when the file or its folders are not to be trusted (a
 * symlink, not a regular file, another user's, writable by others), and
 * CliError when it is not a pending login this version understands.
 *
 * @example
 * ```ts
 * import { denoFs } from "../platform/deno_fs.ts";
 * readPending({ fs: denoFs, home: Deno.makeTempDirSync() }, "default"); // null
 * ```
 */
export function readPending(io: CredentialsIo, name: string): PendingLogin | null {
  const path = pendingPathWith(io, name);
  let file;
  try {
    checkFolders(io, path);
    if (io.fs.lstat(path)?.isSymlink) {
      throw new CredentialsError(
        "symlink",
        path,
        `${path} is ${linkKind(io.fs.platform)}; a pending login is never read through one. ` +
          `Remove it (${removeFileCommand(io.fs.platform, path)}).`,
      );
    }
    file = io.fs.readFile(path);
  } catch (error) {
    if (error instanceof CredentialsError) throw error;
    const code = (error as FsError).code;
    if (code === "EISDIR" || code === "ENOTREG") {
      throw new CredentialsError(
        "not-a-file",
        path,
        `${path} is not a regular file; it was not opened. ` +
          `Remove it (${removeTreeCommand(io.fs.platform, path)}).`,
      );
    }
    throw new CredentialsError(
      "unreadable",
      path,
      `Cannot read ${path}: ${fsErrorText(error)}. Check its owner and mode.`,
    );
  }
  if (!file) return null;
  checkOwner(io.fs, file.facts, path, path);
  checkFileMode(io.fs, file.facts, path); // its API and token endpoint are where --continue goes
  if (io.fs.platform !== "win32" && (file.facts.mode & 0o077) !== 0) {
    io.onWarning?.(
      `${path} is readable by other users (mode ${
        file.facts.mode.toString(8)
      }). Fix it with: chmod 600 ${shellWord(path)}`,
    );
  }
  return parsePending(file.text, path, name);
}

/**
 * Checks the text of a pending file (never quoting it: it holds a secret).
 *
 * @example
 * ```ts
 * try {
 *   parsePending("{}", "/p.json");
 * } catch (error) {
 *   (error as Error).message; // "/p.json is not a pending login this almyty-auth understands. …"
 * }
 * ```
 */
export function parsePending(
  text: string,
  path: string,
  /** The login it is for, named in the fix ("default" or a profile's name). */
  profile = DEFAULT_PROFILE,
): PendingLogin {
  const parsed = parseJson(text);
  if (!parsed.ok) throw startOver(path, `is ${parsed.error}`, profile);
  const value = parsed.value as Record<string, unknown>;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw startOver(path, "is not a pending login", profile);
  }
  if (typeof value.version === "number" && value.version > PENDING_VERSION) {
    throw new CliError(
      `${path} was written by a newer almyty-auth (version ${value.version}); ` +
        "finish it with that version, or upgrade.",
      EXIT.error,
    );
  }
  const strings = [
    "profile",
    "api",
    "frontend",
    "tokenEndpoint",
    "deviceCode",
    "userCode",
    "verificationUri",
    "verificationUriComplete",
    "createdAt",
    "expiresAt",
  ];
  const missing = strings.find((field) => typeof value[field] !== "string" || !value[field]);
  if (
    value.version !== PENDING_VERSION || missing ||
    Number.isNaN(Date.parse(value.expiresAt as string)) ||
    typeof value.interval !== "number" || !Number.isFinite(value.interval) || value.interval < 0
  ) {
    throw startOver(path, `is not a pending login this almyty-auth understands`, profile);
  }
  return value as unknown as PendingLogin;
}
