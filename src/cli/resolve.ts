/**
 * The resolved credentials as commands use them, and the shared
 * "not authenticated" and "rejected" messages.
 *
 * @example
 * ```ts
 * import { requireCredentials } from "./resolve.ts";
 * // const creds = requireCredentials(ctx); // exits 4 with both ways out when none
 * ```
 * @module
 */
import { resolveCredentials, type ResolvedCredentials } from "../credentials/resolve.ts";
import { CliError, type Context, credentialsIo, EXIT } from "./context.ts";
import { warn } from "./output.ts";

/** Resolves with the context's env and home; file warnings go to stderr. */
export function currentCredentials(ctx: Context): ResolvedCredentials | null {
  return resolveCredentials(
    credentialsIo(ctx, (message) => warn(ctx, message.replace(/^Warning: /, ""))),
  );
}

/** The "Not authenticated" error with both ways out. */
export function notAuthenticated(): CliError {
  return new CliError(
    "Not authenticated. Run one of:\n  almyty-auth login\n  export ALMYTY_TOKEN=<your-token>",
    EXIT.auth,
  );
}

/** Resolved credentials, or exit 4. */
export function requireCredentials(ctx: Context): ResolvedCredentials {
  const resolved = currentCredentials(ctx);
  if (!resolved) throw notAuthenticated();
  return resolved;
}

/** Where a value came from, for people. */
export function describeSource(
  source: "env" | "file" | "default",
  envName: string,
  path: string,
): string {
  return source === "env" ? `from ${envName}` : source === "file" ? `from ${path}` : "default";
}

/** The 401 explanation: the three usual causes. */
export function rejectedToken(resolved: ResolvedCredentials): CliError {
  const tokenFrom = describeSource(resolved.source.token, "ALMYTY_TOKEN", resolved.path);
  const urlFrom = describeSource(resolved.source.url, "ALMYTY_URL", resolved.path);
  return new CliError(
    `${resolved.url} rejected the token (401). Usually one of:\n` +
      `  • it expired,\n` +
      `  • it belongs to another environment: the API URL used is ${resolved.url} (${urlFrom}),\n` +
      `  • it was revoked.\n` +
      `The token came ${tokenFrom}. Log in again with: almyty-auth login` +
      (resolved.source.token === "env" ? "  (and update or unset ALMYTY_TOKEN)" : ""),
    EXIT.auth,
  );
}
