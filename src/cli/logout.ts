/**
 * `almyty-auth logout [--profile <name> | --all]`: acts on one saved login
 * (the one the selection rule chooses, ALMYTY_TOKEN aside), or on each in
 * turn, whatever the environment says; never on another login's file or key. A key the CLI minted is revoked with its id at the file's `url`; a
 * key the user supplied (it may be in use elsewhere, e.g. CI) and a JWT are
 * never revoked. The file is removed only if it still holds the token that
 * was read, so a login that finished meanwhile is kept. Safe to run twice.
 * All of it under the login file's lock, like a login's save.
 *
 * @example
 * ```sh
 * almyty-auth logout
 * ```
 * @module
 */
import { ApiError } from "../runtime/api_error.ts";
import { describeRevocation, revokeKey } from "../runtime/keys.ts";
import { apiKeysPage, savedTarget, type Target } from "../runtime/target.ts";
import {
  DEFAULT_PROFILE,
  listProfilesWith,
  loginPathWith,
  type ProfileInfo,
  profilesDirWith,
  readProfileWith,
} from "../credentials/profiles.ts";
import { deleteProfileWith } from "../credentials/write.ts";
import { sweepStaleTempsIn } from "../credentials/atomic.ts";
import { checkFolder } from "../credentials/trust.ts";
import { directoryOf } from "../credentials/fs.ts";
import { checkAssertions, chooseLoginWith, type LoginChoice } from "../credentials/select.ts";
import { isMinted, stillHeld } from "./save_login.ts";
import { HANDOFF_VARS } from "./handoff.ts";
import { pendingLoginNames, pendingPathWith } from "../login/pending_path.ts";
import { DEFAULT_FRONTEND_URL } from "../protocol/constants.ts";
import { jwtExpiry, relativeTime, tokenKind } from "../protocol/tokens.ts";
import type { CommandInput } from "../runtime/command.ts";
import { apiFor, slowNotice } from "../runtime/connect.ts";
import { withLoginLock } from "../runtime/login_lock.ts";
import { type Context, credentialsIo } from "../runtime/context.ts";
import { CliError, EXIT } from "../runtime/errors.ts";
import { line, paint, warn } from "../runtime/output.ts";

/**
 * Runs the command.
 *
 * @example
 * ```ts
 * import { denoContext } from "../runtime/deno_context.ts";
 * const ctx = { ...denoContext(new AbortController().signal), env: { HOME: Deno.makeTempDirSync() } };
 * await run(ctx, { flags: {}, positionals: [] }).catch((error) => error.message);
 * ```
 */
export async function run(ctx: Context, { flags }: CommandInput): Promise<number> {
  const io = credentialsIo(ctx, () => {});
  if (flags.all && flags.profile !== undefined) {
    throw new CliError("Use either --profile or --all, not both.", EXIT.usage);
  }
  const choices: LoginChoice[] = flags.all
    ? revokersLast(listProfilesWith(io)).map((login) => ({ profile: login.name, source: "flag" }))
    : [chooseLoginWith(io, { profile: flags.profile as string | undefined })];
  const names = choices.map((choice) => choice.profile);
  // --all: every pending login too, also of a login never saved (`login --no-wait --profile ci`).
  const pending = flags.all ? [DEFAULT_PROFILE, ...pendingLoginNames(io), ...names] : names;
  // The pending logins first: a `--continue` saving one meanwhile finishes before the login
  // file is removed, so what it saved is logged out too.
  await forgetPendingLogins(ctx, pending);
  if (!choices.length) line(ctx.stderr, "Not logged in; there is no login to remove.");
  const dead: string[] = []; // the keys this logout revoked (or found revoked)
  for (const choice of choices) await logoutOf(ctx, choice, dead);
  // A first save killed mid-write (SIGKILL) left a temp file holding a key beside no login file.
  if (flags.all) sweepLoginFolders(ctx);
  const inherited = ctx.env.ALMYTY_TOKEN?.trim();
  if (inherited && dead.includes(inherited)) {
    // The shell holds the login `env` handed over (`eval "$(almyty-auth env --profile X)"`).
    const set = HANDOFF_VARS.filter((name) => ctx.env[name]);
    warn(
      ctx,
      "ALMYTY_TOKEN still holds the key just revoked, so almyty tools given it now get 401. " +
        `Unset what handed it over: unset ${set.join(" ")}`,
    );
  } else if (inherited) {
    warn(
      ctx,
      "ALMYTY_TOKEN is still set, so almyty tools stay authenticated with it (logout never revokes it). " +
        "Unset it: unset ALMYTY_TOKEN",
    );
  }
  return EXIT.ok;
}

/**
 * The logins in the order `--all` logs out of them: those that can revoke their key (minted,
 * with its id) last. A key is kept while another login file holds it, so a supplied copy of a
 * minted key handled after the minted login would leave the key live with every file gone.
 */
function revokersLast(logins: ProfileInfo[]): ProfileInfo[] {
  const revokes = (login: ProfileInfo) => isMinted(login) && login.keyId !== undefined;
  return [...logins.filter((login) => !revokes(login)), ...logins.filter(revokes)];
}

/**
 * Forgets the pending two-step logins of `names` (outside the login file's
 * lock: a `--continue` takes the pending login's lock, then that one).
 */
