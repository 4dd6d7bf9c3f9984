/**
 * `CredentialsFs` on `node:fs`: the library's default, for Node.js and Deno.
 *
 * @example
 * ```ts
 * import { nodeFs } from "./node_fs.ts";
 * nodeFs.readFile("/home/alice/.almyty/credentials.json")?.text;
 * ```
 * @module
 */
import {
  chmodSync,
  closeSync,
  constants,
  existsSync,
  fstatSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  realpathSync,
  renameSync,
  type Stats,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import process from "node:process";
import { type CredentialsFs, type FileFacts, FsError, nullIfAbsent, readCappedText } from "./fs.ts";

function facts(stat: Stats): FileFacts {
  return {
    isFile: stat.isFile(),
    isDirectory: stat.isDirectory(),
    isSymlink: stat.isSymbolicLink(),
    mode: stat.mode & 0o777,
    uid: process.platform === "win32" ? null : stat.uid,
    mtimeMs: stat.mtimeMs,
    size: stat.size,
  };
}

function notRegular(path: string): FsError {
  return new FsError("ENOTREG", `ENOTREG: ${path}`);
}

function wrap<T>(path: string, operation: () => T): T {
  try {
    return operation();
  } catch (error) {
    if (error instanceof FsError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? "EIO";
    throw new FsError(code, `${code}: ${path}`);
  }
}

/** The node:fs implementation. */
export const nodeFs: CredentialsFs = {
  platform: process.platform,
  env: () => process.env,
  uid: () => {
    if (process.platform === "win32") return null;
    try {
      return process.getuid?.() ?? null;
    } catch {
      return null; // Deno without --allow-sys=uid: the ownership checks cannot run
    }
  },
  cwd: () => process.cwd(),
  realPath: (path) => wrap(path, () => realpathSync(path)),
  readFile: (path) =>
    nullIfAbsent(() =>
      wrap(path, () => {
        // O_NONBLOCK: opening a FIFO returns at once instead of waiting for a writer;
        // what is opened is then checked with fstat before a byte is read.
        const nonBlocking = process.platform === "win32" ? 0 : constants.O_NONBLOCK;
        let fd;
        try {
          fd = openSync(path, constants.O_RDONLY | nonBlocking);
        } catch (error) {
          // A socket cannot be opened (ENXIO): it is not a regular file either.
          if ((error as NodeJS.ErrnoException).code === "ENXIO") throw notRegular(path);
          throw error;
        }
        try {
          const stat = fstatSync(fd);
          const info = facts(stat);
          if (!info.isFile) throw notRegular(path);
          return {
            facts: info,
            text: readCappedText(
              (buffer) => readSync(fd, buffer, 0, buffer.length, null),
              stat.size,
              path,
            ),
          };
        } finally {
          closeSync(fd);
        }
      })
    ),
  // One cheap call, no error object built for the usual "absent" (Deno's Node layer included).
  exists: (path) => existsSync(path),
  lstat: (path) => nullIfAbsent(() => wrap(path, () => facts(lstatSync(path)))),
  stat: (path) => nullIfAbsent(() => wrap(path, () => facts(statSync(path)))),
  mkdirp: (path, mode) => wrap(path, () => mkdirSync(path, { recursive: true, mode })),
  chmod: (path, mode) => wrap(path, () => chmodSync(path, mode)),
  writeNew: (path, text, mode) =>
    wrap(path, () => {
      const fd = openSync(path, "wx", mode);
      try {
        writeSync(fd, text);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    }),
  rename: (from, to) => wrap(to, () => renameSync(from, to)),
  remove: (path) => nullIfAbsent(() => wrap(path, () => unlinkSync(path))) !== null,
  list: (path) => nullIfAbsent(() => wrap(path, () => readdirSync(path))) ?? [],
  syncDirectory: (path) => {
    if (process.platform === "win32") return;
    try {
      const fd = openSync(path, "r");
      try {
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    } catch { /* best effort */ }
  },
};
