/**
 * Whose credentials these are. A file or folder another user owns, or a
 * folder others may write to, lets that user plant a key for their own
 * account (the CLI would then act as them): such a file is never trusted.
 *
 * @example
 * ```ts
 * import { checkFolder } from "./trust.ts";
 * import { nodeFs } from "./node_fs.ts";
 * checkFolder(nodeFs, Deno.makeTempDirSync(), "/tmp/x/credentials.json"); // ours: no error
 * ```
 * @module
 */
import { fsErrorText, removeFileCommand, removeTreeCommand, shellWord } from "./fix_hints.ts";
import { type CredentialsFs, directoryOf, type FileFacts, type FsError } from "./fs.ts";
import { CredentialsError } from "./types.ts";

/**
 * Throws CredentialsError("untrusted") when `facts` (of `what`) belong to
 * another user. Never on platforms without owners (Windows).
 *
 * @example
 * ```ts
 * import { nodeFs } from "./node_fs.ts";
 * const me = nodeFs.uid();
 * checkOwner(nodeFs, { isFile: true, isDirectory: false, isSymlink: false, mode: 0o600, uid: me, mtimeMs: 0, size: 0 }, "/c.json", "/c.json");
 * ```
 */
export function checkOwner(fs: CredentialsFs, facts: FileFacts, what: string, path: string): void {
  const me = fs.uid();
  if (me === null || facts.uid === null || facts.uid === me) return;
  throw new CredentialsError(
    "untrusted",
    path,
    `${what} belongs to another user (uid ${facts.uid}; you are uid ${me}), so it is not trusted: ` +
      `they could have put a key for their own account there. Have it removed (by its owner or root: ` +
      `${(facts.isDirectory ? removeTreeCommand : removeFileCommand)(fs.platform, what)}), then ` +
      "log in again.",
  );
}

/**
 * Throws CredentialsError("untrusted") when the file whose `facts` these are
 * can be written by its group or others: anyone of them could have put a key
 * (or an API URL) of theirs in it, as in a folder they can write. Never on
 * platforms without modes (Windows).
 *
 * @example
 * ```ts
 * import { nodeFs } from "./node_fs.ts";
 * checkFileMode(nodeFs, { isFile: true, isDirectory: false, isSymlink: false, mode: 0o600, uid: 0, mtimeMs: 0, size: 0 }, "/c.json");
 * ```
 */
export function checkFileMode(fs: CredentialsFs, facts: FileFacts, path: string): void {
  if (fs.platform === "win32" || fs.uid() === null || (facts.mode & 0o022) === 0) return;
  throw new CredentialsError(
    "untrusted",
    path,
    `${path} is writable by other users (mode ${
      facts.mode.toString(8)
    }), so anyone could have put a key or an API URL of theirs in it; it is not trusted. ` +
      `If it holds your login, fix it with: chmod 600 ${shellWord(path)}`,
  );
}

/**
 * The folder that holds the credentials must be ours and not writable by
 * others. Absent is fine (nothing to trust yet).
 *
 * @example
 * ```ts
 * import { nodeFs } from "./node_fs.ts";
 * checkFolder(nodeFs, "/nonexistent", "/nonexistent/credentials.json"); // absent: no error
 * ```
 */
export function checkFolder(fs: CredentialsFs, dir: string, path: string): void {
  const facts = folderFacts(fs, dir, path);
  if (!facts) return;
  checkOwner(fs, facts, dir, path);
  checkOpen(fs, facts, dir, path, "read");
  if (fs.uid() !== null && (facts.mode & 0o022) !== 0) {
    throw new CredentialsError(
      "untrusted",
      path,
      `${dir} is writable by other users (mode ${
        facts.mode.toString(8)
      }), so anyone could replace your credentials; they are not trusted. Fix it with: chmod 700 ${
        shellWord(dir)
      }`,
    );
  }
}

/**
 * A folder of ours closed to us (`chmod 000`): every use of it fails with
 * EACCES, which would name the file (or a lock file) and suggest a chmod of
 * the file that cannot help; this names the folder and its chmod. Root is
 * not kept out by modes.
 *
 * @example
 * ```ts
 * import { nodeFs } from "./node_fs.ts";
 * const facts = { isFile: false, isDirectory: true, isSymlink: false, mode: 0o700, uid: nodeFs.uid(), mtimeMs: 0, size: 0 };
 * checkOpen(nodeFs, facts, "/home/a/.almyty", "/home/a/.almyty/credentials.json", "write"); // open: no error
 * ```
 */
export function checkOpen(
  fs: CredentialsFs,
  facts: FileFacts,
  dir: string,
  path: string,
  doing: "read" | "write",
): void {
  const me = fs.uid();
  if (me !== null && me !== 0 && (facts.mode & 0o500) !== 0o500) {
    throw closedFolder(dir, path, facts.mode, doing);
  }
}

/** A folder's facts; a folder above it that is closed to us is named as the problem. */
function folderFacts(fs: CredentialsFs, dir: string, path: string): FileFacts | null {
  try {
    return fs.stat(dir);
  } catch (error) {
    const code = (error as FsError).code;
    if (code !== "EACCES" && code !== "EPERM") throw error;
    for (let above = directoryOf(fs.platform, dir); above !== dir;) {
      let facts: FileFacts | null = null;
      try {
        facts = fs.stat(above);
      } catch { /* closed too: look higher */ }
      if (facts) {
        // Only when its mode says so (EPERM can come from elsewhere: a sandbox, macOS privacy).
        if ((facts.mode & 0o100) === 0 && facts.uid === fs.uid()) {
          throw closedFolder(above, path, facts.mode);
        }
        break;
      }
      [dir, above] = [above, directoryOf(fs.platform, above)];
    }
    throw new CredentialsError("unreadable", path, `Cannot open ${dir}: ${fsErrorText(error)}.`);
  }
}

function closedFolder(
  dir: string,
  path: string,
  mode: number,
  doing: "read" | "write" = "read",
): CredentialsError {
  return new CredentialsError(
    "unreadable",
    path,
    `Cannot ${doing} ${path}: ${path === dir ? "it" : `its folder ${dir}`} is closed to you (mode ${
      mode.toString(8)
    }). Fix it with: chmod 700 ${shellWord(dir)}`,
  );
}
