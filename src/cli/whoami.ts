/**
 * `almyty-auth whoami`: who the token belongs to, verified with the server.
 *
 * @example
 * ```sh
 * almyty-auth whoami --json
 * ```
 * @module
 */
import { apiFor } from "./api.ts";
import { ApiError } from "../api/errors.ts";
import { checkServiceUrl } from "../protocol/urls.ts";
import { currentOrganization } from "../api/profile.ts";
import type { CommandInput } from "./commands.ts";
import { CliError, type Context, EXIT } from "./context.ts";
import { line, maskToken, printJson } from "./output.ts";
import { describeSource, rejectedToken, requireCredentials } from "./resolve.ts";

/** Runs the command. */
export async function run(ctx: Context, { flags }: CommandInput): Promise<number> {
  const resolved = requireCredentials(ctx);
  checkServiceUrl(
    resolved.url,
    resolved.source.url === "env" ? "ALMYTY_URL" : `url in ${resolved.path}`,
  );
  const tokenFrom = describeSource(resolved.source.token, "ALMYTY_TOKEN", resolved.path);
  const api = apiFor(ctx, resolved.url, resolved.token);
  let profile;
  try {
    profile = await api.profile();
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (error.kind === "auth") throw rejectedToken(resolved);
    const stored = resolved.file?.email
      ? `Stored login: ${resolved.file.email} at ${resolved.url}.\n`
      : "";
    throw new CliError(
      `${stored}Could not verify the token: ${error.message}`,
      EXIT.error,
    );
  }
  const org = currentOrganization(profile);
  if (flags.json) {
    printJson(ctx, {
      email: profile.email,
      organization: org,
      url: resolved.url,
      frontendUrl: resolved.frontendUrl,
      source: resolved.source,
      token: maskToken(resolved.token),
      verified: true,
    });
    return EXIT.ok;
  }
  line(ctx.stdout, `Logged in as ${profile.email}`);
  if (org) line(ctx.stdout, `Organization: ${org.slug ?? org.name}`);
  line(ctx.stdout, `API: ${resolved.url}`);
  line(ctx.stdout, `Token: ${maskToken(resolved.token)} (${tokenFrom})`);
  return EXIT.ok;
}
