/**
 * `almyty-auth whoami`: who the token belongs to, verified with the server.
 *
 * @example
 * ```sh
 * almyty-auth whoami --json
 * ```
 * @module
 */
import { ApiError } from "../runtime/api_error.ts";
import {
  currentOrganization,
  describeOrganization,
  organizationCount,
} from "../runtime/account.ts";
import { relativeTime, tokenKind } from "../protocol/tokens.ts";
import { stripControl } from "../protocol/text.ts";
import type { CommandInput } from "../runtime/command.ts";
import type { Context } from "../runtime/context.ts";
import { CliError, EXIT, exitCodeFor, messageFor } from "../runtime/errors.ts";
import {
  apiFor,
  describeSource,
  ignoredUrlNote,
  loginJson,
  loginLine,
  rejectedToken,
  requireTarget,
  tokenExpiry,
} from "../runtime/connect.ts";
import { line, maskToken, printJson, warn } from "../runtime/output.ts";
import { credentialsIo } from "../runtime/context.ts";
import { chooseLoginWith } from "../credentials/select.ts";
import { pendingJson, type PendingNote, pendingNote } from "./pending_note.ts";

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
  const options = { profile: flags.profile as string | undefined };
  let target;
  try {
    target = requireTarget(ctx, options);
  } catch (error) {
    // Not logged in yet, but perhaps a two-step login is waiting: say how to finish it.
    throw await withPending(ctx, error, () => chooseLoginWith(credentialsIo(ctx), options).profile);
  }
  const note = ignoredUrlNote(target);
  if (note) warn(ctx, note);
  const token = target.token!;
  // A two-step login waiting for this login (none applies under ALMYTY_TOKEN).
  const shown = target.source.token === "file" ? target.login?.profile : undefined;
  const pending = shown === undefined ? null : await pendingNote(ctx, shown);
  let profile;
  try {
    profile = await apiFor(ctx, target).profile();
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (error.kind === "auth") throw withNote(rejectedToken(ctx, target), pending);
    const stored = target.file?.email
      ? `Stored login: ${target.file.email} at ${target.api}.\n`
      : "";
    throw new CliError(`${stored}Could not verify the token: ${error.message}`, EXIT.error);
  }
  const email = stripControl(String(profile.email));
  const org = currentOrganization(profile);
  const expiresAt = tokenExpiry(target);
  if (flags.json) {
    printJson(ctx, {
      email,
      organization: org,
      organizations: organizationCount(profile),
      url: target.api,
      frontendUrl: target.frontend,
      profile: loginJson(target),
      source: {
        token: target.source.token,
        url: target.source.api,
        frontendUrl: target.source.frontend,
      },
      token: maskToken(token),
      tokenKind: tokenKind(token),
      expiresAt: expiresAt === null ? null : new Date(expiresAt).toISOString(),
      verified: true,
      pendingLogin: pendingJson(pending),
    });
    return EXIT.ok;
  }
  line(ctx.stdout, `Logged in as ${email}`);
  const login = loginLine(target);
  if (login) line(ctx.stdout, `Profile: ${login}`);
  if (org) line(ctx.stdout, `Organization: ${describeOrganization(org)}`);
  else {
    const count = organizationCount(profile);
    line(
      ctx.stdout,
      `Organization: none (this key is not tied to one organization${
        count > 1 ? `; the account belongs to ${count}` : ""
      })`,
    );
  }
  line(ctx.stdout, `API: ${target.api}`);
  line(
    ctx.stdout,
    `Token: ${maskToken(token)} (${
      describeSource(target.source.token as "env" | "file", { env: "ALMYTY_TOKEN" }, target.path)
    })`,
  );
  if (expiresAt !== null) {
    line(
      ctx.stdout,
      `Expires: ${relativeTime(expiresAt, ctx.now())} (${new Date(expiresAt).toISOString()})`,
    );
  }
  if (pending) line(ctx.stdout, `Pending: ${pending.text}`);
  return EXIT.ok;
}

/**
 * No login (exit 4: none saved, or the chosen profile does not exist yet),
 * with what a two-step login pending for the login `profile()` says, if any.
 */
async function withPending(ctx: Context, error: unknown, profile: () => string): Promise<unknown> {
  if (exitCodeFor(error, false) !== EXIT.auth || ctx.env.ALMYTY_TOKEN) return error;
  let name;
  try {
    name = profile();
  } catch {
    return error; // no login can be chosen: the error says why
  }
  return withNote(error, await pendingNote(ctx, name));
}

/** `error` followed by the pending login's sentence, or `error` itself when none is pending. */
function withNote(error: unknown, pending: PendingNote | null): unknown {
  if (!pending) return error;
  return new CliError(`${messageFor(error, false)}\n${pending.text}`, exitCodeFor(error, false));
}
