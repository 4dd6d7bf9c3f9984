/**
 * Tells a server that speaks the login protocol (it has the RFC 8414
 * discovery document) from today's production (404: only `/cli-login`).
 *
 * @example
 * ```ts
 * import { discover } from "./discovery.ts";
 * // const doc = await discover(api); // null → use the compatibility flow
 * ```
 * @module
 */
import type { ApiClient } from "../api/client.ts";
import { ApiError } from "../api/errors.ts";
import { PATHS } from "../protocol/constants.ts";
import type { DiscoveryDocument } from "../protocol/types.ts";

/** The discovery document, or null when the server has none (404). */
export async function discover(api: ApiClient): Promise<DiscoveryDocument | null> {
  try {
    const doc = await api.request<DiscoveryDocument>(PATHS.discovery, { envelope: false });
    if (typeof doc?.token_endpoint !== "string") {
      throw new ApiError(
        "bad-response",
        api.baseUrl + PATHS.discovery,
        `${api.baseUrl}${PATHS.discovery} is not a discovery document. Is ${api.baseUrl} almyty's API URL?`,
      );
    }
    return doc;
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}
