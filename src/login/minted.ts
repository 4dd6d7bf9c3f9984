/**
 * A key a login just minted, from the moment the server hands it over until
 * it is saved: who it belongs to is asked of `GET /auth/profile` with the key
 * itself (what a token response says beside the token are hints, never
 * truth), and a key that cannot be kept — the check or the save failed, or
 * the login ended meanwhile — is revoked (by its id, else through the
 * server's RFC 7009 revocation endpoint) and checked dead, or named exactly
 * with where to revoke it. A login never leaves a live key behind silently.
 *
 * @example
 * ```ts
 * import { keepMinted, mintedFromGrant } from "./minted.ts";
 * // const result = await keepMinted(ctx, target, mintedFromGrant(grant, ctx.now()), commit);
 * ```
 * @module
 */
import { ApiError } from "../runtime/api_error.ts";
import { ApiClient } from "../runtime/client.ts";
import type { Context } from "../runtime/context.ts";
import { CliError, EXIT, exitCodeFor, messageFor } from "../runtime/errors.ts";
import { confirmDead, describeRevocation, type Revocation, revokeKey } from "../runtime/keys.ts";
import { maskToken } from "../runtime/output.ts";
import { apiKeysPage, type Target } from "../runtime/target.ts";
import { CLIENT_ID } from "../protocol/constants.ts";
import type { TokenGrant } from "../protocol/types.ts";
import { stripControl } from "../protocol/text.ts";
import { isSendableToken } from "../protocol/tokens.ts";
import { checkKey } from "./key_check.ts";
import type { Commit, LoginResult } from "./result.ts";
import type { LoginUi } from "./ui.ts";

/** Longest wait for each request that revokes a key the login will not keep. */
const ABANDON_TIMEOUT_MS = 5000;

/** A key the server just handed over, before anyone checked whose it is. */
export interface MintedKey {
  token: string;
  /** The key's id, when the flow learned it (the token response's `key_id`, the hand-off's lookup). */
  keyId?: string;
  /** When it expires (ISO 8601), when the server said. */
  expiresAt?: string;
}

/**
 * The minted key of a token response (RFC 6749 §5.1): a Bearer
 * `access_token`, with almyty's `key_id` and the standard `expires_in` kept;
 * `email` and `organization` are ignored (the profile says who it is).
 *
 * @example
 * ```ts
 * mintedFromGrant({ access_token: "almyty_x", token_type: "Bearer", key_id: "k" }, 0).keyId; // "k"
 * ```
 */
export function mintedFromGrant(grant: Partial<TokenGrant>, now: number): MintedKey {
  // A server's mistake, said as one (never "Unexpected error" and a stack trace); never quoted.
  if (typeof grant?.access_token !== "string" || !/^bearer$/i.test(String(grant.token_type))) {
    throw new CliError(
      "The server's token response has no Bearer access_token (RFC 6749 §5.1): there is no key " +
        "to save. Nothing was saved.",
      EXIT.error,
    );
  }
  if (!isSendableToken(grant.access_token)) {
    const id = typeof grant.key_id === "string" ? ` (id ${stripControl(grant.key_id)})` : "";
    throw new CliError(
      "The server's token response holds an access_token no request can carry (empty, or with " +
        "spaces or control characters), so it cannot be checked or used. Nothing was saved; if " +
        `the server created a key for it${id}, revoke it on its API keys page.`,
      EXIT.error,
    );
  }
  return {
    token: grant.access_token,
    ...(typeof grant.key_id === "string" ? { keyId: grant.key_id } : {}),
    // A date JavaScript can hold (a server's "never" of 1e300 s is no date: the key is kept
    // as one that does not expire, not thrown away live with a RangeError).
    ...(typeof grant.expires_in === "number" && isDate(now + grant.expires_in * 1000)
      ? { expiresAt: new Date(now + grant.expires_in * 1000).toISOString() }
      : {}),
  };
}

/** True for epoch milliseconds a Date can hold (±8.64e15). */
function isDate(ms: number): boolean {
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15;
}

/** How a minted key is kept. */
export interface KeepOptions {
  /** The server's RFC 7009 revocation endpoint: how a key without an id is revoked. */
  revocation?: string;
  /** Aborted when the login is over (timeout, Ctrl-C): the key is then not saved but revoked. */
  ended?: AbortSignal;
  /**
   * True for a failure that a later run will retry with this very key (a
   * two-step login keeps its token response): the key is then left as it is.
   */
  retryLater?: (error: unknown) => boolean;
  /** Told when the key's check is slow (the login's user interface). */
  ui?: Pick<LoginUi, "notice">;
}

