/**
 * `almyty-auth login`: token login (CI), the browser/headless flows, or the
 * two-step login for agents and scripts (`--no-wait`, `--continue`,
 * `--cancel`; `login_two_step.ts`), which a plain `login` becomes when an AI
 * agent runs it without a terminal.
 *
 * @example
 * ```sh
 * almyty-auth login --api http://127.0.0.1:8080
 * echo "$KEY" | almyty-auth login --with-token
 * almyty-auth login --no-wait --json
 * ```
 * @module
 */
import { checkKey } from "../login/key_check.ts";
import type { CommandInput } from "../runtime/command.ts";
import { ApiError, isTransient } from "../runtime/api_error.ts";
import { type Context, credentialsIo } from "../runtime/context.ts";
import { CliError, EXIT } from "../runtime/errors.ts";
import { warn } from "../runtime/output.ts";
import { apiKeysPage, loginTarget, type Target } from "../runtime/target.ts";
import { fsErrorText, loginCommand } from "../credentials/fix_hints.ts";
import { TerminalModeError } from "../platform/prompt.ts";
import { chooseLoginWith } from "../credentials/select.ts";
import { isSendableToken, jwtExpiry, quoteTyped, relativeTime } from "../protocol/tokens.ts";
import type { LoginResult } from "../login/result.ts";
import { detectAgent } from "./agent.ts";
import { terminalUi } from "./login_ui.ts";
import { checkSavable, saveLogin } from "./save_login.ts";

const DEFAULT_TIMEOUT_SECONDS = 300;
/** The most of stdin `--with-token` reads: a key is a line (a JWT a few KiB), never more. */
const MAX_KEY_INPUT_BYTES = 64 * 1024;
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
  const mode = loginMode(ctx, flags);
  // Not for --continue and --cancel: they act where the pending login started, whatever ALMYTY_URL says.
  const profile = flags.profile as string | undefined;
  const targetOfFlags = () =>
    loginTarget(
      {
        api: flags.api as string | undefined,
        frontend: flags.frontend as string | undefined,
        profile,
      },
      credentialsIo(ctx, () => {}),
    );
  if (mode.kind !== "interactive") {
    const two = await import("./login_two_step.ts");
    const json = flags.json === true;
    let chosen: string | null = null;
    // With --json, what fails before the two-step run (the login a folder may not choose, a bad
    // --wait or --api, a folder that cannot be written) is an object on stdout too, as in the run.
    const checked = <T>(work: () => T): T => {
      try {
        return work();
      } catch (error) {
        if (json) two.printFailure(ctx, chosen, error);
        throw error;
      }
    };
    // The login the selection rule chooses (ALMYTY_TOKEN aside: a login writes a file).
    chosen = checked(() => chooseLoginWith(credentialsIo(ctx, () => {}), { profile }).profile);
    const run = {
      profile: chosen,
      json,
      qr: flags.qr === true,
      commit: (target: Target, result: LoginResult) => saveLogin(ctx, target, result),
    };
    if (mode.kind === "cancel") return await two.cancel(ctx, run);
    if (mode.kind === "continue") {
      return await two.finishContinue(ctx, run, {
        waitMs: checked(() => parseSeconds("--wait", flags.wait as string | undefined, 0, 0)) *
          1000,
        api: flags.api as string | undefined,
      });
    }
    const target = checked(() => {
      const target = targetOfFlags();
      checkSavable(ctx, target); // before the device code: nothing is started that cannot be saved
      return target;
    });
    return await two.noWait(ctx, target, run, {
      restart: flags.restart === true,
      agent: mode.agent,
    });
  }
  const target = targetOfFlags();
  const timeoutMs =
    parseSeconds("--timeout", flags.timeout as string | undefined, 1, DEFAULT_TIMEOUT_SECONDS) *
    1000;
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
    const token = fromStdin ? await readTokenFromStdin(ctx, target) : tokenFlag!.trim();
    // The key goes in as it came: piped again, or typed at the prompt again.
    const retry = loginCommand(target, "--with-token") +
      (ctx.stdin.isTerminal && fromStdin ? "" : " < key.txt");
    await tokenLogin(ctx, target, token, retry);
    return EXIT.ok;
  }
  // Before the browser or the device code: nothing is minted that could not be saved.
  checkSavable(ctx, target);
  const { login } = await import("../login/engine.ts");
  await login(ctx, target, terminalUi(ctx, { qr: flags.qr === true }), {
    noBrowser: flags["no-browser"] === true,
    timeoutMs,
    commit: (result, ended) => saveLogin(ctx, target, result, ended),
  });
  return EXIT.ok;
}

