/**
 * The part the two browser flows share: report the URL, open it (a
 * convenience that never hides it) through a private redirect file, tell the
 * user when the browser command failed, accept the address pasted back when
 * the browser cannot reach the listener, and wait for the first delivery,
 * the deadline or Ctrl-C. Whatever happens, the attempt ends, the redirect
 * file is removed and the listener closes, so a late completion saves
 * nothing and the port is freed.
 *
 * @example
 * ```ts
 * import { openAndWait } from "./browser_wait.ts";
 * // const value = await openAndWait(ctx, ui, { url, opener, attempt, listener, deadline, again, headless });
 * ```
 * @module
 */
import type { Context } from "../runtime/context.ts";
import { CliError, EXIT, exitCodeFor, messageFor } from "../runtime/errors.ts";
import type { LoginAttempt } from "./attempt.ts";
import { isWsl, type OpenerChoice, openFile } from "./browser.ts";
import type { Listener } from "./listener.ts";
import { KeyNotKept } from "./minted.ts";
import { type RedirectFile, writeRedirectFile } from "./redirect_file.ts";
import type { LoginUi } from "./ui.ts";

/** How long a launched browser command may take to fail before we stop watching it. */
export const BROWSER_CHECK_MS = 3000;

/**
 * How long a login that ended waits for the browser's answer it was still
 * finishing (a code exchange, then revoking the key it got).
 */
export const LATE_DELIVERY_MS = 20_000;

/** Browsers Ubuntu ships as snaps, which cannot read hidden folders such as ~/.almyty. */
const SNAP_BROWSERS = ["firefox", "chromium", "brave", "opera", "vivaldi"];

/** What to open and what to wait for. */
export interface BrowserWait<T> {
  /** The authorization URL (printed in full, never in argv). */
  url: string;
  opener: OpenerChoice;
  attempt: LoginAttempt<T>;
  listener: Listener;
  /** Epoch ms after which the login gives up. */
  deadline: number;
  /** The command to run again, in the user's environment. */
  again: string;
  /** The headless login command, in the user's environment. */
  headless: string;
  /** Where the person revokes a key by hand (the dashboard's API keys page). */
  keysPage: string;
  /**
   * Paste-back: finishes the login from a pasted address exactly as the
   * listener would; resolves null when accepted, else why not. `lands` is
   * where the browser ends (the listener's callback), for the hints.
   */
  paste?: { secret: boolean; lands: string; deliver(text: string): Promise<string | null> };
  /** Runs after success, before the listener closes (the hand-off's last page). */
  beforeClose?: () => Promise<void>;
}

/** Opens the URL and waits; returns the attempt's value or throws why not. */
export async function openAndWait<T>(ctx: Context, ui: LoginUi, wait: BrowserWait<T>): Promise<T> {
  const ended = wait.attempt.ended;
  const pasteBack = Boolean(wait.paste && ui.readPaste);
  let file: RedirectFile | null = null;
  let forgetFile = () => {};
  try {
    const opener = wait.opener.kind === "launch" ? wait.opener : null;
    if (wait.opener.kind === "print") {
      ui.notice({ kind: "forwarder", forwarder: wait.opener.forwarder, pasteBack });
    }
    if (opener && isWsl(ctx.env, ctx.osRelease())) ui.notice({ kind: "wsl-paste" });
    if (opener) {
      try {
        file = writeRedirectFile(ctx.fs, ctx.env, wait.url, wait.deadline, ctx.now());
        // SIGTERM or SIGHUP (a closed SSH session) ends the process without unwinding.
        forgetFile = ctx.onFatalSignal(file.remove);
      } catch (error) {
        ui.notice({ kind: "no-redirect-file", reason: (error as Error).message });
      }
    }
    ui.urlReady(wait.url, file && opener ? opener.name : null);
    let over = false;
    const outcome = untilDeadline(ctx, wait.attempt.outcome, wait.deadline, wait.again)
      .finally(() => (over = true));
    outcome.catch(() => {}); // awaited below; the launch may be judged first
    if (file && opener) {
      const launched = await openFile(opener, file, ctx.launch);
      const failure = { opener: launched.opener, headless: wait.headless, pasteBack };
      if (!launched.started) ui.browserFailed(failure);
      else {
        // The paste prompt comes after the verdict on the launch, so a late
        // warning never leaves the cursor under a prompt it pushed away.
        const exitCode = await launchVerdict(ctx, launched.status, outcome);
        if (exitCode) ui.browserFailed({ ...failure, exitCode });
        else if (snapBrowserMayOpen(ctx, opener.name)) ui.notice({ kind: "snap-browser" });
      }
    }
    if (!over && !ctx.signal.aborted) {
      ui.waiting("browser", wait.deadline);
      if (pasteBack) acceptPastes(ui, wait.paste!, wait.url, ended).catch(() => {});
    }
    let settled;
    try {
      settled = await outcome;
    } catch (stopped) {
      // The deadline or Ctrl-C, while the browser's answer was being finished: that answer may
      // be minting a key right now. It saves nothing any more; what became of its key is said.
      if (!wait.attempt.delivering) throw stopped;
      return await lateDelivery(ctx, ui, wait, stopped);
    }
    if (settled.kind === "denied") throw new CliError("Login denied in the browser.", EXIT.error);
    if (settled.kind === "failed") throw settled.error;
    await wait.beforeClose?.();
    return settled.value;
  } finally {
    ui.stopWaiting();
    wait.attempt.end();
    file?.remove();
    forgetFile();
    await wait.listener.close();
  }
}

