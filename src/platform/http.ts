/**
 * The CLI's `fetch`: loopback requests never go through a proxy.
 *
 * Deno 2.9's fetch sends every request through `HTTP_PROXY`, `HTTPS_PROXY`
 * or `ALL_PROXY` unless `NO_PROXY` names the host, loopback addresses
 * included (a `Deno.createHttpClient` without a `proxy` reads the same
 * variables, and Deno has no "no proxy" option). A proxy would then read the
 * `Authorization` header of an `http://127.0.0.1` API in cleartext, and a
 * proxy's loopback is not ours anyway. So a loopback request gets its own
 * client: for http, one whose transport is the TCP socket at that host and
 * port (nothing else is consulted); for https (the transport does no TLS),
 * one created while `NO_PROXY` names every loopback address, the variable
 * restored at once. Every other request is the platform's fetch, proxies,
 * `NO_PROXY` and `DENO_CERT` included.
 *
 * @example
 * ```ts
 * import { directLoopbackFetch } from "./http.ts";
 * const fetchDirect = directLoopbackFetch();
 * await fetchDirect("http://127.0.0.1:9/").catch((error) => error.name); // "TypeError": nothing listens
 * ```
 * @module
 */
import { isLoopbackHost } from "../protocol/urls.ts";

/** What `NO_PROXY` must name so that Deno's proxy rule skips every loopback address. */
export const LOOPBACK_NO_PROXY = "localhost,127.0.0.0/8,::1";

/**
 * The client a loopback `url` is fetched with (the caller closes it), or
 * null for any other URL.
 *
 * @example
 * ```ts
 * loopbackClient(new URL("https://api.almyty.com")); // null
 * loopbackClient(new URL("http://127.0.0.1:8080"))?.close();
 * ```
 */
export function loopbackClient(url: URL): Deno.HttpClient | null {
  if (!isLoopbackHost(url.hostname)) return null;
  if (url.protocol === "http:") {
    return Deno.createHttpClient({
      // `[::1]` keeps its brackets: the transport parses host and port as one authority.
      proxy: { transport: "tcp", hostname: url.hostname, port: Number(url.port || 80) },
    });
  }
  return withNoProxy(() => Deno.createHttpClient({}));
}

/** Runs `create` while NO_PROXY/no_proxy name every loopback address, then restores them. */
function withNoProxy<T>(create: () => T): T {
  const names = ["NO_PROXY", "no_proxy"];
  const saved = names.map((name) => Deno.env.get(name));
  try {
    for (const [i, name] of names.entries()) {
      Deno.env.set(name, [saved[i], LOOPBACK_NO_PROXY].filter(Boolean).join(","));
    }
    return create();
  } finally {
    for (const [i, name] of names.entries()) {
      if (saved[i] === undefined) Deno.env.delete(name);
      else Deno.env.set(name, saved[i]!);
    }
  }
}

/**
 * `base` (the platform's fetch by default), except that loopback URLs go
 * directly (see the module's notes). The client of a request is closed once
 * its answer's headers arrived (its body stays readable).
 *
 * @example
 * ```ts
 * const fetchDirect = directLoopbackFetch();
 * const answer = await fetchDirect("http://127.0.0.1:9/").catch(() => null); // null: refused
 * ```
 */
export function directLoopbackFetch(base: typeof fetch = globalThis.fetch): typeof fetch {
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const client = loopbackClient(url);
    if (!client) return await base(input, init);
    try {
      const direct: RequestInit & { client: Deno.HttpClient } = { ...init, client };
      return await base(input, direct);
    } finally {
      client.close();
    }
  };
}
