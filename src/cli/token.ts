/**
 * `almyty-auth token`: the token that applies, alone on stdout.
 *
 * @example
 * ```sh
 * almyty-auth token | some-tool --token-stdin
 * ```
 * @module
 */
import type { CommandInput } from "../runtime/command.ts";
import type { Context } from "../runtime/context.ts";
import { EXIT } from "../runtime/errors.ts";
import { requireTarget } from "../runtime/connect.ts";
import { warn } from "../runtime/output.ts";
import { DEFAULT_API_URL } from "../protocol/constants.ts";
import { DEFAULT_PROFILE } from "../credentials/profiles.ts";
import type { Target } from "../runtime/target.ts";

/** ` --profile <name>` when a named login applies. */
function profileFlag(target: Target): string {
  const name = target.login?.profile;
  return name && name !== DEFAULT_PROFILE ? ` --profile ${name}` : "";
}

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
export function run(ctx: Context, { flags }: CommandInput): Promise<number> {
  return Promise.resolve().then(() => {
    const target = requireTarget(ctx, { profile: flags.profile as string | undefined });
    const token = target.token!;
    if (target.api !== DEFAULT_API_URL && target.source.token !== "env") {
      // almyty's CLIs send ALMYTY_TOKEN without ALMYTY_URL to production.
      warn(
        ctx,
        `this key belongs to ${target.api}, but almyty's CLIs send ALMYTY_TOKEN alone to ` +
          `${DEFAULT_API_URL}. To hand this login to a tool, use ` +
          `\`almyty-auth exec${profileFlag(target)} -- <command>\` or ` +
          `\`eval "$(almyty-auth env${profileFlag(target)})"\`, which set ALMYTY_URL too.`,
      );
    }
    // The one place a token is printed: on request, to stdout only, for a pipe.
    ctx.stdout.write(token + "\n");
    return EXIT.ok;
  });
}
