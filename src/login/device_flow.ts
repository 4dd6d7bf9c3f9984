/**
 * The headless login: RFC 8628 device authorization, in two halves that the
 * blocking login and the two-step login (`login --no-wait` / `--continue`)
 * share: `startDevice` asks for a code and checks where it sends the user;
 * `pollDevice` asks the token endpoint once, with the server's `wait`
 * long-poll so an approval is noticed at once. The blocking `deviceFlow`
 * runs both: `slow_down` adds 5 s to the interval, network errors, 5xx and
 * 429 back off exponentially until the code expires or the CLI's `--timeout`
 * ends the wait, whichever comes first (and the user is told which). When it
 * stops waiting (its timeout, Ctrl-C, an error) it sends almyty's cancel, so
 * the approval page cannot report a success nobody collects.
 *
 * @example
 * ```ts
 * import { deviceFlow } from "./device_flow.ts";
 * // const result = await deviceFlow(ctx, target, endpoints, ui, { deadline: Date.now() + 300_000, timeoutMs: 300_000, commit });
 * ```
 * @module
 */
import type { ApiClient } from "../runtime/client.ts";
import { ApiError, isTransient } from "../runtime/api_error.ts";
import type { Target } from "../runtime/target.ts";
import { loginCommand } from "../credentials/fix_hints.ts";
import { apiFor } from "../runtime/connect.ts";
import { loginApi } from "./api.ts";
import type { Context } from "../runtime/context.ts";
import { CliError, EXIT } from "../runtime/errors.ts";
import {
  CLIENT_ID,
  DEVICE_CODE_TTL_SECONDS,
  DEVICE_INTERVAL_SECONDS,
  GRANT,
  OAUTH_ERROR,
} from "../protocol/constants.ts";
import { stripControl } from "../protocol/text.ts";
import type { DeviceAuthorization, TokenGrant } from "../protocol/types.ts";
import { checkServiceUrl } from "../protocol/urls.ts";
import { keepMinted, mintedFromGrant } from "./minted.ts";
import { checkPageOrigin, type LoginEndpoints } from "./discovery.ts";
import type { Commit, LoginResult } from "./result.ts";
import type { LoginUi } from "./ui.ts";

/** Device-login options. */
export interface DeviceFlowOptions {
  /** Epoch ms after which the CLI gives up (the --timeout). */
  deadline: number;
  /** The --timeout, for the message when it ends the wait. */
  timeoutMs: number;
  /** Saves the checked result. */
  commit: Commit;
}

/** A device authorization the server granted, checked (RFC 8628 §3.2). */
export interface DeviceStart {
  /** The secret the CLI polls with: never shown, never printed. */
  deviceCode: string;
  userCode: string;
  verificationUri: string;
  verificationUriComplete: string;
  /** Epoch ms when the server says the code expires. */
  expiresAt: number;
  /** Seconds between polls. */
  interval: number;
}

/** The token endpoint's answer to one poll. */
export type PollOutcome =
  | { kind: "approved"; grant: TokenGrant }
  /** `authorization_pending`, or `slow_down` (then `slowDown` is true). */
  | { kind: "pending"; slowDown: boolean }
  | { kind: "denied" }
  | { kind: "expired" }
  /** `invalid_grant`: the server no longer knows the code (used, or forgotten). */
  | { kind: "gone"; error: ApiError };

const MAX_BACKOFF_MS = 30_000;
/** The longest life a device code is taken to have, whatever the server says: a day. */
const MAX_CODE_LIFETIME_SECONDS = 86_400;
/**
 * The longest pause between polls, whatever the server asks (RFC 8628 sets no
 * bound): an interval of a day would make a one-check `login --continue` sit
 * silently until the code expires, and the blocking login notice an approval
 * only at its timeout. Once a minute never burdens a server.
 */
export const MAX_POLL_INTERVAL_SECONDS = 60;

/**
 * The seconds to wait between polls for a server's `interval` (or one
 * `slow_down` made longer): never negative, at most a minute.
 *
 * @example
 * ```ts
 * pollInterval(5); // 5
 * pollInterval(1e9); // 60
 * ```
 */
