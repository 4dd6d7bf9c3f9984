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
 * almyty's error envelope.
 *
 * @example
 * ```ts
 * (await apiError("/auth/profile", 401, "Invalid API key").json()).error.code; // "UNAUTHORIZED"
 * ```
 */
export function apiError(
  path: string,
  status: number,
  message: string,
  headers: Record<string, string> = {},
): Response {
  return json(
    {
      error: {
        code: CODES[status] ?? "BAD_REQUEST",
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
 * An RFC 6749 §5.2 error.
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
  return json({ error, error_description: description }, status, headers);
}

/**
 * One cookie's value; undefined when absent or not valid percent-encoding.
 *
 * @example
 * ```ts
 * cookie(new Request("http://x", { headers: { cookie: "a=1; b=%20" } }), "b"); // " "
 * ```
 */
export function cookie(request: Request, name: string): string | undefined {
  for (const part of (request.headers.get("cookie") ?? "").split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key !== name) continue;
    try {
      return decodeURIComponent(rest.join("="));
    } catch {
      return undefined; // a page on any loopback port can set a malformed cookie
    }
  }
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
