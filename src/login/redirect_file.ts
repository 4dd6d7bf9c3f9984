/**
 * What the browser is given instead of the login's URL: a small page that
 * redirects to it, in a file only this user can read (0600 in the 0700
 * folder `~/.almyty/login`). A launcher's argv is readable by every local
 * user (`/proc/<pid>/cmdline`, `ps` on macOS), so it must hold nothing that
 * lets another user learn or use the login's state; a file path does not.
 * The browser reaches almyty straight from the file, never through the
 * loopback listener, so paste-back still works when the listener is out of
 * its reach. Each file is removed when its login ends; files of logins that
 * must have ended (their deadline is in the name) are swept by the next one.
 *
 * @example
 * ```ts
 * import { redirectPage } from "./redirect_file.ts";
 * redirectPage("https://app.almyty.com/cli-login?state=s").includes("location.replace"); // true
 * ```
 * @module
 */
import { ensurePrivateFolder } from "../credentials/atomic.ts";
import { type CredentialsFs, directoryOf, joinPath } from "../credentials/fs.ts";
import { removeFileCommand } from "../credentials/fix_hints.ts";
import { homeDirectoryWith } from "../credentials/path.ts";
import { CredentialsError } from "../credentials/types.ts";
import { escapeHtml } from "../protocol/html.ts";
import { randomHex } from "../protocol/random.ts";

/** A redirect file on disk. */
export interface RedirectFile {
  /** Its path, as the platform writes it. */
  path: string;
  /** Its `file://` URL. */
  url: string;
  /** Removes it (idempotent, never throws). */
  remove(): void;
}

/** A file older than its login's deadline by this much is a leftover. */
export const STALE_REDIRECT_MARGIN_MS = 60_000;

const NAME = /^(\d+)-[0-9a-f]{16}\.html$/;

/**
 * The page: a meta refresh, `location.replace` (so Back does not return to
 * it) and a visible link, for browsers that follow neither. `url` is the
 * authorization URL; it is not a token, but it carries the login's state.
 *
 * @example
 * ```ts
 * redirectPage("https://a.example/x?a=1&b=2").includes('content="0;url=https://a.example/x?a=1&#38;b=2"'); // true
 * ```
 */
export function redirectPage(url: string): string {
  const href = escapeHtml(url);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">` +
    `<meta name="referrer" content="no-referrer">` +
    `<meta http-equiv="refresh" content="0;url=${href}">` +
    `<title>Opening almyty…</title></head><body>` +
    `<p>Opening almyty… If nothing happens, <a href="${href}">continue to the login page</a>.</p>` +
    `<script>location.replace(${JSON.stringify(url).replace(/</g, "\\u003c")});</script>` +
    `</body></html>\n`;
}

/**
 * The `file://` URL of a path (`C:\…` on Windows, `/…` elsewhere).
 *
 * @example
 * ```ts
 * fileUrl("/home/a b/.almyty/login/x.html"); // "file:///home/a%20b/.almyty/login/x.html"
 * fileUrl("C:\\Users\\a\\.almyty\\login\\x.html"); // "file:///C:/Users/a/.almyty/login/x.html"
 * ```
 */
export function fileUrl(path: string): string {
  const url = new URL("file:///");
  url.pathname = /^[A-Za-z]:\\/.test(path) ? "/" + path.replaceAll("\\", "/") : path;
  return url.href;
}

/**
 * The folder of redirect files: `~/.almyty/login`.
 *
 * @example
 * ```ts
 * import { nodeFs } from "../credentials/node_fs.ts";
 * redirectFolder(nodeFs, { HOME: "/home/alice" }); // "/home/alice/.almyty/login"
 * ```
 */
export function redirectFolder(
  fs: CredentialsFs,
  env: Readonly<Record<string, string | undefined>>,
): string {
  return joinPath(fs.platform, homeDirectoryWith({ fs, env: { ...env } }), ".almyty", "login");
}

/**
 * Creates `~/.almyty` and `~/.almyty/login` (0700, ours, tightened if
 * looser, never through a symlink), sweeps leftovers of earlier logins, and
 * writes the page as a new 0600 file named after the login's deadline.
 *
 * @example
 * ```ts
 * import { nodeFs } from "../credentials/node_fs.ts";
 * const env = { HOME: Deno.makeTempDirSync() };
 * const file = writeRedirectFile(nodeFs, env, "https://a.example/", Date.now() + 60_000);
 * file.url.startsWith("file://"); // true
 * file.remove();
 * ```
 */
export function writeRedirectFile(
  fs: CredentialsFs,
  env: Readonly<Record<string, string | undefined>>,
  url: string,
  deadline: number,
  now = Date.now(),
): RedirectFile {
  const folder = redirectFolder(fs, env);
  for (const dir of [directoryOf(fs.platform, folder), folder]) {
    // ~/.almyty may be a link the user made (dotfiles); the login folder is ours alone.
    const facts = dir === folder ? fs.lstat(dir) : fs.stat(dir);
    if (facts && !facts.isDirectory) {
      throw new CredentialsError(
        "not-a-file",
        dir,
        `${dir} is ${facts.isSymlink ? "a symbolic link" : "not a folder"}; remove it ` +
          `(${removeFileCommand(fs.platform, dir)}) and try again.`,
      );
    }
    ensurePrivateFolder(fs, dir, dir);
  }
  sweepRedirectFiles(fs, folder, now);
  const path = joinPath(fs.platform, folder, `${Math.ceil(deadline)}-${randomHex(8)}.html`);
  fs.writeNew(path, redirectPage(url), 0o600);
  let removed = false;
  return {
    path,
    url: fileUrl(path),
    remove() {
      if (removed) return;
      removed = true;
      try {
        fs.remove(path);
      } catch { /* gone already; a later login sweeps it */ }
    },
  };
}

/**
 * Removes redirect files whose login must have ended (deadline plus a
 * margin passed); a running login's file is never touched. Returns how many.
 *
 * @example
 * ```ts
 * import { nodeFs } from "../credentials/node_fs.ts";
 * sweepRedirectFiles(nodeFs, Deno.makeTempDirSync(), Date.now()); // 0
 * ```
 */
export function sweepRedirectFiles(fs: CredentialsFs, folder: string, now: number): number {
  let removed = 0;
  for (const name of fs.list(folder)) {
    const deadline = Number(NAME.exec(name)?.[1]);
    if (!(deadline + STALE_REDIRECT_MARGIN_MS < now)) continue;
    try {
      const path = joinPath(fs.platform, folder, name);
      if (fs.lstat(path)?.isFile && fs.remove(path)) removed++;
    } catch { /* gone meanwhile */ }
  }
  return removed;
}