/**
 * Checks `key` with `GET /auth/profile`, then commits it; returns what was
 * committed. When anything fails, the key is revoked or named (see the
 * module) and the error rethrown with that said.
 *
 * @example
 * ```ts
 * import { denoContext } from "../runtime/deno_context.ts";
 * import { loginTarget } from "../runtime/target.ts";
 * const ctx = { ...denoContext(new AbortController().signal), env: { HOME: Deno.makeTempDirSync() } };
 * const target = loginTarget({ api: "http://127.0.0.1:9" }, { fs: ctx.fs, env: ctx.env });
 * const commit = () => Promise.resolve();
 * // Nothing listens on :9, so the key cannot be checked, nor revoked: the error says where to revoke it.
 * await keepMinted(ctx, target, { token: "almyty_example", keyId: "k" }, commit).catch((error) => error.message);
 * ```
 */
export async function keepMinted(
  ctx: Context,
  target: Target,
  key: MintedKey,
  commit: Commit,
  options: KeepOptions = {},
): Promise<LoginResult> {
  try {
    const checked = await checkKey(ctx, target, key.token, "minted", options.ui);
    const result: LoginResult = {
      ...checked,
      ...(key.keyId ? { keyId: key.keyId } : {}),
      ...(key.expiresAt ? { expiresAt: key.expiresAt } : {}),
    };
    // Timed out or interrupted meanwhile, or while the save waits for its lock: it saves nothing.
    await commit(result, options.ended);
    return result;
  } catch (error) {
    if (options.retryLater?.(error)) throw error;
    throw await abandon(ctx, target, key, error, options.revocation);
  }
}

/**
 * A minted key that will not be kept: revoked if it still works, and the
 * original error returned with what became of the key.
 */
async function abandon(
  ctx: Context,
  target: Target,
  key: MintedKey,
  error: unknown,
  revocation: string | undefined,
): Promise<unknown> {
  // The key itself was refused: nothing is live.
  if (error instanceof ApiError && error.kind === "auth") return error;
  const page = apiKeysPage(target);
  // Not Ctrl-C's signal (it may be why we are here), but never long.
  const api = new ApiClient(target.withToken(key.token), {
    fetch: ctx.fetch,
    timeoutMs: ABANDON_TIMEOUT_MS,
  });
  let outcome: Revocation | null = null;
  let failure = "";
  try {
    if (key.keyId) outcome = await revokeKey(api, key.keyId);
    else if (revocation) {
      // RFC 7009 §2.1: the token itself, form-encoded, with the public client's id.
      await api.request(revocation, {
        method: "POST",
        envelope: false,
        anonymous: true,
        body: new URLSearchParams({
          token: key.token,
          token_type_hint: "access_token",
          client_id: CLIENT_ID,
        }),
      }).catch((reason) => {
        // RFC 7009 §2.2: the answer is an empty 200; anything parseable or empty is fine.
        if (
          !(reason instanceof ApiError && reason.kind === "bad-response" && reason.status === 200)
        ) {
          throw reason;
        }
      });
      outcome = await confirmDead(api);
    }
  } catch (reason) {
    failure = reason instanceof ApiError ? reason.message : String((reason as Error)?.message);
  }
  const said = outcome
    ? describeRevocation(outcome, { what: "The key this login created", api: target.api, page })
    : null;
  const which = `${maskToken(key.token)}${key.keyId ? ` (id ${key.keyId})` : ""}, created ${
    new Date(ctx.now()).toISOString().slice(0, 16).replace("T", " ")
  } UTC`;
  const note = said?.ok
    ? `${said.text} Nothing was saved, and nothing is left live.`
    : said
    ? `${said.text}\nThat key, not saved: ${which}.`
    : `A key was created for this login but not saved: ${which}. It could not be revoked (${
      failure || "its id is unknown and the server names no revocation endpoint"
    }); revoke it at ${page}`;
  const interrupted = (error as Error)?.name === "AbortError";
  return new KeyNotKept(messageFor(error, interrupted), exitCodeFor(error, interrupted), note);
}

/**
 * A login that did not keep the key it minted: why, then `note`, what became
 * of the key (revoked, or which key is live and where to revoke it).
 *
 * @example
 * ```ts
 * new KeyNotKept("Login denied.", 1, "The key was revoked.").message; // "Login denied.\nThe key was revoked."
 * ```
 */
export class KeyNotKept extends CliError {
  override name = "KeyNotKept";
  /** Builds the error. */
  constructor(why: string, exitCode: number, readonly note: string) {
    super(`${why}\n${note}`, exitCode);
  }
}
