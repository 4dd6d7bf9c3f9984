/**
 * The reference server in-process, on 127.0.0.1 with a free port.
 * @module
 */
import { type StartOptions, startServer } from "../../src/server/app.ts";
import { assertEquals } from "./assert.ts";
import { openConsent } from "./consent.ts";

/** Runs `fn` with a fresh server, closing it afterwards. */
export async function withServer<T>(
  options: StartOptions,
  fn: (server: Awaited<ReturnType<typeof startServer>>) => Promise<T>,
): Promise<T> {
  const server = await startServer({ port: 0, ...options });
  try {
    return await fn(server);
  } finally {
    await server.close();
  }
}

/** Signs in alice over HTTP and mints a key (as production's /cli-login page does). */
export async function mintKey(
  url: string,
  email = "alice@example.com",
  password = "alice-password",
) {
  const login = await fetch(`${url}/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password }),
  });
  const session = (await login.json()).data.accessToken as string;
  const created = await fetch(`${url}/auth/api-keys`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${session}` },
    body: JSON.stringify({ name: "test" }),
  });
  const data = (await created.json()).data;
  return { apiKey: data.apiKey as string, keyId: data.keyData.id as string, session };
}

/** The ids of the live keys of the account `token` belongs to, over HTTP. */
export async function liveKeyIds(url: string, token: string): Promise<string[]> {
  const response = await fetch(`${url}/auth/api-keys`, {
    headers: { authorization: `Bearer ${token}` },
  });
  assertEquals(response.status, 200);
  const keys = (await response.json()).data.apiKeys as { id: string; isActive: boolean }[];
  return keys.filter((key) => key.isActive).map((key) => key.id);
}

/** Signs alice in with a cookie jar, as a browser would. */
export async function browserSession(url: string): Promise<string> {
  const response = await fetch(`${url}/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      email: "alice@example.com",
      password: "alice-password",
      return_to: "/",
    }),
    redirect: "manual",
  });
  await response.body?.cancel();
  return response.headers.get("set-cookie")!.split(";")[0];
}

/** Opens a consent page with a session and submits Approve or Deny over HTTP. */
export async function decide(url: string, pagePath: string, decision: "approve" | "deny") {
  return await (await openConsent(fetch, url + pagePath, await browserSession(url))).submit(
    decision,
  );
}

/** A stand-in server for failure cases, on 127.0.0.1. */
export async function withFakeServer<T>(
  handler: (request: Request) => Response | Promise<Response>,
  fn: (url: string) => Promise<T>,
): Promise<T> {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, handler);
  try {
    return await fn(`http://127.0.0.1:${server.addr.port}`);
  } finally {
    await server.shutdown();
  }
}

/** A loopback port nothing listens on (bound, then released). */
export function closedPort(hostname = "127.0.0.1"): number {
  const listener = Deno.listen({ hostname, port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/**
 * A proxy in front of `upstream` whose token endpoint misbehaves: `onToken`
 * returns the response to send instead (or undefined to forward after it).
 * Its discovery document and device authorizations name the proxy's own
 * addresses, as a server's would (the CLI uses those, and checks they are
 * on the server's site).
 */
export function withFaultyTokenEndpoint<T>(
  upstream: string,
  onToken: (request: Request) => Promise<Response | undefined> | Response | undefined,
  fn: (url: string) => Promise<T>,
): Promise<T> {
  return withFakeServer(async (request) => {
    const url = new URL(request.url);
    if (url.pathname === "/auth/cli/token") {
      const replaced = await onToken(request);
      if (replaced) return replaced;
    }
    const headers = new Headers(request.headers);
    headers.delete("host"); // as a proxy does: the upstream gets its own
    const response = await fetch(upstream + url.pathname + url.search, {
      method: request.method,
      headers,
      body: request.body,
      redirect: "manual",
    });
    // The proxy stands in for the server: the addresses it hands out are its own.
    if (!["/.well-known/oauth-authorization-server", "/auth/cli/device"].includes(url.pathname)) {
      return response;
    }
    const text = (await response.text()).replaceAll(upstream, url.origin);
    return new Response(text, { status: response.status, headers: response.headers });
  }, fn);
}

/**
 * An HTTP/1.1 request over a raw TCP connection, with exactly the headers
 * given: fetch replaces a custom Host header, so DNS-rebinding tests need this.
 */
export async function rawRequest(
  origin: string,
  method: string,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(origin);
  const conn = await Deno.connect({ hostname, port: Number(port) });
  const lines = [`${method} ${path} HTTP/1.1`, "Connection: close", "Content-Length: 0"];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  await conn.write(new TextEncoder().encode(lines.join("\r\n") + "\r\n\r\n"));
  const text = await new Response(conn.readable).text();
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]);
  return { status, body: text.slice(text.indexOf("\r\n\r\n") + 4) };
}
