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
import { CliError, EXIT } from "../runtime/errors.ts";
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
  const target = requireTarget(ctx, { profile: flags.profile as string | undefined });
  const note = ignoredUrlNote(target);
  if (note) warn(ctx, note);
  const token = target.token!;
  let profile;
  try {
    profile = await apiFor(ctx, target).profile();
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (error.kind === "auth") throw rejectedToken(ctx, target);
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
  return EXIT.ok;
}
