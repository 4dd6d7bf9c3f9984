/**
 * Tells a server that speaks the login protocol (it has the RFC 8414
 * discovery document) from today's production (404: only `/cli-login`), and
 * takes the endpoints from the document rather than hard-coded paths.
 *
 * @example
 * ```ts
 * import { discover } from "./discovery.ts";
 * // const endpoints = await discover(api); // null → use the compatibility flow
 * ```
 * @module
 */
import type { ApiClient } from "../runtime/client.ts";
import { ApiError } from "../runtime/api_error.ts";
import { CliError, EXIT } from "../runtime/errors.ts";
import { PATHS } from "../protocol/constants.ts";
import type { DiscoveryDocument } from "../protocol/types.ts";
import { checkServiceUrl } from "../protocol/urls.ts";

/** The endpoints a login uses, each checked against the https-or-loopback rule. */
export interface LoginEndpoints {
  authorization: string;
  token: string;
  device: string;
}

/**
 * The server's login endpoints, or null when it has no discovery document
 * (404: today's production). A 429 or 5xx is reported as such, not taken for
 * "no discovery".
 *
 * @example
 * ```ts
 * import { ApiClient } from "../runtime/client.ts";
 * import { Target } from "../runtime/target.ts";
 * const target = Target.build({ api: ["http://127.0.0.1:9", "flag", "--api"], frontend: ["http://127.0.0.1:9", "derived", "--api"], path: "/nonexistent", file: null });
 * await discover(new ApiClient(target)).catch((error) => error.kind); // "network"
 * ```
 */
export async function discover(api: ApiClient): Promise<LoginEndpoints | null> {
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
  const endpoint = (name: keyof DiscoveryDocument): string => {
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
  return {
    authorization: endpoint("authorization_endpoint"),
    token: endpoint("token_endpoint"),
    device: endpoint("device_authorization_endpoint"),
  };
}