export function pollInterval(seconds: number): number {
  return Math.min(Math.max(seconds, 0), MAX_POLL_INTERVAL_SECONDS);
}

/** A cancel is a courtesy to the server: it never holds the CLI up for long. */
export const CANCEL_TIMEOUT_MS = 3000;

/**
 * Asks `endpoints.device` for a code, and checks that the pages the user is
 * sent to obey the https-or-loopback rule and are on the issuer's site (or
 * the named frontend). Server text is kept without control characters.
 *
 * @example
 * ```ts
 * import { denoContext } from "../runtime/deno_context.ts";
 * import { loginTarget } from "../runtime/target.ts";
 * const ctx = { ...denoContext(new AbortController().signal), env: { HOME: Deno.makeTempDirSync() } };
 * const target = loginTarget({ api: "http://127.0.0.1:9" }, { fs: ctx.fs, env: ctx.env });
 * await startDevice(ctx, target, {}).catch((error) => error.message); // "… has no device flow …"
 * // With a device endpoint: (await startDevice(ctx, target, endpoints)).userCode; // "BCDF-GHJK"
 * ```
 */
export async function startDevice(
  ctx: Context,
  target: Target,
  endpoints: Pick<LoginEndpoints, "device">,
  api: ApiClient = apiFor(ctx, target),
): Promise<DeviceStart> {
  if (!endpoints.device) throw noDeviceFlow(target);
  const auth = await api.request<DeviceAuthorization>(endpoints.device, {
    method: "POST",
    // RFC 8628 section 3.1: form-encoded, with the client's id.
    body: new URLSearchParams({ client_id: CLIENT_ID, client_name: ctx.hostname() }),
    envelope: false,
  });
  if (typeof auth?.device_code !== "string" || !auth.device_code) {
    throw new ApiError(
      "bad-response",
      endpoints.device,
      `${endpoints.device} answered without a device_code (RFC 8628 §3.2).`,
    );
  }
  // The pages we tell the user to open obey the same rule as --frontend,
  // and server text is shown without control characters. RFC 8628 §3.2:
  // verification_uri is required, the complete one optional (the code is then typed).
  const given = (value: unknown) => typeof value === "string" && value !== "";
  if (!given(auth.verification_uri) && !given(auth.verification_uri_complete)) {
    throw new ApiError(
      "bad-response",
      endpoints.device,
      `${endpoints.device} answered without a verification_uri (RFC 8628 §3.2): there is no ` +
        "page to approve the login on.",
    );
  }
  const verificationUri = checkServiceUrl(
    String(given(auth.verification_uri) ? auth.verification_uri : auth.verification_uri_complete),
    "the server's verification_uri",
  ).href;
  const verificationUriComplete = given(auth.verification_uri_complete)
    ? checkServiceUrl(
      String(auth.verification_uri_complete),
      "the server's verification_uri_complete",
    ).href
    : verificationUri;
  // The page the user types the code into must be the API's or its web app's (or the named frontend).
  for (const page of [verificationUri, verificationUriComplete]) {
    checkPageOrigin(target, page, (origin) => `The server sends you to ${origin} to approve`);
  }
  // RFC 8628 §3.2: the user code is required; without it there is nothing to check on the page.
  const userCode = typeof auth.user_code === "string" ? stripControl(auth.user_code).trim() : "";
  if (!userCode) {
    throw new ApiError(
      "bad-response",
      endpoints.device,
      `${endpoints.device} answered without a user_code (RFC 8628 §3.2): there is no code to ` +
        "check on the approval page, so the login was not started.",
    );
  }
  // The device code collects the key: whoever reads it off a screen, a log or an agent's
  // transcript could. What we show must never carry it.
  const shown = [
    ["user_code", userCode],
    ["verification_uri", verificationUri],
    ["verification_uri_complete", verificationUriComplete],
  ].find(([, value]) => carries(value, auth.device_code));
  if (shown) {
    throw new ApiError(
      "bad-response",
      endpoints.device,
      `${endpoints.device} put its device_code into the ${shown[0]} it asks us to show; ` +
        "refusing to show it (the device code is the secret that collects the key, RFC 8628 " +
        "§3.2), so the login was not started.",
    );
  }
  // RFC 8628 §3.2: expires_in is required, the interval defaults to 5 s.
  const lifetime = Number(auth.expires_in);
  const interval = Number(auth.interval);
  return {
    deviceCode: auth.device_code,
    userCode,
    verificationUri,
    verificationUriComplete,
    // At most a day (no wait is longer): a "never" of 1e300 s is no date a pending login can hold.
    expiresAt: ctx.now() +
      Math.min(
          Number.isFinite(lifetime) && lifetime > 0 ? lifetime : DEVICE_CODE_TTL_SECONDS,
          MAX_CODE_LIFETIME_SECONDS,
        ) * 1000,
    interval: Number.isFinite(interval) ? pollInterval(interval) : DEVICE_INTERVAL_SECONDS,
  };
}

