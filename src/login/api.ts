/**
 * The login engine's API client: the runtime's, with a slow request told to
 * the user interface (the engine never prints) so that a slow server never
 * leaves the terminal silent for the whole timeout.
 *
 * @example
 * ```ts
 * import { loginApi } from "./api.ts";
 * // const api = loginApi(ctx, target, ui);
 * ```
 * @module
 */
import type { ApiClient } from "../runtime/client.ts";
import { apiFor, type ApiOptions } from "../runtime/connect.ts";
import type { Context } from "../runtime/context.ts";
import type { Target } from "../runtime/target.ts";
import type { LoginUi } from "./ui.ts";

/**
 * A client for `target` whose slow requests become `slow` notices on `ui`
 * (when there is one to tell).
 *
 * @example
 * ```ts
 * import { denoContext } from "../runtime/deno_context.ts";
 * import { loginTarget } from "../runtime/target.ts";
 * const ctx = { ...denoContext(new AbortController().signal), env: { HOME: Deno.makeTempDirSync() } };
 * const target = loginTarget({ api: "http://127.0.0.1:9" }, { fs: ctx.fs, env: ctx.env });
 * loginApi(ctx, target, { notice: () => {} }).baseUrl; // "http://127.0.0.1:9"
 * ```
 */
export function loginApi(
  ctx: Context,
  target: Target,
  ui: Pick<LoginUi, "notice"> | undefined,
  options: ApiOptions = {},
): ApiClient {
  return apiFor(ctx, target, {
    ...(ui ? { onSlow: (request) => ui.notice({ kind: "slow", request }) } : {}),
    ...options,
  });
}
