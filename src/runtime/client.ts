/**
 * A small HTTP client for almyty's API: bearer auth, a timeout on every
 * request, almyty's envelopes, and errors that say what happened and where.
 * It is built only from a `Target` (every URL checked), checks every URL it
 * is asked for against the same rule just before sending, and follows a
 * redirect only within the same origin. The token goes to the API's own
 * origin only (never to another endpoint or the web app). Every message is
 * redacted as a whole (any piece of the token is cut out, URLs included) and
 * names the URL that was asked, never a redirect's. It uses the injected
 * `fetch` (by default one that sends loopback requests directly, never
 * through a proxy; `platform/http.ts`), so Deno's proxy
 * (HTTPS_PROXY/NO_PROXY) and custom CA (DENO_CERT) support keep working.
 *
 * @example
 * ```ts
 * import { ApiClient } from "./client.ts";
 * import { Target } from "./target.ts";
 * const target = Target.build({
 *   api: ["http://127.0.0.1:9", "flag", "--api"],
 *   frontend: ["http://127.0.0.1:9", "derived", "--api"],
 *   path: "/nonexistent",
 *   file: null,
 * });
 * const api = new ApiClient(target, { timeoutMs: 1000 });
 * await api.request("/auth/profile").catch((error) => error.kind); // "network"
 * ```
 * @module
 */
import { concatBytes } from "../protocol/bytes.ts";
import { PATHS } from "../protocol/constants.ts";
import { redactToken, stripControl, truncate } from "../protocol/text.ts";
import type { ErrorEnvelope, Profile } from "../protocol/types.ts";
import { checkServiceUrl } from "../protocol/urls.ts";
import { directLoopbackFetch } from "../platform/http.ts";
import { ApiError, type ApiErrorKind } from "./api_error.ts";
import { Target } from "./target.ts";

/** Default per-request timeout. */
export const DEFAULT_TIMEOUT_MS = 15_000;
/** Largest response body read. */
export const MAX_RESPONSE_BYTES = 1024 * 1024;
const MAX_REDIRECTS = 5;
/** The advice that ends the message of a request with no answer (`doctor` gives its own). */
export const NETWORK_ADVICE = "Check the URL and your network or proxy.";

/** A request that is taking long: what it is and how long it may still take. */
export interface SlowRequest {
  method: string;
  /** The URL without its query. */
  url: string;
  /** The per-request limit, in seconds. */
  limitSeconds: number;
}

/** How requests travel. */
export interface Transport {
  fetch?: typeof fetch;
  timeoutMs?: number;
  /** Aborts every request made by this client (e.g. Ctrl-C). */
  signal?: AbortSignal;
  /**
   * Told once when a request has had no answer after `afterMs` (so a person
   * is not left in silence for the whole timeout); `sleep` is the clock.
   */
  slow?: {
    afterMs: number;
    sleep(ms: number, signal: AbortSignal): Promise<void>;
    notify(request: SlowRequest): void;
  };
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
  /** Send no credentials, even to the API's origin. */
  anonymous?: boolean;
  /** A wait is this request's purpose (a long-poll): no "still waiting" notice. */
  slowIsNormal?: boolean;
}

/** What a bare GET saw (doctor's reachability check). */
export interface Probe {
  status: number;
  /** The server's Date header. */
  date: string | null;
  elapsedMs: number;
}

/**
 * The client.
 *
 * @example
 * ```ts
 * import { Target } from "./target.ts";
 * const target = Target.build({
 *   api: ["http://127.0.0.1:9", "flag", "--api"],
 *   frontend: ["http://127.0.0.1:9", "derived", "--api"],
 *   path: "/nonexistent",
 *   file: null,
 * });
 * await new ApiClient(target).profile().catch((error) => error.kind); // "network"
 * ```
 */
export class ApiClient {
  /** The API base URL (checked). */
  readonly baseUrl: string;
  readonly #token: string | undefined;
  readonly #transport: Transport;
  /** The only origin the token is sent to. */
  readonly #apiOrigin: string;