/**
 * True when `shown` (a code or a page's address) holds `secret`: the whole
 * of it, a path segment, a query or fragment parameter's value.
 */
function carries(shown: string, secret: string): boolean {
  if (shown === secret) return true;
  let url: URL;
  try {
    url = new URL(shown);
  } catch {
    return false;
  }
  const decode = (part: string) => {
    try {
      return decodeURIComponent(part);
    } catch {
      return part;
    }
  };
  return [
    ...url.pathname.split("/").map(decode),
    ...url.searchParams.values(),
    ...new URLSearchParams(url.hash.slice(1)).values(),
    decode(url.hash.slice(1)),
  ].includes(secret);
}

/**
 * One request to the token endpoint for `deviceCode`, held by the server up
 * to `waitSeconds` when it has the long-poll (0: answered at once). Network
 * errors, 5xx and 429 are thrown as the ApiError (see `isTransient`).
 *
 * @example
 * ```ts
 * import { denoContext } from "../runtime/deno_context.ts";
 * import { loginTarget } from "../runtime/target.ts";
 * const ctx = { ...denoContext(new AbortController().signal), env: { HOME: Deno.makeTempDirSync() } };
 * const target = loginTarget({ api: "http://127.0.0.1:9" }, { fs: ctx.fs, env: ctx.env });
 * import { apiFor } from "../runtime/connect.ts";
 * const endpoints = { token: "http://127.0.0.1:9/auth/cli/token" };
 * const expiresAt = Date.now() + 600_000;
 * await pollDevice(ctx, apiFor(ctx, target), endpoints, "device-code", { waitSeconds: 0, expiresAt })
 *   .catch((error) => error.name); // "ApiError": nothing listens on :9 (else "approved", "pending", …)
 * ```
 */
export async function pollDevice(
  ctx: Context,
  api: ApiClient,
  endpoints: Pick<LoginEndpoints, "token" | "longPoll">,
  deviceCode: string,
  options: { waitSeconds: number; expiresAt: number },
): Promise<PollOutcome> {
  const longPoll = endpoints.longPoll;
  const wait = longPoll ? Math.max(0, Math.min(longPoll.maxSeconds, options.waitSeconds)) : 0;
  try {
    const grant = await api.request<TokenGrant>(endpoints.token, {
      method: "POST",
      envelope: false, // RFC 6749 §5.1: the standard response, no envelope
      body: new URLSearchParams({
        grant_type: GRANT.deviceCode,
        client_id: CLIENT_ID,
        device_code: deviceCode,
        ...(longPoll && wait > 0 ? { [longPoll.parameter]: String(wait) } : {}),
      }),
      slowIsNormal: wait > 0, // waiting is what a long-poll is for: no "still waiting"
      // Long enough for the long-poll, never past the code's expiry.
      timeoutMs: Math.max(1000, Math.min((wait + 15) * 1000, options.expiresAt - ctx.now() + 1000)),
    });
    return { kind: "approved", grant };
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    switch (error.code) {
      case OAUTH_ERROR.authorizationPending:
        return { kind: "pending", slowDown: false };
      case OAUTH_ERROR.slowDown:
        return { kind: "pending", slowDown: true };
      case OAUTH_ERROR.accessDenied:
        return { kind: "denied" };
      case OAUTH_ERROR.expiredToken:
        return { kind: "expired" };
      case OAUTH_ERROR.invalidGrant:
        return { kind: "gone", error };
    }
    throw error;
  }
}

