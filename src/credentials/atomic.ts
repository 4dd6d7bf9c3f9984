/**
 * Atomic, private file replacement: the one way this project writes a secret.
 *
 * @example
 * ```ts
 * import { writeFileAtomic } from "./atomic.ts";
 * import { nodeFs } from "./node_fs.ts";
 * const dir = Deno.makeTempDirSync();
 * writeFileAtomic(nodeFs, `${dir}/.almyty/credentials.json`, "{}\n");
 * ```
 * @module
 */
import { randomHex } from "../protocol/random.ts";
import { type CredentialsFs, directoryOf, type FsError, joinPath } from "./fs.ts";
import { fsErrorText, linkKind, moveAsideCommand, removeFileCommand } from "./fix_hints.ts";
import { checkOpen, checkOwner } from "./trust.ts";
import { CredentialsError } from "./types.ts";

/**
 * Why an atomic write failed.
 *
 * @example
 * ```ts
 * new AtomicWriteError("symlink", "a symbolic link").reason; // "symlink"
 * ```
 */
export class AtomicWriteError extends Error {
  override name = "AtomicWriteError";
  /** Builds the error. */
  constructor(readonly reason: "symlink" | "io", message: string) {
    super(message);
  }
}

/** Temp files of ours older than this are leftovers of a crash (a write takes milliseconds). */
export const STALE_TEMP_MS = 60_000;

/** The temp file name pattern beside `base`. */
function tempPattern(base: string): RegExp {
  return new RegExp(`^\\.${base.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\.[0-9a-f]{12}\\.tmp$`);
}

/**
 * Removes temp files of ours beside `path` that a crash (SIGKILL, power loss)
 * left behind: they may hold a token. Only old ones: a concurrent writer's
 * fresh temp file is left alone. Returns how many were removed.
 *
 * @example
 * ```ts
 * import { nodeFs } from "./node_fs.ts";
 * sweepStaleTemps(nodeFs, `${Deno.makeTempDirSync()}/credentials.json`); // 0
 * ```
 */
export function sweepStaleTemps(fs: CredentialsFs, path: string, now = Date.now()): number {
  const dir = directoryOf(fs.platform, path);
  const pattern = tempPattern(path.slice(dir.length + 1));
  let removed = 0;
  for (const name of fs.list(dir)) {
    if (!pattern.test(name)) continue;
    const temp = joinPath(fs.platform, dir, name);
    try {
      const facts = fs.lstat(temp);
      if (facts?.isFile && facts.mtimeMs !== null && now - facts.mtimeMs > STALE_TEMP_MS) {
        if (fs.remove(temp)) removed++;
      }
    } catch { /* gone meanwhile, or not ours to remove */ }
  }
  return removed;
}

/**
 * Sweeps the stale temp files of every file in `dir` ({@linkcode sweepStaleTemps}),
 * also of one that does not exist (a first save killed mid-write): what
 * `logout --all` leaves of the folders it empties. Returns how many.
 *
 * @example
 * ```ts
 * import { nodeFs } from "./node_fs.ts";
 * sweepStaleTempsIn(nodeFs, Deno.makeTempDirSync()); // 0
 * ```
 */
export function sweepStaleTempsIn(fs: CredentialsFs, dir: string, now = Date.now()): number {
  const bases = new Set<string>();
  for (const name of fs.list(dir)) {
    const base = /^\.(.+)\.[0-9a-f]{12}\.tmp$/.exec(name)?.[1];
    if (base) bases.add(base);
  }
  let removed = 0;
  for (const base of bases) removed += sweepStaleTemps(fs, joinPath(fs.platform, dir, base), now);
  return removed;
}

/**
 * Creates `dir` 0700 if absent, refuses it when another user owns it, and
 * tightens it to 0700 when others may enter it. `path` is what the folder is
 * for (named in errors). Throws CredentialsError or FsError.
 *
 * @example
 * ```ts
 * import { nodeFs } from "./node_fs.ts";
 * const dir = `${Deno.makeTempDirSync()}/.almyty`;
 * ensurePrivateFolder(nodeFs, dir, `${dir}/credentials.json`);
 * ```
 */
export function ensurePrivateFolder(fs: CredentialsFs, dir: string, path: string): void {
  if (fs.stat(dir)?.isDirectory === false) {
    throw new AtomicWriteError(
      "io",
      `Cannot write ${path}: ${dir} is a file, not a folder. Move it aside (${
        moveAsideCommand(fs.platform, dir)
      }) and try again.`,
    );
  }
  fs.mkdirp(dir, 0o700);
  const folder = fs.stat(dir);
  if (folder) {
    checkOwner(fs, folder, dir, path);
    checkOpen(fs, folder, dir, path, "write");
  }
  if (fs.platform !== "win32" && ((folder?.mode ?? 0) & 0o077) !== 0) fs.chmod(dir, 0o700);
}

/**
 * How long each retry of a refused replace waits (about 2 s in all): Windows
 * refuses to replace a file another program has open without sharing delete
 * (Node's rename is one MoveFileExW; Deno's falls back only for readers that
 * share delete), which antivirus, sync clients and readers do for a moment.
 */
export const REPLACE_BACKOFF_MS = [10, 20, 40, 80, 160, 320, 500, 870];

/** What Windows answers while another program has the file open. */
const SHARING_CODES = new Set(["EPERM", "EACCES", "EBUSY"]);

