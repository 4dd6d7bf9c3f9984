/**
 * `login --no-wait`, `login --continue` and `login --cancel`: the two-step
 * login (`login/two_step.ts`) rendered for a person on stderr and, with
 * `--json`, for a program on stdout (one object per run, whatever happens).
 * The device code is never printed; the approval is saved by the same save
 * as every other login.
 *
 * @example
 * ```sh
 * almyty-auth login --no-wait --json     # {"status":"pending","user_code":"BCDF-GHJK",…}
 * almyty-auth login --continue --wait 60 # exit 0 saved, 8 not approved yet, 1 denied/expired
 * ```
 * @module
 */
import { DEFAULT_PROFILE } from "../credentials/profiles.ts";
import type { LoginResult } from "../login/result.ts";
import type { PendingLogin } from "../login/pending.ts";
import type { ForgetOutcome, PendingLock, TwoStepOptions } from "../login/two_step.ts";
import { describeOrganization } from "../runtime/account.ts";
import type { Context } from "../runtime/context.ts";
import { credentialsIo } from "../runtime/context.ts";
import { CliError, EXIT, exitCodeFor, messageFor } from "../runtime/errors.ts";
import { line, paint, printJson } from "../runtime/output.ts";
import { apiKeysPage, loginTarget, type Target } from "../runtime/target.ts";
import { loginCommand } from "../credentials/fix_hints.ts";
import { checkServiceUrl, displayUrl } from "../protocol/urls.ts";
import { withLoginLock } from "../runtime/login_lock.ts";
import { pendingLoginNames } from "../login/pending_path.ts";
import { chooseOpener } from "../login/browser.ts";
import { terminalUi } from "./login_ui.ts";
import { duration, expiry } from "./pending_note.ts";

/** What the two-step commands share. */
export interface TwoStepRun {
  /** The login: "default" or a profile's name. */
  profile: string;
  json: boolean;
  /** `--qr`: show the QR code even on a short terminal. */
  qr: boolean;
  /** Saves an approved login: the same save as every login (`cli/login.ts`). */
  commit(target: Target, result: LoginResult): Promise<void>;
}

/** The login's target at the pending login's API and frontend, whatever the environment says. */
function targetFor(ctx: Context, pending: PendingLogin): Target {
  return loginTarget(
    { api: pending.api, frontend: pending.frontend, profile: pending.profile },
    credentialsIo(ctx, () => {}),
  );
}

/**
 * The engine's options for this run; the pending login's lock is the login
 * files' kernel-released lock, on the pending file.
 */
function engine(ctx: Context, run: Pick<TwoStepRun, "profile">): TwoStepOptions {
  const lock: PendingLock = (path, work) => withLoginLock(ctx, path, work);
  return { profile: run.profile, lock, targetFor: (p) => targetFor(ctx, p) };
}

/** What a program needs to show the person the URL and code again. */
function pendingJson(run: TwoStepRun, pending: PendingLogin): Record<string, unknown> {
  return {
    status: "pending",
    verification_uri: pending.verificationUri,
    verification_uri_complete: pending.verificationUriComplete,
    user_code: pending.userCode,
    expires_at: pending.expiresAt,
    interval: pending.interval,
    api: pending.api,
    profile: run.profile,
    next_step: loginCommand({ login: run }, "--continue"),
  };
}

/** Ends a run: the JSON object (with `--json`) and the exit code. */
function finish(
  ctx: Context,
  run: TwoStepRun,
  code: number,
  json: Record<string, unknown>,
): number {
  if (run.json) printJson(ctx, json);
  return code;
}

/** With `--json`, a failure is an object on stdout too (and its message on stderr, as always). */
async function reporting(ctx: Context, run: TwoStepRun, work: () => Promise<number>) {
  try {
    return await work();
  } catch (error) {
    if (run.json) printFailure(ctx, run.profile, error);
    throw error;
  }
}

