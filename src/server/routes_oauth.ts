/**
 * The login protocol's API: discovery (RFC 8414), device authorization
 * (RFC 8628), the token endpoint (authorization code + PKCE, device code)
 * and revocation (RFC 7009).
 *
 * @example
 * ```ts
 * import { oauthRoutes } from "./routes_oauth.ts";
 * Object.keys(oauthRoutes); // ["GET /.well-known/oauth-authorization-server", …]
 * ```
 * @module
 */
import { GRANT, MAX_WAIT_SECONDS, OAUTH_ERROR as E, PATHS } from "../protocol/constants.ts";
import { constantTimeEqual, pkceChallenge, sha256Hex } from "../protocol/crypto.ts";
import type { DiscoveryDocument } from "../protocol/types.ts";
import type { Handler, RouteContext } from "./context.ts";
import { field, readFields } from "../protocol/body.ts";
import { envelope, json, oauthError } from "./http.ts";
import { type DeviceGrant, formatUserCode, type Store, type User } from "./store.ts";

function discovery(ctx: RouteContext): Response {
  const doc: DiscoveryDocument = {
    issuer: ctx.origin,
    authorization_endpoint: ctx.origin + PATHS.authorizePage,
    token_endpoint: ctx.origin + PATHS.token,
    device_authorization_endpoint: ctx.origin + PATHS.device,
    revocation_endpoint: ctx.origin + PATHS.revoke,
    code_challenge_methods_supported: ["S256"],
    grant_types_supported: [GRANT.authorizationCode, GRANT.deviceCode],
  };
  return json(doc);
}

/** Starts a device grant; auto-approved at once under `--auto-approve`. */
async function device(ctx: RouteContext): Promise<Response> {
  const retryAfter = ctx.limits.device.hit(ctx.clientAddress);
  if (retryAfter > 0) {
    return json(
      { error: E.slowDown, error_description: `Too many login requests; retry in ${retryAfter} s` },
      429,
      { "retry-after": String(retryAfter) },
    );
  }
  const fields = await readFields(ctx.request);
  const clientName = (field(fields, "client_name") ?? "unknown device").slice(0, 100);
  const { deviceCode, grant: pending } = ctx.store.createDeviceGrant(clientName);
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

/** Mints the login's key; returns the token response and the key's id. */
function grant(
  store: Store,
  user: User,
  clientName: string,
): { response: Response; keyId: string } {
  const { apiKey, record } = store.mintCliKey(user, clientName);
  const org = user.organizations.find((o) => o.id === record.organizationId);
  const response = envelope({
    token: apiKey,
    keyId: record.id,
    email: user.email,
    organization: org ? { id: org.id, name: org.name, slug: org.slug } : null,
  });
  return { response, keyId: record.id };
}

function exchangeCode(ctx: RouteContext, fields: Record<string, unknown>): Response {
  const code = field(fields, "code");
  const verifier = field(fields, "code_verifier");
  const redirectUri = field(fields, "redirect_uri");
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
  const { response, keyId } = grant(ctx.store, user, record.clientName);
  record.keyId = keyId;
  return response;
}

async function pollDevice(ctx: RouteContext, fields: Record<string, unknown>): Promise<Response> {
  const deviceCode = field(fields, "device_code");
  if (!deviceCode) return oauthError(E.invalidRequest, "device_code is required");
  const deviceGrant = ctx.store.deviceGrant(deviceCode);
  if (!deviceGrant || deviceGrant.status === "done") {
    return oauthError(E.invalidGrant, "Unknown or already used device code");
  }
  const now = ctx.store.now();
  if (
    deviceGrant.status === "pending" && now - deviceGrant.lastPollAt < deviceGrant.interval * 1000
  ) {
    deviceGrant.interval += 5;
    deviceGrant.lastPollAt = now;
    return oauthError(
      E.slowDown,
      `Polling too fast; wait ${deviceGrant.interval} s between requests`,
    );
  }
  deviceGrant.lastPollAt = now; // a second poll while this one is held is polling too fast
  const wait = Math.min(Number(field(fields, "wait") ?? fields.wait ?? 0) || 0, MAX_WAIT_SECONDS);
  if (deviceGrant.status === "pending" && wait > 0 && deviceGrant.expiresAt > now) {
    await waitForDecision(deviceGrant, Math.min(wait * 1000, deviceGrant.expiresAt - now));
  }
  deviceGrant.lastPollAt = ctx.store.now();
  // Re-checked after the wait: another poll may have redeemed the code meanwhile
  // (TypeScript's narrowing from before the await does not hold).
  if ((deviceGrant.status as DeviceGrant["status"]) === "done") {
    return oauthError(E.invalidGrant, "Unknown or already used device code");
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
  return grant(ctx.store, user, deviceGrant.clientName).response;
}

/** Resolves on a decision or after `ms` (≤ 30 s, so an abandoned poll costs little). */
function waitForDecision(grant: DeviceGrant, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      grant.waiters.delete(done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    grant.waiters.add(done);
  });
}

async function token(ctx: RouteContext): Promise<Response> {
  const retryAfter = ctx.limits.token.hit(ctx.clientAddress);
  if (retryAfter > 0) {
    return json(
      { error: "rate_limited", error_description: `Too many requests; retry in ${retryAfter} s` },
      429,
      { "retry-after": String(retryAfter) },
    );
  }
  const fields = await readFields(ctx.request);
  const grantType = field(fields, "grant_type");
  if (grantType === GRANT.authorizationCode) return exchangeCode(ctx, fields);
  if (grantType === GRANT.deviceCode) return pollDevice(ctx, fields);
  return oauthError(
    E.unsupportedGrantType,
    `grant_type must be ${GRANT.authorizationCode} or ${GRANT.deviceCode}`,
  );
}

async function revoke(ctx: RouteContext): Promise<Response> {
  const value = field(await readFields(ctx.request), "token");
  if (!value) return oauthError(E.invalidRequest, "token is required");
  ctx.store.revokeKey(value);
  return json({}); // RFC 7009 §2.2: 200 whether or not the token was known.
}

/** Exact routes (absent under `--legacy`). */
export const oauthRoutes: Record<string, Handler> = {
  [`GET ${PATHS.discovery}`]: discovery,
  [`POST ${PATHS.device}`]: device,
  [`POST ${PATHS.token}`]: token,
  [`POST ${PATHS.revoke}`]: revoke,
};
