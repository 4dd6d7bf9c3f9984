/**
 * `almyty-auth doctor`: one line per check (ok / warning / problem) with the
 * fix. Exit 0 when nothing is a problem (warnings allowed), 1 otherwise.
 *
 * @example
 * ```sh
 * almyty-auth doctor --api http://127.0.0.1:8080
 * ```
 * @module
 */
import { ApiError } from "../runtime/api_error.ts";
import { loginTarget, readingTarget, savedTarget, type Target } from "../runtime/target.ts";
import { loginCommand } from "../credentials/fix_hints.ts";
import { shellWord, windowsProtection } from "../credentials/fix_hints.ts";
import { homeDirectoryWith } from "../credentials/path.ts";
import { type Credentials, CredentialsError } from "../credentials/types.ts";
import { credentialsPathWith } from "../credentials/path.ts";
import {
  lacksUrl,
  parseCredentials,
  readPrivateText,
  sharedFileProblem,
} from "../credentials/read.ts";
import { writeCredentialsWith } from "../credentials/write.ts";
import { withLoginLock } from "../runtime/login_lock.ts";
import { DEFAULT_API_URL } from "../protocol/constants.ts";
import { stripControl } from "../protocol/text.ts";
import { DEFAULT_PROFILE, loginPathWith, readProfileWith } from "../credentials/profiles.ts";
import {
  chooseLoginWith,
  describeChoice,
  type LoginChoice,
  selectLoginWith,
} from "../credentials/select.ts";
import { resolveCredentialsWith } from "../credentials/resolve.ts";
import { chooseOpener, unattendedCi } from "../login/browser.ts";
import { PATHS } from "../protocol/constants.ts";
import { isLoopbackHost, sameServiceUrl, shownHost, UrlRuleError } from "../protocol/urls.ts";
import type { CommandInput } from "../runtime/command.ts";
import { NETWORK_ADVICE } from "../runtime/client.ts";
import {
  apiFor,
  ENV_OVERRIDES,
  ignoredUrlNote,
  rejectedToken,
  reloginFix,
} from "../runtime/connect.ts";
import { type Context, credentialsIo } from "../runtime/context.ts";
import { EXIT } from "../runtime/errors.ts";
import { line, paint, printJson, wrapForTerminal } from "../runtime/output.ts";

/** One check's result. */
export interface Check {
  name: string;
  level: "ok" | "warning" | "problem";
  detail: string;
  fix?: string;
}

const MAX_SKEW_SECONDS = 60;

/**
 * Runs the command.
 *
 * @example
 * ```ts
 * import { denoContext } from "../runtime/deno_context.ts";
 * const ctx = { ...denoContext(new AbortController().signal), env: { HOME: Deno.makeTempDirSync() } };
 * await run(ctx, { flags: { api: "http://127.0.0.1:9" }, positionals: [] }).catch((error) => error.message);
 * ```
 */
