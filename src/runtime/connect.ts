/**
 * How commands reach almyty: the target that applies (with file warnings on
 * stderr), the API client for it (the context's fetch, Ctrl-C and the
 * ALMYTY_HTTP_TIMEOUT override), and the shared "not authenticated" and
 * "rejected" messages, whose hints keep the user's environment.
 *
 * @example
 * ```ts
 * import { requireTarget } from "./connect.ts";
 * // const target = requireTarget(ctx); // exits 4 with both ways out when there is no token
 * ```
 * @module
 */
import { ApiClient, DEFAULT_TIMEOUT_MS, type SlowRequest } from "./client.ts";
import { stripControl } from "../protocol/text.ts";
import { readingTarget, type Target, type TargetSource } from "./target.ts";
import { loginCommand } from "../credentials/fix_hints.ts";
import { jwtExpiry, quoteTyped, relativeTime, tokenKind } from "../protocol/tokens.ts";
import { checkServiceUrl, displayUrl } from "../protocol/urls.ts";
import { DEFAULT_API_URL } from "../protocol/constants.ts";
import type { SelectOptions } from "../credentials/types.ts";
import { DEFAULT_PROFILE } from "../credentials/profiles.ts";
import { describeChoice } from "../credentials/select.ts";
import { type Context, credentialsIo } from "./context.ts";
import { CliError, EXIT } from "./errors.ts";
import { warn } from "./output.ts";

/** The environment variables that change what applies. */
export const ENV_OVERRIDES = ["ALMYTY_TOKEN", "ALMYTY_URL", "ALMYTY_FRONTEND_URL"] as const;

/** Longest per-request timeout accepted from ALMYTY_HTTP_TIMEOUT, in seconds. */
export const MAX_HTTP_TIMEOUT_SECONDS = 600;

/** How long a request may be silent before the person is told what is being waited for. */
export const SLOW_NOTICE_MS = 2000;

/** Options of `apiFor`. */
export interface ApiOptions {
  /** False: Ctrl-C does not abort its requests (a last, short, best-effort call). */
  interruptible?: boolean;
  /** Overrides ALMYTY_HTTP_TIMEOUT. */
  timeoutMs?: number;
  /** Told when a request has had no answer for SLOW_NOTICE_MS. */
  onSlow?: (request: SlowRequest) => void;
}

/**
 * A client for `target`'s API.
 *
 * @example
 * ```ts
 * import { denoContext } from "./deno_context.ts";
 * import { loginTarget } from "./target.ts";
 * const ctx = { ...denoContext(new AbortController().signal), env: { HOME: Deno.makeTempDirSync() } };
 * const api = apiFor(ctx, loginTarget({ api: "http://127.0.0.1:9" }, { fs: ctx.fs, env: ctx.env }));
 * api.baseUrl; // "http://127.0.0.1:9"
 * ```
 */
export function apiFor(ctx: Context, target: Target, options: ApiOptions = {}): ApiClient {
  const onSlow = options.onSlow;
  return new ApiClient(target, {
    fetch: ctx.fetch,
    signal: options.interruptible === false ? undefined : ctx.signal,
    timeoutMs: options.timeoutMs ?? httpTimeoutMs(ctx),
    ...(onSlow ? { slow: { afterMs: SLOW_NOTICE_MS, sleep: ctx.sleep, notify: onSlow } } : {}),
  });
}

/** The contexts already warned about their ALMYTY_HTTP_TIMEOUT (a command builds several clients). */
const warnedTimeout = new WeakSet<Context>();

/**
 * ALMYTY_HTTP_TIMEOUT in ms (at most MAX_HTTP_TIMEOUT_SECONDS), or undefined
 * for the default. A value that is no number of seconds ("60s") is said once:
 * ignored silently, the timeout message would still tell to set it.
 */
