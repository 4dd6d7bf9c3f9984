/**
 * A scripted API with a discovery document and the device flow, in a World:
 * the test decides each poll's answer (and, optionally, offers the cancel
 * extension, shapes the account /auth/profile describes, or delays it).
 * @module
 */
import type { World } from "./world.ts";

/** How the scripted API behaves beyond its defaults. */
export interface DeviceApiOptions {
  /** Fields of the device authorization response to add or replace. */
  device?: Record<string, unknown>;
  /** Advertise almyty's cancel extension (and record each cancel). */
  cancel?: boolean;
  /** Fields of the account `GET /auth/profile` describes. */
  account?: Record<string, unknown>;
  /** `GET /auth/profile` answers after this long on the world's clock. */
  profileDelayMs?: number;
}

/** Serves the API in `world`; `onToken` answers each poll (numbered from 1, with the clock). */
export function scriptedDeviceApi(
  world: World,
  onToken: (poll: number, at: number) => Response | Promise<Response>,
  options: DeviceApiOptions = {},
) {
  const polls: number[] = [];
  const cancels: URLSearchParams[] = [];
  const url = world.route(async (request) => {
    const path = new URL(request.url).pathname;
    const origin = new URL(request.url).origin;
    if (path === "/.well-known/oauth-authorization-server") {
      return Response.json({
        issuer: origin,
        authorization_endpoint: `${origin}/cli-auth`,
        token_endpoint: `${origin}/token`,
        device_authorization_endpoint: `${origin}/device`,
        ...(options.cancel ? { almyty_device_cancel_endpoint: `${origin}/device/cancel` } : {}),
      });
    }
    if (path === "/device") {
      return Response.json({
        device_code: "dc",
        user_code: "BCDF-GHJK",
        verification_uri: `${origin}/cli-auth`,
        verification_uri_complete: `${origin}/cli-auth?code=BCDF-GHJK`,
        expires_in: 600,
        interval: 5,
        ...options.device,
      });
    }
    if (path === "/device/cancel" && options.cancel) {
      cancels.push(new URLSearchParams(await request.text()));
      return Response.json({});
    }
    if (path === "/token") {
      await request.text();
      polls.push(world.clock.now());
      return await onToken(polls.length, world.clock.now());
    }
    if (path === "/auth/profile") {
      // Who the key is comes from here (19.12), not from the token response.
      if (options.profileDelayMs) await world.clock.sleep(options.profileDelayMs);
      return Response.json({
        success: true,
        data: { id: "u", email: "dev@example.com", ...options.account },
      });
    }
    return new Response("no", { status: 404 });
  });
  return { url, polls, cancels };
}
