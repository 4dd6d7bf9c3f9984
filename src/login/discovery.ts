/**
 * Tells a server that speaks the login protocol (it has the RFC 8414
 * discovery document) from today's production (404: only `/cli-login`),
 * checks the document, and takes the endpoints from it rather than
 * hard-coded paths.
 *
 * The mix-up defence (RFC 9700 §4.4): the document's `issuer` must be the
 * API URL that was asked (RFC 8414 §3.3), and the pages a user is sent to
 * must be on the issuer's site unless `--frontend` names them; a hostile
 * "API" could otherwise forward the browser to the real almyty and redeem
 * the code the user approves there.
 *
 * @example
 * ```ts
 * import { discover } from "./discovery.ts";
 * // const server = await discover(api, target); // null → use the compatibility flow
 * ```
 * @module
 */
import type { ApiClient } from "../runtime/client.ts";
import { ApiError } from "../runtime/api_error.ts";
import { CliError, EXIT } from "../runtime/errors.ts";
import type { Target } from "../runtime/target.ts";
import { PATHS } from "../protocol/constants.ts";
import type { DiscoveryDocument } from "../protocol/types.ts";
import { checkServiceUrl, displayUrl, isLoopbackHost } from "../protocol/urls.ts";

/** What the login needs of a server that speaks the protocol. */
export interface LoginEndpoints {
  issuer: string;
  authorization: string;
  token: string;
  device: string;
  /** RFC 9207: every authorization response must carry `iss`. */
  issInResponses: boolean;
  /** almyty's long-poll extension, when the server has it. */
  longPoll?: { parameter: string; maxSeconds: number };
  /** almyty's device-flow cancel extension (PROTOCOL §4), when the server has it. */
  deviceCancel?: string;
}

/**
 * True when two URLs are on the same site: the same origin for IP addresses
 * and `localhost`, else the same last two labels of the host name
 * (`api.almyty.com` and `app.almyty.com`).
 *
 * @example
 * ```ts
 * sameSite("https://api.almyty.com", "https://app.almyty.com/cli-auth"); // true
 * sameSite("http://127.0.0.1:8080", "http://127.0.0.1:9090/cli-auth"); // false
 * ```
 */
export function sameSite(a: string, b: string): boolean {
  const x = new URL(a);
  const y = new URL(b);
  if (x.protocol !== y.protocol) return false;
  const isAddress = (h: string) => isLoopbackHost(h) || /^[\d.]+$|^\[/.test(h);
  if (isAddress(x.hostname) || isAddress(y.hostname)) return x.origin === y.origin;
  const site = (h: string) => h.split(".").slice(-2).join(".");
  return site(x.hostname) === site(y.hostname);
}

/**
 * The server's login endpoints, or null when it has no discovery document
 * (404: today's production). A 429 or 5xx is reported as such, not taken for
 * "no discovery"; a document for another issuer, or pointing the user to
 * another site, is refused.
 */
export async function discover(api: ApiClient, target: Target): Promise<LoginEndpoints | null> {
  const url = api.baseUrl + PATHS.discovery;
  let doc: DiscoveryDocument;
  try {
    doc = await api.request<DiscoveryDocument>(PATHS.discovery, { envelope: false });
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    if (error instanceof ApiError && (error.status === 429 || (error.status ?? 0) >= 500)) {
      throw new CliError(
        `${api.baseUrl} could not start a login: ${error.message}\n` +
          (error.status === 429
            ? "The server is rate-limiting requests; wait and try again."
            : "The server is having trouble; try again in a minute."),
        EXIT.error,
      );
    }
    throw error;
  }
  const field = (name: keyof DiscoveryDocument): string => {
    const value = doc?.[name];
    if (typeof value !== "string") {
      throw new ApiError(
        "bad-response",
        url,
        `${url} is not a login discovery document (no ${name}). Is ${api.baseUrl} almyty's API URL?`,
      );
    }
    return checkServiceUrl(value, `${name} in ${url}`).href;
  };
  const issuer = field("issuer");
  if (displayUrl(new URL(issuer)) !== target.api) {
    throw new CliError(
      `${url} names another issuer (${displayUrl(new URL(issuer))}), not ${target.api}: ` +
        "refusing to log in there (a server answering for another one is how a mix-up attack starts).",
      EXIT.error,
    );
  }
  const authorization = field("authorization_endpoint");
  // The page the user approves on must be this server's (or the frontend the user named).
  if (
    !sameSite(issuer, authorization) &&
    new URL(authorization).origin !== new URL(target.frontend).origin
  ) {
    throw new CliError(
      `${url} sends the browser to ${
        new URL(authorization).origin
      }, which is not ${target.api}'s site: ` +
        `refusing (a hostile server could forward the approval to another one). If that page is ` +
        `really yours, name it: --frontend ${new URL(authorization).origin}`,
      EXIT.error,
    );
  }
  const parameter = doc.almyty_long_poll_parameter;
  const maxSeconds = doc.almyty_long_poll_max_seconds;
  const cancel = doc.almyty_device_cancel_endpoint;
  return {
    issuer: displayUrl(new URL(issuer)),
    authorization,
    token: field("token_endpoint"),
    device: field("device_authorization_endpoint"),
    issInResponses: doc.authorization_response_iss_parameter_supported === true,
    ...(typeof parameter === "string" && typeof maxSeconds === "number"
      ? { longPoll: { parameter, maxSeconds } }
      : {}),
    ...(typeof cancel === "string" ? { deviceCancel: field("almyty_device_cancel_endpoint") } : {}),
  };
}
