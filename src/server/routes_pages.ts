/**
 * The browser side: `/cli-auth` (code and device flows), the Approve/Deny
 * decision, and `/cli-login` (today's production hand-off).
 *
 * @example
 * ```ts
 * import { pageRoutes } from "./routes_pages.ts";
 * Object.keys(pageRoutes); // ["GET /cli-auth", …]
 * ```
 * @module
 */
import { loginCommand } from "../credentials/fix_hints.ts";
import { PATHS } from "../protocol/constants.ts";
import { constantTimeEqual } from "../protocol/crypto.ts";
import { htmlResponse, messagePage } from "../protocol/html.ts";
import { browserSession, type Handler, type RouteContext, SESSION_COOKIE } from "./context.ts";
import { field, readFields } from "../protocol/body.ts";
import { clearCookie, cookieValues, redirect } from "./http.ts";
import {
  apiKeysPage,
  codeEntryPage,
  connectCliPage,
  consentPage,
  type ConsentView,
  signInPage,
} from "./pages.ts";
import {
  formatUserCode,
  normalizeUserCode,
  type PendingRequest,
  type RequestDetails,
  type User,
} from "./store.ts";
import { CALLBACK_PATHS, CLIENT_ID } from "../protocol/constants.ts";
import { escapeHtml, page } from "../protocol/html.ts";
import { randomToken } from "../protocol/crypto.ts";

const PKCE_CHALLENGE = /^[A-Za-z0-9\-._~]{43,128}$/;

/**
 * The registered redirect URIs, compared exactly (RFC 9700 §2.1, RFC 8252
 * §7.3/§8.3): `http://127.0.0.1:{any port}/callback` and
 * `http://[::1]:{any port}/callback`; no other path, no query, no fragment,
 * no `localhost` (resolved by name, and possibly beyond loopback).
 *
 * @example
 * ```ts
 * isLoopbackRedirect("http://127.0.0.1:53817/callback"); // true
 * isLoopbackRedirect("http://localhost:53817/callback"); // false
 * ```
 */
export function isLoopbackRedirect(raw: string | null | undefined): boolean {
  if (!raw || !URL.canParse(raw)) return false;
  const url = new URL(raw);
  return url.protocol === "http:" && ["127.0.0.1", "[::1]"].includes(url.hostname) &&
    url.port !== "" && url.pathname === CALLBACK_PATHS.code && !url.search && !url.hash &&
    !url.username && !url.password && raw === url.href;
}

function refuse(message: string, status = 400): Response {
  return htmlResponse(messagePage("This login link is not valid", message, true), status);
}

/**
 * Sends the browser back to the client's loopback redirect. For [::1] the
 * navigation is a page, not a 303: browsers check form-action on a form's
 * redirects, and CSP cannot name [::1].
 */
function backToClient(target: URL): Response {
  if (target.hostname !== "[::1]") return redirect(target.href);
  return htmlResponse(
    page(
      "Back to your terminal",
      `<meta http-equiv="refresh" content="0;url=${escapeHtml(target.href)}">` +
        `<h1>Back to your terminal…</h1><p><a href="${escapeHtml(target.href)}">Continue</a></p>`,
    ),
  );
}

/**
 * An authorization error sent back to a known-good redirect URI (RFC 6749
 * §4.1.2.1), with the state when there is one and `iss` (RFC 9207).
 */
function authorizationError(
  ctx: RouteContext,
  redirectUri: string,
  state: string | null,
  error: string,
  description: string,
): Response {
  const target = new URL(redirectUri);
  target.searchParams.set("error", error);
  target.searchParams.set("error_description", description);
  if (state) target.searchParams.set("state", state);
  target.searchParams.set("iss", ctx.origin);
  return backToClient(target);
}

/** Where an approved or denied browser request goes. */
function decisionTarget(
  request: PendingRequest,
  user: User,
  approve: boolean,
  ctx: RouteContext,
  organizationId: string | null = ctx.store.defaultOrganization(user),
) {
  if (request.kind === "code") {
    const target = new URL(request.redirectUri);
    if (approve) {
      target.searchParams.set(
        "code",
        ctx.store.issueCode(user, {
          challenge: request.challenge,
          redirectUri: request.redirectUri,
          clientName: request.clientName,
          organizationId,
        }),
      );
    } else {
      target.searchParams.set("error", "access_denied");
    }
    target.searchParams.set("state", request.state);
    // RFC 9207: every authorization response names its issuer (mix-up defence).
    target.searchParams.set("iss", ctx.origin);
    return backToClient(target);
  }
  const grant = ctx.store.decideDevice(request.deviceHash, user, approve, organizationId);
  if (!grant) {
    return ctx.store.devices.get(request.deviceHash)?.status === "cancelled"
      ? cancelledPage()
      : htmlResponse(
        messagePage("This code has expired", "Start the login again in your terminal.", true),
        400,
      );
  }
  return htmlResponse(
    approve
      ? messagePage("Device approved", "You can close this tab and return to your terminal.")
      : messagePage("Login denied", "The terminal has been told. You can close this tab."),
  );
}

