/**
 * The interactive login: discovery picks the protocol; then the browser
 * flow (authorization code + PKCE on a loopback listener), the headless
 * device flow, or today's production hand-off. Every path ends in
 * `saveLogin`; every failure leaves the stored credentials untouched.
 *
 * @example
 * ```ts
 * import { interactiveLogin } from "./flow.ts";
 * // await interactiveLogin(ctx, target, { noBrowser: false, timeoutMs: 300_000 });
 * ```
 * @module
 */
import type { ApiClient } from "../runtime/client.ts";
import { findHandoffKeyId } from "../runtime/keys.ts";
import { apiKeysPage, loginCommand, type Target } from "../runtime/target.ts";
import { apiFor } from "../runtime/connect.ts";
import { type Context } from "../runtime/context.ts";
import { CliError, EXIT } from "../runtime/errors.ts";
import { line, paint, warn } from "../runtime/output.ts";
import { GRANT, PATHS } from "../protocol/constants.ts";
import { pkceChallenge, randomToken } from "../protocol/crypto.ts";
import { randomHex } from "../protocol/random.ts";
import type { TokenGrant } from "../protocol/types.ts";
import { chooseOpener, type OpenerChoice, openUrl } from "./browser.ts";
import { deviceLogin } from "./device.ts";
import { discover, type LoginEndpoints } from "./discovery.ts";
import { type Listener, type ListenerOutcome, startListener } from "./listener.ts";
import { type LoginResult, saveCheckedKey, saveLogin } from "./save.ts";

/** Options of an interactive login. */
export interface InteractiveOptions {
  noBrowser: boolean;
  timeoutMs: number;
}

/** Logs in through the browser or the headless flow and saves the result. */
export async function interactiveLogin(
  ctx: Context,
  target: Target,
  options: InteractiveOptions,
): Promise<void> {
  const deadline = ctx.now() + options.timeoutMs;
  const api = apiFor(ctx, target);
  const endpoints = await discover(api);
  const opener = options.noBrowser
    ? { reason: "--no-browser was given" }
    : chooseOpener(ctx.env, ctx.fs.platform, ctx.osRelease());

  if (!endpoints) {
    line(
      ctx.stderr,
      `${target.api} has no login discovery document; using almyty's browser hand-off (${target.frontend}${PATHS.legacyPage}).`,
    );
    return await legacyLogin(ctx, target, opener, options);
  }
  if ("reason" in opener) {
    if (!options.noBrowser) {
      line(
        ctx.stderr,
        `Not opening a browser because ${opener.reason}; using the headless login instead.`,
      );
    }
    const grant = await deviceLogin(ctx, target, endpoints, { deadline });
    return await saveLogin(ctx, target, fromGrant(grant));
  }
  await codeLogin(ctx, target, endpoints, api, opener, options);
}

function fromGrant(grant: TokenGrant): LoginResult {
  return {
    token: grant.token,
    email: grant.email,
    keyId: grant.keyId,
    organization: grant.organization,
    keyOrigin: "minted",
  };
}

async function codeLogin(
  ctx: Context,
  target: Target,
  endpoints: LoginEndpoints,
  api: ApiClient,
  opener: Extract<OpenerChoice, { launch: unknown }>,
  options: InteractiveOptions,
): Promise<void> {
  const state = randomToken(32);
  const verifier = randomToken(32);
  const listener = startListener({
    mode: "code",
    state,
    complete: async (code, closed) => {
      const grant = await api.request<TokenGrant>(endpoints.token, {
        method: "POST",
        body: new URLSearchParams({
          grant_type: GRANT.authorizationCode,
          code,
          code_verifier: verifier,
          redirect_uri: listener.callbackUrl,
        }),
      });
      closed.throwIfAborted(); // timed out or interrupted meanwhile: save nothing
      await saveLogin(ctx, target, fromGrant(grant));
      return grant.email;
    },
  });
  const url = new URL(endpoints.authorization);
  for (
    const [name, value] of Object.entries({
      redirect_uri: listener.callbackUrl,
      state,
      code_challenge: pkceChallenge(verifier),
      code_challenge_method: "S256",
      client_name: ctx.hostname(),
    })
  ) url.searchParams.set(name, value);
  await openAndWait(ctx, target, listener, url.href, opener, options);
}

