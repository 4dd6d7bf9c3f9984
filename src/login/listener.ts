/**
 * The loopback listener: 127.0.0.1 only, a free port, and the routes of the
 * flow that runs (the code flow's `/callback`, the hand-off's `/cb`…). It
 * refuses any Host header but its own address (DNS rebinding) and answers
 * 404 to everything else.
 *
 * @example
 * ```ts
 * import { startListener } from "./listener.ts";
 * import { denoContext } from "../runtime/deno_context.ts";
 * const listener = startListener(denoContext(new AbortController().signal), {
 *   "GET /callback": () => new Response("hi"),
 * });
 * console.log(listener.url("/callback")); // http://127.0.0.1:<port>/callback
 * await listener.close();
 * ```
 * @module
 */
import { htmlResponse, messagePage } from "../protocol/html.ts";
import type { Context } from "../runtime/context.ts";

/** A route's handler. */
export type Route = (request: Request, url: URL) => Response | Promise<Response>;

/** A running listener. */
export interface Listener {
  readonly port: number;
  /** `http://127.0.0.1:<port><path>`. */
  url(path: string): string;
  /** Stops listening and releases the port. */
  close(): Promise<void>;
}

/**
 * Plain text, never cached.
 *
 * @example
 * ```ts
 * textResponse("Not found", 404).status; // 404
 * ```
 */
export function textResponse(body: string, status: number): Response {
  return new Response(body, {
    status,
    headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" },
  });
}

/**
 * JSON, never cached.
 *
 * @example
 * ```ts
 * await jsonResponse({ ok: true }, 200).json(); // { ok: true }
 * ```
 */
export function jsonResponse(body: unknown, status: number): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", "cache-control": "no-store" },
  });
}

/**
 * Listens on 127.0.0.1 with `routes` (keys like `"GET /callback"`).
 *
 * @example
 * ```ts
 * import { denoContext } from "../runtime/deno_context.ts";
 * const ctx = { ...denoContext(new AbortController().signal), env: { HOME: Deno.makeTempDirSync() } };
 * const listener = startListener(ctx, { "GET /callback": () => new Response("hi") });
 * listener.url("/callback"); // "http://127.0.0.1:<port>/callback"
 * await listener.close();
 * ```
 */
export function startListener(ctx: Context, routes: Record<string, Route>): Listener {
  let port = 0;
  const server = ctx.serve(async (request) => {
    const host = request.headers.get("host") ?? "";
    if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) {
      return textResponse("Bad Host header", 400); // DNS rebinding: only our own address
    }
    const url = new URL(request.url);
    if (request.method === "GET" && url.pathname === "/") {
      return htmlResponse(
        messagePage(
          "almyty CLI login",
          "This is the almyty CLI, waiting in your terminal for the browser to come back from " +
            "almyty. There is nothing to do on this page: follow the login in the tab the CLI " +
            "opened, or the URL it printed.",
        ),
      );
    }
    const route = routes[`${request.method} ${url.pathname}`];
    if (route) return await route(request, url);
    return htmlResponse(
      messagePage(
        "Not found",
        "This address is not part of the login. Return to your terminal: it says what to open.",
        true,
      ),
      404,
    );
  });
  port = server.port;
  let closing: Promise<void> | undefined;
  return {
    port,
    url: (path) => `http://127.0.0.1:${port}${path}`,
    close: () => (closing ??= server.shutdown()),
  };
}
