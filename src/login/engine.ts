/**
 * The login engine: discovery picks the protocol, the environment picks the
 * flow (the browser code flow, the headless device flow, or today's
 * production hand-off), and the result is committed through the caller's
 * `commit`. It never prints: everything the user should see is an event on
 * `ui`. Every failure leaves the stored credentials untouched.
 *
 * @example
 * ```ts
 * import { login } from "./engine.ts";
 * // const result = await login(ctx, target, ui, { noBrowser: false, timeoutMs: 300_000, commit });
 * ```
 * @module
 */
import { ApiError } from "../runtime/api_error.ts";
import type { Context } from "../runtime/context.ts";
import { CliError, EXIT } from "../runtime/errors.ts";
import { loginApi } from "./api.ts";
import type { Target } from "../runtime/target.ts";
import { PATHS } from "../protocol/constants.ts";
import { chooseOpener, type OpenerChoice, unattendedCi } from "./browser.ts";
import { codeFlow } from "./code_flow.ts";
import { deviceFlow, noDeviceFlow } from "./device_flow.ts";
import { discover } from "./discovery.ts";
import { handoffFlow, handoffInCi } from "./handoff_flow.ts";
import type { Commit, LoginResult } from "./result.ts";
import type { LoginUi } from "./ui.ts";

/** How a login runs. */
export interface LoginOptions {
  noBrowser: boolean;
  timeoutMs: number;
  /** Saves the result; called once, while the login still runs. */
  commit: Commit;
}

/**
 * Logs in at `target` and returns what was committed.
 *
 * @example
 * ```ts
 * import { denoContext } from "../runtime/deno_context.ts";
 * import { loginTarget } from "../runtime/target.ts";
 * const ctx = { ...denoContext(new AbortController().signal), env: { HOME: Deno.makeTempDirSync() } };
 * const target = loginTarget({ api: "http://127.0.0.1:9" }, { fs: ctx.fs, env: ctx.env });
 * const ui = { notice() {}, urlReady() {}, browserOpened() {}, browserFailed() {}, showCode() {}, waiting() {}, stopWaiting() {} };
 * await login(ctx, target, ui, { noBrowser: true, timeoutMs: 1000, commit: () => Promise.resolve() })
 *   .catch((error) => error.kind); // "network": nothing listens on port 9
 * ```
 */
export async function login(
  ctx: Context,
  target: Target,
  ui: LoginUi,
  options: LoginOptions,
): Promise<LoginResult> {
  const deadline = ctx.now() + options.timeoutMs;
  const endpoints = await discover(loginApi(ctx, target, ui), target);
  const opener: OpenerChoice = options.noBrowser
    ? { kind: "headless", reason: "--no-browser was given" }
    : chooseOpener(ctx.env, ctx.fs.platform, ctx.osRelease());
  const browser = { opener, deadline, commit: options.commit };
  if (!endpoints) {
    await checkApiUrl(ctx, target, ui);
    // Waiting out the timeout there helps no one: say at once what works.
    if (opener.kind === "headless" && unattendedCi(ctx.env, Boolean(ui.readPaste))) {
      throw handoffInCi(target);
    }
    ui.notice({ kind: "handoff", page: target.frontend + PATHS.legacyPage });
    return await handoffFlow(ctx, target, ui, browser);
  }
  if (opener.kind === "headless") {
    if (!endpoints.device) throw noDeviceFlow(target);
    if (!options.noBrowser) ui.notice({ kind: "headless", reason: opener.reason });
    return await deviceFlow(ctx, target, endpoints, ui, {
      deadline,
      timeoutMs: options.timeoutMs,
      commit: options.commit,
    });
  }
  return await codeFlow(ctx, target, endpoints, ui, browser);
}

/**
 * Before the hand-off mints a key: production answers `GET /auth/profile`
 * without a key with 401, and a 404 there means the API URL is wrong (a path
 * too many, say), which would otherwise show only once a key exists.
 */
async function checkApiUrl(ctx: Context, target: Target, ui: LoginUi): Promise<void> {
  try {
    await loginApi(ctx, target, ui).request(PATHS.profile, { anonymous: true });
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (error.status !== 404) return; // anything else: the login says it when it matters
    throw new CliError(
      `${error.message}\nIs ${target.api} almyty's API URL (https://api.almyty.com for almyty's ` +
        "production)? Nothing was started.",
      EXIT.error,
    );
  }
}
