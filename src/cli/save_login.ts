/**
 * The end of every login: write the credentials, say so, and retire what the
 * new login replaced: a key the CLI minted earlier is revoked (after the new
 * one is saved), and a change of account or organization is named. All of it
 * under the login file's lock (`runtime/login_lock.ts`), so two concurrent
 * logins cannot both revoke, or save a key the other just revoked.
 *
 * @example
 * ```ts
 * import { saveLogin } from "./save_login.ts";
 * // await saveLogin(ctx, target, { token, email: "alice@example.com", keyOrigin: "minted" });
 * ```
 * @module
 */
import { ApiError } from "../runtime/api_error.ts";
import { describeRevocation, revokeKey } from "../runtime/keys.ts";
import { describeOrganization } from "../runtime/account.ts";
import type { LoginResult } from "../login/result.ts";
import { apiKeysPage, fileTarget, type Target } from "../runtime/target.ts";
import { apiFor, slowNotice } from "../runtime/connect.ts";
import { withLoginLock } from "../runtime/login_lock.ts";
import { type Context, credentialsIo } from "../runtime/context.ts";
import { line, paint, warn } from "../runtime/output.ts";
import {
  DEFAULT_PROFILE,
  listProfilesWith,
  loginsHoldingKey,
  readProfileWith,
} from "../credentials/profiles.ts";
import { type Credentials, CredentialsError } from "../credentials/types.ts";
import { checkWritableWith, writeProfileWith } from "../credentials/write.ts";
import { CliError, EXIT } from "../runtime/errors.ts";
import { stripControl } from "../protocol/text.ts";
import { quoteTyped, tokenKind } from "../protocol/tokens.ts";
import type { Organization } from "../protocol/types.ts";
import { sameServiceUrl } from "../protocol/urls.ts";

/** Fields a login owns; anything else in an existing default file is kept (other tools' fields). */
const LOGIN_FIELDS = [
  "url",
  "token",
  "email",
  "frontendUrl",
  "keyId",
  "keyOrigin",
  "expiresAt",
  "organization",
  "createdAt",
  "profile", // the mark of a copy (`profile use`): a new login of the default is no copy
];

/**
 * The fields of a saved login that are not a login's own (other tools'):
 * what a login written over it keeps.
 *
 * @example
 * ```ts
 * otherToolsFields({ url: "u", token: "t", editor: "vim" }); // { editor: "vim" }
 * otherToolsFields(null); // {}
 * ```
 */
export function otherToolsFields(saved: Credentials | null): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(saved ?? {}).filter(([key]) => !LOGIN_FIELDS.includes(key)),
  );
}

/**
 * True when the CLI minted this saved key (files of older versions: when they kept its id).
 *
 * @example
 * ```ts
 * isMinted({ keyOrigin: "supplied" }); // false
 * ```
 */
export function isMinted(file: Pick<Credentials, "keyOrigin" | "keyId">): boolean {
  return file.keyOrigin === "minted" || (file.keyOrigin === undefined && Boolean(file.keyId));
}

/**
 * Writes the credentials (keeping unknown fields of an existing file),
 * reports, then revokes the minted key this login replaced. Nothing is
 * written once `ended` aborted (the login is over: see `withLoginLock`).
 *
 * @example
 * ```ts
 * import { denoContext } from "../runtime/deno_context.ts";
 * import { loginTarget } from "../runtime/target.ts";
 * const ctx = { ...denoContext(new AbortController().signal), env: { HOME: Deno.makeTempDirSync() } };
 * const target = loginTarget({ api: "http://127.0.0.1:9" }, { fs: ctx.fs, env: ctx.env });
 * await saveLogin(ctx, target, { token: "almyty_example", email: "alice@example.com", keyOrigin: "supplied" });
 * ```
 */