/** Which login runs, with the flags that go with it checked. */
type LoginMode =
  | { kind: "interactive" }
  | { kind: "no-wait"; agent: string | null }
  | { kind: "continue" }
  | { kind: "cancel" };

/** The flags each two-step mode accepts (besides --json and --profile). */
const TWO_STEP_FLAGS: Record<string, string[]> = {
  // --qr: the first step shows the code on the terminal, and names --qr when it is too short.
  "no-wait": ["api", "frontend", "restart", "no-browser", "qr"],
  continue: ["wait", "api"],
  cancel: [],
};

function loginMode(ctx: Context, flags: CommandInput["flags"]): LoginMode {
  const usage = (message: string) => new CliError(message, EXIT.usage);
  const steps = ["no-wait", "continue", "cancel"].filter((name) => flags[name] === true);
  if (steps.length > 1) {
    throw usage(`Use one of ${steps.map((s) => `--${s}`).join(" and ")}, not both.`);
  }
  const step = steps[0];
  if (step) {
    const allowed = [step, "json", "profile", ...TWO_STEP_FLAGS[step]];
    const other = Object.keys(flags).find((name) =>
      flags[name] !== undefined && !allowed.includes(name)
    );
    if (other) {
      const hint = other === "timeout" && step === "continue"
        ? " (--continue waits with --wait <seconds>)"
        : other === "wait-for-approval" || other === "timeout"
        ? " (a two-step login never waits for the approval in the first step)"
        : (other === "api" || other === "frontend") && step !== "no-wait"
        ? ` (--${step} acts on the pending login where it was started)`
        : "";
      throw usage(`--${other} does not go with --${step}${hint}: run it without --${other}.`);
    }
    return { kind: step } as LoginMode;
  }
  for (const name of ["wait", "restart", "json"]) {
    if (flags[name] === undefined) continue;
    const tokenLogin = flags.token !== undefined || flags["with-token"] === true;
    if (tokenLogin || flags["wait-for-approval"] || !agentRunning(ctx)) {
      throw usage(
        `--${name} goes with ${
          name === "wait"
            ? "--continue"
            : name === "restart"
            ? "--no-wait"
            : "--no-wait, --continue or --cancel"
        }.`,
      );
    }
  }
  if (flags.token !== undefined || flags["with-token"] === true) {
    if (flags["wait-for-approval"]) {
      throw usage("--wait-for-approval does not go with a token login (it never waits).");
    }
    return { kind: "interactive" };
  }
  if (flags["wait-for-approval"]) return { kind: "interactive" };
  const agent = agentRunning(ctx);
  return agent ? { kind: "no-wait", agent } : { kind: "interactive" };
}

/** The agent variable that is set, when stdin is not a terminal (a person could answer there). */
function agentRunning(ctx: Context): string | null {
  return ctx.stdin.isTerminal ? null : detectAgent(ctx.env);
}

/** A number of seconds from `min` to a day; `fallback` when the flag is absent. */
function parseSeconds(
  flag: string,
  value: string | undefined,
  min: number,
  fallback: number,
): number {
  if (value === undefined) return fallback;
  const seconds = Number(value);
  if (
    value.trim() === "" || !Number.isFinite(seconds) || seconds < min ||
    seconds > MAX_TIMEOUT_SECONDS
  ) {
    throw new CliError(
      `${flag} takes a number of seconds from ${min} to ${MAX_TIMEOUT_SECONDS}, got ${
        quoteTyped(value)
      }.`,
      EXIT.usage,
    );
  }
  return seconds;
}

