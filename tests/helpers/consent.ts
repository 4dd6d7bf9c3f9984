/**
 * The consent page (`/cli-auth`) as a browser uses it: open it with a signed-in
 * session, then submit its form. One place that knows the form's fields.
 * @module
 */
import { pkceChallenge, randomToken } from "../../src/protocol/crypto.ts";

/** An opened consent page. */
export interface Consent {
  /** The page's HTML. */
  html: string;
  /**
   * Posts the page's form (redirects not followed), with `extra` fields such
   * as `typed_code` or `organization_id`.
   */
  submit(decision: "approve" | "deny", extra?: Record<string, string>): Promise<Response>;
}

/** Opens `pageUrl` with `cookie`; throws with the page when it holds no consent form. */
export async function openConsent(
  fetcher: typeof fetch,
  pageUrl: string,
  cookie: string,
): Promise<Consent> {
  const html = await (await fetcher(pageUrl, { headers: { cookie } })).text();
  const requestId = /name="request_id" value="([^"]+)"/.exec(html)?.[1];
  const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1];
  if (!requestId || !csrf) throw new Error(`no consent form at ${pageUrl}:\n${html}`);
  return {
    html,
    submit: (decision, extra = {}) =>
      fetcher(`${new URL(pageUrl).origin}/cli-auth/decision`, {
        method: "POST",
        headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ request_id: requestId, csrf, decision, ...extra }),
        redirect: "manual",
      }),
  };
}

/** The redirect URI test clients register (nothing listens there). */
export const TEST_REDIRECT_URI = "http://127.0.0.1:5555/callback";

/**
 * A code-flow authorization request as the CLI makes it (a fresh PKCE
 * verifier, state "s"×43): the consent page's address at `server` (a URL, or
 * "" for the path alone) and the verifier that redeems its code.
 */
export function authorizationRequest(
  server: string,
  options: { redirectUri?: string; clientName?: string } = {},
): { url: string; verifier: string; redirectUri: string } {
  const verifier = randomToken(32);
  const redirectUri = options.redirectUri ?? TEST_REDIRECT_URI;
  const query = new URLSearchParams({
    response_type: "code",
    client_id: "almyty-cli",
    redirect_uri: redirectUri,
    state: "s".repeat(43),
    code_challenge: pkceChallenge(verifier),
    code_challenge_method: "S256",
    ...(options.clientName === undefined ? {} : { client_name: options.clientName }),
  });
  return { url: `${server}/cli-auth?${query}`, verifier, redirectUri };
}
