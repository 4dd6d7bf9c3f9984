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
import { removeFileCommand, removeTreeCommand, shellWord } from "./fix_hints.ts";
import type { CredentialsFs, FileFacts } from "./fs.ts";
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
  const facts = fs.stat(dir);
  if (!facts) return;
  checkOwner(fs, facts, dir, path);
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
