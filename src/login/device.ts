/**
 * The headless login: RFC 8628 device authorization, polled with the
 * server's `wait` long-poll so an approval is noticed at once.
 *
 * @example
 * ```ts
 * import { deviceLogin } from "./device.ts";
 * // const grant = await deviceLogin(ctx, target, endpoints, { deadline: Date.now() + 300_000 });
 * ```
 * @module
 */
import type { ApiClient } from "../runtime/client.ts";
import { ApiError } from "../runtime/api_error.ts";
import { loginCommand, type Target } from "../runtime/target.ts";
import { apiFor } from "../runtime/connect.ts";
import { type Context } from "../runtime/context.ts";
import { CliError, EXIT } from "../runtime/errors.ts";
import { line, paint } from "../runtime/output.ts";
import { GRANT, MAX_WAIT_SECONDS, OAUTH_ERROR } from "../protocol/constants.ts";
import { stripControl } from "../protocol/text.ts";
import type { DeviceAuthorization, TokenGrant } from "../protocol/types.ts";
import { checkServiceUrl } from "../protocol/urls.ts";
import type { LoginEndpoints } from "./discovery.ts";

/** Device-login options. */
export interface DeviceLoginOptions {
  /** Epoch ms after which the CLI gives up (the --timeout). */
  deadline: number;
}

const MAX_BACKOFF_MS = 30_000;

/** Runs the headless login and returns the grant. */
export async function deviceLogin(
  ctx: Context,
  target: Target,
  endpoints: LoginEndpoints,
  options: DeviceLoginOptions,
): Promise<TokenGrant> {
  const api = apiFor(ctx, target);
  const auth = await api.request<DeviceAuthorization>(endpoints.device, {
    method: "POST",
    body: { client_name: ctx.hostname() },
    envelope: false,
  });
  // The page we tell the user to open must obey the same rule as --frontend,
  // and server text is printed without control characters.
  auth.verification_uri_complete = checkServiceUrl(
    String(auth.verification_uri_complete),
    "the server's verification_uri_complete",
  ).href;
  auth.user_code = stripControl(String(auth.user_code));
  const expiresAt = Math.min(ctx.now() + auth.expires_in * 1000, options.deadline);
  await showInstructions(ctx, auth);

  const countdown = startCountdown(ctx, expiresAt);
  try {
    return await poll(
      ctx,
      api,
      endpoints.token,
      auth,
      expiresAt,
      loginCommand(target, "--no-browser"),
    );
  } finally {
    countdown();
  }
}

async function showInstructions(ctx: Context, auth: DeviceAuthorization): Promise<void> {
  const err = ctx.stderr;
  line(err, "Open this URL in any browser:");
  line(err, "  " + paint(ctx, err, "bold", auth.verification_uri_complete));
  line(err);
  line(err, "and check that it shows this code:");
  line(err, "  " + paint(ctx, err, "bold", auth.user_code));
  line(err);
  if (err.isTerminal) {
    const { qrLines } = await import("./qr.ts");
    for (const row of qrLines(auth.verification_uri_complete)) line(err, row);
    line(err);
  }
  line(err, "Waiting for authentication...");
}

/** A live "expires in m:ss" line on a terminal; returns its stopper. */
function startCountdown(ctx: Context, expiresAt: number): () => void {
  if (!ctx.stderr.isTerminal) return () => {};
  const draw = () => {
    const left = Math.max(0, Math.round((expiresAt - ctx.now()) / 1000));
    const clock = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}`;
    ctx.stderr.write(`\r\x1b[2K${paint(ctx, ctx.stderr, "dim", `  code expires in ${clock}`)}`);
  };
  draw();
  const timer = setInterval(draw, 1000);
  return () => {
    clearInterval(timer);
    ctx.stderr.write("\r\x1b[2K");
  };
}

async function poll(
  ctx: Context,
  api: ApiClient,
  tokenEndpoint: string,
  auth: DeviceAuthorization,
  expiresAt: number,
  again: string,
): Promise<TokenGrant> {
  let interval = Math.max(auth.interval, 0) * 1000;
  let failures = 0;
  let lastFailure: ApiError | undefined;
  while (ctx.now() < expiresAt) {
    const wait = Math.max(
      0,
      Math.min(MAX_WAIT_SECONDS, Math.floor((expiresAt - ctx.now()) / 1000)),
    );
    try {
      return await api.request<TokenGrant>(tokenEndpoint, {
        method: "POST",
        body: new URLSearchParams({
          grant_type: GRANT.deviceCode,
          device_code: auth.device_code,
          wait: String(wait),
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
