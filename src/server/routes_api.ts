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
import {
  caller,
  type Handler,
  presentedApiKey,
  type RouteContext,
  SESSION_COOKIE,
} from "./context.ts";
import { field, readFields } from "../protocol/body.ts";
import { API_CHALLENGE, apiError, cookie, envelope, redirect } from "./http.ts";
import { signInPage } from "./pages.ts";
import { htmlResponse } from "../protocol/html.ts";
import { type Principal, SESSION_TTL_SECONDS as SESSION_SECONDS, type User } from "./store.ts";

/**
 * Where the browser goes after sign-in: an absolute URL on the server's own
 * origin, else the home page. Never a path that starts with `//` once
 * resolved (`/.//evil`, `/..//evil`, `/%2e//evil` all resolve to
 * `//evil`, which a browser reads as another host).
 *
 * @example
 * ```ts
 * safeReturnTo("/cli-auth?code=BCDF-GHJK", "http://127.0.0.1:8080"); // "http://127.0.0.1:8080/cli-auth?code=BCDF-GHJK"
 * safeReturnTo("/.//evil.example", "http://127.0.0.1:8080"); // "http://127.0.0.1:8080/"
 * safeReturnTo("/\t/evil.example", "http://127.0.0.1:8080"); // "http://127.0.0.1:8080/"
 * ```
 */
export function safeReturnTo(value: string | undefined, origin: string): string {
  const home = new URL("/", origin).href;
  // Browsers drop tabs and newlines and read "\\" as "/": "/\t/evil.example" becomes
  // "//evil.example". Refuse those outright, then require the server's own origin.
  // deno-lint-ignore no-control-regex -- control characters are what is refused
  if (!value || !value.startsWith("/") || /[\x00-\x1f\x7f\\]/.test(value)) return home;
  if (!URL.canParse(value, origin)) return home;
  const url = new URL(value, origin);
  if (url.origin !== new URL(origin).origin || url.pathname.startsWith("//")) return home;
  return url.origin + url.pathname + url.search;
}

function sessionCookie(secret: string, maxAge = SESSION_SECONDS): string {
  return `${SESSION_COOKIE}=${secret}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAge}`;
}