export async function run(ctx: Context, { flags }: CommandInput): Promise<number> {
  if (flags.fix) await fixSharedFile(ctx);
  let target: Target | undefined;
  let urlProblem: Check | undefined;
  const profile = flags.profile as string | undefined;
  let choice: LoginChoice | undefined;
  let loginProblem: Check | undefined;
  try {
    const io = credentialsIo(ctx, () => {});
    // --profile beside ALMYTY_TOKEN is a problem to report.
    const selection = selectLoginWith(io, { profile });
    choice = chooseLoginWith(io, { profile });
    // So is an ALMYTY_TOKEN of only whitespace (the library's blank-token); no file is read.
    if (selection.kind === "env-token") resolveCredentialsWith(io);
  } catch (error) {
    if (!(error instanceof CredentialsError)) throw error;
    loginProblem = { name: "Login", level: "problem", detail: error.message };
  }
  try {
    target = choice ? doctorTarget(ctx, flags.api as string | undefined, choice) : undefined;
  } catch (error) {
    urlProblem = {
      name: "URLs",
      level: "problem",
      detail: (error as Error).message,
      fix: "use https, or http only on 127.0.0.1, [::1] or localhost",
    };
  }
  // Fixes that say "log in" keep the environment being checked (--api).
  const login = (...extra: string[]) => loginCommand(target ?? {}, ...extra);
  const checks: Check[] = [
    ...(loginProblem ? [loginProblem] : []),
    ...(choice ? [credentialsFile(ctx, login, choice)] : []),
    envOverrides(ctx),
  ];
  if (urlProblem) checks.push(urlProblem);
  let discovery: number | undefined;
  if (target) {
    const note = ignoredUrlNote(target);
    if (note) checks.push({ name: "ALMYTY_URL", level: "warning", detail: note });
    const api = apiFor(ctx, target);
    const apiChecks = await reachability(ctx, api, "API", target.api + PATHS.discovery, true);
    discovery = apiChecks.status;
    checks.push(...apiChecks.checks);
    checks.push(
      ...(await reachability(ctx, api, "Frontend", target.frontend + "/", false)).checks,
    );
    const saved = !target.token && flags.api !== undefined && choice
      ? savedLogin(ctx, choice)
      : null;
    // --api naming the saved login's own API: its key is the one a check there means.
    const keyed = target.token
      ? target
      : saved && sameServiceUrl(saved.api, target.api)
      ? saved
      : null;
    if (keyed && apiChecks.status !== undefined) checks.push(await tokenCheck(ctx, keyed));
    else if (saved && !keyed) {
      // Never silent: the saved key is not what --api checks, so say where it is checked.
      const again = ["almyty-auth", "doctor", ...(profile ? ["--profile", profile] : [])];
      checks.push({
        name: "Token",
        level: "ok",
        detail: `not checked: --api checks what a login at ${target.api} would use, and the ` +
          `saved key is for ${saved.api}`,
        fix: `${again.join(" ")} checks the saved key`,
      });
    }
  }
  checks.push(await loopbackBind(ctx, login), browserCheck(ctx, target, discovery));
  if (flags.json) printJson(ctx, checks);
  else {
    // On a terminal, each check wraps between words under its text, not under its tag.
    const columns = ctx.stdout.size?.()?.columns;
    for (const c of checks) {
      const tag = c.level === "ok"
        ? paint(ctx, ctx.stdout, "green", "ok     ")
        : c.level === "warning"
        ? paint(ctx, ctx.stdout, "yellow", "warning")
        : paint(ctx, ctx.stdout, "red", "problem");
      const text = `${c.name}: ${c.detail}${c.fix ? ` → ${c.fix}` : ""}`;
      const row = `${tag}  ${text}`;
      line(ctx.stdout, columns ? wrapForTerminal(row, columns, { hang: 9 }) : row);
    }
  }
  return checks.some((c) => c.level === "problem") ? EXIT.error : EXIT.ok;
}

/**
 * `--api` checks that API (as login would use it); otherwise what the
 * reading commands use, or, with no token anywhere, what login would use.
 */
function doctorTarget(ctx: Context, api: string | undefined, choice: LoginChoice): Target {
  const io = credentialsIo(ctx, () => {});
  let saved: Credentials | null | undefined;
  try {
    readProfileWith(io, choice.profile);
  } catch (error) {
    if (!(error instanceof CredentialsError)) throw error;
    saved = null; // reported by the file check; the network checks go on without it
  }
  let reading: Target | null = null;
  if (api === undefined && saved === undefined) {
    try {
      reading = readingTarget(io, {
        profile: choice.source === "flag" ? choice.profile : undefined,
      });
    } catch (error) {
      // A chosen profile not logged in yet: the checks of what its login would use.
      if (!(error instanceof CredentialsError)) throw error;
    }
  }
  return reading ?? loginTarget({ api, profile: choice.profile }, io, saved);
}

/** The chosen login file's key at its API, when it can be read (its problems are the file check's). */
function savedLogin(ctx: Context, choice: LoginChoice): Target | null {
  try {
    return savedTarget(credentialsIo(ctx, () => {}), choice);
  } catch (error) {
    if (!(error instanceof CredentialsError) && !(error instanceof UrlRuleError)) throw error;
    return null;
  }
}

function credentialsFile(ctx: Context, login: () => string, choice: LoginChoice): Check {
  const io = credentialsIo(ctx, () => {});
  const path = loginPathWith(io, choice.profile);
  const name = choice.profile === DEFAULT_PROFILE && choice.source === "default"
    ? "Credentials file"
    : `Credentials file of ${choice.profile} (${describeChoice(choice)})`;
  let mode: number;
  try {
    // Read first: a folder closed to us is named with its fix, not as the stat's bare EACCES.
    readProfileWith(io, choice.profile);
    const stat = ctx.fs.stat(path);
    if (!stat) {
      return { name, level: "warning", detail: `${path} does not exist`, fix: login() };
    }
    mode = stat.mode;
  } catch (error) {
    return { name, level: "problem", detail: (error as Error).message };
  }
  // credentials.json is read by almyty's other CLIs too (a profile's file is not).
  const shared = choice.profile === DEFAULT_PROFILE ? readPrivateText(io, path) : null;
  const foreign = shared === null ? null : sharedFileProblem(shared);
  if (foreign) {
    return {
      name,
      level: "problem",
      detail: `almyty's other CLIs (those built on @almyty/client) cannot read ${path}: ${foreign}`,
      fix: "almyty-auth doctor --fix",
    };
  }
  if (ctx.fs.platform !== "win32" && (mode & 0o077) !== 0) {
    return {
      name,
      level: "problem",
      detail: `${path} has mode ${mode.toString(8)}; others can read your token`,
      fix: `chmod 600 ${shellWord(path)}`,
    };
  }
  if (ctx.fs.platform === "win32") {
    const home = homeDirectoryWith(io);
    return { name, level: "ok", detail: `${path} parses; protected by ${windowsProtection(home)}` };
  }
  return { name, level: "ok", detail: `${path} parses and is private (mode ${mode.toString(8)})` };
}

