/**
 * The reference server: one origin for the API and the pages.
 *
 * @example
 * ```ts
 * import { startServer } from "./app.ts";
 * const server = await startServer({ port: 0 });
 * console.log(server.url); // http://127.0.0.1:<port>
 * await server.close();
 * ```
 * @module
 */
import { PATHS } from "../protocol/constants.ts";
import { isLoopbackHost } from "../protocol/urls.ts";
import { type Handler, type RouteContext, routeLimits, type ServerOptions } from "./context.ts";
import { BodyError } from "../protocol/body.ts";
import { apiError, wantsHtml } from "./http.ts";
import { escapeHtml, htmlResponse, messagePage, page } from "../protocol/html.ts";
import { apiRoutes, deleteKeyRoute } from "./routes_api.ts";
import { oauthRoutes } from "./routes_oauth.ts";
import { modernPagePaths, pageRoutes } from "./routes_pages.ts";
import { Store, type StoreOptions } from "./store.ts";

/** Everything `startServer` accepts. */
export interface StartOptions extends ServerOptions, StoreOptions {
  hostname?: string;
  port?: number;
  /** Accounts as `email:password:org[,org…]`; the demo users are always seeded first. */
  users?: string[];
  /** Origin to advertise when it differs from the bound address. */
  publicUrl?: string;
  onListen?: (url: string) => void;
}

/** A running server. */
export interface RunningServer {
  url: string;
  store: Store;
  close(): Promise<void>;
}

/**
 * The seeded demo accounts: alice (one organization, so her keys are tied to
 * it; `--auto-approve` acts as her) and carol (two organizations, so her keys
 * are tied to none, as production does).
 */
export const DEMO_USERS = [
  { email: "alice@example.com", password: "alice-password", orgs: ["acme"] },
  { email: "carol@example.com", password: "carol-password", orgs: ["acme", "globex"] },
] as const;

/**
 * The Host headers this server answers: its own origin's, and on a loopback
 * address its 127.0.0.1 / localhost / [::1] spellings.
 *
 * @example
 * ```ts
 * allowedHosts("http://127.0.0.1:8080").has("localhost:8080"); // true
 * allowedHosts("http://127.0.0.1:8080").has("rebind.attacker.example"); // false
 * ```
 */
export function allowedHosts(origin: string): Set<string> {
  const url = new URL(origin);
  const port = url.port ? `:${url.port}` : "";
  const hosts = new Set([url.host]);
  if (isLoopbackHost(url.hostname)) {
    for (const name of ["127.0.0.1", "localhost", "[::1]"]) hosts.add(name + port);
  }
  return hosts;
}

/**
 * Builds the request handler (without listening). `closing` aborts when the
 * server shuts down: held long-polls then answer at once.
 *
 * @example
 * ```ts
 * import { Store } from "./store.ts";
 * const handler = createHandler(new Store(), {}, () => "http://127.0.0.1:8080");
 * const request = new Request("http://127.0.0.1:8080/nope", { headers: { host: "127.0.0.1:8080" } });
 * (await handler(request)).status; // 404
 * ```
 */
export function createHandler(
  store: Store,
  options: ServerOptions,
  origin: () => string,
  closing: AbortSignal = new AbortController().signal,
) {
  const now = store.now;
  const limits = routeLimits(options, now);

  const routes = {
    ...apiRoutes,
    ...pageRoutes,
    ...(options.legacy ? {} : oauthRoutes),
  };
  for (const path of options.legacy ? modernPagePaths : []) {
    delete routes[`GET ${path}`];
    delete routes[`POST ${path}`];
  }
  const route = async (request: Request, clientAddress: string): Promise<Response> => {
    // DNS rebinding (a page on another name that resolves here), and Host values
    // no URL can hold: refused before anything parses the URL.
    if (!allowedHosts(origin()).has(request.headers.get("host") ?? "")) {
      return apiError(rawPath(request.url), 400, "Invalid Host header");
    }
    const url = new URL(request.url);
    const ctx: RouteContext = {
      request,
      url,
      origin: origin(),
      clientAddress,
      store,
      options,
      closing,
      limits,
    };
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, "") : url.pathname;
    let route = `${request.method} ${path}`;
    let handler = routes[route] as Handler | undefined;
    if (!handler && request.method === "DELETE" && path.startsWith(PATHS.apiKeys + "/")) {
      route = `DELETE ${PATHS.apiKeys}/:keyId`;
      handler = deleteKeyRoute;
    }
    // Production's ThrottlerGuard counts per route handler and client address;
    // every path without a route shares one bucket (its catch-all).
    const retryAfter = limits.requests.hit(`${handler ? route : "unmatched"} ${clientAddress}`);
    if (retryAfter > 0) {
      return apiError(path, 429, "ThrottlerException: Too Many Requests", {
        "retry-after": String(retryAfter),
      });
    }
    const foreign = crossOriginWrite(request, origin());
    if (foreign) {
      const message =
        `Refused: this ${request.method} came from ${foreign}, not from a page of this server. Nothing was done.`;
      return wantsHtml(request)
        ? htmlResponse(messagePage("Request refused", message, true), 403)
        : apiError(path, 403, message);
    }
    if (!handler) {
      const known = Object.keys(routes).some((key) => key.endsWith(` ${path}`));
      if (wantsHtml(request)) return notFoundPage(path, known);
      // Production's catch-all answers a known path with another method too (Express has no 405).
      return apiError(path, 404, "Not found");
    }
    try {
      return await handler(ctx);
    } catch (error) {
      if (error instanceof BodyError) return apiError(path, error.status, error.message);
      console.error(`reference server: ${request.method} ${path} failed:`, error);
      return apiError(path, 500, "Internal server error");
    }
  };
  return async (request: Request, clientAddress = "127.0.0.1"): Promise<Response> =>
    sameOriginReferrer(await route(request, clientAddress));
}

