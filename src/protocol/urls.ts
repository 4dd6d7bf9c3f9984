/**
 * The https-or-loopback rule for every URL the CLI talks to or opens.
 *
 * @example
 * ```ts
 * import { checkServiceUrl } from "./urls.ts";
 * checkServiceUrl("http://127.0.0.1:8080/", "--api").href; // "http://127.0.0.1:8080/"
 * checkServiceUrl("http://example.com", "--api"); // throws UrlRuleError
 * ```
 * @module
 */

/** A URL that breaks the https/loopback rule or does not parse. */
export class UrlRuleError extends Error {
  override name = "UrlRuleError";
}

/** True for 127.0.0.0/8, [::1] and localhost (including `*.localhost`). */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, "");
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  if (host === "::1" || host === "0:0:0:0:0:0:0:1") return true;
  const parts = host.split(".");
  return parts.length === 4 && parts[0] === "127" &&
    parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

/**
 * Parses `raw` and enforces the rule: https anywhere, http only on loopback.
 * `label` names where the value came from (a flag or variable) for the message.
 */
export function checkServiceUrl(raw: string, label: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UrlRuleError(
      `${label}: "${raw}" is not a URL. Use a full URL such as https://api.almyty.com`,
    );
  }
  if (url.username || url.password) {
    throw new UrlRuleError(`${label}: URLs with credentials in them are refused.`);
  }
  if (url.protocol === "https:") return url;
  if (url.protocol === "http:") {
    if (isLoopbackHost(url.hostname)) return url;
    throw new UrlRuleError(
      `${label}: http is refused for ${url.host}; use https (http is allowed only for 127.0.0.1, [::1] and localhost).`,
    );
  }
  throw new UrlRuleError(`${label}: "${raw}" must be an https URL.`);
}

/** The URL as stored and shown: origin plus path, without a trailing slash. */
export function displayUrl(url: URL): string {
  return (url.origin + url.pathname).replace(/\/+$/, "");
}