async function legacyLogin(
  ctx: Context,
  target: Target,
  opener: OpenerChoice,
  options: InteractiveOptions,
): Promise<void> {
  // Production's CLI sends 32 random bytes as hex; its page accepts any state.
  const state = randomHex(32);
  const started = ctx.now();
  let keyIdMissing = false;
  const listener = startListener({
    mode: "legacy",
    state,
    complete: (token, closed) =>
      saveCheckedKey(ctx, target, token, {
        keyOrigin: "minted",
        closed,
        // The page passes on the key, not its id: find it, so logout can revoke it.
        findKeyId: async (withKey) => {
          const id = await findHandoffKeyId(apiFor(ctx, withKey), token, started).catch(() => null);
          keyIdMissing = id === null;
          return id;
        },
      }),
  });
  const url = new URL(target.frontend + PATHS.legacyPage);
  url.search = new URLSearchParams({ callback: listener.callbackUrl, state }).toString();
  if ("reason" in opener) {
    line(
      ctx.stderr,
      `This server has no headless login, and no browser will be opened here (${opener.reason}).`,
    );
    line(
      ctx.stderr,
      `Either log in with an API key:  ${
        loginCommand(target, "--token", "-")
      }  (reads it from stdin)`,
    );
    line(
      ctx.stderr,
      `or forward the login port from the machine with the browser, then open the URL there:`,
    );
    line(ctx.stderr, `  ssh -L ${listener.port}:127.0.0.1:${listener.port} ${ctx.hostname()}`);
  }
  await openAndWait(ctx, target, listener, url.href, opener, options);
  if (keyIdMissing) {
    warn(
      ctx,
      `Could not find this key's id, so \`almyty-auth logout\` will not be able to revoke it; ` +
        `revoke it at ${apiKeysPage(target)} when you are done.`,
    );
  }
}

/**
 * Prints the URL, tries to open it, then waits for the listener, the deadline
 * or Ctrl-C. Closing the listener also stops a completion still under way
 * from saving (see ListenerOptions.complete).
 */
async function openAndWait(
  ctx: Context,
  target: Target,
  listener: Listener,
  url: string,
  opener: OpenerChoice,
  options: InteractiveOptions,
): Promise<void> {
  try {
    line(ctx.stderr, "Open this URL in your browser to log in:");
    line(ctx.stderr, "  " + paint(ctx, ctx.stderr, "bold", url));
    if ("launch" in opener && !(await openUrl(opener, url, ctx.launch))) {
      line(ctx.stderr, `Could not start ${opener.name}; open the URL above yourself.`);
    }
    line(
      ctx.stderr,
      `Waiting for the browser (up to ${
        Math.round(options.timeoutMs / 1000)
      } s; Ctrl-C to cancel)...`,
    );
    const outcome = await waitFor(ctx, listener.outcome, options.timeoutMs, loginCommand(target));
    if (outcome.kind === "denied") throw new CliError("Login denied in the browser.", EXIT.error);
    if (outcome.kind === "failed") throw outcome.error;
  } finally {
    await listener.close();
  }
}

function waitFor(
  ctx: Context,
  outcome: Promise<ListenerOutcome>,
  ms: number,
  again: string,
): Promise<ListenerOutcome> {
  const controller = new AbortController();
  const signal = AbortSignal.any([controller.signal, ctx.signal]);
  const timeout = ctx.sleep(ms, signal).then(() => {
    throw new CliError(
      `Login timed out after ${Math.round(ms / 1000)} s with no answer from the browser. ` +
        `Run \`${again}\` again (add --timeout <seconds> for more time).`,
      EXIT.error,
    );
  });
  timeout.catch(() => {}); // the race reports it; after the race it is moot
  return Promise.race([outcome, timeout]).finally(() => controller.abort());
}
