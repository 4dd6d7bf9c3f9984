/**
 * What every route handler gets: the store, the options, and who is asking.
 *
 * @example
 * ```ts
 * import type { RouteContext } from "./context.ts";
 * const handler = (ctx: RouteContext) => new Response(ctx.url.pathname);
 * ```
 * @module
 */
import { API_KEY_PREFIX } from "../protocol/tokens.ts";
import type { Principal, Session, Store, User } from "./store.ts";
import { cookie, RateLimiter } from "./http.ts";

/** The session cookie's name: production's (whose value is the JWT itself; here an opaque session id). */
export const SESSION_COOKIE = "access_token";

/** Server behaviour switches. */
export interface ServerOptions {
  /** Behave like today's production: no discovery, no /auth/cli/*. */
  legacy?: boolean;
  /** Approve every request as the first seeded user (demos only). */
  autoApprove?: boolean;
  /** Sign-in attempts per 5 minutes per client address (production's: 10). */
  signInLimit?: number;
  /** Token-endpoint requests per minute per client address. */
  tokenLimit?: number;
  /** All requests per minute per client address (production's throttle: 100). */
  requestLimit?: number;
  /** Device authorization requests per minute per client address. */
  deviceLimit?: number;
  /** User codes a signed-in client may look up per minute (RFC 8628 §5.1). */
  userCodeLimit?: number;
}

/** Per-request context. */
export interface RouteContext {
  request: Request;
  url: URL;
  /** This server's origin, e.g. http://127.0.0.1:8080. */
  origin: string;
  clientAddress: string;
  store: Store;
  options: ServerOptions;
  /** Aborted when the server shuts down: nothing may hold a request any longer. */
  closing: AbortSignal;
  limits: {
    signIn: RateLimiter;
    token: RateLimiter;
    requests: RateLimiter;
    device: RateLimiter;
    userCode: RateLimiter;
  };
}

/**
 * The rate limiters of a server with these options (per client address):
 * sign-in as production's (10 per 5 minutes), the rest per minute.
 *
 * @example
 * ```ts
 * routeLimits({}, Date.now).signIn.max; // 10
 * ```
 */
export function routeLimits(options: ServerOptions, now: () => number): RouteContext["limits"] {
  const perMinute = (max: number) => new RateLimiter(max, 60_000, now);
  return {
    signIn: new RateLimiter(options.signInLimit ?? PRODUCTION_SIGN_IN_LIMIT, 5 * 60_000, now),
    token: perMinute(options.tokenLimit ?? 120),
    requests: perMinute(options.requestLimit ?? PRODUCTION_REQUEST_LIMIT),
    device: perMinute(options.deviceLimit ?? 20),
    userCode: perMinute(options.userCodeLimit ?? 10),
  };
}

/** Production's `POST /auth/login` throttle: attempts per 5 minutes per client address. */
export const PRODUCTION_SIGN_IN_LIMIT = 10;

/** Production's global throttle: requests per minute per client address. */
export const PRODUCTION_REQUEST_LIMIT = 100;

/** A route handler. */
export type Handler = (ctx: RouteContext) => Response | Promise<Response>;

/**
 * The signed-in browser session, if any.
 *
 * @example
 * ```ts
 * import { Store } from "./store.ts";
 * const request = new Request("http://127.0.0.1:8080/auth/profile");
 * const limits = routeLimits({}, Date.now);
 * const ctx = { request, url: new URL(request.url), origin: "http://127.0.0.1:8080", clientAddress: "127.0.0.1", store: new Store(), options: {}, closing: new AbortController().signal, limits };
 * browserSession(ctx); // undefined: no session cookie
 * ```
 */
export function browserSession(ctx: RouteContext): { user: User; session: Session } | undefined {
  const session = ctx.store.session(cookie(ctx.request, SESSION_COOKIE));
  const user = session && ctx.store.users.get(session.userId);
  if (session && user) return { user, session };
}

/**
 * The caller, as production's guard sees it: it tries the JWT (a Bearer
 * value without the `almyty_` prefix), then the API key strategy
 * (`presentedApiKey`); the browser's session cookie counts only when the
 * request presents neither.
 *
 * @example
 * ```ts
 * import { Store } from "./store.ts";
 * const request = new Request("http://127.0.0.1:8080/auth/profile");
 * const limits = routeLimits({}, Date.now);
 * const ctx = { request, url: new URL(request.url), origin: "http://127.0.0.1:8080", clientAddress: "127.0.0.1", store: new Store(), options: {}, closing: new AbortController().signal, limits };
 * caller(ctx); // undefined: no credential
 * ```
 */
export function caller(ctx: RouteContext): Principal | undefined {
  const { store } = ctx;
  const bearer = bearerValue(ctx.request);
  const unscoped = (user: User | undefined) =>
    user && { user, organizationId: store.defaultOrganization(user) };
  // A JWT that fails is no answer yet: production's guard goes on to the API key strategy.
  const jwtUser = bearer && !bearer.startsWith(API_KEY_PREFIX)
    ? store.userForJwt(bearer)
    : undefined;
  if (jwtUser) return unscoped(jwtUser);
  const apiKey = presentedApiKey(ctx);
  if (apiKey !== undefined) return store.principalForKey(apiKey);
  return bearer ? undefined : unscoped(browserSession(ctx)?.user);
}

/**
 * The value of an `Authorization: Bearer …` header, if the request has one.
 *
 * @example
 * ```ts
 * bearerValue(new Request("http://h/", { headers: { authorization: "Bearer almyty_x" } })); // "almyty_x"
 * ```
 */
export function bearerValue(request: Request): string | undefined {
  return /^Bearer\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "")?.[1];
}

/**
 * The API key a request presents, where production's API key strategy looks,
 * in its order: `Authorization: Bearer almyty_…`, `X-API-Key`, `?api_key=`.
 *
 * @example
 * ```ts
 * const request = new Request("http://127.0.0.1:8080/auth/profile?api_key=almyty_x");
 * presentedApiKey({ request, url: new URL(request.url) }); // "almyty_x"
 * ```
 */
export function presentedApiKey(ctx: Pick<RouteContext, "request" | "url">): string | undefined {
  const bearer = bearerValue(ctx.request);
  if (bearer?.startsWith(API_KEY_PREFIX)) return bearer;
  return ctx.request.headers.get("x-api-key") || ctx.url.searchParams.get("api_key") || undefined;
}
