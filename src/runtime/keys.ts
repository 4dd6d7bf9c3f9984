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

/**
 * How far a time the server stamped may lie outside the window we measured
 * with its clock: the Date header has whole seconds, and a write may land
 * a moment before the request that reads it.
 */
const STAMP_SLACK_MS = 2000;

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
 * import { denoContext } from "./deno_context.ts";
 * import { apiFor } from "./connect.ts";
 * import { loginTarget } from "./target.ts";
 * const ctx = { ...denoContext(new AbortController().signal), env: { HOME: Deno.makeTempDirSync() } };
 * const target = loginTarget({ api: "http://127.0.0.1:9" }, { fs: ctx.fs, env: ctx.env });
 * (await confirmDead(apiFor(ctx, target.withToken("almyty_x")))).kind; // "unconfirmed": nothing listens on :9
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

/** What the hand-off's key-id lookup found: the id, or why none is saved. */
export type KeyIdLookup = { id: string } | { id: null; reason: string };

/**
 * The id of the key a browser hand-off just created, found with
 * `GET /auth/api-keys` authenticated by the new key (production's
 * `/cli-login` page passes on the key, not its id). An id is returned only
 * when it is provably this key's: exactly one active `CLI login (…)` key
 * whose `keyPrefix` the token starts with, that is not the key this login
 * replaces (`exclude`), that was created during this login, and whose
 * `lastUsedAt` is the stamp of this very request (production writes it on
 * every request). Times are compared on the server's clock (its Date
 * header); without one nothing can be proved. A wrong id would make logout
 * revoke another session's key, so in doubt there is none, with the reason.
 *
 * @example
 * ```ts
 * import { ApiClient } from "./client.ts";
 * import { Target } from "./target.ts";
 * const target = Target.build({ api: ["http://127.0.0.1:9", "flag", "--api"], frontend: ["http://127.0.0.1:9", "derived", "--api"], path: "/nonexistent", file: null });
 * await findHandoffKeyId(new ApiClient(target), "almyty_x", { startedAt: Date.now(), now: Date.now })
 *   .catch((error) => error.kind); // "network"
 * ```
 */
export async function findHandoffKeyId(
  api: ApiClient,
  token: string,
  options: {
    /** When this login started (epoch ms, our clock). */
    startedAt: number;
    now: () => number;
    /** The id of the key this login replaces: never this one. */
    exclude?: string;
  },
): Promise<KeyIdLookup> {
  const sentAt = options.now();
  const { data, date } = await api.dated<{ apiKeys?: ApiKeyInfo[] }>(PATHS.apiKeys);
  const receivedAt = options.now();
  if (date === null) {
    return { id: null, reason: "the server sent no Date header, so its clock is unknown" };
  }
  // The server's clock minus ours, to the second (the header's precision).
  const skew = date - (sentAt + receivedAt) / 2;
  const server = (ours: number) => ours + skew;
  const within = (stamp: string | null, from: number, to: number) => {
    const at = Date.parse(String(stamp));
    return !Number.isNaN(at) && at >= from - STAMP_SLACK_MS && at <= to + STAMP_SLACK_MS;
  };
  const matches = (Array.isArray(data?.apiKeys) ? data.apiKeys : []).filter((key) =>
    key?.isActive === true &&
    typeof key.id === "string" && key.id !== options.exclude &&
    typeof key.name === "string" && key.name.startsWith(CLI_KEY_NAME_PREFIX) &&
    typeof key.keyPrefix === "string" && token.startsWith(key.keyPrefix) &&
    within(key.createdAt, server(options.startedAt), server(receivedAt)) &&
    within(key.lastUsedAt, server(sentAt), server(receivedAt))
  );
  if (matches.length === 1) return { id: matches[0].id };
  return {
    id: null,
    reason: matches.length === 0
      ? "no key of this account was created during this login and used just now"
      : `${matches.length} keys of this account were created during this login and used just now`,
  };
}