function envOverrides(ctx: Context): Check {
  const set = ENV_OVERRIDES.filter((v) => ctx.env[v]);
  if (!set.length) return { name: "Environment", level: "ok", detail: "no ALMYTY_* overrides" };
  return {
    name: "Environment",
    level: ctx.env.ALMYTY_TOKEN ? "warning" : "ok",
    detail: `${set.join(", ")} set; ${
      ctx.env.ALMYTY_TOKEN
        ? "the credentials file is ignored"
        : "ALMYTY_URL applies only together with ALMYTY_TOKEN"
    }`,
    fix: ctx.env.ALMYTY_TOKEN ? "unset ALMYTY_TOKEN to use the saved login" : undefined,
  };
}

async function reachability(
  ctx: Context,
  api: ReturnType<typeof apiFor>,
  label: string,
  url: string,
  clock: boolean,
): Promise<{ checks: Check[]; status?: number }> {
  const via = [
    route(ctx, url),
    ctx.env.DENO_CERT ? `CA from DENO_CERT=${ctx.env.DENO_CERT}` : "",
  ].filter(Boolean).join("; ");
  const origin = new URL(url).origin;
  try {
    const probe = await api.probe(url);
    const checks: Check[] = [{
      name: label,
      level: probe.status >= 500 ? "problem" : "ok",
      detail: `${origin} answered ${probe.status} in ${probe.elapsedMs} ms ` +
        `(${
          [url.startsWith("https:") ? "over TLS" : "loopback http", via].filter(Boolean).join("; ")
        })`,
    }];
    if (clock && probe.date) {
      const skew = Math.round((ctx.now() - probe.elapsedMs / 2 - Date.parse(probe.date)) / 1000);
      checks.push(
        Math.abs(skew) > MAX_SKEW_SECONDS
          ? {
            name: "Clock",
            level: "warning",
            detail: `your clock is ${Math.abs(skew)} s ${
              skew > 0 ? "ahead of" : "behind"
            } the server`,
            fix: "sync the clock (e.g. timedatectl set-ntp true); codes expire early otherwise",
          }
          : {
            name: "Clock",
            level: "ok",
            detail: `within ${Math.max(1, Math.abs(skew))} s of the server`,
          },
      );
    }
    return { checks, status: probe.status };
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    const tls = error.message.includes("TLS failed");
    return {
      checks: [{
        name: label,
        level: "problem",
        // The fix below is the advice, more precisely: the message's own is not repeated.
        detail: `cannot reach ${origin}: ${
          error.message.replace(`Cannot reach ${error.url}: `, "").replace(` ${NETWORK_ADVICE}`, "")
        }${via ? ` (${via})` : ""}`,
        fix: tls
          ? "set DENO_CERT to your CA bundle if a proxy re-signs TLS"
          : "check the URL, your network, and HTTPS_PROXY/NO_PROXY",
      }],
    };
  }
}

/** The proxy variables Deno's fetch reads for an https URL, in the order it reads them. */
const PROXY_VARIABLES = ["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"] as const;

/**
 * How requests to `url` travel: loopback always directly; otherwise through
 * the proxy a variable names, shown as host and port at most (its value may
 * hold a password).
 */
function route(ctx: Context, url: string): string {
  if (isLoopbackHost(new URL(url).hostname)) return "reached directly: loopback never uses a proxy";
  const name = PROXY_VARIABLES.find((variable) => ctx.env[variable]);
  if (!name) return "";
  const host = shownHost(ctx.env[name]!);
  return `via the proxy ${host ?? "(not a URL)"} from ${name}, unless NO_PROXY names the host`;
}

async function loopbackBind(ctx: Context, login: (flag: string) => string): Promise<Check> {
  try {
    const server = ctx.serve(() => new Response(null, { status: 404 }));
    const port = server.port;
    await server.shutdown();
    return {
      name: "Loopback",
      level: "ok",
      detail: `can listen on 127.0.0.1 (tried port ${port})`,
    };
  } catch (error) {
    return {
      name: "Loopback",
      level: "problem",
      detail: `cannot listen on 127.0.0.1: ${(error as Error).message}`,
      fix: `browser login needs a local port; use ${login("--no-browser")}`,
    };
  }
}

/**
 * The browser check says what `login` will really do here: open a browser;
 * against today's production (no discovery document) without one, print the
 * `/cli-login` URL and the `ssh -L` line that forwards the login port (in a CI
 * job without a terminal: stop at once, naming the API key); against a server
 * with the device flow, the headless login.
 */
