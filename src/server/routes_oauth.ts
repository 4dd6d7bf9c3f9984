/**
 * The login protocol's API, as standard OAuth clients speak it: discovery
 * (RFC 8414), device authorization (RFC 8628), the token endpoint
 * (authorization code + PKCE, device code; RFC 6749 §5 responses) and
 * revocation (RFC 7009). Requests are form-encoded; every failure is an
 * RFC 6749 §5.2 error.
 *
 * @example
 * ```ts
 * import { oauthRoutes } from "./routes_oauth.ts";
 * Object.keys(oauthRoutes); // ["GET /.well-known/oauth-authorization-server", …]
 * ```
 * @module
 */
import { BodyError, readBodyText } from "../protocol/body.ts";
import {
  CLIENT_ID,
  GRANT,
  LONG_POLL_PARAM,
  MAX_WAIT_SECONDS,
  OAUTH_ERROR as E,
  PATHS,
  POLL_TOLERANCE_MS,
} from "../protocol/constants.ts";
import { constantTimeEqual, pkceChallenge } from "../protocol/crypto.ts";
import { sha256Hex } from "../protocol/sha256.ts";
import type { DiscoveryDocument } from "../protocol/types.ts";
import type { Handler, RouteContext } from "./context.ts";
import { json, oauthError } from "./http.ts";
import { type DeviceGrant, formatUserCode, type Store, type User } from "./store.ts";

function discovery(ctx: RouteContext): Response {
  const doc: DiscoveryDocument = {
    issuer: ctx.origin,
    authorization_endpoint: ctx.origin + PATHS.authorizePage,
    token_endpoint: ctx.origin + PATHS.token,
    device_authorization_endpoint: ctx.origin + PATHS.device,
    revocation_endpoint: ctx.origin + PATHS.revoke,
    response_types_supported: ["code"],
    grant_types_supported: [GRANT.authorizationCode, GRANT.deviceCode],
    token_endpoint_auth_methods_supported: ["none"],
    revocation_endpoint_auth_methods_supported: ["none"],
    code_challenge_methods_supported: ["S256"],
    authorization_response_iss_parameter_supported: true,
    almyty_long_poll_parameter: LONG_POLL_PARAM,
    almyty_long_poll_max_seconds: MAX_WAIT_SECONDS,
    almyty_device_cancel_endpoint: ctx.origin + PATHS.deviceCancel,
  };
  return json(doc);
}

/**
 * The form parameters of an OAuth request. RFC 6749 §3.2: parameters must
 * not be repeated; a body that is not a form, too large or too slow is an
 * `invalid_request`.
 */
async function oauthParams(ctx: RouteContext): Promise<Record<string, string> | Response> {
  const type = ctx.request.headers.get("content-type") ?? "";
  let text: string;
  try {
    text = await readBodyText(ctx.request);
  } catch (error) {
    if (!(error instanceof BodyError)) throw error;
    return oauthError(E.invalidRequest, error.message, error.status);
  }
  if (text && !type.includes("application/x-www-form-urlencoded")) {
    return oauthError(E.invalidRequest, "The body must be application/x-www-form-urlencoded");
  }
  const form = new URLSearchParams(text);
  const out: Record<string, string> = {};
  for (const key of new Set(form.keys())) {
    if (form.getAll(key).length > 1) {
      return oauthError(E.invalidRequest, `The parameter ${key} is repeated`);
    }
    out[key] = form.get(key)!;
  }
  return out;
}

/**
 * RFC 6749 §2.2, §2.3.1: the public, pre-registered client, named by the
 * `client_id` field or by HTTP Basic with an empty password (`almyty-cli:`,
 * as requests-oauthlib and simple-oauth2 send by default); both may be sent
 * if they agree. A secret is refused: this client has none.
 */