async function forgetPendingLogins(ctx: Context, names: string[]): Promise<void> {
  const io = credentialsIo(ctx, () => {});
  for (const name of new Set(names)) {
    const path = pendingPathWith(io, name);
    // A folder closed to us is named with its fix (the lstat would only throw EACCES).
    checkFolder(ctx.fs, directoryOf(ctx.fs.platform, path), path);
    if (!ctx.fs.lstat(path)) continue;
    const { forgetOnLogout } = await import("./login_two_step.ts");
    await forgetOnLogout(ctx, name);
  }
}

/** Removes the stale temp files of the profiles' and pending logins' folders (best effort). */
function sweepLoginFolders(ctx: Context): void {
  const io = credentialsIo(ctx, () => {});
  const pendingDir = directoryOf(ctx.fs.platform, pendingPathWith(io, DEFAULT_PROFILE));
  for (const dir of [profilesDirWith(io), pendingDir]) {
    try {
      sweepStaleTempsIn(ctx.fs, dir);
    } catch { /* a folder that cannot be listed was named above */ }
  }
}

/** Logs out of one login: its key, at its own API, then its file; never another's. */
async function logoutOf(ctx: Context, choice: LoginChoice, dead: string[]): Promise<void> {
  const io = credentialsIo(ctx, () => {});
  const name = choice.profile;
  const path = loginPathWith(io, name);
  if (choice.assert) {
    // A folder chose this login: it must be the one the folder asserts, before anything is sent.
    const file = readProfileWith(io, name);
    if (file) checkAssertions(choice, file);
  }
  const named = name !== DEFAULT_PROFILE;
  await withLoginLock(ctx, path, async () => {
    let target: Target | null = null;
    let unusable = false;
    try {
      target = savedTarget(io, choice);
    } catch (error) {
      unusable = true;
      // Nothing in it can be trusted, not even its url: name the default page and the menu.
      warn(
        ctx,
        `${(error as Error).message.split(". ")[0]}; removing it without revoking anything. ` +
          `If it held a key that is still live, revoke it at ${
            apiKeysPage({ frontend: DEFAULT_FRONTEND_URL })
          } (or under Settings > API Keys of the environment it was for).`,
      );
    }
    if (target && await retire(ctx, target, name)) dead.push(target.token!);
    const removed = removeIfUnchanged(ctx, target, unusable, name);
    if (removed === "kept") {
      line(
        ctx.stderr,
        `${path} now holds a newer login (saved meanwhile); it was left in place.`,
      );
    } else {
      line(
        ctx.stderr,
        removed === "removed"
          ? paint(ctx, ctx.stderr, "green", "✓ ") +
            `Logged out${named ? ` of profile ${name}` : ""}; removed ${path}`
          : `Not logged in${named ? ` to profile ${name}` : ""}; ${path} does not exist.`,
      );
    }
  });
}

/**
 * Revokes the saved key when the CLI minted it and no other login file holds
 * it; otherwise says why not. True when the key is dead now.
 */
async function retire(ctx: Context, target: Target, name: string): Promise<boolean> {
  const file = target.file!;
  const token = target.token!;
  const page = apiKeysPage(target);
  if (stillHeld(ctx, file, name, "The key was not revoked")) return false;
  if (tokenKind(token) === "jwt") {
    const expiry = jwtExpiry(token);
    line(
      ctx.stderr,
      `The saved token is a JWT (a session token), not an API key: there is nothing to revoke; ${
        expiry === null
          ? "it stays valid until it expires"
          : `it ${expiry > ctx.now() ? "expires" : "expired"} ${relativeTime(expiry, ctx.now())}`
      }.`,
    );
    return false;
  }
  if (!isMinted(file)) {
    line(
      ctx.stderr,
      file.keyOrigin === "supplied"
        ? `The saved key was supplied by you (--token/--with-token) and may be in use elsewhere, so it stays valid. Revoke it at ${page} (Settings > API Keys) if you no longer need it.`
        : `This login did not record a key id, so the key was not revoked. Revoke it at ${page} (Settings > API Keys) if you no longer need it.`,
    );
    return false;
  }
  if (!file.keyId) {
    warn(ctx, `The key's id was never learned, so it was not revoked; revoke it at ${page}`);
    return false;
  }
  try {
    const outcome = await revokeKey(apiFor(ctx, target, { onSlow: slowNotice(ctx) }), file.keyId);
    const { ok, text } = describeRevocation(outcome, {
      what: "The API key",
      api: target.api,
      page,
    });
    if (ok) line(ctx.stderr, text);
    else warn(ctx, `${text}\n  The local credentials are removed anyway.`);
    return ok;
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    warn(
      ctx,
      `Could not revoke the API key on the server: ${error.message}\n` +
        `  The local credentials are removed anyway; revoke the key at ${page}`,
    );
    return false;
  }
}

/** Removes the file unless a newer login replaced it meanwhile. */
function removeIfUnchanged(
  ctx: Context,
  target: Target | null,
  unusable: boolean,
  name: string,
): "removed" | "absent" | "kept" {
  const io = credentialsIo(ctx, () => {});
  if (target && !unusable) {
    let now;
    try {
      now = readProfileWith(io, name);
    } catch {
      now = null;
    }
    if (now && now.token !== target.token) return "kept";
  }
  return deleteProfileWith(io, name) ? "removed" : "absent";
}