/**
 * Tells the server the CLI stopped waiting for `deviceCode` (almyty's cancel
 * extension, PROTOCOL §4): the code can no longer be approved. Best effort:
 * true when the server acknowledged it, false when it has no cancel endpoint
 * or did not answer in time; never throws.
 *
 * @example
 * ```ts
 * import { denoContext } from "../runtime/deno_context.ts";
 * import { loginTarget } from "../runtime/target.ts";
 * const ctx = { ...denoContext(new AbortController().signal), env: { HOME: Deno.makeTempDirSync() } };
 * const target = loginTarget({ api: "http://127.0.0.1:9" }, { fs: ctx.fs, env: ctx.env });
 * import { apiFor } from "../runtime/connect.ts";
 * await cancelDevice(apiFor(ctx, target), {}, "device-code"); // false: no cancel endpoint to tell
 * ```
 */
export async function cancelDevice(
  api: ApiClient,
  endpoints: Pick<LoginEndpoints, "deviceCancel">,
  deviceCode: string,
): Promise<boolean> {
  if (!endpoints.deviceCancel) return false;
  try {
    await api.request(endpoints.deviceCancel, {
      method: "POST",
      envelope: false,
      body: new URLSearchParams({ client_id: CLIENT_ID, device_code: deviceCode }),
      timeoutMs: CANCEL_TIMEOUT_MS,
    });
    return true;
  } catch {
    return false;
  }
}

/**
 * How long to wait after the `failures`-th transient failure in a row:
 * doubling from the poll interval (at least 1 s), capped at 30 s.
 *
 * @example
 * ```ts
 * backoffMs(5, 3); // 20000
 * ```
 */
export function backoffMs(intervalSeconds: number, failures: number): number {
  return Math.min(MAX_BACKOFF_MS, Math.max(intervalSeconds * 1000, 1000) * 2 ** (failures - 1));
}

/**
 * Runs the headless login: the approved key is checked and committed (or,
 * when that fails, revoked), and the committed result returned.
 *
 * @example
 * ```ts
 * // Runs inside `login` (engine.ts) when no browser can be opened here.
 * const flow: typeof deviceFlow = deviceFlow;
 * ```
 */
export async function deviceFlow(
  ctx: Context,
  target: Target,
  endpoints: LoginEndpoints,
  ui: LoginUi,
  options: DeviceFlowOptions,
): Promise<LoginResult> {
  const api = loginApi(ctx, target, ui);
  const device = await startDevice(ctx, target, endpoints, api);
  // The wait ends at the code's expiry or at --timeout, whichever is first;
  // the countdown and the final message say which.
  const endsBy = device.expiresAt <= options.deadline ? "code" : "timeout";
  const expiresAt = Math.min(device.expiresAt, options.deadline);
  const limits: WaitLimits = {
    endsBy,
    codeSeconds: Math.round((device.expiresAt - ctx.now()) / 1000),
    waitedSeconds: Math.round(options.timeoutMs / 1000),
    cancels: endpoints.deviceCancel !== undefined,
  };
  let grant: TokenGrant;
  try {
    await ui.showCode({
      verificationUri: device.verificationUri,
      verificationUriComplete: device.verificationUriComplete,
      userCode: device.userCode,
      expiresAt,
    });
    ui.waiting("approval", expiresAt, endsBy);
    grant = await waitForApproval(ctx, api, endpoints, device, expiresAt, limits, target);
  } catch (error) {
    if (error instanceof NothingToCancel) throw error.error;
    // Stopped waiting (--timeout, Ctrl-C, an error): the server learns it, so the approval
    // page says the login was cancelled. Not interrupted by the Ctrl-C that caused it.
    await cancelDevice(apiFor(ctx, target, { interruptible: false }), endpoints, device.deviceCode);
    throw error;
  } finally {
    ui.stopWaiting();
  }
  return await keepMinted(ctx, target, mintedFromGrant(grant, ctx.now()), options.commit, {
    revocation: endpoints.revocation,
    ui,
  });
}