function checkClient(ctx: RouteContext, params: Record<string, string>): Response | null {
  const header = ctx.request.headers.get("authorization");
  let basic: string | undefined;
  if (header !== null) {
    const credentials = basicCredentials(header);
    if (!credentials) {
      return oauthError("invalid_client", "The Authorization header is not HTTP Basic", 401);
    }
    if (credentials.secret !== "") {
      return oauthError("invalid_client", `${CLIENT_ID} is a public client: it has no secret`, 401);
    }
    basic = credentials.id;
    if (params.client_id !== undefined && params.client_id !== basic) {
      return oauthError("invalid_client", "client_id and the Authorization header disagree", 401);
    }
  }
  const id = basic ?? params.client_id;
  if (id === CLIENT_ID) return null;
  return oauthError(
    "invalid_client",
    id ? `Unknown client_id ${id.slice(0, 100)}` : "client_id is required",
    401,
  );
}

/** `Basic base64(urlencode(id) ":" urlencode(secret))` (RFC 6749 §2.3.1), or undefined. */
function basicCredentials(header: string): { id: string; secret: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/]+={0,2})$/i.exec(header.trim());
  if (!match) return;
  try {
    const decoded = new TextDecoder("utf-8", { fatal: true }).decode(
      Uint8Array.from(atob(match[1]), (c) => c.charCodeAt(0)),
    );
    const colon = decoded.indexOf(":");
    if (colon < 0) return;
    const form = (part: string) => decodeURIComponent(part.replace(/\+/g, " "));
    return { id: form(decoded.slice(0, colon)), secret: form(decoded.slice(colon + 1)) };
  } catch {
    return; // not base64, not UTF-8, or malformed percent-encoding
  }
}

function limited(ctx: RouteContext, limiter: "device" | "token"): Response | null {
  const retryAfter = ctx.limits[limiter].hit(ctx.clientAddress);
  if (retryAfter <= 0) return null;
  return oauthError(E.slowDown, `Too many requests; retry in ${retryAfter} s`, 429, {
    "retry-after": String(retryAfter),
  });
}

/** Starts a device grant (RFC 8628 §3.1–3.2); auto-approved at once under `--auto-approve`. */
async function device(ctx: RouteContext): Promise<Response> {
  const limit = limited(ctx, "device");
  if (limit) return limit;
  const params = await oauthParams(ctx);
  if (params instanceof Response) return params;
  const bad = checkClient(ctx, params);
  if (bad) return bad;
  const clientName = (params.client_name ?? "unknown device").slice(0, 100);
  const { deviceCode, grant: pending } = ctx.store.createDeviceGrant(clientName, ctx.clientAddress);
  const auto = ctx.options.autoApprove && ctx.store.firstUser();
  if (auto) ctx.store.decideDevice(sha256Hex(deviceCode), auto, true);
  const userCode = formatUserCode(pending.userCode);
  return json({
    device_code: deviceCode,
    user_code: userCode,
    verification_uri: ctx.origin + PATHS.authorizePage,
    verification_uri_complete: `${ctx.origin}${PATHS.authorizePage}?code=${userCode}`,
    expires_in: Math.round((pending.expiresAt - ctx.store.now()) / 1000),
    interval: pending.interval,
  });
}

/** The token response (RFC 6749 §5.1), with almyty's extras beside the standard fields. */
function tokenResponse(
  store: Store,
  user: User,
  clientName: string,
  organizationId: string | null,
): { response: Response; keyId: string } {
  const { apiKey, record } = store.mintCliKey(user, clientName, organizationId);
  const org = user.organizations.find((o) => o.id === record.organizationId);
  const expiresIn = record.expiresAt
    ? Math.round((Date.parse(record.expiresAt) - store.now()) / 1000)
    : undefined;
  const response = json(
    {
      access_token: apiKey,
      token_type: "Bearer",
      ...(expiresIn !== undefined ? { expires_in: expiresIn } : {}),
      key_id: record.id,
      email: user.email,
      organization: org ? { id: org.id, name: org.name, slug: org.slug } : null,
    },
    200,
    { pragma: "no-cache" },
  );
  return { response, keyId: record.id };
}

