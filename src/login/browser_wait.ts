/**
 * The part the two browser flows share: report the URL, open it (a
 * convenience that never hides it) through a one-time loopback address, tell
 * the user when the browser command failed, accept the address pasted back
 * when the browser cannot reach the listener, and wait for the first
 * delivery, the deadline or Ctrl-C. Whatever happens, the attempt ends and
 * the listener closes, so a late completion saves nothing and the port is
 * freed.
 *
 * @example
 * ```ts
 * import { openAndWait } from "./browser_wait.ts";
 * // const value = await openAndWait(ctx, ui, { url, start, opener, attempt, listener, deadline, again });
 * ```
 * @module
 */
import { randomToken } from "../protocol/crypto.ts";
import type { Context } from "../runtime/context.ts";
import { CliError, EXIT } from "../runtime/errors.ts";
import type { LoginAttempt } from "./attempt.ts";
import { isWsl, type OpenerChoice, openUrl } from "./browser.ts";
import { type Listener, type Route, textResponse } from "./listener.ts";
import type { LoginUi } from "./ui.ts";

/** How long a launched browser command may take to fail before we stop watching it. */
export const BROWSER_CHECK_MS = 3000;

/**
 * A one-time loopback address that redirects to the authorization URL: the
 * launcher's argv (readable by other local users in /proc) holds only this,
 * never the state or the PKCE challenge, and it works once.
 */
export class OneTimeStart {
  /** The listener path. */
  readonly path = `/start/${randomToken(16)}`;
  #target: string | null = null;

  /** Sets where the address leads. */
  leadTo(url: string): void {
    this.#target = url;
  }

  /** The route for the listener. */
  get route(): Route {
    return () => {
      const target = this.#target;
      this.#target = null; // once
      if (!target) return textResponse("This login link was already used.", 404);
      return new Response(null, {
        status: 302,
        headers: {
          location: target,
          "cache-control": "no-store",
          "referrer-policy": "no-referrer",
        },
      });
    };
  }
}

/** What to open and what to wait for. */
export interface BrowserWait<T> {
  /** The authorization URL (printed in full, never in argv). */
  url: string;
  start: OneTimeStart;
  opener: OpenerChoice;
  attempt: LoginAttempt<T>;
  listener: Listener;
  /** Epoch ms after which the login gives up. */
  deadline: number;
  /** The command to run again, in the user's environment. */
  again: string;
  /** The headless login command, in the user's environment. */
  headless: string;
  /**
   * Paste-back: finishes the login from a pasted address exactly as the
   * listener would; resolves null when accepted, else why not.
   */
  paste?: { secret: boolean; deliver(text: string): Promise<string | null> };
  /** Runs after success, before the listener closes (the hand-off's last page). */
  beforeClose?: () => Promise<void>;
}

/** Opens the URL and waits; returns the attempt's value or throws why not. */
export async function openAndWait<T>(ctx: Context, ui: LoginUi, wait: BrowserWait<T>): Promise<T> {
  const ended = wait.attempt.ended;
  const pasteBack = Boolean(wait.paste && ui.readPaste);
  try {
    wait.start.leadTo(wait.url);
    const opener = "launch" in wait.opener ? wait.opener : null;
    if (opener && isWsl(ctx.env, ctx.osRelease())) ui.notice({ kind: "wsl-paste" });
    ui.urlReady(wait.url, opener?.name ?? null);
    if (opener) {
      const failure = { opener: opener.name, headless: wait.headless, pasteBack };
      const launched = await openUrl(opener, wait.listener.url(wait.start.path), ctx.launch);
      if (!launched.started) ui.browserFailed(failure);
      else {watchLaunch(ctx, launched.status, ended, (exitCode) =>
          ui.browserFailed({ ...failure, exitCode }));}
    }
    ui.waiting("browser", wait.deadline);
    if (pasteBack) acceptPastes(ui, wait.paste!, ended).catch(() => {});
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

/** Reports a browser command that exits with an error soon after it started. */
function watchLaunch(
  ctx: Context,
  status: Promise<number>,
  ended: AbortSignal,
  failed: (exitCode: number) => void,
): void {
  const window = new AbortController();
  const stop = AbortSignal.any([window.signal, ended]);
  ctx.sleep(BROWSER_CHECK_MS, stop).catch(() => {}).finally(() => window.abort());
  status.then((code) => {
    if (code !== 0 && !stop.aborted) failed(code);
  }).finally(() => window.abort());
}

/** Reads pasted addresses until one is accepted or the login ends. */
async function acceptPastes(
  ui: LoginUi,
  paste: NonNullable<BrowserWait<unknown>["paste"]>,
  ended: AbortSignal,
): Promise<void> {
  while (!ended.aborted) {
    const text = await ui.readPaste!(paste.secret, ended);
    if (text === null || ended.aborted) return;
    if (!text.trim()) continue;
    const problem = await paste.deliver(text.trim());
    if (problem === null) return;
    ui.notice({ kind: "paste-invalid", reason: problem });
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