function httpTimeoutMs(ctx: Context): number | undefined {
  const value = ctx.env.ALMYTY_HTTP_TIMEOUT?.trim();
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds > 0) {
    return Math.min(seconds, MAX_HTTP_TIMEOUT_SECONDS) * 1000;
  }
  if (!warnedTimeout.has(ctx)) {
    warnedTimeout.add(ctx);
    warn(
      ctx,
      `ALMYTY_HTTP_TIMEOUT=${quoteTyped(stripControl(value))} is not a positive ` +
        `number of seconds, so requests give up after the default ${
          DEFAULT_TIMEOUT_MS / 1000
        } s. Set ` +
        `it to a number from 1 to ${MAX_HTTP_TIMEOUT_SECONDS} (e.g. ALMYTY_HTTP_TIMEOUT=60), or ` +
        "unset it.",
    );
  }
  return undefined;
}

/**
 * Prints `slowRequestText` on stderr: the `onSlow` of commands that are not
 * the login engine (which tells its UI instead).
 *
 * @example
 * ```ts
 * import { denoContext } from "./deno_context.ts";
 * const ctx = { ...denoContext(new AbortController().signal), env: { HOME: Deno.makeTempDirSync() } };
 * // apiFor(ctx, target, { onSlow: slowNotice(ctx) });
 * typeof slowNotice(ctx); // "function"
 * ```
 */
export function slowNotice(ctx: Context): (request: SlowRequest) => void {
  return (request) => ctx.stderr.write(slowRequestText(request) + "\n");
}

/**
 * A line on stderr for a slow request: what is being waited for, and until when.
 *
 * @example
 * ```ts
 * slowRequestText({ method: "DELETE", url: "https://api.almyty.com/auth/api-keys/k", limitSeconds: 15 });
 * // "Still waiting for api.almyty.com (DELETE /auth/api-keys/k); giving up after 15 s (ALMYTY_HTTP_TIMEOUT sets this)…"
 * ```
 */
export function slowRequestText(request: SlowRequest): string {
  const url = new URL(request.url);
  return `Still waiting for ${url.host} (${request.method} ${url.pathname}); giving up after ` +
    `${request.limitSeconds} s (ALMYTY_HTTP_TIMEOUT sets this)…`;
}

/**
 * The reading commands' target (file warnings to stderr), or null; `options`
 * carry `--profile` (the working folder may choose one too).
 *
 * @example
 * ```ts
 * import { denoContext } from "./deno_context.ts";
 * const ctx = { ...denoContext(new AbortController().signal), env: { HOME: Deno.makeTempDirSync() } };
 * currentTarget(ctx); // null: no token anywhere
 * ```
 */
export function currentTarget(ctx: Context, options: SelectOptions = {}): Target | null {
  return readingTarget(credentialsIo(ctx, (message) => warn(ctx, message)), options);
}

/**
 * The target, or exit 4 with both ways out.
 *
 * @example
 * ```ts
 * import { denoContext } from "./deno_context.ts";
 * const ctx = { ...denoContext(new AbortController().signal), env: { HOME: Deno.makeTempDirSync() } };
 * try {
 *   requireTarget(ctx);
 * } catch (error) {
 *   console.log((error as Error).message); // "Not authenticated. Run one of: …"
 * }
 * ```
 */
export function requireTarget(ctx: Context, options: SelectOptions = {}): Target {
  const target = currentTarget(ctx, options);
  if (!target) throw notAuthenticated(ctx);
  return target;
}

/**
 * Which login applies and why, for people ("staging (from --profile)"); null
 * when nothing chose one (the default login by default, or ALMYTY_TOKEN).
 *
 * @example
 * ```ts
 * import { nodeFs } from "../credentials/node_fs.ts";
 * import { readingTarget } from "./target.ts";
 * loginLine(readingTarget({ fs: nodeFs, env: { ALMYTY_TOKEN: "almyty_x" }, home: "/nonexistent" })!); // null
 * ```
 */
export function loginLine(target: Target): string | null {
  const login = target.login;
  if (!login || (login.profile === DEFAULT_PROFILE && login.source === "default")) return null;
  return `${login.profile} (${describeChoice(login)})`;
}