function exchangeCode(ctx: RouteContext, params: Record<string, string>): Response {
  const { code, code_verifier: verifier, redirect_uri: redirectUri } = params;
  if (!code || !verifier || !redirectUri) {
    return oauthError(E.invalidRequest, "code, code_verifier and redirect_uri are required");
  }
  const record = ctx.store.code(code);
  if (!record) return oauthError(E.invalidGrant, "Unknown authorization code");
  // The binding checks come first: a code seen in browser history proves nothing.
  const bound = constantTimeEqual(record.redirectUri, redirectUri) &&
    constantTimeEqual(pkceChallenge(verifier), record.challenge);
  if (record.used) {
    // RFC 6749 §4.1.2 / RFC 9700 §4.5: a replay by the code's own client (it
    // knows the verifier) revokes what the code issued; anyone else gets nothing.
    if (bound && record.keyId) ctx.store.revokeKeyRecord(record.keyId);
    return oauthError(E.invalidGrant, "Authorization code was already used");
  }
  if (record.expiresAt <= ctx.store.now()) {
    return oauthError(E.invalidGrant, "Authorization code expired");
  }
  if (!constantTimeEqual(record.redirectUri, redirectUri)) {
    return oauthError(E.invalidGrant, "redirect_uri does not match the authorization request");
  }
  if (!bound) {
    return oauthError(E.invalidGrant, "code_verifier does not match the code_challenge");
  }
  record.used = true;
  const user = ctx.store.users.get(record.userId);
  if (!user) return oauthError(E.invalidGrant, "The account no longer exists");
  const { response, keyId } = tokenResponse(
    ctx.store,
    user,
    record.clientName,
    record.organizationId,
  );
  record.keyId = keyId;
  return response;
}

async function pollDevice(ctx: RouteContext, params: Record<string, string>): Promise<Response> {
  const deviceCode = params.device_code;
  if (!deviceCode) return oauthError(E.invalidRequest, "device_code is required");
  const deviceGrant = ctx.store.deviceGrant(deviceCode);
  if (!deviceGrant || deviceGrant.status === "done") {
    return oauthError(E.invalidGrant, "Unknown or already used device code");
  }
  const now = ctx.store.now();
  // Too fast: within the interval (a second's tolerance: clients time from their
  // request), or while another poll on this code is held.
  const early = now - deviceGrant.lastPollAt < deviceGrant.interval * 1000 - POLL_TOLERANCE_MS;
  if (deviceGrant.status === "pending" && (early || deviceGrant.held)) {
    deviceGrant.interval += 5;
    deviceGrant.lastPollAt = now;
    return oauthError(
      E.slowDown,
      `Polling too fast; wait ${deviceGrant.interval} s between requests`,
    );
  }
  deviceGrant.lastPollAt = now;
  const wait = Math.min(Number(params[LONG_POLL_PARAM] ?? 0) || 0, MAX_WAIT_SECONDS);
  if (
    deviceGrant.status === "pending" && wait > 0 && deviceGrant.expiresAt > now &&
    !ctx.closing.aborted
  ) {
    deviceGrant.held = true;
    try {
      await waitForDecision(
        ctx.store,
        deviceGrant,
        Math.min(wait * 1000, deviceGrant.expiresAt - now),
        AbortSignal.any([ctx.request.signal, ctx.closing]),
      );
    } finally {
      deviceGrant.held = false;
    }
  }
  // The request's signal aborts when its client goes away (Deno.serve, with the no-legacy-abort
  // behaviour deno.json opts in to: only on a real disconnect). Nobody would receive a key:
  // nothing is minted, and an approval stays for the client's next poll.
  if (ctx.request.signal.aborted) {
    return oauthError(E.authorizationPending, "The client went away");
  }
  deviceGrant.lastPollAt = ctx.store.now();
  // Re-checked after the wait: another poll may have redeemed the code meanwhile
  // (TypeScript's narrowing from before the await does not hold).
  if ((deviceGrant.status as DeviceGrant["status"]) === "done") {
    return oauthError(E.invalidGrant, "Unknown or already used device code");
  }
  if (deviceGrant.status === "cancelled") {
    return oauthError(E.accessDenied, "The login was cancelled by the client");
  }
  if (deviceGrant.expiresAt <= ctx.store.now()) {
    return oauthError(E.expiredToken, "The device code expired; start the login again");
  }
  if (deviceGrant.status === "denied") {
    deviceGrant.status = "done";
    return oauthError(E.accessDenied, "The request was denied in the browser");
  }
  if (deviceGrant.status === "pending") {
    return oauthError(E.authorizationPending, "Waiting for approval in the browser");
  }
  const user = deviceGrant.userId ? ctx.store.users.get(deviceGrant.userId) : undefined;
  deviceGrant.status = "done"; // spent: before anything that could yield
  if (!user) return oauthError(E.invalidGrant, "The account no longer exists");
  return tokenResponse(
    ctx.store,
    user,
    deviceGrant.clientName,
    deviceGrant.organizationId ?? null,
  ).response;
}

