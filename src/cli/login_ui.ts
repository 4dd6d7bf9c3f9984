/**
 * The login engine's events, rendered on the terminal (stderr): the URL
 * always first, the code and (when there is room, or on request) a QR code
 * for the headless login, and a live countdown while waiting on a terminal.
 * Every string that came from outside (a server, a pasted address, an
 * environment variable) is shown without control characters.
 *
 * @example
 * ```ts
 * import { terminalUi } from "./login_ui.ts";
 * // const ui = terminalUi(ctx, { qr: false });
 * ```
 * @module
 */
import type { CodeInstructions, LoginUi } from "../login/ui.ts";
import { TerminalModeError } from "../platform/prompt.ts";
import { type Context, useColor } from "../runtime/context.ts";
import { slowRequestText } from "../runtime/connect.ts";
import { line, paint, visibleWidth } from "../runtime/output.ts";
import { terminalText } from "../protocol/text.ts";

/** How the terminal UI is asked to look. */
export interface TerminalUiOptions {
  /** Show the headless login's QR code even when the terminal is short (`--qr`). */
  qr?: boolean;
}

/** Lines the headless login's essentials take below a QR code (instructions, code, countdown). */
const ESSENTIAL_LINES = 8;

/**
 * A LoginUi that writes to `ctx.stderr`.
 *
 * @example
 * ```ts
 * import { denoContext } from "../runtime/deno_context.ts";
 * const ctx = { ...denoContext(new AbortController().signal), env: { HOME: Deno.makeTempDirSync() } };
 * terminalUi(ctx).urlReady("https://app.almyty.com/cli-login?callback=…", null);
 * ```
 */
export function terminalUi(ctx: Context, options: TerminalUiOptions = {}): LoginUi {
  const err = ctx.stderr;
  const say = (text = "") => line(err, text);
  const clean = terminalText;
  const warning = (text: string) => say(paint(ctx, err, "yellow", "Warning: ") + clean(text));
  let stopCountdown = () => {};
  return {
    notice(notice) {
      switch (notice.kind) {
        case "handoff": {
          // Today's production: no protocol document, so the web app's own login page.
          const page = new URL(notice.page);
          return say(`Logging in through almyty's web app (${clean(page.host + page.pathname)}).`);
        }
        case "headless":
          return say(
            `Not opening a browser because ${clean(notice.reason)}; ` +
              "approve this login on any device instead.",
          );
        case "handoff-headless":
          say(
            `This server has no headless login, and no browser will be opened here (${
              clean(notice.reason)
            }).`,
          );
          say(`Either log in with an API key:  ${notice.tokenCommand}  (reads it from stdin)`);
          say(
            `or forward the login port from the machine with the browser, then open the URL there:`,
          );
          return say(`  ssh -L ${notice.port}:127.0.0.1:${notice.port} ${clean(notice.host)}`);
        case "key-id-unknown":
          return warning(
            `No id was saved for this key, because none is provably this key's (${notice.reason}), ` +
              "so `almyty-auth logout` will not be able to revoke it; " +
              `revoke it at ${notice.revokePage} when you are done.`,
          );
        case "wsl-paste":
          return say(
            "On WSL, Windows' browser often cannot reach this terminal's 127.0.0.1. If the browser " +
              "ends on an error page, copy its address and paste it here.",
          );
        case "forwarder":
          return say(
            `Not launching a browser: ${clean(notice.forwarder)}, and this login's address ` +
              `must stay on this machine. Open the URL below yourself (Ctrl/Cmd-click it)${
                notice.pasteBack
                  ? "; if the browser then shows an error page, paste its address here"
                  : ""
              }.`,
          );
        case "no-redirect-file":
          return warning(
            `Not opening a browser: the private page it would open could not be written (${
              clean(notice.reason)
            }). Open the URL below yourself.`,
          );
        case "snap-browser":
          return say(
            "If the browser says “Access to the file was denied”, it is a snap (snaps cannot read " +
              "~/.almyty): open the URL above in it instead.",
          );
        case "slow":
          return say(slowRequestText(notice.request));
        case "late-delivery":
          return say(
            "The browser's answer arrived just as the login ended: finishing it (up to " +
              `${notice.waitMs / 1000} s) so that the key it creates is revoked, not left live…`,
          );
        case "paste-invalid":
          return say(paint(ctx, err, "yellow", "Not accepted: ") + clean(notice.reason));
      }
    },
    urlReady(url, opening) {
      if (opening) {
        const short = new URL(url);
        say(`Opening ${short.host}${short.pathname} in your browser with ${clean(opening)}…`);
        say("If it does not open, open this URL:");
      } else {
        say("Open this URL in your browser to log in:");
      }
      say("  " + paint(ctx, err, "bold", url));
    },
    browserFailed(failure) {
      const opener = clean(failure.opener);
      const how = failure.exitCode === undefined
        ? `Could not start ${opener}`
        : `The browser command ${opener} failed (exit ${failure.exitCode})`;
      warning(
        `${how}. Open the URL above yourself${
          failure.pasteBack ? " (and paste the address it ends on here, if it shows an error)" : ""
        }, or log in without a browser: ${failure.headless}`,
      );
    },
    async showCode(code) {
      if (err.isTerminal) await drawQr(ctx, code, options);
      say("Open this URL in any browser:");
      say("  " + paint(ctx, err, "bold", clean(code.verificationUriComplete)));
      if (code.verificationUriComplete === code.verificationUri) {
        // The server gave no URL with the code in it (RFC 8628 §3.2): the person types it.
        say("and enter this code there:");
      } else {
        say(`Or go to ${clean(code.verificationUri)} and enter the code there.`);
        say("Either way, check that the page shows this code:");
      }
      say("  " + paint(ctx, err, "bold", clean(code.userCode)));
    },
    waiting(what, deadline, endsBy = "timeout") {
      const seconds = () => Math.max(0, Math.round((deadline - ctx.now()) / 1000));
      if (what === "browser") {
        say(`Waiting for the browser (up to ${seconds()} s; Ctrl-C to cancel)...`);
        return;
      }
      // The countdown is whichever ends first: the code's life or --timeout.
      const label = endsBy === "code" ? "code expires in" : "giving up in";
      const clockOf = (left: number) =>
        `${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}`;
      const live = (left: number) =>
        `Waiting for approval: ${label} ${clockOf(left)} (Ctrl-C to cancel)`;
      // Redrawn in place only where that works: a terminal that knows the escape (not TERM=dumb,
      // where it shows as "^[[2K") and wide enough for the line (a wrapped line is not erased by
      // \r, so each second would leave a copy).
      const columns = err.size?.()?.columns;
      if (
        !err.isTerminal || ctx.env.TERM === "dumb" ||
        (!!columns && visibleWidth(live(seconds())) >= columns) // 0: a size it does not know
      ) {
        say(
          `Waiting for approval (${
            endsBy === "code" ? "the code expires" : "giving up"
          } in ${seconds()} s; Ctrl-C to cancel)...`,
        );
        return;
      }
      const draw = () => err.write(`\r\x1b[2K${paint(ctx, err, "dim", live(seconds()))}`);
      draw();
      const stop = ctx.every(1000, draw);
      stopCountdown = () => {
        stop();
        err.write("\r\x1b[2K");
      };
    },
    stopWaiting() {
      stopCountdown();
      stopCountdown = () => {};
    },
    ...(ctx.stdin.isTerminal
      ? {
        async readPaste(secret: boolean, signal: AbortSignal) {
          try {
            return await ctx.stdin.readLine({
              prompt: secret
                ? "The address holds a key, so it is not shown as you paste it.\n" +
                  "If the browser shows an error page, copy its address and paste it here:\n"
                : "If the browser shows an error page, copy its address and paste it here:\n",
              echo: !secret,
              signal,
            });
          } catch (error) {
            if (!(error instanceof TerminalModeError)) throw error;
            // The address holds a key here: never ask for it where it would be shown.
            say(`(The address cannot be pasted here: ${error.message}; finish in the browser.)`);
            return null;
          }
        },
      }
      : {}),
  };
}

