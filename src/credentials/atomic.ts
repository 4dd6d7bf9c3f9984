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
import { checkOwner } from "./trust.ts";
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
  fs.mkdirp(dir, 0o700);
  const folder = fs.stat(dir);
  if (folder) checkOwner(fs, folder, dir, path);
  if (fs.platform !== "win32" && ((folder?.mode ?? 0) & 0o077) !== 0) fs.chmod(dir, 0o700);
}

/**
 * Replaces `path` with `text`. The directory is created 0700 (tightened if
 * looser, refused if another user owns it); the data goes to a 0600 temp
 * file beside the target (created exclusively, so the mode holds from the
 * first byte), is fsynced, then renamed over the target: a concurrent reader
 * sees the old file or the new one, never a part. A symlink at the target is
 * refused, never written through. On any failure the temp file is removed,
 * and stale temp files of earlier crashes are swept first.
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
    if (fs.lstat(path)?.isSymlink) {
      throw new AtomicWriteError(
        "symlink",
        `${path} is a symbolic link; refusing to write through it. Remove the link (rm ${path}) and try again.`,
      );
    }
    sweepStaleTemps(fs, path);
    mayExist = true;
    fs.writeNew(temp, text, 0o600);
    fs.rename(temp, path);
    mayExist = false;
  } catch (error) {
    if (mayExist && (error as FsError).code !== "EEXIST") {
      try {
        fs.remove(temp);
      } catch { /* already gone */ }
    }
    if (error instanceof AtomicWriteError || error instanceof CredentialsError) throw error;
    throw new AtomicWriteError(
      "io",
      `Cannot write ${path} (${
        (error as FsError).code ?? error
      }). Check that ${dir} is yours and writable, and that the disk is not full.`,
    );
  }
  fs.syncDirectory(dir);
}
