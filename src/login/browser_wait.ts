/**
 * The part the two browser flows share: report the URL, open it (a
 * convenience that never hides it), then wait for the listener's outcome,
 * the deadline or Ctrl-C. Whatever happens, the attempt ends and the
 * listener closes, so a late completion saves nothing and the port is freed.
 *
 * @example
 * ```ts
 * import { openAndWait } from "./browser_wait.ts";
 * // const value = await openAndWait(ctx, ui, { url, opener, attempt, listener, deadline, again });
 * ```
 * @module
 */
import type { Context } from "../runtime/context.ts";
import { CliError, EXIT } from "../runtime/errors.ts";
import type { LoginAttempt } from "./attempt.ts";
import { type OpenerChoice, openUrl } from "./browser.ts";
import type { Listener } from "./listener.ts";
import type { LoginUi } from "./ui.ts";

/** What to open and what to wait for. */
export interface BrowserWait<T> {
  url: string;
  opener: OpenerChoice;
  attempt: LoginAttempt<T>;
  listener: Listener;
  /** Epoch ms after which the login gives up. */
  deadline: number;
  /** The command to run again, in the user's environment. */
  again: string;
  /** Runs after success, before the listener closes (the hand-off's last page). */
  beforeClose?: () => Promise<void>;
}

/**
 * Opens the URL and waits; returns the attempt's value or throws why not.
 *
 * @example
 * ```ts
 * // Used by the two browser flows; see code_flow.ts.
 * const wait: typeof openAndWait = openAndWait;
 * ```
 */
export async function openAndWait<T>(ctx: Context, ui: LoginUi, wait: BrowserWait<T>): Promise<T> {
  try {
    ui.urlReady(wait.url);
    if ("launch" in wait.opener) {
      if (await openUrl(wait.opener, wait.url, ctx.launch)) ui.browserOpened(wait.opener.name);
      else ui.browserFailed(wait.opener.name);
    }
    ui.waiting("browser", wait.deadline);
    const outcome = await untilDeadline(ctx, wait.attempt.outcome, wait.deadline, wait.again);
    if (outcome.kind === "denied") throw new CliError("Login denied in the browser.", EXIT.error);
    if (outcome.kind === "failed") throw outcome.error;
    await wait.beforeClose?.();
    return outcome.value;
  } finally {
    ui.stopWaiting();
    wait.attempt.end();
    await wait.listener.close();
  }
}

function untilDeadline<T>(
  ctx: Context,
  outcome: Promise<T>,
  deadline: number,
  again: string,
): Promise<T> {
  const done = new AbortController();
  const ms = Math.max(0, deadline - ctx.now());
  const timeout = ctx.sleep(ms, AbortSignal.any([done.signal, ctx.signal])).then(() => {
    throw new CliError(
      `Login timed out after ${Math.round(ms / 1000)} s with no answer from the browser. ` +
        `Run \`${again}\` again (add --timeout <seconds> for more time).`,
      EXIT.error,
    );
  });
  timeout.catch(() => {}); // the race reports it; after the race it is moot
  return Promise.race([outcome, timeout]).finally(() => done.abort());
}