/** Blocks the thread for `ms` (the library's writes are synchronous). */
function pauseSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Renames `from` over `to`; on Windows, a refusal because the target is open
 * elsewhere is retried with backoff (`REPLACE_BACKOFF_MS`). Elsewhere those
 * codes mean permissions, which waiting does not change.
 *
 * @example
 * ```ts
 * import { nodeFs } from "./node_fs.ts";
 * const dir = Deno.makeTempDirSync();
 * Deno.writeTextFileSync(`${dir}/new`, "{}");
 * replace(nodeFs, `${dir}/new`, `${dir}/credentials.json`);
 * ```
 */
export function replace(fs: CredentialsFs, from: string, to: string): void {
  for (let attempt = 0;; attempt++) {
    try {
      return fs.rename(from, to);
    } catch (error) {
      const retry = fs.platform === "win32" && SHARING_CODES.has((error as FsError).code) &&
        attempt < REPLACE_BACKOFF_MS.length;
      if (!retry) throw error;
      if (fs.pause) fs.pause(REPLACE_BACKOFF_MS[attempt]);
      else pauseSync(REPLACE_BACKOFF_MS[attempt]);
    }
  }
}

/**
 * Checks, without changing `path`, that `writeFileAtomic` could replace it
 * now: the folder exists (created 0700) and is ours, `path` is no symbolic
 * link, and a file can be created beside it (a 0600 probe, removed at once).
 * Throws what `writeFileAtomic` would.
 *
 * @example
 * ```ts
 * import { nodeFs } from "./node_fs.ts";
 * const dir = Deno.makeTempDirSync();
 * checkWritable(nodeFs, `${dir}/.almyty/credentials.json`);
 * ```
 */
export function checkWritable(fs: CredentialsFs, path: string): void {
  const dir = directoryOf(fs.platform, path);
  const base = path.slice(dir.length + 1);
  const probe = joinPath(fs.platform, dir, `.${base}.${randomHex(6)}.tmp`);
  let created = false;
  try {
    ensurePrivateFolder(fs, dir, path);
    refuseSymlink(fs, path);
    fs.writeNew(probe, "", 0o600);
    created = true;
  } catch (error) {
    if (error instanceof AtomicWriteError || error instanceof CredentialsError) throw error;
    throw cannotWrite(path, dir, error);
  } finally {
    if (created) {
      try {
        fs.remove(probe);
      } catch { /* swept as a stale temp file later */ }
    }
  }
}

function refuseSymlink(fs: CredentialsFs, path: string): void {
  if (fs.lstat(path)?.isSymlink) {
    throw new AtomicWriteError(
      "symlink",
      `${path} is ${linkKind(fs.platform)}; refusing to write through it. ` +
        `Remove it (${removeFileCommand(fs.platform, path)}) and try again.`,
    );
  }
}

function cannotWrite(path: string, dir: string, error: unknown): AtomicWriteError {
  return new AtomicWriteError(
    "io",
    `Cannot write ${path}: ${
      fsErrorText(error)
    }. Check that ${dir} is yours and writable, and that the disk is not full.`,
  );
}

/**
 * Replaces `path` with `text`. The directory is created 0700 (tightened if
 * looser, refused if another user owns it); the data goes to a 0600 temp
 * file beside the target (created exclusively, so the mode holds from the
 * first byte), is fsynced, then renamed over the target: a concurrent reader
 * sees the old file or the new one, never a part. A symlink at the target is
 * refused, never written through. On Windows, a target another program holds
 * open is retried for about 2 s ({@linkcode replace}). On any failure the temp
 * file is removed, and stale temp files of earlier crashes are swept first.
 *
 * @example
 * ```ts
 * import { nodeFs } from "./node_fs.ts";
 * const dir = Deno.makeTempDirSync();
 * writeFileAtomic(nodeFs, `${dir}/.almyty/credentials.json`, "{}\n");
 * ```
 */
export function writeFileAtomic(fs: CredentialsFs, path: string, text: string): void {
  const dir = directoryOf(fs.platform, path);
  const base = path.slice(dir.length + 1);
  const temp = joinPath(fs.platform, dir, `.${base}.${randomHex(6)}.tmp`);
  // Set before the temp file exists: a failure while writing it (EIO, ENOSPC)
  // must still remove whatever part of the token reached the disk.
  let mayExist = false;
  try {
    ensurePrivateFolder(fs, dir, path);
    refuseSymlink(fs, path);
    sweepStaleTemps(fs, path);
    mayExist = true;
    fs.writeNew(temp, text, 0o600);
    replace(fs, temp, path);
    mayExist = false;
  } catch (error) {
    if (mayExist && (error as FsError).code !== "EEXIST") {
      try {
        fs.remove(temp);
      } catch { /* already gone */ }
    }
    if (error instanceof AtomicWriteError || error instanceof CredentialsError) throw error;
    const code = (error as FsError).code;
    if (fs.platform === "win32" && SHARING_CODES.has(code)) {
      throw new AtomicWriteError(
        "io",
        `Cannot replace ${path}: another program keeps it open (${code}), such as an editor, ` +
          "antivirus, OneDrive or another almyty command reading it. Close it and try again.",
      );
    }
    throw cannotWrite(path, dir, error);
  }
  fs.syncDirectory(dir);
}