export async function saveLogin(
  ctx: Context,
  target: Target,
  result: LoginResult,
  ended?: AbortSignal,
): Promise<void> {
  const name = target.login?.profile ?? DEFAULT_PROFILE;
  await withLoginLock(ctx, target.path, async () => {
    // Read under the lock: the login this one replaces is whatever is saved now,
    // not what was saved when the login started.
    let previous: Credentials | null = null;
    try {
      previous = readProfileWith(credentialsIo(ctx, () => {}), name);
    } catch { /* an unusable old file is simply replaced */ }
    const kept = otherToolsFields(previous);
    const email = stripControl(result.email);
    const origin = result.keyOrigin === "supplied" ? mintedOrigin(ctx, result.token) : null;
    const keyId = origin?.keyId ?? result.keyId;
    const credentials: Credentials = {
      ...kept,
      url: target.api,
      token: result.token,
      email,
      frontendUrl: target.frontend,
      ...(keyId ? { keyId } : {}),
      keyOrigin: origin ? "minted" : result.keyOrigin,
      ...(result.expiresAt ? { expiresAt: result.expiresAt } : {}),
      ...(result.organization ? { organization: result.organization } : {}),
      createdAt: new Date(ctx.now()).toISOString(),
    };
    const path = writeProfileWith(credentialsIo(ctx), name, credentials);
    const org = result.organization ? ` (${describeOrganization(result.organization)})` : "";
    line(ctx.stderr, paint(ctx, ctx.stderr, "green", "✓ ") + `Logged in as ${email}${org}`);
    line(
      ctx.stderr,
      `Credentials saved to ${path}${name === DEFAULT_PROFILE ? "" : ` (profile ${name})`}`,
    );
    if (previous && previous.token !== result.token) {
      describeSwitch(ctx, previous, credentials);
      if (isMinted(previous)) await revokeReplaced(ctx, previous, path, name);
      else keepReplaced(ctx, previous, path, name);
    }
  }, ended);
  if (ctx.env.ALMYTY_TOKEN) {
    // A shell `env` handed another login to (`eval "$(almyty-auth env --profile a)"`) also
    // has ALMYTY_PROFILE, which still chooses that login once the token is gone.
    const chosen = ctx.env.ALMYTY_PROFILE?.trim();
    warn(
      ctx,
      "ALMYTY_TOKEN is set in your environment and overrides the saved credentials. " +
        (chosen && chosen !== name
          ? `Unset it to use this login: unset ALMYTY_TOKEN, then use --profile ${name} ` +
            `(ALMYTY_PROFILE chooses ${quoteTyped(stripControl(chosen))} otherwise).`
          : "Unset it to use this login."),
    );
  }
}

/**
 * Fails now, before anything is minted, when a login at `target` could not
 * be saved: the folder is not ours or cannot be created, the path is a
 * symbolic link, or nothing can be written there.
 *
 * @example
 * ```ts
 * import { denoContext } from "../runtime/deno_context.ts";
 * import { loginTarget } from "../runtime/target.ts";
 * const ctx = { ...denoContext(new AbortController().signal), env: { HOME: Deno.makeTempDirSync() } };
 * checkSavable(ctx, loginTarget({ api: "http://127.0.0.1:9" }, { fs: ctx.fs, env: ctx.env }));
 * ```
 */
export function checkSavable(ctx: Context, target: Target): void {
  try {
    checkWritableWith(credentialsIo(ctx, () => {}), target.path);
  } catch (error) {
    if (!(error instanceof CredentialsError)) throw error;
    throw new CliError(
      `${error.message}\nNothing was started, so no key was created; fix this, then log in again.`,
      EXIT.error,
    );
  }
}

/**
 * The id of a supplied key that a login file of ours holds as one the CLI
 * minted (`almyty-auth token | almyty-auth login --with-token`, into the same
 * login or another): the key's origin follows the key, so the last logout
 * that holds it still revokes it. Null for a key no login of ours minted.
 */
function mintedOrigin(ctx: Context, token: string): { keyId: string } | null {
  const io = credentialsIo(ctx, () => {});
  try {
    for (const login of listProfilesWith(io)) {
      if (login.problem || !isMinted(login) || !login.keyId) continue;
      if (readProfileWith(io, login.name)?.token === token) return { keyId: login.keyId };
    }
  } catch { /* the logins cannot be read: the key stays one the user supplied */ }
  return null;
}

/** Says so when the account, organization or API differs from the previous login. */
function describeSwitch(ctx: Context, before: Credentials, after: Credentials): void {
  const name = (c: Credentials) =>
    c.organization && typeof c.organization === "object"
      ? describeOrganization(c.organization as Organization)
      : "no organization";
  if (before.email && before.email !== after.email) {
    line(ctx.stderr, `Switched account: ${stripControl(before.email)} → ${after.email}`);
  }
  if (before.email && name(before) !== name(after)) {
    line(ctx.stderr, `Switched organization: ${name(before)} → ${name(after)}`);
  }
  if (before.url && !sameServiceUrl(before.url, after.url!)) {
    line(ctx.stderr, `Switched API: ${before.url} → ${after.url}`);
  }
}

