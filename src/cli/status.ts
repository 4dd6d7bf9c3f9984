/**
 * `almyty-auth status`: which credentials apply, from where, and whether the
 * server accepts them, without changing anything. A URL the https-or-loopback
 * rule refuses is reported and never contacted.
 *
 * @example
 * ```sh
 * almyty-auth status --offline --json
 * ```
 * @module
 */
import { ApiError } from "../runtime/api_error.ts";
import type { Target } from "../runtime/target.ts";
import { loginCommand } from "../credentials/fix_hints.ts";
import { windowsProtection } from "../credentials/fix_hints.ts";
import { credentialsPathWith, homeDirectoryWith } from "../credentials/path.ts";
import { CredentialsError } from "../credentials/types.ts";
import { sharedFileProblem } from "../credentials/read.ts";
import { relativeTime, TokenFormatError, tokenKind } from "../protocol/tokens.ts";
import { stripControl } from "../protocol/text.ts";
import { UrlRuleError } from "../protocol/urls.ts";
import type { CommandInput } from "../runtime/command.ts";
import {
  apiFor,
  currentTarget,
  describeSource,
  ENV_OVERRIDES,
  ignoredUrlNote,
  loginJson,
  loginLine,
  notAuthenticated,
  reloginFix,
  shownEnvUrl,
  tokenExpiry,
} from "../runtime/connect.ts";
import { type Context, credentialsIo } from "../runtime/context.ts";
import { EXIT, exitCodeFor } from "../runtime/errors.ts";
import { loginPathWith } from "../credentials/profiles.ts";
import { chooseLoginWith } from "../credentials/select.ts";
import type { SelectOptions } from "../credentials/types.ts";
import { line, maskToken, printJson, wrapForTerminal } from "../runtime/output.ts";
import { pendingJson, pendingNote } from "./pending_note.ts";

interface ServerCheck {
  checked: boolean;
  accepted?: boolean;
  email?: string;
  error?: string;
}

/**
 * Runs the command.
 *
 * @example
 * ```ts
 * import { denoContext } from "../runtime/deno_context.ts";
 * const ctx = { ...denoContext(new AbortController().signal), env: { HOME: Deno.makeTempDirSync() } };
 * await run(ctx, { flags: { offline: true }, positionals: [] }).catch((error) => error.message);
 * ```
 */
export async function run(ctx: Context, { flags }: CommandInput): Promise<number> {
  const options = { profile: flags.profile as string | undefined };
  const envToken = Boolean(ctx.env.ALMYTY_TOKEN);
  let problem: string | undefined;
  let problemCode: string | null = null;
  let problemExit: number = EXIT.error;
  let target: Target | null = null;
  try {
    target = currentTarget(ctx, options);
  } catch (error) {
    if (
      !(error instanceof CredentialsError || error instanceof UrlRuleError ||
        error instanceof TokenFormatError)
    ) throw error;
    problem = error.message;
    problemExit = exitCodeFor(error, false);
    if (error instanceof CredentialsError) problemCode = error.code;
  }
  const profile = target ? target.login?.profile ?? null : chosenProfile(ctx, options);
  const path = target?.path ?? (profile === null
    ? credentialsPathWith(credentialsIo(ctx)) // the problem is reported as such
    : loginPathWith(credentialsIo(ctx, () => {}), profile));
  // With ALMYTY_TOKEN set the file is not opened, as for every other command.
  const file = envToken ? null : fileFacts(ctx, path);
  // A two-step login waiting for this login (none applies under ALMYTY_TOKEN).
  const pending = envToken || profile === null ? null : await pendingNote(ctx, profile);
  let server: ServerCheck = { checked: false };
  if (target && !flags.offline) {
    try {
      const profile = await apiFor(ctx, target).profile();
      server = { checked: true, accepted: true, email: stripControl(String(profile.email)) };
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      server = {
        checked: true,
        accepted: error.kind === "auth" ? false : undefined,
        error: error.message,
      };
    }
  }
  const expiresAt = target?.token ? tokenExpiry(target) : null;
  const report = {
    authenticated: Boolean(target),
    token: target?.token
      ? {
        masked: maskToken(target.token),
        source: target.source.token,
        kind: tokenKind(target.token),
        expiresAt: expiresAt === null ? null : new Date(expiresAt).toISOString(),
        origin: target.file?.keyOrigin ?? null,
      }
      : null,
    profile: target ? loginJson(target) : null,
    url: target ? { value: target.api, source: target.source.api } : null,
    frontendUrl: target ? { value: target.frontend, source: target.source.frontend } : null,
    ignoredEnvUrl: shownEnvUrl(target?.ignoredEnvUrl),
    file: envToken ? { path, read: false } : { path, read: true, ...file },
    envOverrides: ENV_OVERRIDES.filter((name) => ctx.env[name]),
    problem: problem ?? null,
    problemCode,
    // What almyty's other CLIs cannot read in credentials.json (20.12), or null.
    otherClis: envToken || path !== credentialsPathWith(credentialsIo(ctx))
      ? null
      : sharedProblem(ctx, path),
    server,
    // A two-step login waiting for this login: how it stands and what finishes it.
    pendingLogin: pendingJson(pending),
    // The one command that fixes a rejected token, keeping the environment.
    fix: target && server.accepted === false ? reloginFix(target) : null,
  };
  if (flags.json) printJson(ctx, report);
  else printHuman(ctx, report, target, path, expiresAt);
  if (problem) return problemExit;
  if (!target || server.accepted === false) return EXIT.auth;
  return server.checked && server.accepted !== true ? EXIT.error : EXIT.ok;
}

