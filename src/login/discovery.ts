/**
 * Tells a server that speaks the login protocol (it has the RFC 8414
 * discovery document) from today's production (a 404 in almyty's error
 * envelope: only `/cli-login`), checks the document, and takes the
 * endpoints from it rather than hard-coded paths.
 *
 * Where the document is (RFC 8414 §3.1): for an API URL with a path
 * (`https://host/tenant`), first `https://host/.well-known/oauth-authorization-server/tenant`,
 * then the appended form `https://host/tenant/.well-known/oauth-authorization-server`.
 *
 * The mix-up defence (RFC 9700 §4.4): the document's `issuer` must be the
 * API URL that was asked (RFC 8414 §3.3), and the pages a user is sent to
 * must be on the API's origin or its web app's (derived from the API, or
 * named with `--frontend`, never by the environment); a hostile "API" could
 * otherwise forward the browser to the real almyty and redeem the code the
 * user approves there.
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
import { stripControl } from "../protocol/text.ts";
import {
  checkServiceUrl,
  deriveFrontendUrl,
  displayUrl,
  isLoopbackHost,
} from "../protocol/urls.ts";
import { loginCommand } from "../credentials/fix_hints.ts";

/** What the login needs of a server that speaks the protocol. */
export interface LoginEndpoints {
  /** The issuer exactly as the document publishes it (RFC 9207 §2.4 compares `iss` with it). */
  issuer: string;
  authorization: string;
  token: string;
  /** RFC 8628's device authorization endpoint: optional; without it there is no headless login. */
  device?: string;
  /** RFC 7009's revocation endpoint, when the server has one. */
  revocation?: string;
  /** RFC 9207: every authorization response must carry `iss`. */
  issInResponses: boolean;
  /** almyty's long-poll extension, when the server has it. */
  longPoll?: { parameter: string; maxSeconds: number };
  /** almyty's device-flow cancel extension (PROTOCOL §4), when the server has it. */
  deviceCancel?: string;
}

/**
 * Where a login may send the user's browser: the API's origin, the web
 * app's origin derived from it (`api.` → `app.`), and the frontend named
 * with `--frontend`. A frontend from ALMYTY_FRONTEND_URL or the file is not
 * trusted for this: anything in the environment could have set it.
 *
 * @example
 * ```ts
 * import { Target } from "../runtime/target.ts";
 * const target = Target.build({
 *   api: ["https://api.almyty.com", "default", "default API URL"],
 *   frontend: ["https://app.almyty.com", "derived", "default API URL"],
 *   path: "/nonexistent",
 *   file: null,
 * });
 * [...pageOrigins(target)]; // ["https://api.almyty.com", "https://app.almyty.com"]
 * ```
 */
export function pageOrigins(target: Target): Set<string> {
  const origins = new Set([
    new URL(target.api).origin,
    new URL(deriveFrontendUrl(target.api)).origin,
  ]);
  if (target.source.frontend === "flag") origins.add(new URL(target.frontend).origin);
  return origins;
}

/**
 * Throws when `page` (where a server sends the user) is not on one of
 * `pageOrigins(target)`. `sends` says who sends whom where, for the message.
 *
 * @example
 * ```ts
 * import { nodeFs } from "../credentials/node_fs.ts";
 * import { loginTarget } from "../runtime/target.ts";
 * const target = loginTarget({}, { fs: nodeFs, env: {}, home: "/nonexistent" });
 * checkPageOrigin(target, "https://app.almyty.com/cli-auth", (o) => `The server sends you to ${o}`); // the API's web app: fine
 * ```
 */
export function checkPageOrigin(
  target: Target,
  page: string,
  sends: (origin: string) => string,
): void {
  const origin = new URL(page).origin;
  if (pageOrigins(target).has(origin)) return;
  throw new CliError(
    `${sends(origin)}, which is neither ${target.api} nor its web app (${
      new URL(deriveFrontendUrl(target.api)).origin
    }): refusing (a hostile server could forward the approval to another one). ` +
      `If that page is really yours, name it: --frontend ${origin}`,
    EXIT.error,
  );
}

/**
 * The discovery document's locations for `api` (RFC 8414 §3.1): the
 * well-known path inserted before the API's path, then appended to it. One
 * location when the API has no path.
 *
 * @example
 * ```ts
 * discoveryUrls("https://login.example.com/tenant");
 * // ["https://login.example.com/.well-known/oauth-authorization-server/tenant",
 * //  "https://login.example.com/tenant/.well-known/oauth-authorization-server"]
 * ```
 */
