/**
 * What the login engine tells its user interface, as events: the engine
 * never prints. The CLI renders them on a terminal (`cli/login_ui.ts`);
 * tests record them. The shape of gh's `oauth.Flow` callbacks.
 *
 * @example
 * ```ts
 * import type { LoginUi } from "./ui.ts";
 * const events: string[] = [];
 * const ui: LoginUi = {
 *   notice: (n) => events.push(n.kind),
 *   urlReady: (url) => events.push(url),
 *   browserFailed: () => {},
 *   showCode: () => {},
 *   waiting: () => {},
 *   stopWaiting: () => {},
 * };
 * ```
 * @module
 */
import type { SlowRequest } from "../runtime/client.ts";

/** Something the user should know about the way the login goes. */
export type LoginNotice =
  /** The server has no discovery document: today's production hand-off is used. */
  | { kind: "handoff"; page: string }
  /** No browser will be opened; the headless login runs instead. */
  | { kind: "headless"; reason: string }
  /** The hand-off has no headless variant: the ways out (a key, or forwarding the port). */
  | { kind: "handoff-headless"; reason: string; tokenCommand: string; port: number; host: string }
  /** The hand-off key's id could not be found: logout cannot revoke it. */
  | { kind: "key-id-unknown"; revokePage: string; reason: string }
  /** WSL: Windows' browser often cannot reach the listener; paste-back is the way home. */
  | { kind: "wsl-paste" }
  /**
   * BROWSER would hand the URL to another machine (a dev container's or
   * Codespaces' helper): nothing is launched; the person opens the URL.
   */
  | { kind: "forwarder"; forwarder: string; pasteBack: boolean }
  /** The private redirect file could not be written: nothing is launched. */
  | { kind: "no-redirect-file"; reason: string }
  /** A snap browser may refuse to read the redirect file in ~/.almyty. */
  | { kind: "snap-browser" }
  /** What was pasted was not this login's address. */
  | { kind: "paste-invalid"; reason: string }
  /** A request has had no answer for a while: what is being waited for. */
  | { kind: "slow"; request: SlowRequest }
  /**
   * The login ended (its deadline, Ctrl-C) while the browser's answer was
   * being finished: waiting up to `waitMs` for it, so its key is not left live unsaid.
   */
  | { kind: "late-delivery"; waitMs: number };

/** What a failed browser launch tells the user. */
export interface BrowserFailure {
  /** The opener's name, e.g. `BROWSER (/bin/false)` or `xdg-open`. */
  opener: string;
  /** Its exit code, when it started and failed. */
  exitCode?: number;
  /** The headless login in the user's environment. */
  headless: string;
  /** True when the address can be pasted back here. */
  pasteBack: boolean;
}

/** The device flow's instructions (RFC 8628 §3.3). */
export interface CodeInstructions {
  verificationUri: string;
  verificationUriComplete: string;
  userCode: string;
  /** Epoch ms when the code expires (or the login gives up). */
  expiresAt: number;
}

/** The events. */
export interface LoginUi {
  notice(notice: LoginNotice): void;
  /**
   * The URL to open; always reported before anything is launched. `opening`
   * names the browser command about to be launched, or is null.
   */
  urlReady(url: string, opening: string | null): void;
  /** The browser could not be started, or its command failed. */
  browserFailed(failure: BrowserFailure): void;
  /** Headless: the code to compare and where to enter it (awaited: it may draw a QR code). */
  showCode(instructions: CodeInstructions): void | Promise<void>;
  /**
   * Waiting for the browser or the approval, until `deadline` (epoch ms),
   * which is the device code's expiry (`code`) or the CLI's own `--timeout`.
   */
  waiting(what: "browser" | "approval", deadline: number, endsBy?: "code" | "timeout"): void;
  /** The wait is over (success or not): stop any live display. */
  stopWaiting(): void;
  /**
   * Paste-back, where the user can type (absent otherwise): asks for the
   * address the browser ended on and resolves with what was pasted, or null
   * when input ends or `signal` aborts. `secret` when it contains a key
   * (the hand-off's fragment): it must not be shown.
   */
  readPaste?(secret: boolean, signal: AbortSignal): Promise<string | null>;
}