/**
 * The `--json` object of a failure: `status` "error", its message and exit
 * code, and the login (null when it could not be chosen: a name that is not
 * one is never echoed, it may be a key).
 *
 * @example
 * ```ts
 * import { denoContext } from "../runtime/deno_context.ts";
 * const ctx = denoContext(new AbortController().signal);
 * printFailure(ctx, "default", new Error("boom")); // {"status": "error", …, "exit_code": 1, …}
 * ```
 */
export function printFailure(ctx: Context, profile: string | null, error: unknown): void {
  const interrupted = ctx.signal.aborted;
  printJson(ctx, {
    status: "error",
    message: messageFor(error, interrupted),
    exit_code: exitCodeFor(error, interrupted),
    profile,
  });
}

/** The URL and code for the person, and what to run next (stderr). */
async function showPending(ctx: Context, run: TwoStepRun, pending: PendingLogin): Promise<void> {
  const expiresAt = Date.parse(pending.expiresAt);
  await terminalUi(ctx, { qr: run.qr }).showCode({
    verificationUri: pending.verificationUri,
    verificationUriComplete: pending.verificationUriComplete,
    userCode: pending.userCode,
    expiresAt,
  });
  line(ctx.stderr, `The code expires ${expiry(ctx, pending)}. Once it is approved, finish with:`);
  line(
    ctx.stderr,
    "  " + paint(ctx, ctx.stderr, "bold", loginCommand({ login: run }, "--continue")),
  );
  line(ctx.stderr, "(exit 0: logged in; 8: not approved yet, run it again; 1: denied or expired)");
}

/**
 * `login --no-wait`: starts the login (or shows the one already pending),
 * prints, and exits at once. `agent` names the variable that made a plain
 * `login` take this path.
 *
 * @example
 * ```ts
 * import { denoContext } from "../runtime/deno_context.ts";
 * const ctx = { ...denoContext(new AbortController().signal), env: { HOME: Deno.makeTempDirSync() } };
 * const run = { profile: "default", json: false, qr: false, commit: () => Promise.resolve() };
 * import { loginTarget } from "../runtime/target.ts";
 * const target = loginTarget({ api: "http://127.0.0.1:9" }, { fs: ctx.fs, env: ctx.env });
 * await noWait(ctx, target, run, { restart: false, agent: null }).catch((error) => error.message); // nothing listens on :9
 * ```
 */
export function noWait(
  ctx: Context,
  target: Target,
  run: TwoStepRun,
  options: { restart: boolean; agent: string | null },
): Promise<number> {
  return reporting(ctx, run, async () => {
    const { start } = await import("../login/two_step.ts");
    const outcome = await start(ctx, target, { ...engine(ctx, run), restart: options.restart });
    if (outcome.kind === "unsupported") {
      return unsupported(ctx, run, outcome.target, Boolean(options.agent));
    }
    if (options.agent) {
      line(
        ctx.stderr,
        `${options.agent} is set (an AI agent runs this) and stdin is not a terminal, so this ` +
          "login does not wait for the approval: show the person the URL and code below. " +
          `To wait here instead: ${loginCommand(target, "--wait-for-approval")}`,
      );
    }
    if (outcome.kind === "existing" && outcome.pending.grant) {
      // Approved, but a crash kept it from being saved: finish it now.
      return await finishContinue(ctx, run, { waitMs: 0 });
    }
    if (outcome.kind === "existing") {
      line(
        ctx.stderr,
        `A login for ${outcome.pending.api} is already waiting for approval (same code); ` +
          `for a new code: ${loginCommand(target, "--no-wait", "--restart")}`,
      );
    } else if (outcome.replaced) {
      const { replaced } = outcome;
      line(
        ctx.stderr,
        `Replaced the login that was waiting for approval at ${replaced.api}.` +
          (replaced.grant && outcome.server !== "revoked"
            ? ` It had been approved but not saved, and its key could not be revoked: revoke it ` +
              `at ${apiKeysPage(targetFor(ctx, replaced))}.`
            : ""),
      );
    }
    await showPending(ctx, run, outcome.pending);
    return finish(ctx, run, EXIT.ok, pendingJson(run, outcome.pending));
  });
}

