/**
 * The API client as commands and flows use it: the context's fetch, Ctrl-C,
 * and the ALMYTY_HTTP_TIMEOUT override (seconds) of the 15 s default.
 *
 * @example
 * ```ts
 * import { apiFor } from "./api.ts";
 * // const profile = await apiFor(ctx, "https://api.almyty.com", token).profile();
 * ```
 * @module
 */
import { ApiClient } from "../api/client.ts";
import type { Context } from "./context.ts";

/** A client for `baseUrl`, authenticated with `token` when given. */
export function apiFor(ctx: Context, baseUrl: string, token?: string): ApiClient {
  const seconds = Number(ctx.env.ALMYTY_HTTP_TIMEOUT);
  return new ApiClient({
    baseUrl,
    token,
    fetch: ctx.fetch,
    signal: ctx.signal,
    timeoutMs: seconds > 0 ? seconds * 1000 : undefined,
  });
}