/**
 * The replaced key was not minted by this CLI (supplied with --token, or of
 * an older almyty login that recorded no origin): it is never revoked, but it
 * stays live, and this file no longer names it, so say where to revoke it.
 */
function keepReplaced(ctx: Context, previous: Credentials, path: string, name: string): void {
  if (tokenKind(previous.token) === "jwt") return; // a session token: nothing to revoke
  let held = false;
  try {
    held = stillHeld(ctx, previous, name, "The previous key was kept");
  } catch (error) {
    if (!(error instanceof CredentialsError)) throw error;
  }
  if (held) return; // said, and another login uses it: not one to revoke
  let page = "Settings > API Keys";
  try {
    page = `${apiKeysPage(fileTarget(previous, path))} (Settings > API Keys)`;
  } catch { /* a url no rule accepts: the menu alone */ }
  line(
    ctx.stderr,
    (previous.keyOrigin === "supplied"
      ? "The previous key was supplied by you (--token/--with-token) and may be in use " +
        "elsewhere, so it was not revoked"
      : "The previous login recorded no key id (an older almyty login), so its key was not " +
        "revoked") +
      `: it stays valid. Revoke it at ${page} if you no longer need it.`,
  );
}

/**
 * True (and says so, after `what`) when a login other than `name` still
 * holds this key (a `profile save`/`use` copy): it must not be revoked.
 *
 * @example
 * ```ts
 * import { denoContext } from "../runtime/deno_context.ts";
 * const ctx = { ...denoContext(new AbortController().signal), env: { HOME: Deno.makeTempDirSync() } };
 * stillHeld(ctx, { token: "almyty_x" }, "staging", "The key was not revoked"); // false: no other login has it
 * ```
 */
export function stillHeld(
  ctx: Context,
  key: { token: string; keyId?: string },
  name: string,
  what: string,
): boolean {
  const holders = loginsHoldingKey(credentialsIo(ctx, () => {}), key, name);
  if (!holders.length) return false;
  const many = holders.length > 1;
  line(
    ctx.stderr,
    `${what}: the login${many ? "s" : ""} ${holders.join(", ")} still use${many ? "" : "s"} it.`,
  );
  return true;
}

/**
 * Revokes the key the previous login minted, with its own token at its own
 * API, unless another login file still holds it (a `profile save`/`use` copy).
 */
async function revokeReplaced(
  ctx: Context,
  previous: Credentials,
  path: string,
  name: string,
): Promise<void> {
  let target: Target;
  try {
    target = fileTarget(previous, path);
  } catch (error) {
    warn(ctx, `The previous key was not revoked: ${(error as Error).message}`);
    return;
  }
  // The new login is saved by now: a failure here must not fail it (its key would be revoked).
  try {
    if (stillHeld(ctx, previous, name, "The previous key was kept")) return;
  } catch (error) {
    if (!(error instanceof CredentialsError)) throw error;
    // The other login files cannot be read (their folder is not trusted): one may hold the key.
    warn(
      ctx,
      `The previous key was not revoked: whether another login still uses it cannot be told ` +
        `(${error.message})\n  If none does, revoke it at ${apiKeysPage(target)}`,
    );
    return;
  }
  if (!previous.keyId) {
    warn(
      ctx,
      `The previous key's id was never learned, so it was not revoked; revoke it at ${
        apiKeysPage(target)
      }`,
    );
    return;
  }
  try {
    const outcome = await revokeKey(
      apiFor(ctx, target, { onSlow: slowNotice(ctx) }),
      previous.keyId,
    );
    const { ok, text } = describeRevocation(outcome, {
      what: "The key of the previous login",
      api: target.api,
      page: apiKeysPage(target),
    });
    if (ok) line(ctx.stderr, text);
    else warn(ctx, text);
  } catch (error) {
    // Ctrl-C now stops only this revocation: the new login is saved, and stays.
    const interrupted = (error as Error)?.name === "AbortError";
    if (!(error instanceof ApiError) && !interrupted) throw error;
    warn(
      ctx,
      `${
        interrupted
          ? `Interrupted before the key of the previous login (id ${previous.keyId}) was revoked: it is still live.`
          : `Could not revoke the key of the previous login: ${(error as Error).message}`
      }\n  Revoke it at ${apiKeysPage(target)}`,
    );
  }
}
