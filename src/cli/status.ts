/**
 * `almyty-auth status`: which credentials apply, from where, and whether the
 * server accepts them, without changing anything.
 *
 * @example
 * ```sh
 * almyty-auth status --offline --json
 * ```
 * @module
 */
import { apiFor } from "./api.ts";
import { ApiError } from "../api/errors.ts";
import { credentialsPath } from "../credentials/path.ts";
import { CredentialsError } from "../credentials/types.ts";
import type { CommandInput } from "./commands.ts";
import { type Context, credentialsIo, EXIT } from "./context.ts";
import { line, maskToken, printJson } from "./output.ts";
import { currentCredentials, describeSource } from "./resolve.ts";

/** Runs the command. */
export async function run(ctx: Context, { flags }: CommandInput): Promise<number> {
  const path = credentialsPath(credentialsIo(ctx));
  const envToken = Boolean(ctx.env.ALMYTY_TOKEN);
  // With ALMYTY_TOKEN set the file is not opened, as for every other command.
  const file = envToken ? null : fileFacts(ctx, path);
  let problem: string | undefined;
  let resolved = null;
  try {
    resolved = currentCredentials(ctx);
  } catch (error) {
    if (!(error instanceof CredentialsError)) throw error;
    problem = error.message;
  }
  let server: { checked: boolean; accepted?: boolean; email?: string; error?: string } = {
    checked: false,
  };
  if (resolved && !flags.offline) {
    const api = apiFor(ctx, resolved.url, resolved.token);
    try {
      server = { checked: true, accepted: true, email: (await api.profile()).email };
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      server = {
        checked: true,
        accepted: error.kind === "auth" ? false : undefined,
        error: error.message,
      };
    }
  }
  const overrides = ["ALMYTY_TOKEN", "ALMYTY_URL", "ALMYTY_FRONTEND_URL"].filter((name) =>
    ctx.env[name]
  );
  const report = {
    authenticated: Boolean(resolved),
    token: resolved ? { masked: maskToken(resolved.token), source: resolved.source.token } : null,
    url: resolved ? { value: resolved.url, source: resolved.source.url } : null,
    frontendUrl: resolved
      ? { value: resolved.frontendUrl, source: resolved.source.frontendUrl }
      : null,
    file: envToken ? { path, read: false } : { path, read: true, ...file },
    envOverrides: overrides,
    problem: problem ?? null,
    server,
  };
  if (flags.json) printJson(ctx, report);
  else printHuman(ctx, report, path);
  if (problem) return EXIT.error;
  if (!resolved || server.accepted === false) return EXIT.auth;
  return server.checked && server.accepted !== true ? EXIT.error : EXIT.ok;
}

function fileFacts(
  ctx: Context,
  path: string,
): { exists: boolean; mode?: string; owner?: number | null } {
  try {
    const stat = ctx.fs.stat(path);
    if (!stat) return { exists: false };
    return { exists: true, mode: stat.mode.toString(8).padStart(4, "0"), owner: stat.uid };
  } catch {
    return { exists: false };
  }
}

// deno-lint-ignore no-explicit-any
function printHuman(ctx: Context, r: any, path: string): void {
  const out = (text: string) => line(ctx.stdout, text);
  if (!r.authenticated) {
    out(r.problem ? `Credentials unusable: ${r.problem}` : "Not authenticated.");
  }
  if (r.token) {
    out(`Token:     ${r.token.masked} (${describeSource(r.token.source, "ALMYTY_TOKEN", path)})`);
  }
  if (r.url) out(`API:       ${r.url.value} (${describeSource(r.url.source, "ALMYTY_URL", path)})`);
  if (r.frontendUrl) {
    out(
      `Frontend:  ${r.frontendUrl.value} (${
        describeSource(r.frontendUrl.source, "ALMYTY_FRONTEND_URL", path)
      })`,
    );
  }
  if (!r.file.read) out(`File:      ${path} (not read: ALMYTY_TOKEN is set)`);
  else if (!r.file.exists) out(`File:      ${path} (none)`);
  else out(`File:      ${path} (mode ${r.file.mode}, owner uid ${r.file.owner})`);
  out(
    `Overrides: ${
      r.envOverrides.length ? r.envOverrides.join(", ") + " set in the environment" : "none"
    }`,
  );
  if (!r.server.checked) out(`Server:    not checked${r.authenticated ? " (--offline)" : ""}`);
  else if (r.server.accepted) out(`Server:    accepts the token (${r.server.email})`);
  else {out(
      `Server:    ${
        r.server.accepted === false ? "rejects the token" : "could not be checked"
      }: ${r.server.error}`,
    );}
}
