/**
 * `CredentialsFs` on Deno's own API, for the CLI and the reference server:
 * it avoids initialising Deno's Node-compatibility layer (about 15 ms of
 * every command's start-up).
 *
 * @example
 * ```ts
 * import { denoFs } from "./deno_fs.ts";
 * denoFs.stat("/tmp")?.isDirectory; // true
 * ```
 * @module
 */
import {
  type CredentialsFs,
  type FileFacts,
  FsError,
  nullIfAbsent,
  readCappedText,
} from "../credentials/fs.ts";

const PLATFORM = Deno.build.os === "windows" ? "win32" : Deno.build.os;

function facts(info: Deno.FileInfo): FileFacts {
  return {
    isFile: info.isFile,
    isDirectory: info.isDirectory,
    isSymlink: info.isSymlink,
    mode: (info.mode ?? 0) & 0o777,
    uid: info.uid,
    mtimeMs: info.mtime?.getTime() ?? null,
    size: info.size,
  };
}

const CODES: [new (...args: never[]) => Error, string][] = [
  [Deno.errors.NotFound, "ENOENT"],
  [Deno.errors.PermissionDenied, "EACCES"],
  [Deno.errors.AlreadyExists, "EEXIST"],
  [Deno.errors.IsADirectory, "EISDIR"],
  [Deno.errors.NotADirectory, "ENOTDIR"],
  [Deno.errors.NotCapable, "EPERM"],
];

function notRegular(path: string): FsError {
  return new FsError("ENOTREG", `ENOTREG: ${path}`);
}

function wrap<T>(path: string, operation: () => T): T {
  try {
    return operation();
  } catch (error) {
    if (error instanceof FsError) throw error;
    const code = CODES.find(([type]) => error instanceof type)?.[1] ??
      (error as { code?: string }).code ?? "EIO";
    throw new FsError(code, `${code}: ${path}`);
  }
}

/** The Deno implementation. */
export const denoFs: CredentialsFs = {
  platform: PLATFORM,
  // Reading the whole environment needs a permission the CLI does not have; it passes its own.
  env: () => {
    try {
      return Deno.env.toObject();
    } catch {
      return {};
    }
  },
  uid: () => (PLATFORM === "win32" ? null : Deno.uid()),
  cwd: () => Deno.cwd(),
  realPath: (path) => wrap(path, () => Deno.realPathSync(path)),
  readFile: (path) =>
    nullIfAbsent(() =>
      wrap(path, () => {
        // Never open what is not a regular file: opening a FIFO blocks until a writer comes.
        if (!Deno.statSync(path).isFile) throw notRegular(path);
        using file = Deno.openSync(path, { read: true });
        const info = facts(file.statSync());
        if (!info.isFile) throw notRegular(path);
        return {
          facts: info,
          text: readCappedText((buffer) => file.readSync(buffer) ?? 0, info.size, path),
        };
      })
    ),
  exists: (path) => {
    // Deno has no stat that does not throw; the usual answer here is "absent" (the
    // walk for a .almyty-profile), so the error is made without a stack trace.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      Deno.statSync(path);
      return true;
    } catch {
      return false;
    } finally {
      Error.stackTraceLimit = limit;
    }
  },
  lstat: (path) => nullIfAbsent(() => wrap(path, () => facts(Deno.lstatSync(path)))),
  stat: (path) => nullIfAbsent(() => wrap(path, () => facts(Deno.statSync(path)))),
  mkdirp: (path, mode) => wrap(path, () => Deno.mkdirSync(path, { recursive: true, mode })),
  chmod: (path, mode) => wrap(path, () => Deno.chmodSync(path, mode)),
  writeNew: (path, text, mode) =>
    wrap(path, () => {
      using file = Deno.openSync(path, { write: true, createNew: true, mode });
      const bytes = new TextEncoder().encode(text);
      let written = 0;
      while (written < bytes.length) written += file.writeSync(bytes.subarray(written));
      file.syncSync();
    }),
  rename: (from, to) => wrap(to, () => Deno.renameSync(from, to)),
  remove: (path) => nullIfAbsent(() => wrap(path, () => Deno.removeSync(path))) !== null,
  list: (path) =>
    nullIfAbsent(() => wrap(path, () => [...Deno.readDirSync(path)].map((e) => e.name))) ?? [],
  syncDirectory: (path) => {
    if (PLATFORM === "win32") return;
    try {
      using dir = Deno.openSync(path, { read: true });
      dir.syncSync();
    } catch { /* best effort */ }
  },
};