  /** Builds a client for `target`'s API, sending `target.token` when it has one. */
  constructor(readonly target: Target, transport: Transport = {}) {
    if (!Target.isTarget(target)) throw new TypeError("ApiClient needs a Target");
    this.baseUrl = target.api;
    this.#token = target.token;
    this.#transport = transport;
    this.#apiOrigin = new URL(target.api).origin;
  }

  /**
   * `GET /auth/profile`: whose key this is. An answer that names no email is
   * not almyty's profile (what would be saved and shown is "undefined").
   */
  async profile(): Promise<Profile> {
    const profile = await this.request<Profile>(PATHS.profile);
    if (typeof profile?.email !== "string" || profile.email.trim() === "") {
      const url = this.baseUrl + PATHS.profile;
      throw this.#error(
        "bad-response",
        url,
        `${url} answered without the account's email, so it does not say whose key this is. ` +
          "Is this almyty's API URL?",
        200,
      );
    }
    return profile;
  }

  /**
   * Sends a request to `path` (relative to the API) or to an absolute URL
   * (a discovery document's endpoint) and returns the envelope's `data` (or
   * the raw JSON with `envelope: false`).
   */
  async request<T>(path: string, options: RequestOptions = {}): Promise<T> {
    return (await this.dated<T>(path, options)).data;
  }

  /**
   * `request`, with the server's clock: its Date header (epoch ms), or null
   * when it sent none that parses.
   */
  async dated<T>(
    path: string,
    options: RequestOptions = {},
  ): Promise<{ data: T; date: number | null }> {
    const { url, response, text } = await this.#send(path, options);
    const header = response.headers.get("date");
    const parsed = header === null ? NaN : Date.parse(header);
    const date = Number.isNaN(parsed) ? null : parsed;
    const json = parseJsonOrUndefined(text);
    if (!response.ok) throw this.#errorFrom(url, response, text, json);
    if (json === undefined) {
      // A success body is never quoted: it may be the very token we asked for.
      throw this.#error(
        "bad-response",
        url,
        `${url} answered ${response.status} with something that is not JSON (${
          describeBody(text, response.headers.get("content-type"))
        }). Is this almyty's API URL, or is a proxy in the way?${webAppHint(this.baseUrl)}`,
        response.status,
      );
    }
    if (options.envelope === false) return { data: json as T, date };
    if (typeof json === "object" && json !== null && "data" in json) {
      return { data: (json as { data: T }).data, date };
    }
    throw this.#error(
      "bad-response",
      url,
      `${url} answered without almyty's {"success":true,"data":…} envelope. Is this almyty's API URL?`,
      response.status,
    );
  }

  /** A GET without credentials that only reports the status and the Date header. */
  async probe(path: string): Promise<Probe> {
    const started = Date.now();
    const { response } = await this.#send(path, { anonymous: true });
    return {
      status: response.status,
      date: response.headers.get("date"),
      elapsedMs: Date.now() - started,
    };
  }

  async #send(
    path: string,
    options: RequestOptions,
  ): Promise<{ url: string; response: Response; text: string }> {
    const requested = checkServiceUrl(
      path.startsWith("/") ? this.baseUrl + path : path,
      "request URL",
    );
    // Every message names the URL asked for: a redirect's may carry anything.
    const asked = requested.href;
    let url = requested;
    const headers: Record<string, string> = { Accept: "application/json" };
    // Credentials go to the API's own origin only (redirects stay within the origin).
    if (this.#token && !options.anonymous && requested.origin === this.#apiOrigin) {
      headers.Authorization = `Bearer ${this.#token}`;
    }
    let body: BodyInit | undefined;
    if (options.body instanceof URLSearchParams) {
      body = options.body;
    } else if (options.body !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(options.body);
    }
    let method = options.method ?? "GET";
    const timeoutMs = options.timeoutMs ?? this.#transport.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const timeout = AbortSignal.timeout(timeoutMs);
    const outer = this.#transport.signal;
    const signal = outer ? AbortSignal.any([timeout, outer]) : timeout;
    const doFetch = this.#transport.fetch ?? directLoopbackFetch();
    const answered = new AbortController();
    const slow = this.#transport.slow;
    if (slow && !options.slowIsNormal) {
      const shown = this.#safeText(url.origin + url.pathname);
      const request = { method, url: shown, limitSeconds: timeoutMs / 1000 };
      slow.sleep(slow.afterMs, answered.signal).then(() => slow.notify(request), () => {});
    }
    try {
      for (let hops = 0;; hops++) {
        const response = await doFetch(url.href, {
          method,
          headers,
          body,
          signal,
          redirect: "manual",
        });
        const location = response.headers.get("location");
        if (response.status >= 300 && response.status < 400 && location) {
          await response.body?.cancel();
          const next = new URL(location, url);
          if (next.origin !== requested.origin || hops >= MAX_REDIRECTS) {
            throw this.#error(
              "bad-response",
              asked,
              hops >= MAX_REDIRECTS
                ? `${asked} redirected more than ${MAX_REDIRECTS} times; giving up.`
                : `${asked} redirected to another origin (${next.origin}); not following it. ` +
                  "Is this almyty's API URL?",
              response.status,
            );
          }
          url = checkServiceUrl(next.href, "redirect");
          if (response.status === 303 || (response.status <= 302 && method === "POST")) {
            method = "GET";
            body = undefined;
            delete headers["Content-Type"];
          }
          continue;
        }
        return { url: asked, response, text: await this.#readCapped(response, asked) };
      }
    } catch (error) {
      if (error instanceof ApiError) throw error;
      if (outer?.aborted) throw outer.reason;
      if (timeout.aborted) {
        throw this.#error(
          "timeout",
          asked,
          `${asked} did not answer within ${timeoutMs / 1000} s. Check your network or ` +
            `proxy; to wait longer, set ALMYTY_HTTP_TIMEOUT (seconds, at most 600).`,
        );
      }
      throw this.#error(
        "network",
        asked,
        `Cannot reach ${asked}: ${networkReason(error)}. ${NETWORK_ADVICE}`,
      );
    } finally {
      answered.abort();
    }
  }

  /**
   * An ApiError whose whole message is safe to print: every piece of our
   * token cut out (the URL and the server's words alike), no control characters.
   */
  #error(
    kind: ApiErrorKind,
    url: string,
    message: string,
    status?: number,
    code?: string,
    retryAfter?: number,
  ): ApiError {
    return new ApiError(
      kind,
      this.#safeText(url),
      message.split("\n").map((line) => this.#safeText(line)).join("\n"),
      status,
      code,
      retryAfter,
    );
  }

  /** Server or URL text as we may show it: our token cut out, no control characters. */
  #safeText(text: string): string {
    return stripControl(redactToken(text, this.#token));
  }

  async #readCapped(response: Response, url: string): Promise<string> {
    if (!response.body) return "";
    const tooLarge = () =>
      this.#error(
        "bad-response",
        url,
        `${url} answered with more than ${
          MAX_RESPONSE_BYTES / 1024 / 1024
        } MiB; not reading it. Is this almyty's API URL?`,
        response.status,
      );
    // The usual answer, small JSON of a declared length, in one read (a stream read piece by
    // piece costs a millisecond more). Fetch delivers exactly the declared bytes unless
    // something else frames or transforms them: a Transfer-Encoding may run past the length,
    // a Content-Encoding is inflated beyond it. Those are read piece by piece, counted.
    const declared = response.headers.get("content-length");
    if (
      declared !== null && /^\d{1,9}$/.test(declared) &&
      !response.headers.has("transfer-encoding") && !response.headers.has("content-encoding")
    ) {
      if (Number(declared) > MAX_RESPONSE_BYTES) {
        await response.body.cancel();
        throw tooLarge();
      }
      return new TextDecoder().decode(await response.bytes());
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of response.body) {
      size += chunk.byteLength;
      if (size > MAX_RESPONSE_BYTES) {
        throw tooLarge();
      }
      chunks.push(chunk);
    }
    return new TextDecoder().decode(concatBytes(chunks));
  }

  /**
   * An error from a failed response. Server text is quoted to say what went
   * wrong, truncated, without control characters; `#error` then cuts every
   * piece of our own token out of the whole message.
   */
  #errorFrom(url: string, response: Response, text: string, json: unknown): ApiError {
    const status = response.status;
    const envelope = (json as ErrorEnvelope | undefined)?.error;
    const oauth = json as { error?: unknown; error_description?: unknown } | undefined;
    let code: string | undefined;
    let detail: string;
    if (envelope && typeof envelope === "object" && typeof envelope.message === "string") {
      code = typeof envelope.code === "string" ? envelope.code : undefined;
      detail = envelope.message;
    } else if (typeof oauth?.error === "string") {
      code = oauth.error;
      detail = typeof oauth.error_description === "string" ? oauth.error_description : oauth.error;
    } else if (json !== undefined) {
      detail = "an unexpected JSON body";
    } else if (/^\s*</.test(text) || response.headers.get("content-type")?.includes("html")) {
      detail = "an HTML page";
    } else {
      detail = text.trim() === "" ? "an empty body" : `"${text}"`;
    }
    // Cut to size here; #error redacts the whole message (every 8-character piece of the token).
    detail = truncate(stripControl(detail), 200);
    if (code) code = truncate(this.#safeText(code), 60);
    const retryAfter = parseRetryAfter(response.headers.get("retry-after"));
    const wait = retryAfter !== undefined ? ` (retry after ${retryAfter} s)` : "";
    const kind = status === 401 ? "auth" : "http";
    return this.#error(
      kind,
      url,
      `${url} answered ${status}: ${detail}${wait}${
        status === 404 ? baseUrlHint(this.baseUrl, url) : ""
      }`,
      status,
      code,
      retryAfter,
    );
  }
}

