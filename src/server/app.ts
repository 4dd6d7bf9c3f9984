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
import { type RouteContext, routeLimits, type ServerOptions } from "./context.ts";
import { BodyError } from "../protocol/body.ts";
import { apiError } from "./http.ts";
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
 * Builds the request handler (without listening).
 *
 * @example
 * ```ts
 * import { Store } from "./store.ts";
 * const handler = createHandler(new Store(), {}, () => "http://127.0.0.1:8080");
 * const request = new Request("http://127.0.0.1:8080/nope", { headers: { host: "127.0.0.1:8080" } });
 * (await handler(request)).status; // 404
 * ```
 */
export function createHandler(store: Store, options: ServerOptions, origin: () => string) {
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
  return async (request: Request, clientAddress = "127.0.0.1"): Promise<Response> => {
    const url = new URL(request.url);
    const ctx: RouteContext = {
      request,
      url,
      origin: origin(),
      clientAddress,
      store,
      options,
      limits,
    };
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, "") : url.pathname;
    // DNS rebinding: a page on another name that resolves here must not be answered.
    if (!allowedHosts(origin()).has(request.headers.get("host") ?? "")) {
      return apiError(path, 400, "Invalid Host header");
    }
    const retryAfter = limits.requests.hit(clientAddress);
    if (retryAfter > 0) {
      return apiError(path, 429, "ThrottlerException: Too Many Requests", {
        "retry-after": String(retryAfter),
      });
    }
    let handler = routes[`${request.method} ${path}`];
    if (!handler && request.method === "DELETE" && path.startsWith(PATHS.apiKeys + "/")) {
      handler = deleteKeyRoute;
    }
    if (!handler) {
      const known = Object.keys(routes).some((key) => key.endsWith(` ${path}`));
      return known
        ? apiError(path, 405, `${request.method} is not allowed on ${path}`)
        : apiError(path, 404, "Not found");
    }
    try {
      return await handler(ctx);
    } catch (error) {
      if (error instanceof BodyError) return apiError(path, error.status, error.message);
      console.error(`reference server: ${request.method} ${path} failed:`, error);
      return apiError(path, 500, "Internal server error");
    }
  };
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
  const handler = createHandler(store, options, () => origin);
  return new Promise((resolve) => {
    const server = Deno.serve({
      hostname: options.hostname ?? "127.0.0.1",
      port: options.port ?? 0,
      onListen: ({ port, hostname }) => {
        const host = hostname.includes(":") ? `[${hostname}]` : hostname;
        origin = options.publicUrl?.replace(/\/+$/, "") ?? `http://${host}:${port}`;
        options.onListen?.(origin);
        resolve({ url: origin, store, close: () => server.shutdown() });
      },
    }, (request, info) => handler(request, (info.remoteAddr as Deno.NetAddr).hostname));
  });
}