/**
 * The server's pages post their forms to the server itself: with
 * `Referrer-Policy: same-origin` a browser sends those posts' real `Origin`
 * (`no-referrer` makes it `null`, and a browser without `Sec-Fetch-Site`,
 * Safari before 16.4, would be refused), while other sites still learn
 * nothing. The CLI's listener keeps `no-referrer`: its URLs carry codes.
 * Pages served as production serves them (no policy at all) stay so.
 *
 * @example
 * ```ts
 * import { htmlResponse } from "../protocol/html.ts";
 * sameOriginReferrer(htmlResponse("<p>hi</p>")).headers.get("referrer-policy"); // "same-origin"
 * ```
 */
export function sameOriginReferrer(response: Response): Response {
  if (response.headers.get("referrer-policy") === "no-referrer") {
    response.headers.set("referrer-policy", "same-origin");
  }
  return response;
}

/** The path of a request URL that may not parse (a malformed Host header). */
function rawPath(url: string): string {
  return /^[a-z]+:\/\/[^/?#]*(\/[^?#]*)?/i.exec(url)?.[1] ?? "/";
}

/**
 * Who sent a state-changing request from another origin, or undefined when
 * it came from this server's own pages or from no browser at all (login CSRF,
 * and a page on another port of 127.0.0.1 writing into the signed-in account).
 * `Sec-Fetch-Site` decides when the browser sends it (every current one
 * does); otherwise `Origin` must be this server's (our pages' `same-origin`
 * referrer policy lets their own form posts say so). A client that sends
 * neither is no browser, and is not affected.
 *
 * @example
 * ```ts
 * const post = (headers: Record<string, string>) =>
 *   new Request("http://127.0.0.1:8080/auth/login", { method: "POST", headers });
 * crossOriginWrite(post({ origin: "http://127.0.0.1:9999" }), "http://127.0.0.1:8080"); // "http://127.0.0.1:9999"
 * crossOriginWrite(post({ "sec-fetch-site": "same-site" }), "http://127.0.0.1:8080"); // "a same-site page"
 * crossOriginWrite(post({ "sec-fetch-site": "same-origin", origin: "null" }), "http://127.0.0.1:8080"); // undefined
 * crossOriginWrite(post({}), "http://127.0.0.1:8080"); // undefined: not a browser
 * ```
 */
export function crossOriginWrite(request: Request, origin: string): string | undefined {
  if (["GET", "HEAD", "OPTIONS"].includes(request.method)) return;
  const site = request.headers.get("sec-fetch-site");
  if (site !== null) {
    return site === "same-origin" || site === "none" ? undefined : `a ${site} page`;
  }
  const from = request.headers.get("origin");
  if (from === null) return;
  const url = URL.canParse(from) ? new URL(from) : undefined;
  if (url && url.protocol === new URL(origin).protocol && allowedHosts(origin).has(url.host)) {
    return;
  }
  return from === "null" ? "an opaque origin" : from.slice(0, 100);
}

/** A page for a browser that asked for something this server does not have. */
function notFoundPage(path: string, known: boolean): Response {
  const body = known
    ? `<h1>Not a page</h1><p>${escapeHtml(path)} is not something to open in a browser.</p>`
    : `<h1>Page not found</h1><p>This server has no page at ${escapeHtml(path)}.</p>`;
  return htmlResponse(
    page(
      known ? "Not a page" : "Page not found",
      body + `<p>To log in, run <code>almyty-auth login</code> in your terminal, then follow ` +
        `the link it opens. <a href="/">Home</a></p>`,
    ),
    known ? 405 : 404,
  );
}

/**
 * Starts the server on 127.0.0.1 (by default) and seeds the accounts.
 *
 * @example
 * ```ts
 * const server = await startServer({ port: 0 });
 * console.log(server.url);
 * await server.close();
 * ```
 */
export function startServer(options: StartOptions = {}): Promise<RunningServer> {
  const store = new Store(options);
  for (const demo of DEMO_USERS) {
    if (!store.userByEmail(demo.email)) store.addUser(demo.email, demo.password, [...demo.orgs]);
  }
  for (const spec of options.users ?? []) {
    const [email, password, orgs] = spec.split(":");
    store.addUser(email, password, (orgs ?? email.split("@")[1] ?? "org").split(","));
  }
  let origin = "";
  // Shutting down wakes every held long-poll first: the shutdown waits for no person.
  const closing = new AbortController();
  const handler = createHandler(store, options, () => origin, closing.signal);
  return new Promise((resolve) => {
    const server = Deno.serve({
      hostname: options.hostname ?? "127.0.0.1",
      port: options.port ?? 0,
      onListen: ({ port, hostname }) => {
        // A wildcard bind (a container's `--host 0.0.0.0`) has no address of its own: it is
        // reached here, and through a published port, on loopback, the only http the CLI takes.
        const bound = hostname === "0.0.0.0" || hostname === "::" ? "127.0.0.1" : hostname;
        const host = bound.includes(":") ? `[${bound}]` : bound;
        origin = options.publicUrl?.replace(/\/+$/, "") ?? `http://${host}:${port}`;
        options.onListen?.(origin);
        resolve({
          url: origin,
          store,
          close: () => {
            closing.abort();
            return server.shutdown();
          },
        });
      },
    }, (request, info) => handler(request, (info.remoteAddr as Deno.NetAddr).hostname));
  });
}
