/**
 * A small HTTP client for almyty's API: bearer auth, a timeout on every
 * request, almyty's envelopes, and errors that say what happened and where.
 * It uses the injected `fetch`, so Deno's proxy (HTTPS_PROXY/NO_PROXY) and
 * custom CA (DENO_CERT) support keep working.
 *
 * @example
 * ```ts
 * import { ApiClient } from "./client.ts";
 * const api = new ApiClient({ baseUrl: "http://127.0.0.1:8080", token: "ak_live_…" });
 * const profile = await api.profile();
 * ```
 * @module
 */
import { PATHS } from "../protocol/constants.ts";
import type { ErrorEnvelope, Profile } from "../protocol/types.ts";
import { ApiError } from "./errors.ts";

/** Default per-request timeout. */
export const DEFAULT_TIMEOUT_MS = 15_000;

/** How to reach the API. */
export interface ApiClientOptions {
  baseUrl: string;
  token?: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
  /** Aborts every request made by this client (e.g. Ctrl-C). */
  signal?: AbortSignal;
}

/** One request. */
export interface RequestOptions {
  method?: string;
  /** Sent as JSON, or as a form when it is URLSearchParams. */
  body?: unknown;
  /** Overrides the client's timeout. */
  timeoutMs?: number;
  /** Unwrap almyty's `{success,data}` envelope (default true). */
  envelope?: boolean;
}

/** The client. */
export class ApiClient {
  readonly baseUrl: string;
  #options: ApiClientOptions;

  constructor(options: ApiClientOptions) {
    this.#options = options;
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
  }

  /** `GET /auth/profile`. */
  profile(): Promise<Profile> {
    return this.request<Profile>(PATHS.profile);
  }

  /** Sends a request and returns the envelope's `data` (or the raw JSON). */
  async request<T>(path: string, options: RequestOptions = {}): Promise<T> {
    const url = this.baseUrl + path;
    const headers: Record<string, string> = { Accept: "application/json" };
    if (this.#options.token) headers.Authorization = `Bearer ${this.#options.token}`;
    let body: BodyInit | undefined;
    if (options.body instanceof URLSearchParams) {
      body = options.body;
    } else if (options.body !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(options.body);
    }
    const timeoutMs = options.timeoutMs ?? this.#options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = this.#options.signal
      ? AbortSignal.any([timeout, this.#options.signal])
      : timeout;
    const doFetch = this.#options.fetch ?? fetch;
    let response: Response;
    let text: string;
    try {
      response = await doFetch(url, { method: options.method ?? "GET", headers, body, signal });
      text = await response.text();
    } catch (error) {
      if (this.#options.signal?.aborted) throw this.#options.signal.reason;
      if (timeout.aborted) {
        throw new ApiError(
          "timeout",
          url,
          `${url} did not answer within ${timeoutMs / 1000} s. Check your network or proxy.`,
        );
      }
      throw new ApiError(
        "network",
        url,
        `Cannot reach ${url}: ${networkReason(error)}. Check the URL and your network or proxy.`,
      );
    }
    const json = parseJson(text);
    if (!response.ok) {
      throw errorFromResponse(url, response.status, text, json, this.#options.token);
    }
    if (json === undefined) {
      // A success body is never quoted: it may be the very token we asked for.
      throw new ApiError(
        "bad-response",
        url,
        `${url} answered ${response.status} with something that is not JSON (${
          describeBody(text, response.headers.get("content-type"), false)
        }). Is this almyty's API URL, or is a proxy in the way?`,
        response.status,
      );
    }
    if (options.envelope === false) return json as T;
    if (typeof json === "object" && json !== null && "data" in json) {
      return (json as { data: T }).data;
    }
    throw new ApiError(
      "bad-response",
      url,
      `${url} answered without almyty's {"success":true,"data":…} envelope. Is this almyty's API URL?`,
      response.status,
    );
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * An error from a failed response. Server text is quoted to say what went
 * wrong, with the client's own token cut out should the server echo it.
 */
function errorFromResponse(
  url: string,
  status: number,
  text: string,
  json: unknown,
  token: string | undefined,
): ApiError {
  const envelope = (json as ErrorEnvelope | undefined)?.error;
  const oauth = json as { error?: unknown; error_description?: unknown } | undefined;
  let code: string | undefined;
  let detail: string;
  if (envelope && typeof envelope === "object" && typeof envelope.message === "string") {
    code = envelope.code;
    detail = envelope.message;
  } else if (typeof oauth?.error === "string") {
    code = oauth.error;
    detail = typeof oauth.error_description === "string" ? oauth.error_description : oauth.error;
  } else {
    detail = json === undefined ? describeBody(text, null, true) : "an unexpected JSON body";
  }
  if (token) detail = detail.split(token).join("[your token]");
  const kind = status === 401 ? "auth" : "http";
  return new ApiError(kind, url, `${url} answered ${status}: ${detail}`, status, code, json);
}

function describeBody(text: string, contentType: string | null, quote: boolean): string {
  if (/^\s*</.test(text) || contentType?.includes("html")) return "an HTML page";
  if (text.trim() === "") return "an empty body";
  if (!quote) return `${text.length} bytes of text`;
  return `"${text.slice(0, 60).replace(/\s+/g, " ")}${text.length > 60 ? "…" : ""}"`;
}

function networkReason(error: unknown): string {
  // Deno puts the useful part ("Connection refused", TLS errors) in `cause`.
  const cause = (error as Error & { cause?: Error })?.cause?.message;
  const message = [String((error as Error)?.message ?? error), cause].filter(Boolean).join(": ");
  if (/refused/i.test(message)) return "connection refused";
  if (/dns|lookup|resolve/i.test(message)) return "the host name does not resolve";
  if (/certificate|tls|ssl/i.test(message)) {
    return `TLS failed (${message}); set DENO_CERT to your CA file if a proxy re-signs traffic`;
  }
  return cause ?? message;
}
