/**
 * `almyty-auth token`: the token that applies, alone on stdout.
 *
 * @example
 * ```sh
 * ALMYTY_TOKEN=$(almyty-auth token) some-almyty-tool
 * ```
 * @module
 */
import type { CommandInput } from "../runtime/command.ts";
import type { Context } from "../runtime/context.ts";
import { EXIT } from "../runtime/errors.ts";
import { requireTarget } from "../runtime/connect.ts";

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
export function run(ctx: Context, _input: CommandInput): Promise<number> {
  return Promise.resolve().then(() => {
    const { token } = requireTarget(ctx);
    // The one place a token is printed: on request, to stdout only, for a pipe.
    ctx.stdout.write(token + "\n");
    return EXIT.ok;
  });
}
