/**
 * Compatibility with today's production: the browser goes to the web app's
 * `/cli-login`, which mints a key and hands it to `callback#token=…&state=…`.
 * The fragment never reaches a server: the listener's `/cb` page reads it,
 * removes it from the address bar, and posts it to `/cb-complete`. The key
 * is checked with `GET /auth/profile`, and its id found with
 * `GET /auth/api-keys` (the page passes on the key, not its id) so that
 * logout can revoke it.
 *
 * @example
 * ```ts
 * import { handoffFlow } from "./handoff_flow.ts";
 * // const result = await handoffFlow(ctx, target, ui, { opener, deadline, commit });
 * ```
 * @module
 */
import { BodyError, field, readFields } from "../protocol/body.ts";
import { CALLBACK_PATHS, PATHS } from "../protocol/constants.ts";
import { constantTimeEqual, randomToken } from "../protocol/crypto.ts";
import { htmlResponse } from "../protocol/html.ts";
import { randomHex } from "../protocol/random.ts";
import { ApiError } from "../runtime/api_error.ts";
import { CliError, EXIT } from "../runtime/errors.ts";
import type { Context } from "../runtime/context.ts";
import { loginApi } from "./api.ts";
import { findHandoffKeyId } from "../runtime/keys.ts";
import { apiKeysPage, type Target } from "../runtime/target.ts";
import { loginCommand } from "../credentials/fix_hints.ts";
import { LoginAttempt } from "./attempt.ts";
import { openAndWait } from "./browser_wait.ts";
import type { BrowserFlowOptions } from "./code_flow.ts";
import { keepMinted } from "./minted.ts";
import { jsonResponse, startListener } from "./listener.ts";
import { handoffPage, successPage } from "./pages.ts";
import type { LoginResult } from "./result.ts";
import type { LoginUi } from "./ui.ts";

/**
 * What the hand-off page tells the person when the listener refuses what it
 * posted: never a bare "Invalid state", always the way on.
 *
 * @example
 * ```ts
 * pageAdvice(400, "Invalid state", "almyty-auth login").includes("another login"); // true
 * ```
 */
export function pageAdvice(status: number, error: string, again: string): string {
  if (status === 400 && error === "Invalid state") {
    return "This page belongs to another login than the one waiting in your terminal (an old " +
      "tab, or a link from someone else). Nothing was saved. Finish the login from the page " +
      `the CLI opened or the URL it printed, or start again with: ${again}`;
  }
  if (status === 400) {
    return "The address this page was opened with has no key in it. Nothing was saved. " +
      `Start again in your terminal with: ${again}`;
  }
  if (status === 409) return "This login has already been handled. Check your terminal.";
  return "The CLI could not verify this key. Your terminal says why.";
}

/**
 * Today's production in a CI job without a terminal: no headless login, and
 * nothing there can finish the hand-off. What works instead.
 *
 * @example
 * ```ts
 * import { loginTarget } from "../runtime/target.ts";
 * import { denoFs } from "../platform/deno_fs.ts";
 * const target = loginTarget({}, { fs: denoFs, env: { HOME: Deno.makeTempDirSync() } });
 * handoffInCi(target).message.includes("almyty-auth login --with-token"); // true
 * ```
 */
export function handoffInCi(target: Target): CliError {
  return new CliError(
    `${target.api} has no headless login (neither has almyty's production today), and in a CI ` +
      "job without a terminal (CI is set) nothing can finish a browser login: no one can open " +
      "its page on this machine or paste its address here. Nothing was started. Log in with " +
      `an API key instead: create one at ${apiKeysPage(target)}, keep it as a CI secret, and ` +
      `pipe it to: ${loginCommand(target, "--with-token")}`,
    EXIT.error,
  );
}

/** How long the listener stays up for the browser to load `/success`, as production's CLI. */
const SUCCESS_PAGE_GRACE_MS = 3000;

/**
 * Runs the hand-off; the key is checked and committed before the page hears of success.
 *
 * @example
 * ```ts
 * // Runs inside `login` (engine.ts) against today's production (no discovery document).
 * const flow: typeof handoffFlow = handoffFlow;
 * ```
 */