/** The client stopped waiting (almyty's cancel extension): nothing can be approved any more. */
function cancelledPage(): Response {
  return htmlResponse(
    messagePage(
      "Login cancelled",
      "This login was cancelled in the terminal, so it can no longer be approved. " +
        "If you still want to log in, start again in your terminal.",
      true,
    ),
    400,
  );
}

/** Signs in if needed, then shows consent (or decides at once under --auto-approve). */
function consent(
  ctx: RouteContext,
  fields: RequestDetails,
  extra: { userCode?: string; destination?: string },
) {
  const auto = ctx.options.autoApprove ? ctx.store.firstUser() : undefined;
  if (auto) {
    const request: PendingRequest = { ...fields, userId: auto.id, csrf: "", expiresAt: 0 };
    return decisionTarget(request, auto, true, ctx);
  }
  const signedIn = browserSession(ctx);
  if (!signedIn) return signInFirst(ctx);
  const { user, session } = signedIn;
  // RFC 8628 §5.4: a link someone else sent is one click from a key. Show who
  // asked, and when the request came from elsewhere, have the code typed.
  let requester: ConsentView["requester"];
  let expiresInSeconds: number | undefined;
  if (fields.kind === "device") {
    const grant = ctx.store.devices.get(fields.deviceHash)!;
    const now = ctx.store.now();
    requester = {
      ip: grant.requesterIp,
      browserIp: ctx.clientAddress,
      ageSeconds: Math.round((now - grant.createdAt) / 1000),
    };
    // Rounded down: the page never promises a second the code does not have.
    expiresInSeconds = Math.floor((grant.expiresAt - now) / 1000);
  }
  const mustType = requester !== undefined && requester.ip !== requester.browserIp;
  const requestId = ctx.store.addRequest({ ...fields, mustType }, user.id, session.csrf);
  const nonce = expiresInSeconds === undefined ? undefined : randomToken(16);
  return htmlResponse(
    consentPage({
      email: user.email,
      organizations: user.organizations.map(({ id, name }) => ({ id, name })),
      clientName: fields.clientName,
      requestId,
      csrf: session.csrf,
      requester,
      mustType,
      expiresInSeconds,
      nonce,
      ...extra,
    }),
    200,
    { nonce },
  );
}

/**
 * The sign-in page that comes back to this URL. When the browser sent two
 * session cookies (a page on another port of this host tossed one in), both
 * are cleared at every path they could have been set for, and the page says
 * why: which session counts is never the attacker's choice.
 */
function signInFirst(ctx: RouteContext, options: { device?: boolean } = {}): Response {
  const returnTo = ctx.url.pathname + ctx.url.search;
  if (cookieValues(ctx.request, SESSION_COOKIE).length < 2) {
    return htmlResponse(signInPage({ returnTo, ...options }));
  }
  const response = htmlResponse(signInPage({
    returnTo,
    ...options,
    error: "Your browser sent two almyty sessions (another page on this computer may have " +
      "tried to sign you in to its account). Both were cleared: sign in again.",
  }));
  for (const value of clearCookie(SESSION_COOKIE, ctx.url.pathname)) {
    response.headers.append("set-cookie", value);
  }
  return response;
}

/** The authorization request's parameters, and the device flow's `code` (RFC 6749 §3.1: none may be repeated). */
const AUTHORIZATION_PARAMS = [
  "code",
  "response_type",
  "client_id",
  "redirect_uri",
  "state",
  "code_challenge",
  "code_challenge_method",
  "client_name",
  "scope",
];