/**
 * A server without the device flow (today's production): the ways that work. Where a browser
 * opens on this machine (an agent on the person's laptop), that is one: a browser login that
 * waits here, the key never passing through the agent's shell.
 */
function unsupported(ctx: Context, run: TwoStepRun, target: Target, agent: boolean): number {
  const withToken = loginCommand(target, "--with-token");
  const page = apiKeysPage(target);
  const browser = chooseOpener(ctx.env, ctx.fs.platform, ctx.osRelease()).kind === "launch";
  const message = `${target.api} has no headless login (neither has almyty's production today), ` +
    "so a login cannot be started here and finished later. Nothing was saved. Instead, create " +
    `an API key at ${page} and pipe it to: ${withToken}` +
    (browser
      ? ". Or, as a browser opens on this machine, log in through it, waiting here for the " +
        `person to approve: ${loginCommand(target, ...(agent ? ["--wait-for-approval"] : []))}`
      : "");
  line(ctx.stderr, message);
  return finish(ctx, run, EXIT.error, {
    status: "unsupported",
    message,
    api: target.api,
    profile: run.profile,
    api_keys_page: page,
    next_step: withToken,
  });
}

/**
 * `login --continue`: one check, or a wait of up to `waitMs`, then the
 * outcome: 0 saved, 8 still pending, 1 denied, expired or nothing pending.
 *
 * @example
 * ```ts
 * import { denoContext } from "../runtime/deno_context.ts";
 * const ctx = { ...denoContext(new AbortController().signal), env: { HOME: Deno.makeTempDirSync() } };
 * const run = { profile: "default", json: false, qr: false, commit: () => Promise.resolve() };
 * await finishContinue(ctx, run, { waitMs: 0 }); // 1: "No login is waiting for approval. Start one: …"
 * ```
 */
export function finishContinue(
  ctx: Context,
  run: TwoStepRun,
  options: { waitMs: number; api?: string },
): Promise<number> {
  return reporting(ctx, run, async () => {
    const { resume } = await import("../login/two_step.ts");
    const { readPending } = await import("../login/pending.ts");
    const pending = readPending(credentialsIo(ctx, (w) => line(ctx.stderr, w)), run.profile);
    const api = options.api === undefined
      ? undefined
      : displayUrl(checkServiceUrl(options.api, "--api"));
    if (pending && api !== undefined && api !== pending.api) {
      throw new CliError(
        `The pending login is for ${pending.api}, not ${api}: --continue always finishes it ` +
          `where it started. Run ${
            loginCommand({ login: run }, "--continue")
          }, or start another with ` +
          `${loginCommand({ login: run, api }, "--no-wait", "--restart")}`,
        EXIT.usage,
      );
    }
    if (pending && options.waitMs > 0 && !pending.grant) {
      line(ctx.stderr, `Waiting up to ${duration(options.waitMs)} for the approval…`);
    }
    let outcome;
    try {
      outcome = await resume(ctx, {
        ...engine(ctx, run),
        waitMs: options.waitMs,
        commit: run.commit,
      });
    } catch (error) {
      let kept: PendingLogin | null = null;
      try {
        kept = readPending(credentialsIo(ctx, () => {}), run.profile);
      } catch { /* unreadable now: nothing to promise */ }
      throw kept ? keptNote(ctx, run, error, kept) : error;
    }
    // Starting again keeps the API it was at (and the profile).
    const again = (where: { api?: string; frontend?: string }) =>
      loginCommand({ login: run, ...where }, "--no-wait");
    switch (outcome.kind) {
      case "approved": {
        const { approved, pending } = outcome;
        if (!approved.savedHere) {
          const org = approved.organization
            ? ` (${describeOrganization(approved.organization)})`
            : "";
          line(
            ctx.stderr,
            `Logged in as ${approved.email}${org}: another almyty-auth login --continue ` +
              "finished this login at the same time and saved it.",
          );
        }
        return finish(ctx, run, EXIT.ok, {
          status: "approved",
          email: approved.email,
          organization: approved.organization ?? null,
          api: pending.api,
          profile: run.profile,
          key_origin: approved.keyOrigin,
        });
      }
      case "pending": {
        const failing = outcome.lastFailure
          ? ` The server is failing meanwhile (${outcome.lastFailure.message}).`
          : "";
        line(
          ctx.stderr,
          `Not approved yet: the login is still waiting for the person to approve code ` +
            `${outcome.pending.userCode} at ${outcome.pending.verificationUriComplete} ` +
            `(the code expires ${expiry(ctx, outcome.pending)}).${failing} ` +
            `Run ${
              loginCommand({ login: run }, "--continue")
            } again (add --wait <seconds> to wait here).`,
        );
        return finish(ctx, run, EXIT.pending, pendingJson(run, outcome.pending));
      }
      case "denied":
        return over(
          ctx,
          run,
          "denied",
          `The login was denied in the browser. Nothing was saved. ` +
            `To try again: ${again(outcome.pending)}`,
          again(outcome.pending),
        );
      case "expired":
        return over(
          ctx,
          run,
          "expired",
          (outcome.unknownToServer
            ? `${outcome.pending.api} no longer knows this login's code (it was used, or the ` +
              "server restarted)."
            : "The login code expired before it was approved.") +
            ` Nothing was saved. Start again: ${again(outcome.pending)}`,
          again(outcome.pending),
        );
      case "no_pending": {
        const none = `No login is waiting for approval${
          run.profile === DEFAULT_PROFILE ? "" : ` for profile ${run.profile}`
        }`;
        // Another login's is (the --profile forgotten, or given by mistake): finish that one
        // rather than start a second code for the person to approve.
        const other = otherPending(ctx, run.profile);
        if (other !== null) {
          const finish = loginCommand({ login: named(other) }, "--continue");
          return over(
            ctx,
            run,
            "no_pending",
            `${none}, but one is for ${loginName(other)}: finish it with ${finish} (or start ` +
              `one here: ${again({ api })})`,
            finish,
          );
        }
        return over(
          ctx,
          run,
          "no_pending",
          `${none}. Start one: ${again({ api })}`,
          again({ api }),
        );
      }
    }
  });
}

