/**
 * The end of every login: write the credentials and say so.
 *
 * @example
 * ```ts
 * import { saveLogin } from "./save.ts";
 * // saveLogin(ctx, { url, frontendUrl, token, email: "alice@example.com" });
 * ```
 * @module
 */
import { currentOrganization } from "../api/profile.ts";
import { apiFor } from "../cli/api.ts";
import { type Context, credentialsIo } from "../cli/context.ts";
import { line, paint, warn } from "../cli/output.ts";
import { readCredentials } from "../credentials/read.ts";
import type { Credentials } from "../credentials/types.ts";
import { writeCredentials } from "../credentials/write.ts";
import type { Organization } from "../protocol/types.ts";

/** Fields a login owns; anything else in an existing file is kept. */
const LOGIN_FIELDS = ["url", "token", "email", "frontendUrl", "keyId", "organization", "createdAt"];

/** What a successful login learned. */
export interface LoginResult {
  url: string;
  frontendUrl: string;
  token: string;
  email: string;
  keyId?: string;
  organization?: Organization | null;
}

/** Writes the credentials (keeping unknown fields of an existing file) and reports. */
export function saveLogin(ctx: Context, result: LoginResult): void {
  let kept: Record<string, unknown> = {};
  try {
    kept = Object.fromEntries(
      Object.entries(readCredentials(credentialsIo(ctx, () => {})) ?? {})
        .filter(([key]) => !LOGIN_FIELDS.includes(key)),
    );
  } catch { /* an unusable old file is simply replaced */ }
  const credentials: Credentials = {
    ...kept,
    url: result.url,
    token: result.token,
    email: result.email,
    frontendUrl: result.frontendUrl,
    ...(result.keyId ? { keyId: result.keyId } : {}),
    ...(result.organization ? { organization: result.organization } : {}),
    createdAt: new Date(ctx.now()).toISOString(),
  };
  const path = writeCredentials(credentials, credentialsIo(ctx));
  const org = result.organization ? ` (${result.organization.name})` : "";
  line(ctx.stderr, paint(ctx, ctx.stderr, "green", "✓ ") + `Logged in as ${result.email}${org}`);
  line(ctx.stderr, `Credentials saved to ${path}`);
  if (ctx.env.ALMYTY_TOKEN) {
    warn(
      ctx,
      "ALMYTY_TOKEN is set in your environment and overrides the saved credentials. Unset it to use this login.",
    );
  }
}

/**
 * Checks an API key with `GET /auth/profile`, then saves it (token login and
 * the compatibility flow, where the key arrives without an account).
 * Returns the account's email; a rejected key throws before anything is written.
 */
export async function saveCheckedKey(
  ctx: Context,
  endpoints: { api: string; frontend: string },
  token: string,
  /** Aborted when the login has ended meanwhile: then nothing is saved. */
  closed?: AbortSignal,
): Promise<string> {
  const profile = await apiFor(ctx, endpoints.api, token).profile();
  closed?.throwIfAborted();
  saveLogin(ctx, {
    url: endpoints.api,
    frontendUrl: endpoints.frontend,
    token,
    email: profile.email,
    organization: currentOrganization(profile),
  });
  return profile.email;
}