/**
 * The login for JSON output: its name, why it applies, and what chose it.
 *
 * @example
 * ```ts
 * import { nodeFs } from "../credentials/node_fs.ts";
 * import { readingTarget } from "./target.ts";
 * loginJson(readingTarget({ fs: nodeFs, env: { ALMYTY_TOKEN: "almyty_x" }, home: "/nonexistent" })!); // null
 * ```
 */
export function loginJson(
  target: Target,
): { name: string; source: string; origin: string | null } | null {
  const login = target.login;
  return login ? { name: login.profile, source: login.source, origin: login.origin ?? null } : null;
}

/**
 * The "Not authenticated" error with both ways out.
 *
 * @example
 * ```ts
 * import { denoContext } from "./deno_context.ts";
 * const ctx = { ...denoContext(new AbortController().signal), env: { HOME: Deno.makeTempDirSync() } };
 * notAuthenticated(ctx).exitCode; // 4
 * ```
 */
export function notAuthenticated(ctx: Context): CliError {
  const api = shownEnvUrl(ctx.env.ALMYTY_URL) ?? DEFAULT_API_URL;
  const login = loginCommand({ api });
  return new CliError(
    `Not authenticated. Run one of:\n  ${login}\n  export ALMYTY_TOKEN=<your-token>`,
    EXIT.auth,
  );
}

/**
 * Where a value came from, for people.
 *
 * @example
 * ```ts
 * describeSource("env", { env: "ALMYTY_URL" }, "creds.json"); // "from ALMYTY_URL"
 * ```
 */
export function describeSource(
  source: TargetSource | "login" | undefined,
  names: { env: string; flag?: string },
  path: string,
): string {
  switch (source) {
    case "env":
      return `from ${names.env}`;
    case "flag":
      return `from ${names.flag}`;
    case "file":
      return `from ${path}`;
    case "derived":
      return "derived from the API URL";
    default:
      return "default";
  }
}

/**
 * When the token stops working, in epoch ms: a JWT's `exp`, or the `expiresAt`
 * a login saved for its key; null when it does not expire (or nobody said).
 *
 * @example
 * ```ts
 * import { nodeFs } from "../credentials/node_fs.ts";
 * import { readingTarget } from "./target.ts";
 * tokenExpiry(readingTarget({ fs: nodeFs, env: { ALMYTY_TOKEN: "almyty_x" }, home: "/nonexistent" })!); // null
 * ```
 */
export function tokenExpiry(target: Target): number | null {
  const jwt = target.token ? jwtExpiry(target.token) : null;
  if (jwt !== null) return jwt;
  const saved = target.source.token === "file" ? Date.parse(String(target.file?.expiresAt)) : NaN;
  return Number.isNaN(saved) ? null : saved;
}

/**
 * The one line about an ALMYTY_URL that is set but not applied, or null.
 *
 * @example
 * ```ts
 * import { nodeFs } from "../credentials/node_fs.ts";
 * import { readingTarget } from "./target.ts";
 * const target = readingTarget({ fs: nodeFs, env: { ALMYTY_TOKEN: "almyty_x" }, home: "/nonexistent" })!;
 * ignoredUrlNote(target); // null: ALMYTY_URL is not set
 * ```
 */
export function ignoredUrlNote(target: Target): string | null {
  if (!target.ignoredEnvUrl) return null;
  const url = shownEnvUrl(target.ignoredEnvUrl);
  if (!url) {
    return `ALMYTY_URL is set but not applied, and is not a usable API URL; the saved key belongs to ${target.api}.`;
  }
  return `ALMYTY_URL (${url}) is not applied: the saved key belongs to ${target.api}. ` +
    `To use it, set ALMYTY_TOKEN too, or log in there: ${
      loginCommand({ api: url, login: target.login })
    }`;
}

