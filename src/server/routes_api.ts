/**
 * almyty's existing API, in production's shapes: sign-in, profile, API keys.
 *
 * @example
 * ```ts
 * import { apiRoutes } from "./routes_api.ts";
 * Object.keys(apiRoutes); // ["POST /auth/login", …]
 * ```
 * @module
 */
import { PATHS } from "../protocol/constants.ts";
import { caller, type RouteContext, SESSION_COOKIE } from "./context.ts";
import { field, readFields } from "../protocol/body.ts";
import { apiError, cookie, envelope, redirect } from "./http.ts";
import { signInPage } from "./pages.ts";
import { htmlResponse } from "../protocol/html.ts";
import type { User } from "./store.ts";

type Handler = (ctx: RouteContext) => Response | Promise<Response>;

const SESSION_SECONDS = 86_400;

/** Only same-site paths may be returned to after sign-in. */
export function safeReturnTo(value: string | undefined): string {
  return value && value.startsWith("/") && !value.startsWith("//") && !value.includes("\\")
    ? value
    : "/";
}

function sessionCookie(secret: string, maxAge = SESSION_SECONDS): string {
  return `${SESSION_COOKIE}=${secret}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAge}`;
}

async function login(ctx: RouteContext): Promise<Response> {
  const form = (ctx.request.headers.get("content-type") ?? "").includes("form-urlencoded");
  const fields = await readFields(ctx.request);
  const email = field(fields, "email") ?? "";
  const password = field(fields, "password") ?? "";
  const returnTo = safeReturnTo(field(fields, "return_to"));
  const retryAfter = ctx.limits.signIn.hit(ctx.clientAddress);
  if (retryAfter > 0) {
    const message = `Too many sign-in attempts; try again in ${retryAfter} s.`;
    return form
      ? htmlResponse(signInPage({ returnTo, error: message, email }), 429, {
        headers: { "retry-after": String(retryAfter) },
      })
      : apiError(ctx.url.pathname, 429, message, { "retry-after": String(retryAfter) });
  }
  if (!email || !password) {
    return form
      ? htmlResponse(signInPage({ returnTo, error: "Enter your email and password.", email }), 400)
      : apiError(ctx.url.pathname, 400, "email and password are required");
  }
  const user = ctx.store.checkPassword(email, password);
  if (!user) {
    return form
      ? htmlResponse(signInPage({ returnTo, error: "Wrong email or password.", email }), 401)
      : apiError(ctx.url.pathname, 401, "Invalid credentials");
  }
  const secret = ctx.store.createSession(user);
  if (form) return redirect(returnTo, { "set-cookie": sessionCookie(secret) });
  const response = envelope(
    { accessToken: secret, refreshToken: secret, expiresIn: SESSION_SECONDS },
    200,
    "Login successful",
  );
  response.headers.set("set-cookie", sessionCookie(secret));
  return response;
}

function logout(ctx: RouteContext): Response {
  const secret = cookie(ctx.request, SESSION_COOKIE);
  if (secret) ctx.store.endSession(secret);
  const response = envelope(null, 200, "Logged out");
  response.headers.set("set-cookie", sessionCookie("", 0));
  return response;
}

/** Requires a caller; answers 401 in the envelope otherwise. */
function authed(handler: (ctx: RouteContext, user: User) => Response | Promise<Response>): Handler {
  return (ctx) => {
    const user = caller(ctx);
    if (!user) {
      const hasCredential = ctx.request.headers.has("authorization") ||
        ctx.request.headers.has("x-api-key");
      return apiError(
        ctx.url.pathname,
        401,
        hasCredential ? "Invalid API key" : "API key is required",
      );
    }
    return handler(ctx, user);
  };
}

/** `GET /auth/profile` data for a user. */
export function profileOf(user: User) {
  return {
    id: user.id,
    email: user.email,
    firstName: user.firstName,
    lastName: user.lastName,
    isActive: true,
    organizations: [{ ...user.organization, role: "owner" }],
    currentOrganizationId: user.organization.id,
  };
}

const profile = authed((_ctx, user) => envelope(profileOf(user)));

const listKeys = authed((ctx, user) =>
  envelope({
    apiKeys: ctx.store.keysOf(user).map(({ keyHash: _hash, userId: _user, ...key }) => key),
  })
);

const createKey = authed(async (ctx, user) => {
  const name = field(await readFields(ctx.request), "name");
  if (!name) return apiError(ctx.url.pathname, 400, "name is required");
  const { apiKey, record } = ctx.store.mintKey(user, name);
  return envelope(
    {
      apiKey,
      keyData: {
        id: record.id,
        name: record.name,
        keyPrefix: record.keyPrefix,
        createdAt: record.createdAt,
      },
    },
    201,
    "API key created successfully",
  );
});

const deleteKey = authed((ctx, user) => {
  const id = decodeURIComponent(ctx.url.pathname.slice(PATHS.apiKeys.length + 1));
  return ctx.store.revokeKeyById(user, id)
    ? envelope(null, 200, "API key revoked successfully")
    : apiError(ctx.url.pathname, 400, "API key not found");
});

/** Exact routes. */
export const apiRoutes: Record<string, Handler> = {
  [`POST ${PATHS.login}`]: login,
  [`POST ${PATHS.logout}`]: logout,
  [`GET ${PATHS.profile}`]: profile,
  [`GET ${PATHS.apiKeys}`]: listKeys,
  [`POST ${PATHS.apiKeys}`]: createKey,
};

/** `DELETE /auth/api-keys/:id`. */
export const deleteKeyRoute: Handler = deleteKey;