function cliAuth(ctx: RouteContext): Response {
  const q = ctx.url.searchParams;
  const repeated = AUTHORIZATION_PARAMS.find((name) => q.getAll(name).length > 1);
  const redirectUri = q.get("redirect_uri");
  if (redirectUri !== null) {
    // RFC 6749 §4.1.2.1: errors before the redirect URI and the client are known
    // good are shown, never redirected; after that they go back to the client.
    if (repeated === "redirect_uri" || repeated === "client_id") {
      return refuse(`The parameter ${repeated} is repeated. Nothing was sent.`);
    }
    if (q.get("client_id") !== CLIENT_ID) {
      return refuse(`Unknown client (client_id must be ${CLIENT_ID}). Nothing was sent.`);
    }
    if (!isLoopbackRedirect(redirectUri)) {
      return refuse(
        "redirect_uri must be exactly http://127.0.0.1:<port>/callback or http://[::1]:<port>/callback. Nothing was sent.",
      );
    }
    const state = q.get("state");
    const fail = (error: string, description: string) =>
      authorizationError(ctx, redirectUri, state, error, description);
    if (repeated) return fail("invalid_request", `The parameter ${repeated} is repeated`);
    if (q.get("response_type") !== "code") {
      return fail("unsupported_response_type", "response_type must be code");
    }
    const challenge = q.get("code_challenge") ?? "";
    if (!state) return fail("invalid_request", "The state parameter is required");
    if (q.get("code_challenge_method") !== "S256" || !PKCE_CHALLENGE.test(challenge)) {
      return fail(
        "invalid_request",
        "A code_challenge with code_challenge_method=S256 is required",
      );
    }
    const clientName = (q.get("client_name") || "unknown device").slice(0, 100);
    return consent(ctx, { kind: "code", redirectUri, state, challenge, clientName }, {
      destination: new URL(redirectUri).origin,
    });
  }
  if (repeated) return refuse(`The parameter ${repeated} is repeated.`);
  const code = q.get("code");
  if (code === null) return htmlResponse(codeEntryPage());
  // RFC 8628 §5.1: no oracle before sign-in (every code gets the same page), and
  // a signed-in client gets only so many tries.
  if (!ctx.options.autoApprove && !browserSession(ctx)) return signInFirst(ctx, { device: true });
  const retryAfter = ctx.limits.userCode.hit(ctx.clientAddress);
  if (retryAfter > 0) {
    return htmlResponse(
      codeEntryPage(`Too many codes tried; wait ${retryAfter} s and try again.`),
      429,
      { headers: { "retry-after": String(retryAfter) } },
    );
  }
  const found = ctx.store.deviceByUserCode(code);
  if (found?.grant.status === "cancelled") return cancelledPage();
  if (!found || found.grant.status !== "pending") {
    return htmlResponse(
      codeEntryPage("That code is not valid or has expired. Check the code in your terminal."),
      400,
    );
  }
  return consent(
    ctx,
    { kind: "device", deviceHash: found.hash, clientName: found.grant.clientName },
    { userCode: formatUserCode(found.grant.userCode) },
  );
}

async function decide(ctx: RouteContext): Promise<Response> {
  const fields = await readFields(ctx.request);
  const signedIn = browserSession(ctx);
  const csrf = field(fields, "csrf") ?? "";
  if (!signedIn || !constantTimeEqual(csrf, signedIn.session.csrf)) {
    return refuse("This form has expired or did not come from almyty. Start the login again.", 403);
  }
  const request = ctx.store.takeRequest(field(fields, "request_id") ?? "");
  if (!request || request.userId !== signedIn.user.id) {
    return refuse("This login request has expired. Start the login again in your terminal.");
  }
  const approve = field(fields, "decision") === "approve";
  if (approve && request.kind === "device" && request.mustType) {
    const grant = ctx.store.devices.get(request.deviceHash);
    const typed = normalizeUserCode(field(fields, "typed_code") ?? "");
    if (!grant || !constantTimeEqual(typed, grant.userCode)) {
      return refuse(
        "The code you typed is not the one on this request. If someone sent you this link, do not approve it; otherwise start again in your terminal.",
        403,
      );
    }
  }
  // The organization the key is tied to: one of the user's, or none.
  const chosen = field(fields, "organization_id");
  const organizationId = chosen === undefined || chosen === ""
    ? (chosen === "" ? null : ctx.store.defaultOrganization(signedIn.user))
    : signedIn.user.organizations.some((o) => o.id === chosen)
    ? chosen
    : undefined;
  if (organizationId === undefined) return refuse("That organization is not yours.", 403);
  return decisionTarget(request, signedIn.user, approve, ctx, organizationId);
}

/** What a consent page says about the organization a new key is tied to. */
function organizationLabel(user: User): string {
  return user.organizations.length === 1
    ? user.organizations[0].name
    : `none: the key will not be tied to one organization (you belong to ${
      user.organizations.map((o) => o.name).join(", ")
    })`;
}

/**
 * Production's callback rule for `/cli-login`: http on 127.0.0.1, localhost
 * or [::1], any port and path.
 */
export function isHandoffCallback(raw: string | null): boolean {
  if (!raw || !URL.canParse(raw)) return false;
  const url = new URL(raw);
  return url.protocol === "http:" && ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
}

/**
 * `/cli-login`, as production's web app has it: needs `callback` and
 * `state`, refuses non-loopback callbacks, requires sign-in, and shows
 * "Connect CLI"; the click mints a key with `POST /auth/api-keys` (the
 * page's script, with the session cookie) and sends the browser to
 * `callback#token=…&state=…`.
 */