/**
 * The QR code of the complete URL, above the instructions, when the terminal
 * has room for both (or `--qr` asks); a one-line note when it is left out.
 */
async function drawQr(ctx: Context, code: CodeInstructions, options: TerminalUiOptions) {
  const err = ctx.stderr;
  let qrLines: typeof import("./qr.ts").qrLines;
  try {
    ({ qrLines } = await import("./qr.ts"));
  } catch {
    // Run from source with a cold Deno cache and no npm access: the login goes on without it.
    line(err, "(No QR code: its library is not in Deno's cache and could not be downloaded.)");
    return;
  }
  const color = useColor(ctx, err);
  const light = !color && lightBackground(ctx.env.COLORFGBG);
  const rows = qrLines(code.verificationUriComplete, { color, lightBackground: light });
  if (!rows) {
    line(err, "(No QR code: the URL is too long for one; open it, or type the code on the page.)");
    return;
  }
  const size = err.size?.();
  // deno-lint-ignore no-control-regex -- the colours take no room on screen
  const columns = rows[0].replace(/\x1b\[[\d;]*m/g, "").length;
  const fits = size !== undefined && size !== null &&
    size.rows >= rows.length + ESSENTIAL_LINES && size.columns >= columns;
  if (!fits && !options.qr) {
    line(err, "(A QR code of the URL needs a larger terminal; --qr shows it anyway.)");
    return;
  }
  for (const row of rows) line(err, row);
  if (!color && !light) {
    line(err, "(Drawn for a dark background: on a light one it is inverted; use the URL instead.)");
  }
}

/**
 * True when COLORFGBG (set by rxvt, Konsole, iTerm2…) says the background is
 * light ("0;15": the last field is the background's colour number).
 *
 * @example
 * ```ts
 * lightBackground("0;15"); // true
 * lightBackground("15;0"); // false
 * ```
 */
export function lightBackground(colorfgbg: string | undefined): boolean {
  const bg = Number(colorfgbg?.split(";").pop());
  return bg === 7 || bg === 15;
}
