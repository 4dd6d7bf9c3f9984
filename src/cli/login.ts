/**
 * `almyty-auth login`: token login (CI), or the browser/headless flows.
 *
 * @example
 * ```sh
 * almyty-auth login --api http://127.0.0.1:8080
 * echo "$KEY" | almyty-auth login --with-token
 * ```
 * @module
 */
import { checkKey } from "../login/key_check.ts";
import type { CommandInput } from "../runtime/command.ts";
import { ApiError } from "../runtime/api_error.ts";
import { type Context, credentialsIo } from "../runtime/context.ts";
import { CliError, EXIT } from "../runtime/errors.ts";
import { warn } from "../runtime/output.ts";
import { loginTarget, type Target } from "../runtime/target.ts";
import { isSendableToken } from "../protocol/tokens.ts";
import { terminalUi } from "./login_ui.ts";
import { saveLogin } from "./save_login.ts";

const DEFAULT_TIMEOUT_SECONDS = 300;
/** Longest --timeout: a day (timers overflow past 2^31 ms). */
export const MAX_TIMEOUT_SECONDS = 86_400;

/**
 * Runs the command.
 *
 * @example
 * ```ts
 * import { denoContext } from "../runtime/deno_context.ts";
 * const ctx = { ...denoContext(new AbortController().signal), env: { HOME: Deno.makeTempDirSync() } };
 * await run(ctx, { flags: { token: "almyty_example", api: "http://127.0.0.1:9" }, positionals: [] }).catch((error) => error.message);
 * ```
 */
export async function run(ctx: Context, { flags }: CommandInput): Promise<number> {
  const target = loginTarget(
    { api: flags.api as string | undefined, frontend: flags.frontend as string | undefined },
    credentialsIo(ctx, () => {}),
  );
  const timeoutMs = parseTimeout(flags.timeout as string | undefined);
  const tokenFlag = flags.token as string | undefined;
  if (tokenFlag !== undefined || flags["with-token"]) {
    if (tokenFlag !== undefined && flags["with-token"]) {
      throw new CliError("Use either --token or --with-token, not both.", EXIT.usage);
    }
    const fromStdin = flags["with-token"] === true || tokenFlag === "-";
    if (!fromStdin) {
      warn(
        ctx,
        "--token puts the key in your shell history and `ps`; prefer piping it to --with-token.",
      );
    }
    const token = fromStdin ? await readTokenFromStdin(ctx) : tokenFlag!.trim();
    await tokenLogin(ctx, target, token);
    return EXIT.ok;
  }
  const { login } = await import("../login/engine.ts");
  await login(ctx, target, terminalUi(ctx), {
    noBrowser: flags["no-browser"] === true,
    timeoutMs,
    commit: (result) => saveLogin(ctx, target, result),
  });
  return EXIT.ok;
}
function parseTimeout(value: string | undefined): number {
  if (value === undefined) return DEFAULT_TIMEOUT_SECONDS * 1000;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > MAX_TIMEOUT_SECONDS) {
    throw new CliError(
      `--timeout takes a number of seconds from 1 to ${MAX_TIMEOUT_SECONDS}, got "${value}".`,
      EXIT.usage,
    );
  }
  return seconds * 1000;
}

async function readTokenFromStdin(ctx: Context): Promise<string> {
  if (!ctx.stdin.isTerminal) return (await ctx.stdin.readText()).trim();
  // A person at a terminal: ask, without showing what is typed or pasted.
  const key = await ctx.stdin.readLine({
    prompt: "Paste your API key (it is not shown), then press Enter: ",
    echo: false,
    signal: ctx.signal,
  });
  ctx.signal.throwIfAborted();
  if (key === null) {
    throw new CliError("No API key was entered. Nothing was saved.", EXIT.usage);
  }
  return key.trim();
}

/** Validates the key with `GET /auth/profile`, then saves it. */
async function tokenLogin(ctx: Context, target: Target, token: string): Promise<void> {
  if (!token) {
    throw new CliError(
      "The API key is empty. Pass the key itself, e.g. --with-token < key.txt",
      EXIT.usage,
    );
  }
  if (!isSendableToken(token)) {
    throw new CliError(
      "The API key contains spaces or control characters (a line break, a tab, a NUL); pass exactly one key.",
      EXIT.usage,
    );
  }
  try {
    await saveLogin(ctx, target, await checkKey(ctx, target, token, "supplied"));
  } catch (error) {
    if (error instanceof ApiError && error.kind === "auth") {
      throw new CliError(
        `${target.api} rejected this API key (401). Nothing was saved.\n` +
          `Check that the key is complete, not revoked, and meant for ${target.api} ` +
          "(for another environment, pass its API with --api <url>).",
        EXIT.auth,
      );
    }
    throw error;
  }
}
