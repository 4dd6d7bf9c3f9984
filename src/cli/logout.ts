/**
 * `almyty-auth logout`: revoke the saved key on the server when we know its
 * id, then remove the credentials file. Safe to run twice.
 *
 * @example
 * ```sh
 * almyty-auth logout
 * ```
 * @module
 */
import { apiFor } from "./api.ts";
import { readCredentials } from "../credentials/read.ts";
import type { Credentials } from "../credentials/types.ts";
import { deleteCredentials } from "../credentials/write.ts";
import { PATHS } from "../protocol/constants.ts";
import { checkServiceUrl } from "../protocol/urls.ts";
import type { CommandInput } from "./commands.ts";
import { type Context, credentialsIo, EXIT } from "./context.ts";
import { line, paint, warn } from "./output.ts";
import { credentialsPath } from "../credentials/path.ts";

/** Runs the command. */
export async function run(ctx: Context, _input: CommandInput): Promise<number> {
  const io = credentialsIo(ctx, () => {});
  const path = credentialsPath(io);
  let stored: Credentials | null = null;
  try {
    stored = readCredentials(io);
  } catch (error) {
    warn(ctx, `${(error as Error).message.split(". ")[0]}; removing it without revoking anything.`);
  }
  if (stored?.keyId) await revoke(ctx, stored);
  else if (stored) {
    line(
      ctx.stderr,
      "The server key was not revoked (this login did not record its id); revoke it in almyty's dashboard if needed.",
    );
  }
  const removed = deleteCredentials(io);
  line(
    ctx.stderr,
    removed
      ? paint(ctx, ctx.stderr, "green", "✓ ") + `Logged out; removed ${path}`
      : `Not logged in; ${path} does not exist.`,
  );
  if (ctx.env.ALMYTY_TOKEN) {
    warn(
      ctx,
      "ALMYTY_TOKEN is still set, so almyty tools stay authenticated. Unset it: unset ALMYTY_TOKEN",
    );
  }
  return EXIT.ok;
}

async function revoke(ctx: Context, stored: Credentials): Promise<void> {
  try {
    checkServiceUrl(stored.url, `url in the credentials file`);
    const api = apiFor(ctx, stored.url, stored.token);
    await api.request(`${PATHS.apiKeys}/${encodeURIComponent(stored.keyId!)}`, {
      method: "DELETE",
    });
    line(ctx.stderr, `Revoked the API key on ${stored.url}.`);
  } catch (error) {
    if ((error as Error).name === "AbortError") throw error;
    warn(
      ctx,
      `Could not revoke the API key on the server: ${
        (error as Error).message
      }\n  The local credentials are removed anyway; revoke the key in almyty's dashboard.`,
    );
  }
}
