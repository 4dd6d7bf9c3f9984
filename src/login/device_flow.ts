/**
 * The headless login: RFC 8628 device authorization, polled with the
 * server's `wait` long-poll so an approval is noticed at once; `slow_down`
 * adds 5 s to the interval, network errors, 5xx and 429 back off
 * exponentially until the code expires.
 *
 * @example
 * ```ts
 * import { deviceFlow } from "./device_flow.ts";
 * // const result = await deviceFlow(ctx, target, endpoints, ui, { deadline: Date.now() + 300_000 });
 * ```
 * @module
 */
import type { ApiClient } from "../runtime/client.ts";
import { ApiError } from "../runtime/api_error.ts";
import { loginCommand, type Target } from "../runtime/target.ts";
import { apiFor } from "../runtime/connect.ts";
import type { Context } from "../runtime/context.ts";
import { CliError, EXIT } from "../runtime/errors.ts";
import { CLIENT_ID, DEVICE_INTERVAL_SECONDS, GRANT, OAUTH_ERROR } from "../protocol/constants.ts";
import { stripControl } from "../protocol/text.ts";
import type { DeviceAuthorization, TokenGrant } from "../protocol/types.ts";
import { checkServiceUrl } from "../protocol/urls.ts";
import { grantResult } from "./code_flow.ts";
import { type LoginEndpoints, sameSite } from "./discovery.ts";
import type { LoginResult } from "./result.ts";
import type { LoginUi } from "./ui.ts";

/** Device-login options. */
export interface DeviceFlowOptions {
  /** Epoch ms after which the CLI gives up (the --timeout). */
  deadline: number;
}

const MAX_BACKOFF_MS = 30_000;

/**
 * Runs the headless login and returns its result (nothing is saved here).
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
  const api = apiFor(ctx, target);
  const auth = await api.request<DeviceAuthorization>(endpoints.device, {
    method: "POST",
    // RFC 8628 §3.1: form-encoded, with the client's id.
    body: new URLSearchParams({ client_id: CLIENT_ID, client_name: ctx.hostname() }),
    envelope: false,
  });
  // The pages we tell the user to open obey the same rule as --frontend,
  // and server text is shown without control characters.
  const verificationUriComplete = checkServiceUrl(
    String(auth.verification_uri_complete),
    "the server's verification_uri_complete",
  ).href;
  const verificationUri = checkServiceUrl(
    String(auth.verification_uri ?? verificationUriComplete),
    "the server's verification_uri",
  ).href;
  // The page the user types the code into must be this server's site (or the named frontend).
  for (const page of [verificationUri, verificationUriComplete]) {
    if (
      !sameSite(endpoints.issuer, page) && new URL(page).origin !== new URL(target.frontend).origin
    ) {
      throw new CliError(
        `The server sends you to ${
          new URL(page).origin
        } to approve, which is not ${endpoints.issuer}'s site: ` +
          `refusing. If that page is really yours, name it: --frontend ${new URL(page).origin}`,
        EXIT.error,
      );
    }
  }
  const expiresAt = Math.min(ctx.now() + Number(auth.expires_in) * 1000, options.deadline);
  await ui.showCode({
    verificationUri,
    verificationUriComplete,
    userCode: stripControl(String(auth.user_code)),
    expiresAt,
  });
  ui.waiting("approval", expiresAt);
  try {
    const grant = await poll(
      ctx,
      api,
      endpoints,
      auth,
      expiresAt,
      loginCommand(target, "--no-browser"),
    );
    return grantResult(grant, ctx.now());
  } finally {
    ui.stopWaiting();
  }
}

async function poll(
  ctx: Context,
  api: ApiClient,
  endpoints: LoginEndpoints,
  auth: DeviceAuthorization,
  expiresAt: number,
  again: string,
): Promise<TokenGrant> {
  // RFC 8628 §3.2: 5 s when the server names no interval.
  const given = Number(auth.interval);
  let interval = (Number.isFinite(given) ? Math.max(given, 0) : DEVICE_INTERVAL_SECONDS) * 1000;
  let failures = 0;
  let lastFailure: ApiError | undefined;
  const longPoll = endpoints.longPoll;
  while (ctx.now() < expiresAt) {
    // The server's long-poll, when it has one: the approval is noticed at once.
    const wait = longPoll
      ? Math.max(0, Math.min(longPoll.maxSeconds, Math.floor((expiresAt - ctx.now()) / 1000)))
      : 0;
    try {
      return await api.request<TokenGrant>(endpoints.token, {
        method: "POST",
        envelope: false, // RFC 6749 §5.1: the standard response, no envelope
        body: new URLSearchParams({
          grant_type: GRANT.deviceCode,
          client_id: CLIENT_ID,
          device_code: auth.device_code,
          ...(longPoll && wait > 0 ? { [longPoll.parameter]: String(wait) } : {}),
        }),
        // Long enough for the long-poll, never past the deadline.
        timeoutMs: Math.max(1000, Math.min((wait + 15) * 1000, expiresAt - ctx.now() + 1000)),
      });
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      switch (error.code) {
        case OAUTH_ERROR.authorizationPending:
          failures = 0;
          break;
        case OAUTH_ERROR.slowDown:
          interval += 5000; // RFC 8628 §3.5: for this and all later polls
          break;
        case OAUTH_ERROR.accessDenied:
          throw new CliError("Login denied in the browser.", EXIT.error);
        case OAUTH_ERROR.expiredToken:
          throw expired(again);
        default:
          if (!isTransient(error)) throw error;
          lastFailure = error;
          failures++;
          await ctx.sleep(
            Math.min(MAX_BACKOFF_MS, Math.max(interval, 1000) * 2 ** (failures - 1)),
            ctx.signal,
          );
          continue;
      }
      await ctx.sleep(Math.min(interval, Math.max(0, expiresAt - ctx.now())), ctx.signal);
    }
  }
  if (lastFailure && failures > 0) {
    throw new CliError(
      `Login timed out; the server kept failing: ${lastFailure.message}\nTry again later: ${again}`,
    );
  }
  throw expired(again);
}

function isTransient(error: ApiError): boolean {
  return error.kind === "network" || error.kind === "timeout" ||
    error.status === 429 || (error.status !== undefined && error.status >= 500);
}

function expired(again: string): CliError {
  return new CliError(
    `The login code expired before it was approved. Run \`${again}\` again.`,
    EXIT.error,
  );
}
