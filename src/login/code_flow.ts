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
import { loginApi } from "./api.ts";
import { apiKeysPage, type Target } from "../runtime/target.ts";
import { loginCommand, type LoginPlace } from "../credentials/fix_hints.ts";
import { CALLBACK_PATHS, CLIENT_ID, GRANT, OAUTH_ERROR } from "../protocol/constants.ts";
import { truncate } from "../protocol/text.ts";
import { CliError, EXIT } from "../runtime/errors.ts";
import { constantTimeEqual, pkceChallenge, randomToken } from "../protocol/crypto.ts";
import { htmlResponse, messagePage } from "../protocol/html.ts";
import type { TokenGrant } from "../protocol/types.ts";
import { LoginAttempt } from "./attempt.ts";
import type { OpenerChoice } from "./browser.ts";
import { openAndWait } from "./browser_wait.ts";
import type { LoginEndpoints } from "./discovery.ts";
import { startListener } from "./listener.ts";
import { successPage } from "./pages.ts";
import { keepMinted, mintedFromGrant } from "./minted.ts";
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
 * The callback's parameters from what was pasted: the address the browser
 * ended on (`http://127.0.0.1:<port>/callback?code=…&state=…`), its query
 * string, or the code and the state separated by a space.
 *
 * @example
 * ```ts
 * pastedParams("http://127.0.0.1:5555/callback?code=c&state=s")?.get("code"); // "c"
 * pastedParams("c s")?.get("state"); // "s"
 * ```
 */
export function pastedParams(text: string): URLSearchParams | null {
  const trimmed = text.trim();
  if (/^https?:\/\//i.test(trimmed) && URL.canParse(trimmed)) {
    const url = new URL(trimmed);
    return url.pathname === CALLBACK_PATHS.code ? url.searchParams : null;
  }
  if (/^\??[\w%.~-]+=/.test(trimmed)) return new URLSearchParams(trimmed.replace(/^\?/, ""));
  const words = trimmed.split(/\s+/);
  return words.length === 2 ? new URLSearchParams({ code: words[0], state: words[1] }) : null;
}

/**
 * A callback's OAuth `error` (RFC 6749 §4.1.2.1) as a message for the
 * terminal: the server's code and description, cleaned and cut short, and
 * what to do about it.
 *
 * @example
 * ```ts
 * callbackError("server_error", null, { api: "http://127.0.0.1:8080" }).message;
 * // "The server could not complete the login (server_error). Try again in a minute: almyty-auth login --api http://127.0.0.1:8080"
 * ```
 */
export function callbackError(
  code: string,
  description: string | null,
  /** Where the login was going: the hints keep its profile and API. */
  place: LoginPlace,
): CliError {
  const again = loginCommand(place);
  // Cut short here; shown without control characters where it is printed (cli/main.ts).
  const shown = truncate(code, 60) + (description ? `: ${truncate(description, 200)}` : "");
  switch (code) {
    case "server_error":
    case "temporarily_unavailable":
      return new CliError(
        `The server could not complete the login (${shown}). Try again in a minute: ${again}`,
        EXIT.error,
      );
    case "invalid_request":
    case "unauthorized_client":
    case "unsupported_response_type":
    case "invalid_scope":
      return new CliError(
        `The server refused this CLI's login request (${shown}). Update almyty-auth, or tell ` +
          `the server's operators; meanwhile \`${
            loginCommand(place, "--with-token")
          }\` works with a key made in the web app.`,
        EXIT.error,
      );
    default:
      return new CliError(
        `The server refused the login (${shown}). Try again: ${again}`,
        EXIT.error,
      );
  }
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
  const api = loginApi(ctx, target, ui);
  const page = (title: string, message: string, status: number) =>
    htmlResponse(messagePage(title, message, status >= 400), status);

  // One way to finish, whether the browser reaches the listener or the
  // address is pasted back: the same state check, single use and exchange.
  const deliver = async (params: URLSearchParams): Promise<[number, string, string]> => {
    if (!constantTimeEqual(params.get("state") ?? "", state)) {
      return [
        400,
        "This login link is not valid",
        "The state does not match the login running in your terminal. The CLI is still waiting; finish the login from the page the CLI opened or the URL it printed.",
      ];
    }
    // RFC 9207: the answer must come from the server this login asked (mix-up defence).
    const iss = params.get("iss");
    if ((iss === null && endpoints.issInResponses) || (iss !== null && iss !== endpoints.issuer)) {
      return [
        400,
        "This answer is from another server",
        `The login was started with ${endpoints.issuer}, but this answer names ${
          iss === null ? "no issuer" : truncate(iss, 100)
        }. Nothing was sent; the CLI is still waiting.`,
      ];
    }
    const error = params.get("error");
    const code = params.get("code");
    if (!error && !code) return [400, "Login failed", "The callback has no code."];
    if (!attempt.claim()) {
      return [409, "Already handled", "This login has already been handled. Check your terminal."];
    }
    if (error) {
      if (error === OAUTH_ERROR.accessDenied) attempt.deny();
      else {
        attempt.fail(callbackError(error, params.get("error_description"), target));
      }
      return error === "access_denied"
        ? [200, "Login denied", "You denied the request. The CLI has stopped."]
        : [200, "Login failed", "The server refused the login; see your terminal."];
    }
    try {
      const grant = await api.request<TokenGrant>(endpoints.token, {
        method: "POST",
        envelope: false, // RFC 6749 §5.1: the standard response, no envelope
        body: new URLSearchParams({
          grant_type: GRANT.authorizationCode,
          client_id: CLIENT_ID,
          code: code!,
          code_verifier: verifier,
          redirect_uri: listener.url(CALLBACK_PATHS.code),
        }),
      });
      // Checked with /auth/profile and saved, or revoked (the login ended meanwhile, a failure).
      const result = await keepMinted(
        ctx,
        target,
        mintedFromGrant(grant, ctx.now()),
        options.commit,
        {
          revocation: endpoints.revocation,
          ended: attempt.ended,
          ui,
        },
      );
      attempt.succeed(result);
      return [200, "", result.email];
    } catch (failure) {
      attempt.fail(failure as Error);
      return [502, "Login failed", "The CLI could not finish the login; see your terminal."];
    }
  };
  const listener = startListener(ctx, {
    [`GET ${CALLBACK_PATHS.code}`]: async (_request, url) => {
      const [status, title, message] = await deliver(url.searchParams);
      if (status === 200 && !title) return htmlResponse(successPage(message));
      return page(title, message, status);
    },
  });
  const url = new URL(endpoints.authorization);
  for (
    const [name, value] of Object.entries({
      response_type: "code",
      client_id: CLIENT_ID,
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
    keysPage: apiKeysPage(target),
    headless: loginCommand(target, "--no-browser"),
    paste: {
      secret: false,
      lands: listener.url(CALLBACK_PATHS.code),
      deliver: async (text) => {
        const params = pastedParams(text);
        if (!params) {
          return "That is not the address of this login's callback (it looks like http://127.0.0.1:<port>/callback?code=…&state=…).";
        }
        const [status, , message] = await deliver(params);
        return status === 200 ? null : message;
      },
    },
  });
}