async function login(ctx: RouteContext): Promise<Response> {
  const form = (ctx.request.headers.get("content-type") ?? "").includes("form-urlencoded");
  const fields = await readFields(ctx.request);
  const email = field(fields, "email") ?? "";
  const password = field(fields, "password") ?? "";
  // The origin the browser used (its cookie is set there), already checked against Host.
  const returnTo = safeReturnTo(field(fields, "return_to"), ctx.url.origin);
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
      ? htmlResponse(signInPage({ returnTo, error: "Wrong email or password.", email }), 401, {
        headers: { "www-authenticate": API_CHALLENGE },
      })
      : apiError(ctx.url.pathname, 401, "Invalid credentials");
  }
  const secret = ctx.store.createSession(user);
  if (form) return redirect(returnTo, { "set-cookie": sessionCookie(secret) });
  const jwt = ctx.store.issueJwt(user);
  const response = envelope(
    { accessToken: jwt, refreshToken: jwt, expiresIn: SESSION_SECONDS },
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

/**
 * Requires a caller; answers 401 in the envelope otherwise, with production's
 * wording: a presented `almyty_` key that fails is "Invalid API key"; anything
 * else — no credential, a bad or expired JWT, a Bearer value without the
 * prefix — is "API key is required" (production's guard tries the JWT, which
 * fails silently, then finds no API key). A caller known only by the session
 * cookie may send JSON bodies only: a form or `text/plain` post from a page on
 * another port would otherwise act in the signed-in account.
 */
function authed(
  handler: (ctx: RouteContext, principal: Principal) => Response | Promise<Response>,
): Handler {
  return (ctx) => {
    const { request } = ctx;
    const principal = caller(ctx);
    if (!principal) {
      return presentedApiKey(ctx) !== undefined
        ? apiError(ctx.url.pathname, 401, "Invalid API key", {
          "www-authenticate": `${API_CHALLENGE}, error="invalid_token"`,
        })
        : apiError(ctx.url.pathname, 401, "API key is required");
    }
    const byCookie = !request.headers.has("authorization") && presentedApiKey(ctx) === undefined;
    const type = (request.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
    if (byCookie && request.body !== null && type !== "application/json") {
      return apiError(
        ctx.url.pathname,
        415,
        "A request signed in by the session cookie must send Content-Type: application/json",
      );
    }
    return handler(ctx, principal);
  };
}

/**
 * `GET /auth/profile` data, production's shape: `organizations[]` without
 * slugs, the slug in `organizationMemberships[]`, and `currentOrganizationId`
 * only when the credential is tied to one organization.
 *
 * @example
 * ```ts
 * import { Store } from "./store.ts";
 * const alice = new Store().addUser("alice@example.com", "pw", ["acme"]);
 * profileOf(alice, alice.organizations[0].id).organizationMemberships[0].organization.slug; // "acme"
 * ```
 */
export function profileOf(user: User, organizationId: string | null) {
  return {
    id: user.id,
    email: user.email,
    firstName: user.firstName,
    lastName: user.lastName,
    isActive: true,
    isVerified: true,
    emailVerified: true,
    organizationMemberships: user.organizations.map((o) => ({
      id: `${user.id}:${o.id}`,
      role: o.role,
      organization: { id: o.id, name: o.name, slug: o.slug },
    })),
    ...(organizationId ? { currentOrganizationId: organizationId } : {}),
    organizations: user.organizations.map(({ id, name, role }) => ({ id, name, role })),
  };
}

const profile = authed((_ctx, { user, organizationId }) =>
  envelope(profileOf(user, organizationId))
);

const listKeys = authed((ctx, { user }) =>
  envelope({
    apiKeys: ctx.store.keysOf(user).map((key) => ({
      id: key.id,
      name: key.name,
      keyPrefix: key.keyPrefix,
      scopes: key.scopes,
      isActive: key.isActive,
      expiresAt: key.expiresAt,
      lastUsedAt: key.lastUsedAt,
      createdAt: key.createdAt,
    })),
  })
);

/** Production's ValidationPipe: `whitelist` + `forbidNonWhitelisted`. */
const CREATE_KEY_FIELDS = [
  "name",
  "organizationId",
  "scopes",
  "expiresAt",
  "rateLimits",
  "metadata",
];

const createKey = authed(async (ctx, { user }) => {
  const fields = await readFields(ctx.request);
  const unknown = Object.keys(fields).find((key) => !CREATE_KEY_FIELDS.includes(key));
  if (unknown) return apiError(ctx.url.pathname, 400, `property ${unknown} should not exist`);
  const name = field(fields, "name");
  if (!name) return apiError(ctx.url.pathname, 400, "name should not be empty");
  // Production's DTO (class-validator): its types, with its messages; then the membership.
  const { organizationId: orgId, scopes, expiresAt } = fields;
  if (orgId !== undefined && (typeof orgId !== "string" || !UUID.test(orgId))) {
    return apiError(ctx.url.pathname, 400, "organizationId must be a UUID");
  }
  if (scopes !== undefined && !Array.isArray(scopes)) {
    return apiError(ctx.url.pathname, 400, "scopes must be an array");
  }
  if (scopes?.some((scope) => typeof scope !== "string")) {
    return apiError(ctx.url.pathname, 400, "each value in scopes must be a string");
  }
  if (
    expiresAt !== undefined &&
    (typeof expiresAt !== "string" || !ISO_8601.test(expiresAt) || isNaN(Date.parse(expiresAt)))
  ) return apiError(ctx.url.pathname, 400, "expiresAt must be a valid ISO 8601 date string");
  if (orgId !== undefined && !user.organizations.some((o) => o.id === orgId)) {
    return apiError(ctx.url.pathname, 403, "You are not a member of this organization");
  }
  const { apiKey, record } = ctx.store.mintKey(user, name, orgId as string | undefined, {
    scopes: scopes as string[] | undefined,
    expiresAt: expiresAt as string | undefined,
  });
  return envelope(
    {
      apiKey,
      keyData: {
        id: record.id,
        name: record.name,
        keyPrefix: record.keyPrefix,
        scopes: record.scopes,
        expiresAt: record.expiresAt,
        createdAt: record.createdAt,
      },
    },
    201,
    "API key created successfully",
  );
});

/** Production's key ids are Postgres `uuid`s; anything else fails in the database. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A date, or a date and time with a zone, as class-validator's `IsISO8601` takes them. */
const ISO_8601 = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

const deleteKey = authed((ctx, { user }) => {
  // The route matched without trailing slashes (as production's router, which ignores one).
  const id = decodePathPart(ctx.url.pathname.replace(/\/+$/, "").slice(PATHS.apiKeys.length + 1));
  if (id === undefined || !UUID.test(id)) {
    return apiError(ctx.url.pathname, 400, "Database operation failed", {}, "DATABASE_ERROR");
  }
  return ctx.store.revokeKeyById(user, id)
    ? envelope(null, 200, "API key revoked successfully")
    : apiError(ctx.url.pathname, 400, "API key not found");
});

function decodePathPart(part: string): string | undefined {
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined; // malformed percent-encoding: not a uuid either
  }
}

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
