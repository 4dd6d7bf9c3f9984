/**
 * One login file, one writer at a time: every save of a login file and the
 * revocation of the key it replaces (or a logout's revocation and removal)
 * runs under the file's lock, so two concurrent almyty-auth processes never
 * interleave them. Whoever holds the lock re-reads the file first: the key it
 * revokes is the one actually replaced, never one another process just saved.
 *
 * @example
 * ```ts
 * import { withLoginLock } from "./login_lock.ts";
 * // await withLoginLock(ctx, "/home/alice/.almyty/credentials.json", async () => { … });
 * ```
 * @module
 */
import { AtomicWriteError, ensurePrivateFolder } from "../credentials/atomic.ts";
import { directoryOf, type FsError } from "../credentials/fs.ts";
import { fsErrorText, shellWord } from "../credentials/fix_hints.ts";
import { CredentialsError } from "../credentials/types.ts";
import { lockPathFor, LockTimeoutError } from "../platform/lock.ts";
import type { Context } from "./context.ts";
import { CliError, EXIT } from "./errors.ts";
import { line } from "./output.ts";

/**
 * Another process held the login file's lock for longer than we wait: the
 * work was not started (a caller may keep what it meant to save for later).
 *
 * @example
 * ```ts
 * import { LockTimeoutError } from "../platform/lock.ts";
 * new LoginLockTimeout("/c.json", new LockTimeoutError("/.c.json.lock", 60_000)).exitCode; // 1
 * ```
 */
export class LoginLockTimeout extends CliError {
  override name = "LoginLockTimeout";
  /** Builds the error for the login file at `path`. */
  constructor(path: string, error: LockTimeoutError) {
    super(
      `Another almyty-auth process is still working on ${path}: it has held ${error.path} ` +
        `for ${Math.round(error.waitedMs / 1000)} s. Let it finish (or stop it), then try again.`,
      EXIT.error,
    );
  }
}

/**
 * Runs `work` holding the lock of the login file at `path` (its folder is
 * created private, with the same trust checks as a save). Says so when
 * another process holds it; gives up after a minute with a message naming it.
 * `ended` (a login that is over meanwhile) stops the wait like Ctrl-C, and
 * is checked once the lock is held, so `work` never runs for a login that
 * already reported its end.
 *
 * @example
 * ```ts
 * import { denoContext } from "./deno_context.ts";
 * const ctx = { ...denoContext(new AbortController().signal), env: { HOME: Deno.makeTempDirSync() } };
 * await withLoginLock(ctx, `${ctx.env.HOME}/.almyty/credentials.json`, () => Promise.resolve());
 * ```
 */
export async function withLoginLock<T>(
  ctx: Context,
  path: string,
  work: () => Promise<T>,
  ended?: AbortSignal,
): Promise<T> {
  const dir = directoryOf(ctx.fs.platform, path);
  let held;
  try {
    ensurePrivateFolder(ctx.fs, dir, path);
    held = await ctx.lock(lockPathFor(path), {
      signal: ended ? AbortSignal.any([ctx.signal, ended]) : ctx.signal,
      onWait: () => line(ctx.stderr, `Waiting for another almyty-auth to finish with ${path}…`),
    });
  } catch (error) {
    if (error instanceof LockTimeoutError) throw new LoginLockTimeout(path, error);
    if (error instanceof CredentialsError || (error as Error)?.name === "AbortError") throw error;
    // It names what is wrong with the folder, and the fix.
    if (error instanceof AtomicWriteError) throw new CliError(error.message);
    const code = (error as FsError).code ?? (error as Error).name;
    // The folder could not be made (a read-only HOME, a closed ~/.almyty): the one to check is
    // the one it goes in, not the folder that is not there.
    if (!ctx.fs.exists(dir)) {
      const parent = directoryOf(ctx.fs.platform, dir);
      throw new CliError(
        `Cannot create ${dir}: ${fsErrorText(error)}. Check that ${parent} is yours and writable.`,
        EXIT.error,
      );
    }
    // A lock file left by another user (`sudo almyty-auth login` once): that file is the problem.
    const lock = lockPathFor(path);
    const facts = ctx.fs.lstat(lock);
    const me = ctx.fs.uid();
    if (facts && me !== null && facts.uid !== null && facts.uid !== me) {
      throw new CliError(
        `Cannot lock ${path}: its lock file ${lock} belongs to another user (uid ${facts.uid}; ` +
          `you are uid ${me}), perhaps left by a run with sudo. It holds nothing: remove it ` +
          `(rm -f ${shellWord(lock)}) and try again.`,
        EXIT.error,
      );
    }
    throw new CliError(
      `Cannot lock ${path} (${code}). Check that ${dir} is yours and writable.`,
      EXIT.error,
    );
  }
  // Listening for SIGTERM, SIGHUP and SIGQUIT while the lock is held makes such a signal wait
  // for the synchronous write under way (a temp file holding the token, renamed or removed
  // before the event loop turns); the process then ends by it as before.
  const forget = ctx.onFatalSignal(() => {});
  try {
    ended?.throwIfAborted();
    return await work();
  } finally {
    forget();
    held.release();
  }
}
