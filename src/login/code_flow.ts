/**
 * The browser login: authorization code + PKCE (RFC 7636) on a loopback
 * listener (RFC 8252). The state is compared in constant time; a forged or
 * stray callback gets a 400 and the login keeps waiting.
 *
 * @example
 * ```ts
 * import { codeFlow } from "./code_flow.ts";
 * // const result = await codeFlow(ctx, target, endpoints, ui, { opener, deadline, commit });
 * ```
 * @module
 */
import type { Context } from "../runtime/context.ts";
import { apiFor } from "../runtime/connect.ts";
import { loginCommand, type Target } from "../runtime/target.ts";
import { CALLBACK_PATHS, GRANT } from "../protocol/constants.ts";
import { constantTimeEqual, pkceChallenge, randomToken } from "../protocol/crypto.ts";
import { htmlResponse, messagePage } from "../protocol/html.ts";
import type { TokenGrant } from "../protocol/types.ts";
import { LoginAttempt } from "./attempt.ts";
import type { OpenerChoice } from "./browser.ts";
import { openAndWait } from "./browser_wait.ts";
import type { LoginEndpoints } from "./discovery.ts";
import { startListener } from "./listener.ts";
import { successPage } from "./pages.ts";
import type { Commit, LoginResult } from "./result.ts";
import type { LoginUi } from "./ui.ts";

/** How a browser flow runs. */
export interface BrowserFlowOptions {
  opener: OpenerChoice;
  /** Epoch ms after which the login gives up. */
  deadline: number;
  commit: Commit;
}

/**
 * A grant as a login result.
 *
 * @example
 * ```ts
 * grantResult({ token: "almyty_x", keyId: "k", email: "a@b.c", organization: null }).keyOrigin; // "minted"
 * ```
 */
export function grantResult(grant: TokenGrant): LoginResult {
  return {
    token: grant.token,
    email: grant.email,
    keyId: grant.keyId,
    organization: grant.organization,
    keyOrigin: "minted",
  };
}

/**
 * Runs the code flow; the result is committed before the browser hears of success.
 *
 * @example
 * ```ts
 * // Runs inside `login` (engine.ts) when the server has a discovery document and a
 * // browser can be opened; see tests/flows_test.ts for complete runs.
 * const flow: typeof codeFlow = codeFlow;
 * ```
 */
export async function codeFlow(
  ctx: Context,
  target: Target,
  endpoints: LoginEndpoints,
  ui: LoginUi,
  options: BrowserFlowOptions,
): Promise<LoginResult> {
  const state = randomToken(32);
  const verifier = randomToken(32);
  const attempt = new LoginAttempt<LoginResult>();
  const api = apiFor(ctx, target);
  const page = (title: string, message: string, status: number) =>
    htmlResponse(messagePage(title, message, status >= 400), status);

  const listener = startListener(ctx, {
    [`GET ${CALLBACK_PATHS.code}`]: async (_request, url) => {
      const params = url.searchParams;
      if (!constantTimeEqual(params.get("state") ?? "", state)) {
        return page(
          "This login link is not valid",
          "The state does not match the login running in your terminal. The CLI is still waiting; finish the login from the page it opened.",
          400,
        );
      }
      const error = params.get("error");
      const code = params.get("code");
      if (!error && !code) return page("Login failed", "The callback has no code.", 400);
      if (!attempt.claim()) {
        return page(
          "Already handled",
          "This login has already been handled. Check your terminal.",
          409,
        );
      }
      if (error) {
        if (error === "access_denied") attempt.deny();
        else attempt.fail(new Error(`The server refused the login: ${error}`));
        return error === "access_denied"
          ? page("Login denied", "You denied the request. The CLI has stopped.", 200)
          : page("Login failed", "The server refused the login; see your terminal.", 200);
      }
      try {
        const grant = await api.request<TokenGrant>(endpoints.token, {
          method: "POST",
          body: new URLSearchParams({
            grant_type: GRANT.authorizationCode,
            code: code!,
            code_verifier: verifier,
            redirect_uri: listener.url(CALLBACK_PATHS.code),
          }),
        });
        attempt.ended.throwIfAborted(); // timed out or interrupted meanwhile: save nothing
        const result = grantResult(grant);
        await options.commit(result);
        attempt.succeed(result);
        return htmlResponse(successPage(result.email));
      } catch (failure) {
        attempt.fail(failure as Error);
        return page("Login failed", "The CLI could not finish the login; see your terminal.", 502);
      }
    },
  });
  const url = new URL(endpoints.authorization);
  for (
    const [name, value] of Object.entries({
      redirect_uri: listener.url(CALLBACK_PATHS.code),
      state,
      code_challenge: pkceChallenge(verifier),
      code_challenge_method: "S256",
      client_name: ctx.hostname(),
    })
  ) url.searchParams.set(name, value);
  return await openAndWait(ctx, ui, {
    url: url.href,
    opener: options.opener,
    attempt,
    listener,
    deadline: options.deadline,
    again: loginCommand(target),
  });
}