/**
 * A `--continue` that stopped (Ctrl-C, a lock held elsewhere, a failing
 * server) with the pending login still there: the error, and that the login
 * is kept — approved and waiting to be saved, or still waiting for the
 * approval — with the command that finishes it.
 */
function keptNote(ctx: Context, run: TwoStepRun, error: unknown, pending: PendingLogin): CliError {
  const interrupted = ctx.signal.aborted;
  const next = loginCommand({ login: run }, "--continue");
  const note = pending.grant
    ? `The login was approved and is kept, with its new key, until it is saved: run ${next} to save it.`
    : `The login is still waiting for approval (code ${pending.userCode}): run ${next} again.`;
  return new CliError(
    `${messageFor(error, interrupted)}\n${note}`,
    exitCodeFor(error, interrupted),
  );
}

/** A two-step login that is over (denied, expired, none): 1, and the command that starts again. */
function over(
  ctx: Context,
  run: TwoStepRun,
  status: string,
  message: string,
  nextStep: string,
): number {
  line(ctx.stderr, message);
  return finish(ctx, run, EXIT.error, {
    status,
    message,
    profile: run.profile,
    next_step: nextStep,
  });
}

/**
 * `login --cancel`: forgets the pending login; its server hears it (best
 * effort), so the code can no longer be approved. Safe to repeat.
 *
 * @example
 * ```ts
 * import { denoContext } from "../runtime/deno_context.ts";
 * const ctx = { ...denoContext(new AbortController().signal), env: { HOME: Deno.makeTempDirSync() } };
 * const run = { profile: "default", json: false, qr: false, commit: () => Promise.resolve() };
 * await cancel(ctx, run); // 0: "No login is waiting for approval; nothing to cancel."
 * ```
 */