/**
 * For a 404 under an API URL with a path (`https://api.almyty.com/api`): almyty's
 * routes start at the host (production has no path prefix), so every request
 * there fails; the base URL is what works.
 */
function baseUrlHint(api: string, url: string): string {
  const { origin, pathname } = new URL(api);
  if (pathname === "/" || !url.startsWith(`${api}/`)) return "";
  return `\nalmyty's API routes start at the host, with no path before them: use ${origin} as ` +
    `the API URL, not ${api}.`;
}

/**
 * The web app's address given as the API's (`--api https://app.almyty.com`, copied from the
 * browser): its pages answer every path with HTML. The API is the `api.` host beside it.
 */
function webAppHint(api: string): string {
  const url = new URL(api);
  if (!url.hostname.startsWith("app.")) return "";
  const host = url.host;
  url.hostname = "api." + url.hostname.slice("app.".length);
  return `\n${host} looks like almyty's web app, not its API: use ${url.origin} as the API URL.`;
}

function parseRetryAfter(value: string | null): number | undefined {
  if (value === null) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

function parseJsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function describeBody(text: string, contentType: string | null): string {
  if (/^\s*</.test(text) || contentType?.includes("html")) return "an HTML page";
  if (text.trim() === "") return "an empty body";
  return `${text.length} bytes of text`;
}

function networkReason(error: unknown): string {
  // Deno puts the useful part ("Connection refused", TLS errors) in `cause`.
  const cause = (error as Error & { cause?: Error })?.cause?.message;
  const message = [String((error as Error)?.message ?? error), cause].filter(Boolean).join(": ");
  if (/refused/i.test(message)) return "connection refused";
  if (/dns|lookup|resolve/i.test(message)) return "the host name does not resolve";
  // An https request answered in plain http (`--api https://127.0.0.1:8080` to a local server).
  if (/InvalidContentType|corrupt message|wrong version number/i.test(message)) {
    return "the server there does not speak https (it answered in plain http; on this machine, " +
      "use http://)";
  }
  if (/certificate|tls|ssl/i.test(message)) {
    return `TLS failed (${
      stripControl(message)
    }); set DENO_CERT to your CA file if a proxy re-signs traffic`;
  }
  return stripControl(cause ?? message);
}
