/**
 * The commands error messages suggest, in the user's own shell: POSIX words
 * (`rm`, `mv`) on Linux and macOS; on Windows, words that cmd and PowerShell
 * both understand (`del`, `move`), or PowerShell's where they differ. And
 * what a "symbolic link" is on each OS: on Windows, Deno and Node report any
 * reparse point as one (a OneDrive online-only file, a junction).
 *
 * @example
 * ```ts
 * import { removeFileCommand } from "./fix_hints.ts";
 * removeFileCommand("linux", "/home/alice/.almyty/credentials.json"); // "rm /home/alice/.almyty/credentials.json"
 * removeFileCommand("win32", "C:\\Users\\alice\\.almyty\\credentials.json"); // 'del "C:\\Users\\alice\\.almyty\\credentials.json"'
 * ```
 * @module
 */

/**
 * Removes one file.
 *
 * @example
 * ```ts
 * removeFileCommand("darwin", "/Users/a/x"); // "rm /Users/a/x"
 * ```
 */
export function removeFileCommand(platform: string, path: string): string {
  return platform === "win32" ? `del "${path}"` : `rm ${path}`;
}

/**
 * Removes a file or a folder with what is in it.
 *
 * @example
 * ```ts
 * removeTreeCommand("win32", "C:\\x"); // 'Remove-Item -Recurse "C:\\x" (PowerShell)'
 * ```
 */
export function removeTreeCommand(platform: string, path: string): string {
  return platform === "win32" ? `Remove-Item -Recurse "${path}" (PowerShell)` : `rm -r ${path}`;
}

/**
 * Moves a file aside to `<path>.bak`.
 *
 * @example
 * ```ts
 * moveAsideCommand("linux", "/h/c.json"); // "mv /h/c.json /h/c.json.bak"
 * ```
 */
export function moveAsideCommand(platform: string, path: string): string {
  return platform === "win32" ? `move "${path}" "${path}.bak"` : `mv ${path} ${path}.bak`;
}

/**
 * What a path whose facts say "symlink" is.
 *
 * @example
 * ```ts
 * linkKind("linux"); // "a symbolic link"
 * ```
 */
export function linkKind(platform: string): string {
  return platform === "win32"
    ? "a symbolic link or another reparse point (a OneDrive online-only file, a junction)"
    : "a symbolic link";
}

/**
 * What keeps other users out of a file under `home` on Windows, where files
 * have no POSIX mode or owner uid: the profile folder's ACL. Not checked by
 * us; `icacls` shows it.
 *
 * @example
 * ```ts
 * windowsProtection("C:\\Users\\alice");
 * // 'the ACL of your profile folder C:\\Users\\alice (by default only you, SYSTEM and Administrators; not checked here: icacls "C:\\Users\\alice" shows it)'
 * ```
 */
export function windowsProtection(home: string): string {
  return `the ACL of your profile folder ${home} (by default only you, SYSTEM and Administrators; ` +
    `not checked here: icacls "${home}" shows it)`;
}