/** `sharedFileProblem` of the file at `path`, read without the trust checks' side effects. */
function sharedProblem(ctx: Context, path: string): string | null {
  try {
    const text = ctx.fs.readFile(path)?.text;
    return text === undefined ? null : sharedFileProblem(text);
  } catch {
    return null; // unreadable: the problem above says so
  }
}

/** Problems of choosing a login (not of a file's content): said as they are. */
/** How wide a line's label is ("Pending:   "): where its wrapped text continues. */
const LABEL = 11;

const SELECTION_PROBLEMS = [
  "profile-not-found",
  "invalid-profile-name",
  "profile-conflict",
  "directory-untrusted",
  "directory-mismatch",
];

/** The login the rule chooses, or null when none can be chosen. */
function chosenProfile(ctx: Context, options: SelectOptions): string | null {
  try {
    return chooseLoginWith(credentialsIo(ctx, () => {}), options).profile;
  } catch {
    return null;
  }
}

function fileFacts(
  ctx: Context,
  path: string,
): {
  exists: boolean;
  mode?: string;
  owner?: number | null;
  ownerName?: string | null;
  protectedBy?: string;
} {
  try {
    // A link (dotfiles) is read through: its target's mode and owner are the ones that count
    // (a link's own read 0777, which said a private file was open to all).
    const stat = ctx.fs.stat(path) ?? ctx.fs.lstat(path);
    if (!stat) return { exists: false };
    // Windows has no POSIX mode or owner uid (they read 0666 and null): say what does protect it.
    if (ctx.fs.platform === "win32") {
      return {
        exists: true,
        protectedBy: windowsProtection(homeDirectoryWith(credentialsIo(ctx))),
      };
    }
    return {
      exists: true,
      mode: stat.mode.toString(8).padStart(4, "0"),
      owner: stat.uid,
      ownerName: stat.uid === null ? null : ctx.userName(stat.uid),
    };
  } catch {
    return { exists: false };
  }
}

function printHuman(
  ctx: Context,
  // deno-lint-ignore no-explicit-any
  r: any,
  target: Target | null,
  path: string,
  expiresAt: number | null,
): void {
  // On a terminal, a long line wraps between words under its label's text.
  const columns = ctx.stdout.size?.()?.columns;
  const out = (text: string) =>
    line(ctx.stdout, columns ? wrapForTerminal(text, columns, { hang: LABEL }) : text);
  if (!r.authenticated) {
    out(
      r.problem
        ? SELECTION_PROBLEMS.includes(r.problemCode)
          ? r.problem
          : `Credentials unusable: ${r.problem}`
        : notAuthenticated(ctx).message.replace(/^Not authenticated\./, "Not authenticated."),
    );
  }
  if (target && loginLine(target)) out(`Profile:   ${loginLine(target)}`);
  if (target?.token) {
    const kind = r.token.kind === "jwt" ? ", a JWT" : "";
    out(
      `Token:     ${r.token.masked} (${
        describeSource(target.source.token as "env" | "file", { env: "ALMYTY_TOKEN" }, path)
      }${kind})`,
    );
    if (expiresAt !== null) {
      out(
        `Expires:   ${relativeTime(expiresAt, ctx.now())}${
          expiresAt <= ctx.now()
            ? ` (expired: run ${loginCommand(target)} for a long-lived key)`
            : ""
        }`,
      );
    }
  }
  if (target) {
    out(
      `API:       ${target.api} (${
        describeSource(target.source.api, { env: "ALMYTY_URL", flag: "--api" }, path)
      })`,
    );
    out(
      `Frontend:  ${target.frontend} (${
        describeSource(target.source.frontend, { env: "ALMYTY_FRONTEND_URL" }, path)
      })`,
    );
    const note = ignoredUrlNote(target);
    if (note) out(`Note:      ${note}`);
  }
  if (!r.file.read) {
    out(
      `File:      ${
        path || "none: no home directory (HOME is unset)"
      } (not read: ALMYTY_TOKEN is set)`,
    );
  } else if (!r.file.exists) out(`File:      ${path} (none)`);
  else if (r.file.protectedBy) out(`File:      ${path} (protected by ${r.file.protectedBy})`);
  else {
    const owner = r.file.ownerName
      ? `${r.file.ownerName} (uid ${r.file.owner})`
      : `uid ${r.file.owner}`;
    out(`File:      ${path} (mode ${r.file.mode}, owner ${owner})`);
  }
  out(
    `Overrides: ${
      r.envOverrides.length ? r.envOverrides.join(", ") + " set in the environment" : "none"
    }`,
  );
  if (!r.server.checked) {
    out(
      `Server:    not checked${
        r.authenticated ? " (--offline)" : r.problem ? " (fix the problem above first)" : ""
      }`,
    );
  } else if (r.server.accepted) out(`Server:    accepts the token (${r.server.email})`);
  else {
    out(
      `Server:    ${
        r.server.accepted === false ? "rejects the token" : "could not be checked"
      }: ${r.server.error}`,
    );
  }
  if (r.pendingLogin) out(`Pending:   ${r.pendingLogin.message}`);
  if (r.otherClis) {
    out(`Other CLIs: cannot read ${path}: ${r.otherClis} → almyty-auth doctor --fix`);
  }
  if (r.fix) out(`Fix:       ${r.fix}`);
}
