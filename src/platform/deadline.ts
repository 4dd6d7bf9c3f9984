/**
 * Waiting with a deadline: a shutdown that waits for requests in flight must
 * not wait forever for a client that never finishes its request.
 *
 * @example
 * ```ts
 * import { withDeadline } from "./deadline.ts";
 * await withDeadline(new Promise(() => {}), 10); // resolves after 10 ms
 * ```
 * @module
 */

/**
 * Resolves when `work` settles or after `ms`, whichever comes first.
 *
 * @example
 * ```ts
 * await withDeadline(Promise.resolve(), 1000); // at once
 * ```
 */
export function withDeadline(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  return Promise.race([work.then(() => {}, () => {}), deadline]).finally(() => clearTimeout(timer));
}

/** How long closing a server may wait for requests still in flight. */
export const SHUTDOWN_DEADLINE_MS = 2000;
