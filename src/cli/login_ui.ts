/**
 * The login engine's events, rendered on the terminal (stderr): the URL
 * always first, the code and a QR code for the headless login, and a live
 * countdown while waiting on a terminal.
 *
 * @example
 * ```ts
 * import { terminalUi } from "./login_ui.ts";
 * // const ui = terminalUi(ctx, { timeoutSeconds: 300 });
 * ```
 * @module
 */
import type { LoginUi } from "../login/ui.ts";
import { TerminalModeError } from "../platform/prompt.ts";
import { type Context, useColor } from "../runtime/context.ts";
import { line, paint } from "../runtime/output.ts";
import { stripControl } from "../protocol/text.ts";

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
export function terminalUi(ctx: Context): LoginUi {
  const err = ctx.stderr;
  const say = (text = "") => line(err, text);
  let stopCountdown = () => {};
  return {
    notice(notice) {
      switch (notice.kind) {
        case "handoff":
          return say(
            `This server has no login discovery document; using almyty's browser hand-off (${notice.page}).`,
          );
        case "headless":
          return say(
            `Not opening a browser because ${notice.reason}; using the headless login instead.`,
          );
        case "handoff-headless":
          say(
            `This server has no headless login, and no browser will be opened here (${notice.reason}).`,
          );
          say(`Either log in with an API key:  ${notice.tokenCommand}  (reads it from stdin)`);
          say(
            `or forward the login port from the machine with the browser, then open the URL there:`,
          );
          return say(`  ssh -L ${notice.port}:127.0.0.1:${notice.port} ${notice.host}`);
        case "key-id-unknown":
          return say(
            paint(ctx, err, "yellow", "Warning: ") +
              `No id was saved for this key, because none is provably this key's (${
                stripControl(notice.reason)
              }), so \`almyty-auth logout\` will not be able to revoke it; ` +
              `revoke it at ${notice.revokePage} when you are done.`,
          );
        case "wsl-paste":
          return say(
            "On WSL, Windows' browser often cannot reach this terminal's 127.0.0.1. If the browser " +
              "ends on an error page, copy its address and paste it here.",
          );
        case "paste-invalid":
          return say(paint(ctx, err, "yellow", "Not accepted: ") + notice.reason);
      }
    },
    urlReady(url, opening) {
      if (opening) {
        const short = new URL(url);
        say(`Opening ${short.host}${short.pathname} in your browser (${opening})…`);
        say("If nothing opens, open this URL:");
      } else {
        say("Open this URL in your browser to log in:");
      }
      say("  " + paint(ctx, err, "bold", url));
    },
    browserFailed(failure) {
      const how = failure.exitCode === undefined
        ? `Could not start ${failure.opener}`
        : `The browser command ${failure.opener} failed (exit ${failure.exitCode})`;
      say(
        paint(ctx, err, "yellow", "Warning: ") +
          `${how}. Open the URL above yourself${
            failure.pasteBack
              ? " (and paste the address it ends on here, if it shows an error)"
              : ""
          }, or log in without a browser: ${failure.headless}`,
      );
    },
    async showCode(code) {
      say("Open this URL in any browser:");
      say("  " + paint(ctx, err, "bold", code.verificationUriComplete));
      say();
      say("and check that it shows this code:");
      say("  " + paint(ctx, err, "bold", code.userCode));
      say();
      say(`(Or go to ${code.verificationUri} and enter the code there.)`);
      say();
      if (err.isTerminal) {
        const { qrLines } = await import("./qr.ts");
        const color = useColor(ctx, err);
        for (const row of qrLines(code.verificationUriComplete, { color })) say(row);
        say();
      }
    },
    waiting(what, deadline) {
      if (what === "browser") {
        const seconds = Math.round((deadline - ctx.now()) / 1000);
        say(`Waiting for the browser (up to ${seconds} s; Ctrl-C to cancel)...`);
        return;
      }
      say("Waiting for authentication...");
      if (!err.isTerminal) return;
      const draw = () => {
        const left = Math.max(0, Math.round((deadline - ctx.now()) / 1000));
        const clock = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}`;
        err.write(`\r\x1b[2K${paint(ctx, err, "dim", `  code expires in ${clock}`)}`);
      };
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
                ? "If the browser shows an error page, copy its address and paste it here (it is not shown):\n"
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