/**
 * ALMYTY_URL as output may show it: checked and normalized, or null. A URL the
 * rule refuses (one with credentials in it, say) is never echoed.
 *
 * @example
 * ```ts
 * shownEnvUrl("https://api.staging.almyty.com/"); // "https://api.staging.almyty.com"
 * shownEnvUrl("https://user:secret@api.almyty.com"); // null
 * ```
 */
export function shownEnvUrl(raw: string | undefined): string | null {
  if (!raw) return null;
  try {
    return displayUrl(checkServiceUrl(raw, "ALMYTY_URL"));
  } catch {
    return null;
  }
}

/**
 * The fix for a rejected token: the login that keeps the user's environment
 * (`--api`, `--profile`), and ALMYTY_TOKEN's part when the token came from it.
 *
 * @example
 * ```ts
 * import { nodeFs } from "../credentials/node_fs.ts";
 * import { readingTarget } from "./target.ts";
 * reloginFix(readingTarget({ fs: nodeFs, env: { ALMYTY_TOKEN: "almyty_x" }, home: "/nonexistent" })!);
 * // "almyty-auth login (and update or unset ALMYTY_TOKEN)"
 * ```
 */
export function reloginFix(target: Target): string {
  return loginCommand(target) +
    (target.source.token === "env" ? " (and update or unset ALMYTY_TOKEN)" : "");
}

/**
 * The 401 explanation: an expired JWT exactly; else the likely causes, most
 * likely first (an expiry only when the key had one and it has passed).
 *
 * @example
 * ```ts
 * import { denoContext } from "./deno_context.ts";
 * import { readingTarget } from "./target.ts";
 * const ctx = { ...denoContext(new AbortController().signal), env: { HOME: Deno.makeTempDirSync() } };
 * const target = readingTarget({ fs: ctx.fs, env: { ALMYTY_TOKEN: "almyty_x" } })!;
 * rejectedToken(ctx, target).exitCode; // 4
 * ```
 */
export function rejectedToken(ctx: Context, target: Target): CliError {
  const tokenFrom = describeSource(target.source.token as TargetSource, {
    env: "ALMYTY_TOKEN",
  }, target.path);
  const relogin = reloginFix(target);
  const token = target.token ?? "";
  const jwt = jwtExpiry(token);
  if (jwt !== null && jwt <= ctx.now()) {
    return new CliError(
      `${target.api} rejected the token (401): it is a JWT that expired ${
        relativeTime(jwt, ctx.now())
      } (it came ${tokenFrom}).\nRun \`${loginCommand(target)}\` for a long-lived API key${
        target.source.token === "env" ? " (and update or unset ALMYTY_TOKEN)" : ""
      }.`,
      EXIT.auth,
    );
  }
  const urlFrom = describeSource(
    target.source.api,
    { env: "ALMYTY_URL", flag: "--api" },
    target.path,
  );
  // Most likely first. almyty's API keys never expire (only a JWT, or a key a server
  // minted with an expiry, does), and a login revokes the key it replaces: a copy of
  // the old key (ALMYTY_TOKEN=$(almyty-auth token), another login file) stops working.
  const expiry = tokenExpiry(target);
  const causes = [
    // A key the server minted with an expiry, past it: that is the cause.
    ...(expiry !== null && expiry <= ctx.now()
      ? [`it expired ${relativeTime(expiry, ctx.now())}`]
      : []),
    "it was revoked (in the dashboard, or by `almyty-auth logout`)",
    ...(tokenKind(token) === "jwt" ? [] : [
      "a newer login from this machine replaced it (`almyty-auth login` revokes the key it " +
      "replaces, and any copy of that key stops working with it)",
    ]),
    `it belongs to another environment: the API URL used is ${target.api} (${urlFrom})`,
  ];
  return new CliError(
    `${target.api} rejected the token (401). Usually one of:\n` +
      causes.map((cause) => `  • ${cause},\n`).join("").replace(/,\n$/, ".\n") +
      `The token came ${tokenFrom}. Log in again with: ${relogin}`,
    EXIT.auth,
  );
}