async function readTokenFromStdin(ctx: Context, target: Target): Promise<string> {
  if (!ctx.stdin.isTerminal) {
    const pipeHint = `Pipe the key itself: ${loginCommand(target, "--with-token")} < key.txt`;
    let text: string | null;
    try {
      text = await ctx.stdin.readText(MAX_KEY_INPUT_BYTES);
    } catch (error) {
      throw new CliError(
        `Cannot read the API key from stdin: ${fsErrorText(error)}. ${pipeHint}`,
        EXIT.usage,
      );
    }
    if (text === null) {
      throw new CliError(
        `stdin holds more than ${
          MAX_KEY_INPUT_BYTES / 1024
        } KiB, which no API key is; nothing was sent. ${pipeHint}`,
        EXIT.usage,
      );
    }
    return text.trim();
  }
  // A person at a terminal: say where keys come from, then ask, without showing what is
  // typed or pasted; an empty Enter asks again.
  ctx.stderr.write(`Create an API key at ${apiKeysPage(target)} if you have none.\n`);
  for (;;) {
    let key: string | null;
    try {
      key = await ctx.stdin.readLine({
        prompt: "Paste your API key (it is not shown), then press Enter: ",
        echo: false,
        signal: ctx.signal,
      });
    } catch (error) {
      if (!(error instanceof TerminalModeError)) throw error;
      throw new CliError(
        `Cannot ask for the key here: ${error.message}, so it would be shown. ` +
          `Pipe it instead: ${loginCommand(target, "--with-token")} < key.txt`,
        EXIT.usage,
      );
    }
    ctx.signal.throwIfAborted();
    if (key === null) {
      throw new CliError("No API key was entered. Nothing was saved.", EXIT.usage);
    }
    if (key.trim()) return key.trim();
    ctx.stderr.write("Nothing was entered: paste the key, or press Ctrl-C to cancel.\n");
  }
}

/** Validates the key with `GET /auth/profile`, then saves it. */
async function tokenLogin(
  ctx: Context,
  target: Target,
  token: string,
  retry: string,
): Promise<void> {
  if (!token) {
    throw new CliError(
      `The API key is empty. Pass the key itself, e.g. ${
        loginCommand(target, "--with-token")
      } < key.txt`,
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
    await saveLogin(ctx, target, await checkKey(ctx, target, token, "supplied", terminalUi(ctx)));
  } catch (error) {
    if (error instanceof ApiError && error.kind === "auth") {
      // production answers an expired JWT with "API key is required": read its `exp` instead.
      const expired = jwtExpiry(token);
      if (expired !== null && expired <= ctx.now()) {
        throw new CliError(
          `${target.api} rejected this token (401): it is a JWT (a session token) that expired ` +
            `${relativeTime(expired, ctx.now())}. Nothing was saved.\nLog in for a long-lived ` +
            `API key instead: ${loginCommand(target)}`,
          EXIT.auth,
        );
      }
      throw new CliError(
        `${target.api} rejected this API key (401). Nothing was saved.\n` +
          `Check that the key is complete, not revoked, and meant for ${target.api} ` +
          "(for another environment, pass its API with --api <url>).",
        EXIT.auth,
      );
    }
    if (error instanceof ApiError && isTransient(error)) {
      // The key was never judged: the same command may well work in a while.
      throw new CliError(
        `${error.message}\nThe key was not checked, and nothing was saved. Try again${
          error.retryAfter
            ? ` in ${error.retryAfter} s`
            : error.kind === "http"
            ? " in a minute"
            : ""
        }: ${retry}`,
        EXIT.error,
      );
    }
    throw error;
  }
}
