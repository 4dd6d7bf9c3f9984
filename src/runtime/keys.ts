/**
 * almyty's API keys as a CLI login uses them: revoking a key by id, and
 * finding the id of a key the browser hand-off created (production's
 * `/cli-login` page passes on the key, not its id).
 *
 * @example
 * ```ts
 * import { revokeKey } from "./keys.ts";
 * // const outcome = await revokeKey(api, keyId); // { kind: "revoked" } once the key gets 401
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
 * How a revocation ended, checked with the key itself (production
 * authenticates `DELETE /auth/api-keys/:id` with the key being revoked):
 * - `revoked`: the server accepted it and the key now gets 401;
 * - `dead`: the key no longer authenticates (401 on the DELETE): nothing is live;
 * - `not-this-key`: 400 "API key not found" although the key authenticated the
 *   request: the id is not this key's, so the key is still live;
 * - `still-active`: the server accepted it, but the key still works;
 * - `unconfirmed`: the server accepted it; the check afterwards failed (`detail`).
 */
export type Revocation =
  | { kind: "revoked" | "dead" | "not-this-key" | "still-active" }
  | { kind: "unconfirmed"; detail: string };

/**
 * Revokes the key `keyId` with the client's own token (the key being
 * revoked), then checks with `GET /auth/profile` that the key really stopped
 * working. Failures of the DELETE other than 401 and "not found" throw the
 * ApiError.
 *
 * @example
 * ```ts
 * import { ApiClient } from "./client.ts";
 * import { Target } from "./target.ts";
 * const target = Target.build({ api: ["http://127.0.0.1:9", "flag", "--api"], frontend: ["http://127.0.0.1:9", "derived", "--api"], path: "/nonexistent", file: null });
 * await revokeKey(new ApiClient(target), "key-id").catch((error) => error.kind); // "network"
 * ```
 */
export async function revokeKey(api: ApiClient, keyId: string): Promise<Revocation> {
  try {
    await api.request(`${PATHS.apiKeys}/${encodeURIComponent(keyId)}`, { method: "DELETE" });
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (error.status === 401) return { kind: "dead" };
    // Production answers 400 "API key not found" for an id that is not one of the
    // caller's keys (and "Database operation failed" for one that is no UUID).
    if (
      error.status === 400 && (/not found/i.test(error.message) || error.code === "DATABASE_ERROR")
    ) return { kind: "not-this-key" };
    throw error;
  }
  return await confirmDead(api);
}

/**
 * Whether the client's key still works after a revocation: `GET /auth/profile`
 * must now answer 401.
 *
 * @example
 * ```ts
 * // const outcome = await confirmDead(api); // { kind: "revoked" } when the key gets 401
 * ```
 */
export async function confirmDead(api: ApiClient): Promise<Revocation> {
  try {
    await api.profile();
    return { kind: "still-active" };
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return error.status === 401
      ? { kind: "revoked" }
      : { kind: "unconfirmed", detail: error.message };
  }
}

/**
 * What a revocation means for the person, in one sentence: `ok` when the key
 * is certainly dead. `what` names the key ("The API key", "The key of the
 * previous login"); `page` is where to revoke it by hand.
 *
 * @example
 * ```ts
 * describeRevocation({ kind: "still-active" }, { what: "The API key", api: "https://api.almyty.com", page: "https://app.almyty.com/settings/api-keys" }).ok; // false
 * ```
 */
export function describeRevocation(
  outcome: Revocation,
  names: { what: string; api: string; page: string },
): { ok: boolean; text: string } {
  const { what, api, page } = names;
  switch (outcome.kind) {
    case "revoked":
      return { ok: true, text: `Revoked ${lowerFirst(what)} on ${api} (it now gets 401).` };
    case "dead":
      return { ok: true, text: `${what} was already revoked on ${api} (it gets 401).` };
    case "not-this-key":
      return {
        ok: false,
        text: `${what} was NOT revoked: ${api} knows no key of yours with the saved id, so the ` +
          `saved id is not this key's, and the key still works. Revoke it at ${page}`,
      };
    case "still-active":
      return {
        ok: false,
        text: `${what} was NOT revoked: ${api} accepted the revocation, but the key still works. ` +
          `Revoke it at ${page}`,
      };
    case "unconfirmed":
      return {
        ok: false,
        text:
          `${api} accepted the revocation of ${lowerFirst(what)}, but whether the key stopped ` +
          `working could not be checked (${outcome.detail}). Make sure at ${page}`,
      };
  }
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
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
