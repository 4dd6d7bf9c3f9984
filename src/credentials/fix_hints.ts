/**
 * The commands error messages suggest: the `almyty-auth login` that makes a
 * login again where it belongs (its profile, its API), and, in the user's own
 * shell, what removes or moves a file: POSIX words (`rm`, `mv`) on Linux and
 * macOS; on Windows, words that cmd and PowerShell both understand (`del`,
 * `move`), or PowerShell's where they differ. And what a "symbolic link" is
 * on each OS: on Windows, Deno and Node report any reparse point as one (a
 * OneDrive online-only file, a junction).
 *
 * @example
 * ```ts
 * import { loginCommand, removeFileCommand } from "./fix_hints.ts";
 * loginCommand({ login: { profile: "staging" }, api: "https://api.staging.almyty.com" });
 * // "almyty-auth login --profile staging --api https://api.staging.almyty.com"
 * removeFileCommand("linux", "/home/alice/.almyty/credentials.json"); // "rm /home/alice/.almyty/credentials.json"
 * removeFileCommand("win32", "C:\\Users\\alice\\.almyty\\credentials.json"); // 'del "C:\\Users\\alice\\.almyty\\credentials.json"'
 * ```
 * @module
 */
import { DEFAULT_API_URL } from "../protocol/constants.ts";
import { stripControl } from "../protocol/text.ts";
import { deriveFrontendUrl } from "../protocol/urls.ts";
import { DEFAULT_PROFILE } from "./types.ts";

/** What PowerShell runs or ends a string at inside double quotes: `$(…)`, its escape, “smart” quotes. */
const POWERSHELL_IN_DOUBLE_QUOTES = /[$`\u201C\u201D\u201E]/;
/** What cmd.exe runs outside quotes. */
const CMD_OPERATORS = /[&|<>^]/;

/**
 * A word for Windows' two shells. Double quotes where PowerShell reads nothing in them (cmd.exe runs
 * nothing inside them: a Windows name never holds `"`); else PowerShell's literal single quotes,
 * if cmd.exe would run nothing in the bare word; else no word at all, only `<path>`.
 */
function windowsWord(word: string): string {
  if (/^[\w:\\.-]+$/.test(word)) return word;
  if (!POWERSHELL_IN_DOUBLE_QUOTES.test(word)) return `"${word}"`;
  if (!CMD_OPERATORS.test(word)) return `'${word.replace(/['\u2018\u2019\u201A\u201B]/g, "$&$&")}'`;
  return "<path>";
}

/** What a POSIX shell reads as itself: anything else in a hint's word is quoted. */
const PLAIN_WORD = /^[\w@%+=:,./-]+$/;

/**
 * `word` as one word of a command a person (or an agent) pastes into a shell:
 * as it is when no shell reads anything in it specially, otherwise quoted
 * (single quotes for POSIX shells; on Windows, a quoting that cmd.exe and
 * PowerShell both read as one word, or `<path>` where none is). A folder in a cloned repository named `x;curl … | sh` stays a name,
 * and a home folder with a space in it stays one word.
 *
 * @example
 * ```ts
 * shellWord("/home/alice/.almyty/credentials.json"); // "/home/alice/.almyty/credentials.json"
 * shellWord("/src/x;touch pwned"); // "'/src/x;touch pwned'"
 * ```
 */
export function shellWord(word: string, platform = "linux"): string {
  if (platform === "win32") return windowsWord(word);
  return PLAIN_WORD.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** Where a login is (any part may be unknown): a command's target, a pending login, a profile. */
export interface LoginPlace {
  /** The API; absent: whatever the login's own selection finds. */
  api?: string;
  /** The web app; only named when it is not the one derived from `api`. */
  frontend?: string;
  /**
   * The login (null or absent: the default one). `named`: its `--profile` is given even for the
   * default login, for a hint about a login other than the one chosen here (ALMYTY_PROFILE or
   * a folder would choose that one again).
   */
  login?: { profile: string; named?: boolean } | null;
}

/**
 * The `almyty-auth login` command (with `extra` words) that keeps the user's
 * environment: `--profile` for a named login, `--api` when the API is known
 * and not the default, `--frontend` when it is not derivable from the API.
 * Every hint that says "log in" is built here.
 *
 * @example
 * ```ts
 * loginCommand({ api: "https://api.almyty.com", frontend: "https://app.almyty.com" }); // "almyty-auth login"
 * loginCommand({ login: { profile: "ci" } }, "--continue"); // "almyty-auth login --continue --profile ci"
 * loginCommand({ login: { profile: "default", named: true } }); // "almyty-auth login --profile default"
 * ```
 */
export function loginCommand(place: LoginPlace, ...extra: string[]): string {
  const words = ["almyty-auth", "login", ...extra];
  const profile = place.login?.profile;
  if (profile && (profile !== DEFAULT_PROFILE || place.login?.named)) {
    words.push("--profile", profile);
  }
  const { api, frontend } = place;
  // A value from a repository's file may hold anything: no control character reaches the hint,
  // and nothing a shell would run when the hint is pasted.
  if (api !== undefined && api !== DEFAULT_API_URL) {
    words.push("--api", shellWord(stripControl(api)));
  }
  if (api !== undefined && frontend !== undefined && frontend !== derived(api)) {
    words.push("--frontend", shellWord(stripControl(frontend)));
  }
  return words.join(" ");
}

function derived(api: string): string | null {
  try {
    return deriveFrontendUrl(api);
  } catch {
    return null;
  }
}

/**
 * Removes one file.
 *
 * @example
 * ```ts
 * removeFileCommand("darwin", "/Users/a/x"); // "rm /Users/a/x"
 * ```
 */
export function removeFileCommand(platform: string, path: string): string {
  return platform === "win32" ? `del "${path}"` : `rm ${shellWord(path)}`;
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
  return platform === "win32"
    ? `Remove-Item -Recurse "${path}" (PowerShell)`
    : `rm -r ${shellWord(path)}`;
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
  return platform === "win32"
    ? `move "${path}" "${path}.bak"`
    : `mv ${shellWord(path)} ${shellWord(`${path}.bak`)}`;
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

/** Plain words for the file errors a person meets; the code stays beside them, for searching. */
const FS_ERRORS: Record<string, string> = {
  ENOENT: "it does not exist",
  EACCES: "permission denied",
  EPERM: "permission denied",
  ENOTDIR: "a part of its path is not a folder",
  EISDIR: "it is a folder",
  ELOOP: "too many symbolic links",
  EROFS: "the file system is read-only",
  ENOSPC: "no space left on the device",
  EDQUOT: "the disk quota is used up",
  EBUSY: "it is in use",
  EIO: "the disk reported an input/output error",
};

/**
 * What a file system error means, in words, with its code:
 * "permission denied (EACCES)"; an error without a known code as it is.
 *
 * @example
 * ```ts
 * fsErrorText({ code: "ENOENT" }); // "it does not exist (ENOENT)"
 * fsErrorText(new Error("disk on fire")); // "disk on fire"
 * ```
 */
export function fsErrorText(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  if (typeof code !== "string") return stripControl(String((error as Error)?.message ?? error));
  return FS_ERRORS[code] ? `${FS_ERRORS[code]} (${code})` : code;
}