/**
 * The login stopped (`stopped`: its deadline or Ctrl-C) while a delivery was
 * under way (a code exchange, a hand-off's key check). The attempt ends, so
 * the delivery saves nothing and revokes any key it gets; this waits for it
 * (at most LATE_DELIVERY_MS, and says so) and adds what became of the key to
 * the message. A delivery that had already begun its save finished the login.
 */
async function lateDelivery<T>(
  ctx: Context,
  ui: LoginUi,
  wait: BrowserWait<T>,
  stopped: unknown,
): Promise<T> {
  wait.attempt.end();
  ui.stopWaiting();
  ui.notice({ kind: "late-delivery", waitMs: LATE_DELIVERY_MS });
  const bound = new AbortController();
  const late = await Promise.race([
    wait.attempt.outcome,
    ctx.sleep(LATE_DELIVERY_MS, bound.signal).then(() => null, () => null),
  ]).finally(() => bound.abort());
  if (late?.kind === "success") return late.value;
  const note = late === null
    ? "The browser's answer was still being finished when this login ended: if it created a " +
      `key, that key was not saved and may be live; revoke it at ${wait.keysPage}`
    : late.kind === "failed" && late.error instanceof KeyNotKept
    ? late.error.note
    : null;
  if (note === null) throw stopped;
  const interrupted = ctx.signal.aborted;
  throw new CliError(
    `${messageFor(stopped, interrupted)}\n${note}`,
    exitCodeFor(stopped, interrupted),
  );
}

/**
 * The exit code of a browser command that failed within BROWSER_CHECK_MS,
 * else 0 (still running, or ended well, or the login is already over).
 */
async function launchVerdict(
  ctx: Context,
  status: Promise<number>,
  outcome: Promise<unknown>,
): Promise<number> {
  const window = new AbortController();
  const over = ctx.sleep(BROWSER_CHECK_MS, AbortSignal.any([window.signal, ctx.signal]))
    .then(() => 0, () => 0);
  try {
    return await Promise.race([status, over, outcome.then(() => 0, () => 0)]);
  } finally {
    window.abort();
  }
}

/**
 * True when a browser installed as a snap may be the one opening the file:
 * Linux (not WSL), xdg-open or a BROWSER under /snap, and such a browser
 * installed. Snap confinement keeps it out of hidden folders of $HOME, so it
 * shows "Access to the file was denied" instead of almyty.
 */
function snapBrowserMayOpen(ctx: Context, opener: string): boolean {
  if (ctx.fs.platform !== "linux" || isWsl(ctx.env, ctx.osRelease())) return false;
  if (opener.startsWith("BROWSER=/snap/")) return true;
  if (opener !== "xdg-open") return false;
  return SNAP_BROWSERS.some((name) => {
    try {
      return ctx.fs.stat(`/snap/bin/${name}`) !== null;
    } catch {
      return false;
    }
  });
}

/**
 * Why a pasted address is the one to open rather than the one the browser
 * ended on (the URL printed, the redirect file, a one-time `/start/…`
 * address of older versions), or null.
 *
 * @example
 * ```ts
 * openingAddress("https://app.almyty.com/cli-login?state=x", "https://app.almyty.com/cli-login?state=y"); // true
 * openingAddress("http://127.0.0.1:5/callback?code=c", "https://app.almyty.com/cli-login?state=y"); // false
 * ```
 */
export function openingAddress(text: string, opened: string): boolean {
  if (/^file:/i.test(text)) return true;
  if (!URL.canParse(text)) return false;
  const pasted = new URL(text);
  const url = new URL(opened);
  return (pasted.origin === url.origin && pasted.pathname === url.pathname) ||
    /^\/start\//.test(pasted.pathname);
}

/** Reads pasted addresses until one is accepted or the login ends. */
async function acceptPastes(
  ui: LoginUi,
  paste: NonNullable<BrowserWait<unknown>["paste"]>,
  opened: string,
  ended: AbortSignal,
): Promise<void> {
  while (!ended.aborted) {
    const text = await ui.readPaste!(paste.secret, ended);
    if (text === null || ended.aborted) return;
    if (!text.trim()) continue;
    const problem = openingAddress(text.trim(), opened)
      ? "That is the address to open, not the one to paste back. Open it in your browser " +
        "(it is printed above), log in, then paste the address the browser ends on " +
        `(it starts with ${paste.lands}).`
      : await paste.deliver(text.trim());
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
