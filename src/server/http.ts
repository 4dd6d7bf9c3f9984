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
import { MAX_BODY_BYTES } from "../protocol/constants.ts";

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

/** Raw JSON. */
export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { ...JSON_HEADERS, ...headers } });
}

/** `{"success":true,"data":…}`. */
export function envelope(data: unknown, status = 200, message?: string): Response {
  return json({ success: true, data, ...(message ? { message } : {}) }, status);
}

/** almyty's error envelope. */
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

/** An RFC 6749 §5.2 error. */
export function oauthError(error: string, description: string, status = 400): Response {
  return json({ error, error_description: description }, status);
}

/** A body that could not be read; `status` says why (400 or 413). */
export class BodyError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/** Reads a JSON or form body (≤ 64 KiB) into string fields. */
export async function readFields(request: Request): Promise<Record<string, unknown>> {
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (declared > MAX_BODY_BYTES) throw new BodyError(413, "Request body is larger than 64 KiB");
  const bytes = await readCapped(request);
  const text = new TextDecoder().decode(bytes);
  const type = request.headers.get("content-type") ?? "";
  if (type.includes("application/x-www-form-urlencoded")) {
    return Object.fromEntries(new URLSearchParams(text));
  }
  if (text.trim() === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new BodyError(400, `Malformed JSON body: ${(error as Error).message}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new BodyError(400, "The body must be a JSON object");
  }
  return value as Record<string, unknown>;
}

async function readCapped(request: Request): Promise<Uint8Array> {
  if (!request.body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of request.body) {
    size += chunk.byteLength;
    if (size > MAX_BODY_BYTES) throw new BodyError(413, "Request body is larger than 64 KiB");
    chunks.push(chunk);
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/** A string field, or undefined. */
export function field(fields: Record<string, unknown>, name: string): string | undefined {
  const value = fields[name];
  return typeof value === "string" ? value : undefined;
}

/** One cookie's value. */
export function cookie(request: Request, name: string): string | undefined {
  for (const part of (request.headers.get("cookie") ?? "").split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return decodeURIComponent(rest.join("="));
  }
}

/** A fixed-window counter per key: `hit` returns seconds to wait, or 0. */
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

/** A 303 redirect. */
export function redirect(location: string, headers: Record<string, string> = {}): Response {
  return new Response(null, {
    status: 303,
    headers: { location, "cache-control": "no-store", ...headers },
  });
}