/**
 * Resolves on a decision, after `ms` (≤ 20 s, on the store's clock), or when
 * `stop` aborts (the client went away, or the server shuts down).
 */
function waitForDecision(
  store: Store,
  grant: DeviceGrant,
  ms: number,
  stop: AbortSignal,
): Promise<void> {
  return new Promise((resolve) => {
    const over = new AbortController();
    const done = () => {
      grant.waiters.delete(done);
      stop.removeEventListener("abort", done);
      over.abort(); // the wait's timer goes too
      resolve();
    };
    grant.waiters.add(done);
    if (stop.aborted) return done();
    stop.addEventListener("abort", done, { once: true });
    store.sleep(ms, over.signal).then(done, () => {});
  });
}

async function token(ctx: RouteContext): Promise<Response> {
  const limit = limited(ctx, "token");
  if (limit) return limit;
  const params = await oauthParams(ctx);
  if (params instanceof Response) return params;
  const bad = checkClient(ctx, params);
  if (bad) return bad;
  if (!params.grant_type) return oauthError(E.invalidRequest, "grant_type is required");
  if (params.grant_type === GRANT.authorizationCode) return exchangeCode(ctx, params);
  if (params.grant_type === GRANT.deviceCode) return pollDevice(ctx, params);
  return oauthError(
    E.unsupportedGrantType,
    `grant_type must be ${GRANT.authorizationCode} or ${GRANT.deviceCode}`,
  );
}

async function revoke(ctx: RouteContext): Promise<Response> {
  const params = await oauthParams(ctx);
  if (params instanceof Response) return params;
  // RFC 7009 §2.1: the client identifies itself; another client's request is refused.
  const bad = checkClient(ctx, params);
  if (bad) return bad;
  if (!params.token) return oauthError(E.invalidRequest, "token is required");
  ctx.store.revokeKey(params.token);
  return new Response(null, { status: 200, headers: { "cache-control": "no-store" } }); // §2.2
}

/**
 * almyty's device-flow cancel extension: the client stopped waiting (its
 * timeout, Ctrl-C, `login --cancel`). 200 `{}` whatever became of the code —
 * unknown and expired codes too, so it is no oracle — and afterwards the
 * code's page says so and its polls get `access_denied`.
 */
async function cancelDevice(ctx: RouteContext): Promise<Response> {
  const params = await oauthParams(ctx);
  if (params instanceof Response) return params;
  const bad = checkClient(ctx, params);
  if (bad) return bad;
  if (!params.device_code) return oauthError(E.invalidRequest, "device_code is required");
  ctx.store.cancelDevice(params.device_code);
  return json({});
}

/** Exact routes (absent under `--legacy`). */
export const oauthRoutes: Record<string, Handler> = {
  [`GET ${PATHS.discovery}`]: discovery,
  [`POST ${PATHS.device}`]: device,
  [`POST ${PATHS.token}`]: token,
  [`POST ${PATHS.revoke}`]: revoke,
  [`POST ${PATHS.deviceCancel}`]: cancelDevice,
};
