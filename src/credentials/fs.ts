/**
 * The file-system operations the credentials library needs, as an interface:
 * `node_fs.ts` implements it on `node:` modules (the library's default, so
 * it runs on Node and Deno); the CLI passes a Deno-native one so its start-up
 * does not pay for Deno's Node-compatibility layer.
 *
 * @example
 * ```ts
 * import { joinPath } from "./fs.ts";
 * joinPath("linux", "/home/alice", ".almyty"); // "/home/alice/.almyty"
 * ```
 * @module
 */
import { concatBytes } from "../protocol/bytes.ts";

/** What the library needs to know about a path. */
export interface FileFacts {
  isFile: boolean;
  isDirectory: boolean;
  isSymlink: boolean;
  /** Permission bits (0 where the platform has none). */
  mode: number;
  /** Owner uid, or null where the platform has none. */
  uid: number | null;
  /** Last modification, epoch ms (null when unknown). */
  mtimeMs: number | null;
  /** Size in bytes. */
  size: number;
}

/**
 * A failed file operation, with a Node-style code (ENOENT, EACCES, EISDIR, …).
 *
 * @example
 * ```ts
 * new FsError("ENOENT", "ENOENT: /nope").code; // "ENOENT"
 * ```
 */
export class FsError extends Error {
  override name = "FsError";
  /** Builds the error. */
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

/**
 * The largest file the library reads: a credentials file is a few hundred
 * bytes; a bigger one (a 1 GiB file cost 2 GB of memory) is refused unread.
 */
export const MAX_FILE_BYTES = 1024 * 1024;

/**
 * Reads an open file to its end through `read` (bytes read into the buffer,
 * 0 at the end), refusing with FsError("EFBIG") a file whose `size` is over
 * `MAX_FILE_BYTES` or that grew past it after the stat, having read at most
 * one byte more. A BOM is kept, as `node:fs` keeps it, so the library sees
 * (and reports) the same text on either file system.
 *
 * @example
 * ```ts
 * const bytes = new TextEncoder().encode("{}");
 * let done = false;
 * readCappedText((buffer) => {
 *   if (done) return 0;
 *   buffer.set(bytes);
 *   done = true;
 *   return bytes.length;
 * }, bytes.length, "/p.json"); // "{}"
 * ```
 */
export function readCappedText(
  read: (buffer: Uint8Array) => number,
  size: number,
  path: string,
): string {
  const tooLarge = () => new FsError("EFBIG", `EFBIG: ${path}`);
  if (size > MAX_FILE_BYTES) throw tooLarge();
  // One buffer a byte larger than the stat said, read until a read gives 0: the usual file
  // takes two reads and no copy. Only a file that grew after the stat needs another buffer.
  let buffer = new Uint8Array(Math.min(Math.max(size + 1, 4096), MAX_FILE_BYTES + 1));
  let filled = 0;
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    if (filled === buffer.length) {
      chunks.push(buffer);
      buffer = new Uint8Array(Math.min(buffer.length, MAX_FILE_BYTES + 1));
      filled = 0;
    }
    const count = read(buffer.subarray(filled));
    if (count === 0) break;
    filled += count;
    total += count;
    if (total > MAX_FILE_BYTES) throw tooLarge(); // it grew after the stat
  }
  chunks.push(buffer.subarray(0, filled));
  return UTF8.decode(chunks.length === 1 ? chunks[0] : concatBytes(chunks));
}

/** Stateless between calls (no `stream`), so one serves every read. */
const UTF8 = new TextDecoder("utf-8", { ignoreBOM: true });

/** The operations; every one is synchronous and throws FsError. */
export interface CredentialsFs {
  /** `process.platform` style: "linux", "darwin", "win32", … */
  readonly platform: string;
  /** The process environment (used only when the caller passes none). */
  env(): Record<string, string | undefined>;
  /** The current user's uid, or null where the platform has none (Windows). */
  uid(): number | null;
  /** The current working directory, as the system reports it (symlinks resolved). */
  cwd(): string;
  /** The absolute path with every symlink resolved; throws FsError (ENOENT …). */
  realPath(path: string): string;
  /**
   * Returns a regular file's facts and text; null when absent. Anything else
   * (a FIFO, a socket, a device, a directory, a link to one) is refused with
   * FsError("ENOTREG") without being opened, so a read never blocks. A file
   * larger than `MAX_FILE_BYTES` is refused with FsError("EFBIG"), having read
   * at most one byte more than that.
   */
  readFile(path: string): { facts: FileFacts; text: string } | null;
  /**
   * True when `path` names something (a symlink counts when what it points to
   * exists). Never throws; cheaper than `lstat` for the common miss.
   */
  exists(path: string): boolean;
  /** Facts about `path` itself (a symlink is not followed); null when absent. */
  lstat(path: string): FileFacts | null;
  /** Facts about what `path` points to; null when absent. */
  stat(path: string): FileFacts | null;
  /** `mkdir -p` with `mode` for what it creates. */
  mkdirp(path: string, mode: number): void;
  /** Sets permission bits. */
  chmod(path: string, mode: number): void;
  /** Creates `path` exclusively (O_CREAT|O_EXCL) with `mode`, writes `text`, fsyncs, closes. */
  writeNew(path: string, text: string, mode: number): void;
  /** Renames over the target (atomic on one file system). */
  rename(from: string, to: string): void;
  /** Removes a file; false when it was not there. */
  remove(path: string): boolean;
  /** The names in a directory (empty when it does not exist). */
  list(path: string): string[];
  /** fsyncs a directory so a rename survives a crash; best effort. */
  syncDirectory(path: string): void;
  /** Blocks for `ms` (a retry's backoff); when absent, `Atomics.wait` does. */
  pause?(ms: number): void;
}

/**
 * Runs a file operation; a missing path gives null instead of an error: ENOENT,
 * or ENOTDIR (a part of the path is a file, so nothing can be at the path).
 *
 * @example
 * ```ts
 * nullIfAbsent(() => { throw new FsError("ENOENT", "gone"); }); // null
 * ```
 */
export function nullIfAbsent<T>(operation: () => T): T | null {
  try {
    return operation();
  } catch (error) {
    if (error instanceof FsError && (error.code === "ENOENT" || error.code === "ENOTDIR")) {
      return null;
    }
    throw error;
  }
}

/**
 * The platform's separator.
 *
 * @example
 * ```ts
 * separator("win32"); // "\\"
 * ```
 */
export function separator(platform: string): string {
  return platform === "win32" ? "\\" : "/";
}

/**
 * Joins path parts with the platform's separator.
 *
 * @example
 * ```ts
 * joinPath("linux", "/home/alice/", ".almyty"); // "/home/alice/.almyty"
 * ```
 */
export function joinPath(platform: string, ...parts: string[]): string {
  const sep = separator(platform);
  return parts.map((part, i) => (i === 0 ? part.replace(/[\\/]+$/, "") : part)).join(sep);
}

/**
 * The directory part of a path.
 *
 * @example
 * ```ts
 * directoryOf("linux", "/home/alice/.almyty/credentials.json"); // "/home/alice/.almyty"
 * ```
 */
export function directoryOf(platform: string, path: string): string {
  const at = Math.max(path.lastIndexOf(separator(platform)), path.lastIndexOf("/"));
  return at <= 0 ? separator(platform) : path.slice(0, at);
}