function cliLogin(ctx: RouteContext): Response {
  const q = ctx.url.searchParams;
  const callback = q.get("callback");
  const state = q.get("state");
  if (!callback) return refuse("The callback parameter is missing.");
  if (!isHandoffCallback(callback)) {
    const origin = URL.canParse(callback) ? new URL(callback).origin : callback;
    return refuse(`Refusing to send token to a non-loopback callback (${origin}).`);
  }
  if (!state) return refuse("The state parameter is missing.");
  const auto = ctx.options.autoApprove ? ctx.store.firstUser() : undefined;
  if (auto) {
    const { apiKey } = ctx.store.mintCliKey(auto, "auto-approve");
    return redirect(
      `${callback}#token=${encodeURIComponent(apiKey)}&state=${encodeURIComponent(state)}`,
    );
  }
  const signedIn = browserSession(ctx);
  if (!signedIn) return signInFirst(ctx);
  const nonce = randomToken(16);
  return htmlResponse(
    connectCliPage({
      email: signedIn.user.email,
      organization: organizationLabel(signedIn.user),
      // Production's CLI sends no device name; ours adds client_name, which production ignores.
      device: (q.get("client_name") ?? "").slice(0, 100) || null,
      callback,
      state,
      nonce,
    }),
    200,
    { nonce },
  );
}

/**
 * The web app's API keys page (Settings > API Keys), where the CLI's hints
 * send a person to create a key for `login --with-token` or revoke one by
 * hand. Signed out: the sign-in page, which comes back here.
 */
function apiKeys(ctx: RouteContext, done: { created?: string; notice?: string } = {}): Response {
  const signedIn = browserSession(ctx);
  if (!signedIn) return signInFirst(ctx);
  const keys = ctx.store.keysOf(signedIn.user)
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  const origin = ctx.origin;
  return htmlResponse(apiKeysPage({
    email: signedIn.user.email,
    csrf: signedIn.session.csrf,
    keys,
    loginCommand: loginCommand({ api: origin }, "--with-token"),
    ...done,
  }));
}

/** The API keys page's forms: create a key (shown once), or revoke one of the user's. */
async function changeApiKeys(ctx: RouteContext): Promise<Response> {
  const fields = await readFields(ctx.request);
  const signedIn = browserSession(ctx);
  if (!signedIn || !constantTimeEqual(field(fields, "csrf") ?? "", signedIn.session.csrf)) {
    return htmlResponse(
      messagePage(
        "API keys",
        "This form has expired or did not come from almyty. Open the API keys page again.",
        true,
      ),
      403,
    );
  }
  if (field(fields, "action") === "create") {
    const name = (field(fields, "name") ?? "").trim().slice(0, 100) || "API key";
    const { apiKey } = ctx.store.mintKey(signedIn.user, name);
    return apiKeys(ctx, { created: apiKey });
  }
  if (field(fields, "action") === "revoke") {
    const revoked = ctx.store.revokeKeyById(signedIn.user, field(fields, "id") ?? "");
    return apiKeys(ctx, { notice: revoked ? "The key was revoked." : "No such key of yours." });
  }
  return htmlResponse(messagePage("API keys", "Unknown action.", true), 400);
}

function home(ctx: RouteContext): Response {
  const who = browserSession(ctx)?.user.email;
  return htmlResponse(
    messagePage(
      "almyty reference server",
      who
        ? `Signed in as ${who}.`
        : `Log in from a terminal with: almyty-auth login --api ${ctx.origin}`,
    ),
  );
}

/**
 * Production's web app serves its SPA routes (`/cli-login`, `/auth/login`, …)
 * without CSP, X-Frame-Options, nosniff or Referrer-Policy — nginx drops the
 * server-level headers in the locations that set their own — so the pages
 * that model them do too. PROTOCOL §5 recommends them to almyty's backend.
 */
function asProductionSpaRoute(response: Response): Response {
  for (
    const name of [
      "content-security-policy",
      "x-frame-options",
      "x-content-type-options",
      "referrer-policy",
    ]
  ) response.headers.delete(name);
  return response;
}

/** Exact routes for pages. `/cli-auth` is absent under `--legacy`. */
export const pageRoutes: Record<string, Handler> = {
  "GET /": home,
  [`GET ${PATHS.authorizePage}`]: cliAuth,
  [`POST ${PATHS.decision}`]: decide,
  [`GET ${PATHS.legacyPage}`]: (ctx) => asProductionSpaRoute(cliLogin(ctx)),
  [`GET ${PATHS.apiKeysPage}`]: (ctx) => apiKeys(ctx),
  [`POST ${PATHS.apiKeysPage}`]: changeApiKeys,
};

/** Routes the legacy server does not have. */
export const modernPagePaths: string[] = [PATHS.authorizePage];
