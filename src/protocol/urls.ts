/**
 * The https-or-loopback rule for every URL the CLI talks to or opens, and
 * how almyty's web app is found from its API.
 *
 * @example
 * ```ts
 * import { checkServiceUrl, deriveFrontendUrl } from "./urls.ts";
 * checkServiceUrl("http://127.0.0.1:8080/", "--api").href; // "http://127.0.0.1:8080/"
 * deriveFrontendUrl("https://api.staging.almyty.com"); // "https://app.staging.almyty.com"
 * ```
 * @module
 */
import { DEFAULT_API_URL, DEFAULT_FRONTEND_URL } from "./constants.ts";
import { isKeyOrToken, tokenKind } from "./tokens.ts";

/**
 * A URL that breaks the https/loopback rule or does not parse.
 *
 * @example
 * ```ts
 * try {
 *   checkServiceUrl("http://example.com", "--api");
 * } catch (error) {
 *   error instanceof UrlRuleError; // true
 * }
 * ```
 */
export class UrlRuleError extends Error {
  override name = "UrlRuleError";
}

/**
 * True for 127.0.0.0/8, [::1] and `localhost` itself. Not `*.localhost`:
 * those names go through DNS, which may answer anything.
 *
 * @example
 * ```ts
 * isLoopbackHost("127.0.0.1"); // true
 * isLoopbackHost("app.localhost"); // false
 * ```
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, "");
  if (host === "localhost") return true;
  if (host === "::1" || host === "0:0:0:0:0:0:0:1") return true;
  const parts = host.split(".");
  return parts.length === 4 && parts[0] === "127" &&
    parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

/**
 * The host (and port) of a URL-like value, for messages: nothing before an
 * `@`, no path, no query. Null when no host can be told apart. A raw value
 * is never quoted whole: it may hold a password or a token.
 *
 * @example
 * ```ts
 * shownHost("https://user:secret@api.almyty.com/x?token=y"); // "api.almyty.com"
 * shownHost("proxy.corp:3128"); // "proxy.corp:3128"
 * shownHost("not a url"); // null
 * ```
 */
export function shownHost(raw: string): string | null {
  const rest = raw.trim().replace(/^[a-z][\w+.-]*:\/\//i, "");
  const authority = rest.split(/[/?#]/)[0];
  const host = authority.slice(authority.lastIndexOf("@") + 1);
  return /^[\w.-]+(:\d+)?$|^\[[\da-f:.]+\](:\d+)?$/i.test(host) && /[\w\]]/.test(host)
    ? host
    : null;
}

/**
 * Parses `raw` and enforces the rule: https anywhere, http only on loopback.
 * `label` names where the value came from (a flag or variable) for the
 * message, which shows the host and port at most, never the value itself.
 *
 * @example
 * ```ts
 * checkServiceUrl("https://api.almyty.com", "--api").host; // "api.almyty.com"
 * ```
 */
export function checkServiceUrl(raw: string, label: string): URL {
  // The example is the value's own kind: almyty's web app for a frontend, else the API.
  const example = /frontend/i.test(label) ? DEFAULT_FRONTEND_URL : DEFAULT_API_URL;
  const host = shownHost(raw);
  // A key given as the value, or where a message would show its host (`http://$KEY:1/`). A URL
  // holding one past its host (a server's redirect may) is still a URL: no message shows that.
  if (tokenKind(raw.trim()) !== "other" || (host !== null && isKeyOrToken(host))) {
    // `--api $ALMYTY_API_KEY`: the key is never echoed (not even as a "Did you mean https://…").
    throw new UrlRuleError(
      `${label} holds an API key or token, not a URL (not shown here). A key goes in ` +
        `ALMYTY_TOKEN, or is piped to almyty-auth login --with-token; ${label} takes a URL such ` +
        `as ${example}.`,
    );
  }
  const about = host ? ` (host ${host})` : "";
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    // `api.almyty.com` or `localhost:3000/base`: a host without a scheme.
    const bare = /^[\w.-]+(:\d+)?(\/[^?#]*)?$/.test(raw) && host !== null;
    const suggestion = bare
      ? ` Did you mean ${schemeFor(host!)}://${host}${raw.length > host!.length ? "/…" : ""}?`
      : ` Use a full URL such as ${example}`;
    throw new UrlRuleError(`${label} is not a URL${bare ? "" : about}.${suggestion}`);
  }
  if (url.username || url.password) {
    throw new UrlRuleError(
      `${label}: URLs with credentials in them are refused${
        url.host ? ` (host ${url.host})` : ""
      }.`,
    );
  }
  if (url.protocol === "https:") return url;
  if (url.protocol === "http:") {
    if (isLoopbackHost(url.hostname)) return url;
    throw new UrlRuleError(
      `${label}: http is refused for ${url.host}; use https (http is allowed only for 127.0.0.1, [::1] and localhost).`,
    );
  }
  // `127.0.0.1:8080` parses as scheme "127.0.0.1:"; `localhost:3000` as scheme "localhost:".
  const hostPort = /^[\w.-]+:\d+/.exec(raw)?.[0];
  if (hostPort) {
    throw new UrlRuleError(
      `${label} has no scheme. Did you mean ${schemeFor(hostPort)}://${hostPort}${
        raw.length > hostPort.length ? "/…" : ""
      }?`,
    );
  }
  throw new UrlRuleError(
    `${label} must be an https URL${url.host ? ` (host ${url.host})` : ""}; http is allowed only ` +
      "for 127.0.0.1, [::1] and localhost.",
  );
}

/** The scheme a host without one most likely meant. */
function schemeFor(hostPort: string): "http" | "https" {
  return isLoopbackHost(hostPort.replace(/:\d+$/, "")) ? "http" : "https";
}

/**
 * The URL as stored and shown: origin plus path, without a trailing slash.
 *
 * @example
 * ```ts
 * displayUrl(new URL("https://api.almyty.com/")); // "https://api.almyty.com"
 * ```
 */
export function displayUrl(url: URL): string {
  return (url.origin + url.pathname).replace(/\/+$/, "");
}

/**
 * True when two URL values name the same service: equal as `displayUrl`
 * shows them (scheme, host and port, path up to a trailing slash). A value
 * that does not parse is compared as written, up to trailing slashes.
 *
 * @example
 * ```ts
 * sameServiceUrl("https://api.almyty.com/", "https://API.almyty.com"); // true
 * sameServiceUrl("https://api.almyty.com", "https://api.staging.almyty.com"); // false
 * ```
 */
export function sameServiceUrl(a: string, b: string): boolean {
  const shown = (value: string) => {
    try {
      return displayUrl(new URL(value));
    } catch {
      return value.replace(/\/+$/, "");
    }
  };
  return shown(a) === shown(b);
}

/**
 * The web app of an API, as almyty's deployments are laid out: the default
 * API → `https://app.almyty.com`; a host starting `api.` → the same URL with
 * `app.`; anything else (self-hosted, the reference server) → the API's origin.
 *
 * @example
 * ```ts
 * deriveFrontendUrl("https://api.almyty.com"); // "https://app.almyty.com"
 * deriveFrontendUrl("http://127.0.0.1:8080"); // "http://127.0.0.1:8080"
 * ```
 */
export function deriveFrontendUrl(api: string): string {
  const url = new URL(api);
  if (displayUrl(url) === DEFAULT_API_URL) return DEFAULT_FRONTEND_URL;
  if (url.hostname.startsWith("api.")) {
    url.hostname = "app." + url.hostname.slice(4);
  }
  return url.origin;
}