export function cancel(ctx: Context, run: TwoStepRun): Promise<number> {
  return reporting(ctx, run, async () => {
    const { forget } = await import("../login/two_step.ts");
    const outcome = await forget(ctx, engine(ctx, run));
    if (outcome.kind === "no_pending") {
      // Another login's is (`--profile` forgotten): its code stays approvable, so it is named.
      const other = otherPending(ctx, run.profile);
      const cancelOther = other === null ? null : loginCommand({ login: named(other) }, "--cancel");
      line(
        ctx.stderr,
        `No login is waiting for approval${
          run.profile === DEFAULT_PROFILE ? "" : ` for profile ${run.profile}`
        }; nothing to cancel.${
          cancelOther ? ` One is for ${loginName(other!)}: to cancel it, run ${cancelOther}` : ""
        }`,
      );
      return finish(ctx, run, EXIT.ok, {
        status: "no_pending",
        profile: run.profile,
        ...(cancelOther ? { next_step: cancelOther } : {}),
      });
    }
    if (outcome.kind === "finished") {
      line(
        ctx.stderr,
        `Another almyty-auth finished the login at ${outcome.pending.api} meanwhile (a --continue ` +
          "saved it, or it was denied, expired or cancelled), so nothing was cancelled. " +
          `almyty-auth status${
            run.profile === DEFAULT_PROFILE ? "" : ` --profile ${run.profile}`
          } shows the login you have.`,
      );
      return finish(ctx, run, EXIT.ok, { status: "finished", profile: run.profile });
    }
    line(ctx.stderr, forgottenText(ctx, outcome));
    return finish(ctx, run, EXIT.ok, {
      status: "cancelled",
      profile: run.profile,
      server: outcome.server,
    });
  });
}

/**
 * `logout` of a login also forgets its pending two-step login (its server is
 * told, best effort), so a later `--continue` cannot log back in.
 *
 * @example
 * ```ts
 * import { denoContext } from "../runtime/deno_context.ts";
 * const ctx = { ...denoContext(new AbortController().signal), env: { HOME: Deno.makeTempDirSync() } };
 * await forgetOnLogout(ctx, "default"); // nothing was pending: nothing to say
 * ```
 */
export async function forgetOnLogout(ctx: Context, profile: string): Promise<void> {
  const { forget } = await import("../login/two_step.ts");
  const outcome = await forget(ctx, engine(ctx, { profile }));
  if (outcome.kind === "forgotten") {
    // What became of it, as `login --cancel` says: an approved key left live is named.
    const text = forgottenText(ctx, outcome);
    line(ctx.stderr, `Logging out: ${text[0].toLowerCase()}${text.slice(1)}`);
  }
}

/** What became of a forgotten pending login: its server told, or what is still live and where. */
function forgottenText(
  ctx: Context,
  { pending, server }: Extract<ForgetOutcome, { kind: "forgotten" }>,
): string {
  const where = pending ? ` at ${pending.api}` : "";
  return server === "cancelled"
    ? `Cancelled the login that was waiting for approval${where}: its code can no longer be approved.`
    : server === "revoked"
    ? `Cancelled the login${where}: it had been approved but not saved, so its new key was revoked.`
    : `Forgot the login that was waiting for approval${where}. ` +
      (pending?.grant
        ? `Its key could not be revoked: revoke it at ${apiKeysPage(targetFor(ctx, pending))}.`
        : "The server was not told (it has no cancel endpoint, or did not answer), " +
          "so the code stays valid until it expires, but nothing here will use it.");
}

/** A login as a message names it. */
function loginName(profile: string): string {
  return profile === DEFAULT_PROFILE ? "the default login" : `profile ${profile}`;
}

/**
 * Another login, as a hint names it: by its --profile even when it is the default one, since
 * what chose this login (ALMYTY_PROFILE, a folder) would choose it again.
 */
function named(profile: string): { profile: string; named: boolean } {
  return { profile, named: true };
}

/** A login other than `profile` with a two-step login pending, or null. */
function otherPending(ctx: Context, profile: string): string | null {
  const others = pendingLoginNames(credentialsIo(ctx, () => {})).filter((name) => name !== profile);
  return others.includes(DEFAULT_PROFILE) ? DEFAULT_PROFILE : others[0] ?? null;
}