function browserCheck(
  ctx: Context,
  target: Target | undefined,
  discovery: number | undefined,
): Check {
  const choice = chooseOpener(ctx.env, ctx.fs.platform, ctx.osRelease());
  if (choice.kind === "launch") {
    return { name: "Browser", level: "ok", detail: `will open with ${choice.name}` };
  }
  if (choice.kind === "print") {
    return {
      name: "Browser",
      level: "ok",
      detail: `none will be launched because ${choice.forwarder}; login prints the URL to open, ` +
        "and takes the address the browser ends on if it cannot reach this machine",
    };
  }
  const detail = `none will be opened because ${choice.reason}`;
  if (target && discovery === 404 && unattendedCi(ctx.env, ctx.stdin.isTerminal)) {
    return {
      name: "Browser",
      level: "warning",
      detail: `${detail}. ${target.api} has no headless login (almyty's production today), and ` +
        "in a CI job without a terminal nothing can finish a browser login: login stops at once",
      fix: `pipe an API key to ${loginCommand(target, "--with-token")}`,
    };
  }
  if (target && discovery === 404) {
    return {
      name: "Browser",
      level: "warning",
      detail: `${detail}. ${target.api} has no headless login (almyty's production today): ` +
        `login prints the ${target.frontend}${PATHS.legacyPage} address to open in a browser ` +
        "on the machine you sit at, and an `ssh -L <port>:127.0.0.1:<port> " +
        `${ctx.hostname()}\` line that forwards the login's port there`,
      fix: `run that ssh line on the machine with the browser, or pipe an API key to ${
        loginCommand(target, "--with-token")
      }; set BROWSER to force a browser here`,
    };
  }
  return {
    name: "Browser",
    level: "warning",
    detail: `${detail}; login shows a code to approve from any device (the headless login)`,
    fix: "set BROWSER to force a browser here",
  };
}

/**
 * Whether the server accepts the token, as `status` asks it: `GET /auth/profile`.
 * A 401 is a problem with the fix that keeps the environment (`rejectedToken`).
 */
async function tokenCheck(ctx: Context, target: Target): Promise<Check> {
  try {
    const profile = await apiFor(ctx, target).profile();
    return {
      name: "Token",
      level: "ok",
      detail: `${target.api} accepts it (${stripControl(String(profile.email))})`,
    };
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (error.kind !== "auth") {
      return { name: "Token", level: "warning", detail: `could not be checked: ${error.message}` };
    }
    const lines = rejectedToken(ctx, target).message.split("\n");
    return {
      name: "Token",
      level: "problem",
      detail: lines.slice(0, -1).join(" ").replace(/\s+/g, " "),
      fix: reloginFix(target),
    };
  }
}

/**
 * `doctor --fix`: rewrites `credentials.json` so that almyty's other CLIs can
 * read it (`sharedFileProblem`): without a byte-order mark, with the `url`
 * this CLI already uses (the default API) when it has none; every other field
 * kept, atomically, under the login lock. Says what it did, or why not.
 */
async function fixSharedFile(ctx: Context): Promise<void> {
  const io = credentialsIo(ctx, () => {});
  const path = credentialsPathWith(io);
  try {
    await withLoginLock(ctx, path, () => {
      const text = readPrivateText(io, path);
      if (text === null) {
        line(ctx.stderr, `Nothing to fix: ${path} does not exist.`);
        return Promise.resolve();
      }
      // An unusable file (truncated JSON, no token) is not ours to patch, nor one that "reads
      // everywhere": its message says to log in.
      parseCredentials(text, path, () => {});
      const problem = sharedFileProblem(text);
      if (!problem) {
        line(ctx.stderr, `Nothing to fix: ${path} reads everywhere.`);
        return Promise.resolve();
      }
      const bom = text.charCodeAt(0) === 0xfeff;
      const raw = JSON.parse(bom ? text.slice(1) : text) as Record<string, unknown>;
      // The write fills in a missing or empty url with the default API, the one it was used with.
      writeCredentialsWith(raw as unknown as Credentials, io);
      const done = [
        ...(bom ? ["removed the byte-order mark"] : []),
        ...(lacksUrl(raw)
          ? [
            `${
              raw.url === "" ? "filled in" : "added"
            } "url": "${DEFAULT_API_URL}" (the API it was used with)`,
          ]
          : []),
      ];
      line(ctx.stderr, `Fixed ${path}: ${done.join("; ")}. almyty's other CLIs can read it now.`);
      return Promise.resolve();
    });
  } catch (error) {
    if (!(error instanceof CredentialsError)) throw error;
    line(ctx.stderr, `Cannot fix ${path}: ${error.message}`);
  }
}
