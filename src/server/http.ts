/**
 * Request and response helpers of the reference server: almyty's envelopes,
 * OAuth errors, capped body parsing, cookies and a fixed-window rate limiter.
 *
 * @example
 * ```ts
 * import { envelope, apiError } from "./http.ts";
 * envelope({ ok: 1 });
 * apiError("/auth/profile", 401, "Invalid API key");
 * ```
 * @module
 */

const CODES: Record<number, string> = {
  400: "BAD_REQUEST",
  401: "UNAUTHORIZED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  405: "BAD_REQUEST",
  413: "BAD_REQUEST",
  429: "RATE_LIMITED",
  500: "INTERNAL_ERROR",
};

const JSON_HEADERS = { "content-type": "application/json", "cache-control": "no-store" };

/**
 * The challenge every 401 of the API carries (RFC 9110 §11.6.1, RFC 6750 §3).
 * Production's guard sends none: a recommendation for its backend.
 */
export const API_CHALLENGE = 'Bearer realm="almyty"';

/** The OAuth endpoints' challenge: a client identifies itself, by form field or HTTP Basic (RFC 6749 §2.3.1, §5.2). */
export const CLIENT_CHALLENGE = 'Basic realm="almyty"';

/**
 * Raw JSON.
 *
 * @example
 * ```ts
 * json({ ok: true }).headers.get("cache-control"); // "no-store"
 * ```
 */
export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { ...JSON_HEADERS, ...headers } });
}

/**
 * `{"success":true,"data":…}`.
 *
 * @example
 * ```ts
 * await envelope({ id: 1 }, 201).json(); // { success: true, data: { id: 1 } }
 * ```
 */
export function envelope(data: unknown, status = 200, message?: string): Response {
  return json({ success: true, data, ...(message ? { message } : {}) }, status);
}

/**
 * almyty's error envelope; a 401 carries `WWW-Authenticate` (the API's
 * challenge unless `headers` names another).
 *
 * @example
 * ```ts
 * (await apiError("/auth/profile", 401, "Invalid API key").json()).error.code; // "UNAUTHORIZED"
 * apiError("/auth/api-keys/x", 400, "Database operation failed", {}, "DATABASE_ERROR");
 * ```
 */
export function apiError(
  path: string,
  status: number,
  message: string,
  headers: Record<string, string> = {},
  code: string = CODES[status] ?? "BAD_REQUEST",
): Response {
  if (status === 401) headers = { "www-authenticate": API_CHALLENGE, ...headers };
  return json(
    {
      error: {
        code,
        message,
        statusCode: status,
        timestamp: new Date().toISOString(),
        path,
      },
    },
    status,
    headers,
  );
}

/**
 * An RFC 6749 §5.2 error; a 401 (`invalid_client`) carries the client challenge.
 *
 * @example
 * ```ts
 * await oauthError("invalid_grant", "Unknown code").json(); // { error: "invalid_grant", … }
 * ```
 */
export function oauthError(
  error: string,
  description: string,
  status = 400,
  headers: Record<string, string> = {},
): Response {
  if (status === 401) headers = { "www-authenticate": CLIENT_CHALLENGE, ...headers };
  return json({ error, error_description: description }, status, headers);
}

/**
 * One cookie's value: undefined when absent, not valid percent-encoding, or
 * sent more than once (a page on another port of the same host can set a
 * second one — cookie tossing — and must not choose which one counts).
 *
 * @example
 * ```ts
 * cookie(new Request("http://x", { headers: { cookie: "a=1; b=%20" } }), "b"); // " "
 * cookie(new Request("http://x", { headers: { cookie: "b=1; b=2" } }), "b"); // undefined
 * ```
 */
export function cookie(request: Request, name: string): string | undefined {
  const values = cookieValues(request, name);
  if (values.length !== 1) return undefined;
  try {
    return decodeURIComponent(values[0]);
  } catch {
    return undefined; // a page on any loopback port can set a malformed cookie
  }
}

/**
 * Every value the request sends for a cookie name, raw.
 *
 * @example
 * ```ts
 * cookieValues(new Request("http://x", { headers: { cookie: "b=1; b=2" } }), "b"); // ["1", "2"]
 * ```
 */
export function cookieValues(request: Request, name: string): string[] {
  const values: string[] = [];
  for (const part of (request.headers.get("cookie") ?? "").split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) values.push(rest.join("="));
  }
  return values;
}

/**
 * `Set-Cookie` values that delete a cookie at every path a request for
 * `path` sends it from (`/`, `/a`, `/a/`, `/a/b` for `/a/b`): a tossed cookie
 * may have been set with any of them.
 *
 * @example
 * ```ts
 * clearCookie("s", "/cli-auth").length; // 2: Path=/ and Path=/cli-auth
 * ```
 */
export function clearCookie(name: string, path: string): string[] {
  const paths = new Set(["/"]);
  const parts = path.split("/").filter(Boolean);
  for (let i = 1; i <= parts.length; i++) {
    const prefix = "/" + parts.slice(0, i).join("/");
    paths.add(prefix);
    if (i < parts.length) paths.add(prefix + "/");
  }
  return [...paths].map((p) => `${name}=; Path=${p}; HttpOnly; SameSite=Lax; Max-Age=0`);
}

/**
 * Whether a browser is asking (it accepts HTML: navigations and form posts),
 * as opposed to an API client.
 *
 * @example
 * ```ts
 * wantsHtml(new Request("http://x/", { headers: { accept: "text/html" } })); // true
 * wantsHtml(new Request("http://x/")); // false
 * ```
 */
export function wantsHtml(request: Request): boolean {
  return (request.headers.get("accept") ?? "").includes("text/html");
}

/**
 * A fixed-window counter per key: `hit` returns seconds to wait, or 0.
 *
 * @example
 * ```ts
 * const limiter = new RateLimiter(1, 60_000);
 * limiter.hit("127.0.0.1"); // 0
 * limiter.hit("127.0.0.1"); // 60: seconds to wait
 * ```
 */
export class RateLimiter {
  #windows = new Map<string, { start: number; count: number }>();
  constructor(
    readonly max: number,
    readonly windowMs: number,
    readonly now: () => number = Date.now,
  ) {}

  hit(key: string): number {
    const now = this.now();
    const window = this.#windows.get(key);
    if (!window || now - window.start >= this.windowMs) {
      this.#windows.set(key, { start: now, count: 1 });
      return 0;
    }
    window.count++;
    if (window.count <= this.max) return 0;
    return Math.ceil((window.start + this.windowMs - now) / 1000);
  }
}

/**
 * A 303 redirect.
 *
 * @example
 * ```ts
 * redirect("/").status; // 303
 * ```
 */
export function redirect(location: string, headers: Record<string, string> = {}): Response {
  return new Response(null, {
    status: 303,
    headers: { location, "cache-control": "no-store", ...headers },
  });
}
