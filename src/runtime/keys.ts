/**
 * almyty's API keys as a CLI login uses them: revoking a key by id, and
 * finding the id of a key the browser hand-off created (production's
 * `/cli-login` page passes on the key, not its id).
 *
 * @example
 * ```ts
 * import { revokeKey } from "./keys.ts";
 * // const outcome = await revokeKey(api, keyId); // "revoked" | "gone"
 * ```
 * @module
 */
import { PATHS } from "../protocol/constants.ts";
import type { ApiKeyInfo } from "../protocol/types.ts";
import type { ApiClient } from "./client.ts";
import { ApiError } from "./api_error.ts";

/** The name prefix production's `/cli-login` page gives the keys it mints. */
export const CLI_KEY_NAME_PREFIX = "CLI login (";

/** How far the server's clock may be behind ours when matching a new key's `createdAt`. */
const CLOCK_SLACK_MS = 5 * 60_000;

/**
 * Revokes the key `keyId` with the client's own token. `gone` when the
 * server says it is already revoked or unknown (401, or 400 "API key not
 * found"); any other failure throws the ApiError.
 *
 * @example
 * ```ts
 * import { ApiClient } from "./client.ts";
 * import { Target } from "./target.ts";
 * const target = Target.build({ api: ["http://127.0.0.1:9", "flag", "--api"], frontend: ["http://127.0.0.1:9", "derived", "--api"], path: "/nonexistent", file: null });
 * await revokeKey(new ApiClient(target), "key-id").catch((error) => error.kind); // "network"
 * ```
 */
export async function revokeKey(api: ApiClient, keyId: string): Promise<"revoked" | "gone"> {
  try {
    await api.request(`${PATHS.apiKeys}/${encodeURIComponent(keyId)}`, { method: "DELETE" });
    return "revoked";
  } catch (error) {
    if (
      error instanceof ApiError &&
      (error.status === 401 || (error.status === 400 && /not found/i.test(error.message)))
    ) return "gone";
    throw error;
  }
}

/**
 * The id of the key a browser hand-off just created, found with
 * `GET /auth/api-keys` (the new key authenticates it): the one active key
 * named `CLI login (…)`, created since `since` (epoch ms, with slack for
 * clock skew), whose `keyPrefix` the token starts with. Null unless exactly
 * one matches: a guess could make logout revoke the wrong key.
 *
 * @example
 * ```ts
 * import { ApiClient } from "./client.ts";
 * import { Target } from "./target.ts";
 * const target = Target.build({ api: ["http://127.0.0.1:9", "flag", "--api"], frontend: ["http://127.0.0.1:9", "derived", "--api"], path: "/nonexistent", file: null });
 * await findHandoffKeyId(new ApiClient(target), "almyty_x", Date.now()).catch((error) => error.kind); // "network"
 * ```
 */
export async function findHandoffKeyId(
  api: ApiClient,
  token: string,
  since: number,
): Promise<string | null> {
  const data = await api.request<{ apiKeys?: ApiKeyInfo[] }>(PATHS.apiKeys);
  const matches = (Array.isArray(data?.apiKeys) ? data.apiKeys : []).filter((key) =>
    key?.isActive === true &&
    typeof key.id === "string" &&
    typeof key.name === "string" && key.name.startsWith(CLI_KEY_NAME_PREFIX) &&
    typeof key.keyPrefix === "string" && token.startsWith(key.keyPrefix) &&
    Date.parse(key.createdAt) >= since - CLOCK_SLACK_MS
  );
  return matches.length === 1 ? matches[0].id : null;
}