export function discoveryUrls(api: string): string[] {
  const url = new URL(api);
  const path = url.pathname.replace(/\/+$/, "");
  const inserted = url.origin + PATHS.discovery + path;
  const appended = url.origin + path + PATHS.discovery;
  return inserted === appended ? [inserted] : [inserted, appended];
}

/**
 * The server's login endpoints, or null when it has no discovery document
 * and answers like today's production (404 in almyty's error envelope). Any
 * other 404 asks whether the URL is almyty's API; a 429 or 5xx is reported
 * as such; a document for another issuer, or sending the user off the
 * API's (or its web app's) origin, is refused.
 *
 * @example
 * ```ts
 * import { denoContext } from "../runtime/deno_context.ts";
 * import { apiFor } from "../runtime/connect.ts";
 * import { loginTarget } from "../runtime/target.ts";
 * const ctx = { ...denoContext(new AbortController().signal), env: { HOME: Deno.makeTempDirSync() } };
 * const target = loginTarget({ api: "http://127.0.0.1:9" }, { fs: ctx.fs, env: ctx.env });
 * await discover(apiFor(ctx, target), target).catch((error) => error.message); // "Cannot reach …"
 * ```
 */
export async function discover(api: ApiClient, target: Target): Promise<LoginEndpoints | null> {
  let doc: DiscoveryDocument | undefined;
  let url = "";
  let notFound: ApiError | undefined;
  for (const location of discoveryUrls(target.api)) {
    url = location;
    try {
      doc = await api.request<DiscoveryDocument>(location, { envelope: false, anonymous: true });
      break;
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) {
        notFound ??= error;
        continue;
      }
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
  }
  if (!doc) {
    // Production answers every unknown path with its 404 envelope; anything else is not almyty.
    if (notFound?.code === "NOT_FOUND") return null;
    throw new CliError(
      `${notFound?.message ?? `${url} answered 404`}\nThat is not how almyty answers for a ` +
        `server without a login discovery document. Is ${target.api} almyty's API URL ` +
        "(https://api.almyty.com for almyty's production)?",
      EXIT.error,
    );
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
  const optional = (name: keyof DiscoveryDocument) =>
    typeof doc?.[name] === "string" ? field(name) : undefined;
  field("issuer");
  // RFC 9207 §2.4 compares `iss` with the issuer exactly as published.
  const issuer = doc.issuer;
  if (displayUrl(new URL(issuer)) !== target.api) {
    const published = stripControl(displayUrl(new URL(issuer)));
    throw new CliError(
      `${url} names another issuer (${published}), not ${target.api}: ` +
        "refusing to log in there (a server answering for another one is how a mix-up attack starts)." +
        // `localhost` for a server that calls itself 127.0.0.1: one machine, one port.
        (sameLoopbackPort(new URL(issuer), new URL(target.api))
          ? ` Both are addresses of this machine; log in with the one the server publishes: ${
            loginCommand({ api: published, login: target.login })
          }`
          : ""),
      EXIT.error,
    );
  }
  const authorization = field("authorization_endpoint");
  // The page the user approves on must be this server's (or the frontend the user named).
  checkPageOrigin(target, authorization, (origin) => `${url} sends the browser to ${origin}`);
  const parameter = doc.almyty_long_poll_parameter;
  const maxSeconds = doc.almyty_long_poll_max_seconds;
  const device = optional("device_authorization_endpoint");
  const revocation = optional("revocation_endpoint");
  const cancel = optional("almyty_device_cancel_endpoint");
  return {
    issuer,
    authorization,
    token: field("token_endpoint"),
    ...(device ? { device } : {}),
    ...(revocation ? { revocation } : {}),
    issInResponses: doc.authorization_response_iss_parameter_supported === true,
    ...(typeof parameter === "string" && typeof maxSeconds === "number"
      ? { longPoll: { parameter, maxSeconds } }
      : {}),
    ...(cancel ? { deviceCancel: cancel } : {}),
  };
}

/** Two loopback addresses of one port (`localhost:8080` and `127.0.0.1:8080`), with one path. */
function sameLoopbackPort(a: URL, b: URL): boolean {
  return isLoopbackHost(a.hostname) && isLoopbackHost(b.hostname) && a.protocol === b.protocol &&
    a.port === b.port && a.pathname.replace(/\/$/, "") === b.pathname.replace(/\/$/, "");
}
