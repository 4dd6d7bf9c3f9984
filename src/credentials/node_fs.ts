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
  fstatSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  type Stats,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import process from "node:process";
import { type CredentialsFs, type FileFacts, FsError, nullIfAbsent } from "./fs.ts";

function facts(stat: Stats): FileFacts {
  return {
    isFile: stat.isFile(),
    isDirectory: stat.isDirectory(),
    isSymlink: stat.isSymbolicLink(),
    mode: stat.mode & 0o777,
    uid: process.platform === "win32" ? null : stat.uid,
  };
}

function wrap<T>(path: string, operation: () => T): T {
  try {
    return operation();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "EIO";
    throw new FsError(code, `${code}: ${path}`);
  }
}

/** The node:fs implementation. */
export const nodeFs: CredentialsFs = {
  platform: process.platform,
  env: () => process.env,
  readFile: (path) =>
    nullIfAbsent(() =>
      wrap(path, () => {
        const fd = openSync(path, "r");
        try {
          const info = facts(fstatSync(fd));
          return { facts: info, text: info.isFile ? readFileSync(fd, "utf8") : "" };
        } finally {
          closeSync(fd);
        }
      })
    ),
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
