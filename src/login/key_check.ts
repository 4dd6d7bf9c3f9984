/**
 * Turning an API key into a login result: `GET /auth/profile` with the key
 * (a rejected key fails here, before anything is saved). Token login and the
 * browser hand-off both start from a bare key.
 *
 * @example
 * ```ts
 * import { checkKey } from "./key_check.ts";
 * // const result = await checkKey(ctx, target, key, "supplied", ui);
 * ```
 * @module
 */
import type { Context } from "../runtime/context.ts";
import { loginApi } from "./api.ts";
import { currentOrganization } from "../runtime/account.ts";
import type { Target } from "../runtime/target.ts";
import type { LoginResult } from "./result.ts";
import type { LoginUi } from "./ui.ts";

/**
 * The login result for `token` at `target`'s API.
 *
 * @example
 * ```ts
 * import { denoContext } from "../runtime/deno_context.ts";
 * import { loginTarget } from "../runtime/target.ts";
 * const ctx = { ...denoContext(new AbortController().signal), env: { HOME: Deno.makeTempDirSync() } };
 * const target = loginTarget({ api: "http://127.0.0.1:9" }, { fs: ctx.fs, env: ctx.env });
 * await checkKey(ctx, target, "almyty_x", "supplied", { notice() {} }).catch((error) => error.kind); // "network"
 * ```
 */
export async function checkKey(
  ctx: Context,
  target: Target,
  token: string,
  keyOrigin: LoginResult["keyOrigin"],
  ui?: Pick<LoginUi, "notice">,
): Promise<LoginResult> {
  const profile = await loginApi(ctx, target.withToken(token), ui).profile();
  return {
    token,
    email: String(profile.email),
    organization: currentOrganization(profile),
    keyOrigin,
  };
}
