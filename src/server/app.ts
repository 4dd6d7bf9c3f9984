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
import type { RouteContext, ServerOptions } from "./context.ts";
import { BodyError } from "../protocol/body.ts";
import { apiError, RateLimiter } from "./http.ts";
import { apiRoutes, deleteKeyRoute } from "./routes_api.ts";
import { oauthRoutes } from "./routes_oauth.ts";
import { modernPagePaths, pageRoutes } from "./routes_pages.ts";
import { Store, type StoreOptions } from "./store.ts";

/** Everything `startServer` accepts. */
export interface StartOptions extends ServerOptions, StoreOptions {
  hostname?: string;
  port?: number;
  /** Accounts as `email:password:org`; alice@example.com is always seeded first. */
  users?: string[];
  /** Origin to advertise when it differs from the bound address. */
  publicUrl?: string;
  onListen?: (url: string) => void;
}

/** A running server. */
export interface RunningServer {
  url: string;
  port: number;
  store: Store;
  close(): Promise<void>;
}

/** The seeded demo account. */
export const DEMO_USER = { email: "alice@example.com", password: "alice-password", org: "acme" };

/** Builds the request handler (without listening). */
export function createHandler(store: Store, options: ServerOptions, origin: () => string) {
  const now = store.now;
  const limits = {
    signIn: new RateLimiter(options.signInLimit ?? 20, 60_000, now),
    token: new RateLimiter(options.tokenLimit ?? 120, 60_000, now),
  };
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
    let handler = routes[`${request.method} ${path}`];
    if (!handler && request.method === "DELETE" && path.startsWith(PATHS.apiKeys + "/")) {
      handler = deleteKeyRoute;
    }
    if (!handler) {
      const known = Object.keys(routes).some((key) => key.endsWith(` ${path}`));
      return known
        ? apiError(path, 405, `${request.method} is not allowed on ${path}`)
        : apiError(path, 404, `Cannot ${request.method} ${path}`);
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

/** Starts the server on 127.0.0.1 (by default) and seeds the accounts. */
export function startServer(options: StartOptions = {}): Promise<RunningServer> {
  const store = new Store(options);
  if (!store.userByEmail(DEMO_USER.email)) {
    store.addUser(DEMO_USER.email, DEMO_USER.password, DEMO_USER.org);
  }
  for (const spec of options.users ?? []) {
    const [email, password, org] = spec.split(":");
    store.addUser(email, password, org ?? email.split("@")[1] ?? "org");
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
        resolve({ url: origin, port, store, close: () => server.shutdown() });
      },
    }, (request, info) => handler(request, (info.remoteAddr as Deno.NetAddr).hostname));
  });
}