/** The login is over at the server too (denied, the code expired): nothing to cancel. */
class NothingToCancel extends Error {
  constructor(readonly error: CliError) {
    super(error.message);
  }
}

/** Which limit ends the wait, and both, for the message. */
interface WaitLimits {
  endsBy: "code" | "timeout";
  codeSeconds: number;
  waitedSeconds: number;
  /** The server has the cancel extension: stopping cancels the login there too. */
  cancels: boolean;
}

async function waitForApproval(
  ctx: Context,
  api: ApiClient,
  endpoints: LoginEndpoints,
  device: DeviceStart,
  expiresAt: number,
  limits: WaitLimits,
  target: Target,
): Promise<TokenGrant> {
  const again = loginCommand(target, "--no-browser");
  let interval = device.interval;
  let failures = 0;
  let lastFailure: ApiError | undefined;
  while (ctx.now() < expiresAt) {
    let outcome: PollOutcome;
    try {
      outcome = await pollDevice(ctx, api, endpoints, device.deviceCode, {
        waitSeconds: Math.floor((expiresAt - ctx.now()) / 1000),
        expiresAt,
      });
    } catch (error) {
      if (!(error instanceof ApiError) || !isTransient(error)) throw error;
      lastFailure = error;
      failures++;
      await ctx.sleep(backoffMs(interval, failures), ctx.signal);
      continue;
    }
    switch (outcome.kind) {
      case "approved":
        return outcome.grant;
      case "denied":
        throw new NothingToCancel(new CliError("Login denied in the browser.", EXIT.error));
      case "expired":
        throw new NothingToCancel(codeExpired(limits, again));
      case "gone":
        throw outcome.error;
    }
    // RFC 8628 §3.5: for this and all later polls (a minute at most).
    if (outcome.slowDown) interval = pollInterval(interval + 5);
    else failures = 0;
    await ctx.sleep(Math.min(interval * 1000, Math.max(0, expiresAt - ctx.now())), ctx.signal);
  }
  if (lastFailure && failures > 0) {
    throw new CliError(
      `Login timed out; the server kept failing: ${lastFailure.message}\nTry again later: ${again}`,
    );
  }
  if (limits.endsBy === "code") throw new NothingToCancel(codeExpired(limits, again));
  throw new CliError(
    `Stopped waiting after ${limits.waitedSeconds} s (--timeout) before the login was approved` +
      (limits.cancels ? "; it is cancelled, so approving it now does nothing" : "") +
      `. For more time: ${
        loginCommand(target, "--no-browser", "--timeout", String(limits.codeSeconds))
      } (the code lasts ${limits.codeSeconds} s).`,
    EXIT.error,
  );
}

function codeExpired(limits: WaitLimits, again: string): CliError {
  return new CliError(
    `The login code expired (it lasts ${limits.codeSeconds} s) before it was approved. ` +
      `Run \`${again}\` again.`,
    EXIT.error,
  );
}

/**
 * The error for a server whose discovery document names no device
 * authorization endpoint (RFC 8414 makes it optional): no headless login there.
 *
 * @example
 * ```ts
 * import { nodeFs } from "../credentials/node_fs.ts";
 * import { loginTarget } from "../runtime/target.ts";
 * const target = loginTarget({ api: "https://auth.example.com" }, { fs: nodeFs, env: {}, home: "/nonexistent" });
 * noDeviceFlow(target).message; // "https://auth.example.com has no device flow (…)"
 * ```
 */
export function noDeviceFlow(target: Target): CliError {
  return new CliError(
    `${target.api} has no device flow (its discovery document names no ` +
      "device_authorization_endpoint), so it cannot log in without a browser. Log in where a " +
      `browser can open: ${loginCommand(target)}, or with an API key: ${
        loginCommand(target, "--with-token")
      }`,
    EXIT.error,
  );
}