export async function handoffFlow(
  ctx: Context,
  target: Target,
  ui: LoginUi,
  options: BrowserFlowOptions,
): Promise<LoginResult> {
  // Production's CLI sends 32 random bytes as hex; its page accepts any state.
  const state = randomHex(32);
  const started = ctx.now();
  const attempt = new LoginAttempt<LoginResult>();
  let shown!: () => void;
  const successShown = new Promise<void>((resolve) => (shown = resolve));

  // One way to finish, from the page's POST or from a pasted address: the
  // same state check, single use, key check and id lookup.
  const deliver = async (token: string | undefined, pastedState: string | undefined) => {
    if (!constantTimeEqual(pastedState ?? "", state)) return [400, "Invalid state"] as const;
    if (!token) return [400, "Missing token"] as const;
    if (!attempt.claim()) return [409, "This login has already been handled"] as const;
    try {
      // The id only when provably this key's (never the key this login replaces).
      const lookup = await findHandoffKeyId(loginApi(ctx, target.withToken(token), ui), token, {
        startedAt: started,
        now: ctx.now,
        exclude: target.file?.keyId,
      }).catch((error) => ({
        id: null,
        reason: error instanceof ApiError ? error.message : String(error),
      }));
      // Checked with /auth/profile and saved, or revoked (the login ended meanwhile, a failure).
      const result = await keepMinted(
        ctx,
        target,
        { token, ...(lookup.id ? { keyId: lookup.id } : {}) },
        options.commit,
        { ended: attempt.ended, ui },
      );
      if (lookup.id === null) {
        ui.notice({
          kind: "key-id-unknown",
          revokePage: apiKeysPage(target),
          reason: lookup.reason,
        });
      }
      attempt.succeed(result);
      return [200, ""] as const;
    } catch (error) {
      attempt.fail(error as Error);
      return [401, "The CLI could not verify this key; see your terminal."] as const;
    }
  };
  const complete = async (request: Request): Promise<Response> => {
    let body: Record<string, unknown>;
    try {
      body = await readFields(request, attempt.ended);
    } catch (error) {
      if (!(error instanceof BodyError)) throw error;
      return jsonResponse({ error: `Bad request: ${error.message}` }, error.status);
    }
    const [status, error] = await deliver(field(body, "token"), field(body, "state"));
    if (status === 200) return jsonResponse({ ok: true }, status);
    // `error` for programs; `message` for the person looking at the page: what to do now.
    return jsonResponse(
      { error, message: pageAdvice(status, error, loginCommand(target)) },
      status,
    );
  };

  const listener = startListener(ctx, {
    [`GET ${CALLBACK_PATHS.legacy}`]: () => {
      const nonce = randomToken(16);
      return htmlResponse(handoffPage(nonce), 200, { nonce });
    },
    [`POST ${CALLBACK_PATHS.legacyComplete}`]: complete,
    [`GET ${CALLBACK_PATHS.legacySuccess}`]: async () => {
      const outcome = await Promise.race([attempt.outcome, Promise.resolve(null)]);
      if (outcome?.kind !== "success") return jsonResponse({ error: "Not found" }, 404);
      queueMicrotask(shown);
      return htmlResponse(successPage(outcome.value.email));
    },
  });
  const url = new URL(target.frontend + PATHS.legacyPage);
  // Production's page ignores parameters it does not know; the reference server
  // shows client_name, so the user sees which device asks.
  url.search = new URLSearchParams({
    callback: listener.url(CALLBACK_PATHS.legacy),
    state,
    client_name: ctx.hostname(),
  }).toString();
  if (options.opener.kind === "headless") {
    ui.notice({
      kind: "handoff-headless",
      reason: options.opener.reason,
      tokenCommand: loginCommand(target, "--token", "-"),
      port: listener.port,
      host: ctx.hostname(),
    });
  }
  return await openAndWait(ctx, ui, {
    url: url.href,
    opener: options.opener,
    attempt,
    listener,
    deadline: options.deadline,
    again: loginCommand(target),
    keysPage: apiKeysPage(target),
    headless: loginCommand(target, "--token", "-"),
    paste: {
      secret: true, // the address holds the key
      lands: listener.url(CALLBACK_PATHS.legacy),
      deliver: async (text) => {
        const fragment = /#(.*)$/.exec(text.trim())?.[1];
        if (!fragment) {
          return "That is not the address of this login's hand-off (it looks like http://127.0.0.1:<port>/cb#token=…&state=…).";
        }
        const params = new URLSearchParams(fragment);
        const [status, error] = await deliver(
          params.get("token") ?? undefined,
          params.get("state") ?? undefined,
        );
        if (status === 200) return null;
        return status === 400 && error === "Invalid state"
          ? "That address is from another login (its state does not match this one)."
          : error;
      },
    },
    // Give the browser a moment to load /success before the port closes.
    beforeClose: async () => {
      const stop = new AbortController();
      await Promise.race([
        successShown,
        ctx.sleep(SUCCESS_PAGE_GRACE_MS, stop.signal).catch(() => {}),
      ]);
      stop.abort();
    },
  });
}
