/**
 * Handing a login to another program (`exec`, `env`): the variables almyty's
 * CLIs read, always as a set, so a key never travels without the API it
 * belongs to (almyty's readers send an `ALMYTY_TOKEN` without `ALMYTY_URL` to
 * production).
 *
 * @example
 * ```ts
 * import { handoff } from "./handoff.ts";
 * // const { vars } = handoff(ctx, "staging"); // { ALMYTY_TOKEN, ALMYTY_URL, ALMYTY_FRONTEND_URL, ALMYTY_PROFILE }
 * ```
 * @module
 */
import { DEFAULT_PROFILE } from "../credentials/profiles.ts";
import { chooseLoginWith, profileNotFound } from "../credentials/select.ts";
import { notAuthenticated } from "../runtime/connect.ts";
import { type Context, credentialsIo } from "../runtime/context.ts";
import { CliError, EXIT } from "../runtime/errors.ts";
import { warn } from "../runtime/output.ts";
import { readingTarget, savedTarget, type Target } from "../runtime/target.ts";

/** The variables a login is handed over with, in the order they are printed. */
export const HANDOFF_VARS = [
  "ALMYTY_TOKEN",
  "ALMYTY_URL",
  "ALMYTY_FRONTEND_URL",
  "ALMYTY_PROFILE",
] as const;

/** One value for each of `HANDOFF_VARS`. */
export type HandoffVars = Record<(typeof HANDOFF_VARS)[number], string>;

/**
 * The login to hand over and its variables. With `--profile`, that profile
 * (an inherited ALMYTY_TOKEN does not stop it: the program's is replaced);
 * otherwise the login that applies here, by the usual rule. Exit 4 when there
 * is none; never an empty token or a missing URL.
 *
 * @example
 * ```ts
 * import { denoContext } from "../runtime/deno_context.ts";
 * const ctx = { ...denoContext(new AbortController().signal), env: { ALMYTY_TOKEN: "almyty_example" } };
 * handoff(ctx, undefined).vars.ALMYTY_URL; // "https://api.almyty.com"
 * ```
 */
export function handoff(
  ctx: Context,
  profile: string | undefined,
): { vars: HandoffVars; target: Target } {
  const io = credentialsIo(ctx, (message) => warn(ctx, message));
  let target: Target | null;
  if (profile !== undefined) {
    const choice = chooseLoginWith(io, { profile });
    target = savedTarget(io, choice);
    if (!target && choice.profile !== DEFAULT_PROFILE) throw profileNotFound(io, choice);
  } else {
    target = readingTarget(io);
  }
  if (!target?.token) throw notAuthenticated(ctx);
  const vars: HandoffVars = {
    ALMYTY_TOKEN: target.token,
    ALMYTY_URL: target.api,
    ALMYTY_FRONTEND_URL: target.frontend,
    // Empty when the ALMYTY_TOKEN pair is handed on: no profile applies (empty counts as unset).
    ALMYTY_PROFILE: target.login?.profile ?? "",
  };
  if (!vars.ALMYTY_TOKEN || !vars.ALMYTY_URL) {
    // Unreachable by construction (a Target has both); refused rather than handed over half.
    throw new CliError("The login has no token or no API URL; nothing was handed over.", EXIT.auth);
  }
  return { vars, target };
}
