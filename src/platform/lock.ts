/**
 * A lock between processes that the kernel releases when its holder dies:
 * Deno's `FsFile.lock` (flock on Unix, LockFileEx on Windows) on a lock file.
 * A crashed or killed almyty-auth can therefore never leave a lock behind,
 * and there is no stale-lock guessing. Held only for short work (a save and
 * the revocation it implies), never while waiting for a person.
 *
 * @example
 * ```ts
 * import { denoLocker } from "./lock.ts";
 * const dir = Deno.makeTempDirSync();
 * using _held = await denoLocker(`${dir}/.credentials.json.lock`);
 * // … read, write, revoke: no other almyty-auth process does the same meanwhile
 * ```
 * @module
 */

/** A held lock; releasing it twice is harmless. */
export interface HeldLock extends Disposable {
  release(): void;
}

/** How to wait for a lock. */
export interface LockOptions {
  /** Gives up waiting (the promise rejects with the signal's reason). */
  signal?: AbortSignal;
  /** Called once when the lock was not free within `noticeMs`. */
  onWait?: () => void;
  /** When to call `onWait`; default 1 s. */
  noticeMs?: number;
  /** Longest wait before failing with LockTimeoutError; default 60 s. */
  timeoutMs?: number;
}

/** Takes the exclusive lock on the file at `path` (created 0600 if absent). */
export type Locker = (path: string, options?: LockOptions) => Promise<HeldLock>;

/**
 * The lock stayed held by another process for longer than we wait.
 *
 * @example
 * ```ts
 * new LockTimeoutError("/x.lock", 60_000).path; // "/x.lock"
 * ```
 */
export class LockTimeoutError extends Error {
  override name = "LockTimeoutError";
  /** Builds the error. */
  constructor(readonly path: string, readonly waitedMs: number) {
    super(`${path} is still locked by another process after ${Math.round(waitedMs / 1000)} s.`);
  }
}

/**
 * The lock file guarding `file`: `.<name>.lock` beside it. It is never
 * removed (removing a lock file lets two processes lock two different files).
 *
 * @example
 * ```ts
 * lockPathFor("/home/alice/.almyty/credentials.json"); // "/home/alice/.almyty/.credentials.json.lock"
 * ```
 */
export function lockPathFor(file: string): string {
  const at = Math.max(file.lastIndexOf("/"), file.lastIndexOf("\\"));
  return `${file.slice(0, at + 1)}.${file.slice(at + 1)}.lock`;
}

/**
 * The real locker. Waits (without blocking the event loop) until the lock is
 * free, the signal aborts, or `timeoutMs` passes. A lock granted after the
 * caller gave up is released at once.
 *
 * @example
 * ```ts
 * const dir = Deno.makeTempDirSync();
 * const held = await denoLocker(`${dir}/.x.lock`);
 * held.release();
 * ```
 */
export const denoLocker: Locker = async (path, options = {}) => {
  const { signal, onWait, noticeMs = 1000, timeoutMs = 60_000 } = options;
  signal?.throwIfAborted();
  const file = Deno.openSync(path, { read: true, write: true, create: true, mode: 0o600 });
  let released = false;
  const held: HeldLock = {
    release() {
      if (released) return;
      released = true;
      try {
        file.unlockSync();
      } catch { /* closing releases it too */ }
      file.close();
    },
    [Symbol.dispose]() {
      held.release();
    },
  };
  const granted = file.lock(true).then(() => held, (error) => {
    held.release();
    throw error;
  });
  const timers: ReturnType<typeof setTimeout>[] = [];
  let onAbort = () => {};
  const stop = new Promise<never>((_, reject) => {
    if (onWait) timers.push(setTimeout(onWait, noticeMs));
    timers.push(setTimeout(() => reject(new LockTimeoutError(path, timeoutMs)), timeoutMs));
    onAbort = () => reject(signal!.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
  try {
    return await Promise.race([granted, stop]);
  } catch (error) {
    // Given up: should the lock still be granted, it is let go at once.
    granted.then((lock) => lock.release(), () => {});
    throw error;
  } finally {
    for (const timer of timers) clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
  }
};
