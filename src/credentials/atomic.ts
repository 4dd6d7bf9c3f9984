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

/**
 * Replaces `path` with `text`. The directory is created 0700 (tightened if
 * looser); the data goes to a 0600 temp file beside the target (created
 * exclusively, so the mode holds from the first byte), is fsynced, then
 * renamed over the target: a concurrent reader sees the old file or the new
 * one, never a part. A symlink at the target is refused, never written through.
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
  const posix = fs.platform !== "win32";
  const base = path.slice(dir.length + 1);
  const temp = joinPath(fs.platform, dir, `.${base}.${randomHex(6)}.tmp`);
  let created = false;
  try {
    fs.mkdirp(dir, 0o700);
    if (posix && ((fs.stat(dir)?.mode ?? 0) & 0o077) !== 0) fs.chmod(dir, 0o700);
    if (fs.lstat(path)?.isSymlink) {
      throw new AtomicWriteError(
        "symlink",
        `${path} is a symbolic link; refusing to write through it. Remove the link (rm ${path}) and try again.`,
      );
    }
    fs.writeNew(temp, text, 0o600);
    created = true;
    fs.rename(temp, path);
    created = false;
  } catch (error) {
    if (created) {
      try {
        fs.remove(temp);
      } catch { /* already gone */ }
    }
    if (error instanceof AtomicWriteError) throw error;
    throw new AtomicWriteError(
      "io",
      `Cannot write ${path} (${
        (error as FsError).code ?? error
      }). Check that ${dir} is yours and writable.`,
    );
  }
  fs.syncDirectory(dir);
}
