/**
 * Atomic, private file replacement: the one way this project writes a secret.
 *
 * @example
 * ```ts
 * import { writeFileAtomic } from "./atomic.ts";
 * writeFileAtomic("/tmp/h/.almyty/credentials.json", "{}\n");
 * ```
 * @module
 */
import {
  chmodSync,
  closeSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { randomBytes } from "node:crypto";
import { basename, dirname, join } from "node:path";
import process from "node:process";

const POSIX = process.platform !== "win32";

/** Why an atomic write failed. */
export class AtomicWriteError extends Error {
  override name = "AtomicWriteError";
  constructor(readonly reason: "symlink" | "io", message: string) {
    super(message);
  }
}

/**
 * Replaces `path` with `text`. The directory is created 0700 (tightened if
 * looser); the data goes to a 0600 temp file beside the target (O_EXCL, so the
 * mode holds from the first byte), is fsynced, then renamed over the target:
 * a concurrent reader sees the old file or the new one, never a part.
 * A symlink at the target is refused, never written through.
 */
export function writeFileAtomic(path: string, text: string): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (POSIX && (statSync(dir).mode & 0o077) !== 0) chmodSync(dir, 0o700);
  if (isSymlink(path)) {
    throw new AtomicWriteError(
      "symlink",
      `${path} is a symbolic link; refusing to write through it. Remove the link (rm ${path}) and try again.`,
    );
  }
  const temp = join(dir, `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(temp, "wx", 0o600);
    writeSync(fd, text);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temp, path);
  } catch (error) {
    if (fd !== undefined) closeSync(fd);
    try {
      unlinkSync(temp);
    } catch { /* never created, or already gone */ }
    throw new AtomicWriteError(
      "io",
      `Cannot write ${path} (${(error as NodeJS.ErrnoException).code ?? error}). ` +
        `Check that ${dir} is yours and writable.`,
    );
  }
  syncDirectory(dir);
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

// Makes the rename durable across a crash; not possible (or needed) on Windows.
function syncDirectory(dir: string): void {
  if (!POSIX) return;
  try {
    const fd = openSync(dir, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch { /* best effort */ }
}
