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
import type { Session, Store, User } from "./store.ts";
import { cookie, type RateLimiter } from "./http.ts";

/** The session cookie's name. */
export const SESSION_COOKIE = "almyty_session";

/** Server behaviour switches. */
export interface ServerOptions {
  /** Behave like today's production: no discovery, no /auth/cli/*. */
  legacy?: boolean;
  /** Approve every request as the first seeded user (demos only). */
  autoApprove?: boolean;
  /** Sign-in attempts per minute per client address. */
  signInLimit?: number;
  /** Token-endpoint requests per minute per client address. */
  tokenLimit?: number;
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
  limits: { signIn: RateLimiter; token: RateLimiter };
}

/** The signed-in browser session, if any. */
export function browserSession(ctx: RouteContext): { user: User; session: Session } | undefined {
  const session = ctx.store.session(cookie(ctx.request, SESSION_COOKIE));
  const user = session && ctx.store.users.get(session.userId);
  if (session && user) return { user, session };
}

/** The caller: a bearer API key or session token, or the session cookie. */
export function caller(ctx: RouteContext): User | undefined {
  const header = ctx.request.headers.get("authorization") ?? "";
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (match) {
    const user = ctx.store.userForKey(match[1]);
    if (user) return user;
    const session = ctx.store.session(match[1]);
    return session && ctx.store.users.get(session.userId);
  }
  const apiKey = ctx.request.headers.get("x-api-key");
  if (apiKey) return ctx.store.userForKey(apiKey);
  return browserSession(ctx)?.user;
}
