/**
 * The protocol as standard OAuth clients see it, two independent libraries
 * from npm that nobody here wrote: oauth4webapi (spec-strict) drives the
 * reference server through its own processing functions — discovery with its
 * issuer check, the authorization code + PKCE flow in real Chromium over
 * [::1] with the RFC 9207 `iss` check, device authorization with approval and
 * polling, revocation —; @badgateway/oauth2-client (a small everyday client)
 * discovers the endpoints, builds the authorization URL with PKCE, validates
 * the redirect (state, errors), exchanges the code and revokes the token.
 */
import { generateCodeVerifier, OAuth2Client, OAuth2Error } from "@badgateway/oauth2-client";
import * as oauth from "oauth4webapi";
import { assert, assertEquals, assertMatch } from "../helpers/assert.ts";
import { launchChromium, signIn, watchPages } from "../helpers/browser.ts";
import { recordToken } from "../helpers/leaks.ts";
import { decide, withServer } from "../helpers/server.ts";

const client: oauth.Client = { client_id: "almyty-cli", token_endpoint_auth_method: "none" };
const insecure = { [oauth.allowInsecureRequests]: true }; // http: the server is on loopback

async function discover(url: string) {
  const issuer = new URL(url);
  // RFC 8414 metadata (not OpenID Connect discovery).
  const request = await oauth.discoveryRequest(issuer, { ...insecure, algorithm: "oauth2" });
  return await oauth.processDiscoveryResponse(issuer, request);
}

async function profileStatus(url: string, token: string): Promise<number> {
  const response = await fetch(`${url}/auth/profile`, {
    headers: { authorization: `Bearer ${token}` },
  });
  await response.body?.cancel();
  return response.status;
}

Deno.test({
  name:
    "oauth4webapi: discovery, code + PKCE in Chromium over [::1] with the iss check, revocation",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    await withServer({}, async (server) => {
      const as = await discover(server.url);
      assertEquals(as.issuer, server.url);
      assertEquals(as.authorization_response_iss_parameter_supported, true);
      assertEquals(as.code_challenge_methods_supported, ["S256"]);
      assertEquals(as.token_endpoint_auth_methods_supported, ["none"]);
      // RFC 8414 §3.3: a document for another issuer is refused by the library itself.
      const wrong = await oauth.discoveryRequest(new URL(server.url), {
        ...insecure,
        algorithm: "oauth2",
      });
      await oauth.processDiscoveryResponse(new URL("http://127.0.0.1:9"), wrong).then(
        () => assert(false, "a foreign issuer was accepted"),
        (error) => assertMatch(String(error), /issuer/),
      );

      // The client's loopback redirect on [::1] (RFC 8252 §7.3).
      let arrived!: (url: string) => void;
      const callbackUrl = new Promise<string>((resolve) => (arrived = resolve));
      const listener = Deno.serve({ hostname: "::1", port: 0, onListen() {} }, (request) => {
        arrived(request.url);
        return new Response("back in the client");
      });
      const redirectUri = `http://[::1]:${listener.addr.port}/callback`;
      const verifier = oauth.generateRandomCodeVerifier();
      const state = oauth.generateRandomState();
      const authorization = new URL(as.authorization_endpoint!);
      for (
        const [k, v] of Object.entries({
          response_type: "code",
          client_id: client.client_id,
          redirect_uri: redirectUri,
          code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
          code_challenge_method: "S256",
          state,
        })
      ) authorization.searchParams.set(k, v);

      const browser = await launchChromium();
      try {
        const page = await (await browser.newContext()).newPage();
        watchPages(page);
        await page.goto(authorization.href);
        await signIn(page);
        await page.getByRole("button", { name: "Approve" }).click();
        const landed = new URL(await callbackUrl);
        // The library's own checks: state, and iss against the discovered issuer.
        const params = oauth.validateAuthResponse(as, client, landed, state);
        const forged = new URL(landed);
        forged.searchParams.set("iss", "http://127.0.0.1:9");
        let mixup = "";
        try {
          oauth.validateAuthResponse(as, client, forged, state);
        } catch (error) {
          mixup = String(error);
        }
        assertMatch(mixup, /iss/, "a response from another issuer is rejected");
        const response = await oauth.authorizationCodeGrantRequest(
          as,
          client,
          oauth.None(),
          params,
          redirectUri,
          verifier,
          insecure,
        );
        const tokens = await oauth.processAuthorizationCodeResponse(as, client, response);
        recordToken(tokens.access_token);
        assertEquals(tokens.token_type, "bearer"); // the library lowercases it
        assertEquals(await profileStatus(server.url, tokens.access_token), 200);

        const revoked = await oauth.revocationRequest(
          as,
          client,
          oauth.None(),
          tokens.access_token,
          insecure,
        );
        await oauth.processRevocationResponse(revoked);
        assertEquals(await profileStatus(server.url, tokens.access_token), 401);
      } finally {
        await browser.close();
        await listener.shutdown();
      }
    });
  },
});

Deno.test("oauth4webapi: device authorization, pending, approval, token", async () => {
  await withServer({ deviceInterval: 1 }, async (server) => {
    const as = await discover(server.url);
    const started = await oauth.deviceAuthorizationRequest(
      as,
      client,
      oauth.None(),
      { client_name: "oauth4webapi" },
      insecure,
    );
    const device = await oauth.processDeviceAuthorizationResponse(as, client, started);
    assertMatch(device.user_code, /^[B-Z]{4}-[B-Z]{4}$/);
    assert(device.verification_uri.startsWith(server.url));
    const poll = () =>
      oauth.deviceCodeGrantRequest(as, client, oauth.None(), device.device_code, insecure);
    let pending = "";
    try {
      await oauth.processDeviceCodeResponse(as, client, await poll());
    } catch (error) {
      pending = (error as { error?: string }).error ?? String(error);
    }
    assertEquals(pending, "authorization_pending");
    const approved = await decide(server.url, `/cli-auth?code=${device.user_code}`, "approve");
    await approved.body?.cancel();
    const tokens = await oauth.processDeviceCodeResponse(as, client, await poll());
    recordToken(tokens.access_token);
    assertEquals(await profileStatus(server.url, tokens.access_token), 200);
  });
});

/** Approves (or denies) an authorization URL as alice and returns where the browser lands. */
async function landing(server: string, authorizeUri: string, decision: "approve" | "deny") {
  const page = authorizeUri.slice(server.length);
  const response = await decide(server, page, decision);
  await response.body?.cancel();
  assertEquals(response.status, 303);
  return response.headers.get("location")!;
}

Deno.test("@badgateway/oauth2-client: discovery, code + PKCE, the redirect's checks, exchange, revocation", async () => {
  await withServer({}, async (server) => {
    const client = new OAuth2Client({ server: server.url, clientId: "almyty-cli" });
    const redirectUri = "http://127.0.0.1:5555/callback";
    const codeVerifier = await generateCodeVerifier();
    const state = crypto.randomUUID();
    // Its endpoints come from the discovery document, not from its defaults.
    assertEquals(await client.getEndpoint("tokenEndpoint"), `${server.url}/auth/cli/token`);
    assertEquals(await client.getEndpoint("revocationEndpoint"), `${server.url}/auth/cli/revoke`);
    const authorizeUri = await client.authorizationCode.getAuthorizeUri({
      redirectUri,
      state,
      codeVerifier,
    });
    assert(authorizeUri.startsWith(`${server.url}/cli-auth?`));
    const back = await landing(server.url, authorizeUri, "approve");
    // A redirect with another state is refused by the library itself.
    await client.authorizationCode.getTokenFromCodeRedirect(back, {
      redirectUri,
      state: "another-state",
      codeVerifier,
    }).then(
      () => assert(false, "a foreign state was accepted"),
      (error) => assertMatch(String(error), /state/),
    );
    const token = await client.authorizationCode.getTokenFromCodeRedirect(back, {
      redirectUri,
      state,
      codeVerifier,
    });
    recordToken(token.accessToken);
    assertMatch(token.accessToken, /^almyty_[0-9a-f]{64}$/);
    assertEquals(token.expiresAt, null, "production's keys never expire");
    assertEquals(await profileStatus(server.url, token.accessToken), 200);
    await client.revoke(token);
    assertEquals(await profileStatus(server.url, token.accessToken), 401);

    // Errors reach it the standard way (RFC 6749 §4.1.2.1 and §5.2), as OAuth2Error codes.
    const denied = await landing(
      server.url,
      await client.authorizationCode.getAuthorizeUri({ redirectUri, state, codeVerifier }),
      "deny",
    );
    assertEquals(
      oauthCode(() => client.authorizationCode.validateResponse(denied, { state })),
      "access_denied",
    );
    const noPkce = await fetch(
      await client.authorizationCode.getAuthorizeUri({ redirectUri, state }),
      { redirect: "manual" },
    );
    await noPkce.body?.cancel();
    assertEquals(
      oauthCode(() =>
        client.authorizationCode.validateResponse(noPkce.headers.get("location")!, { state })
      ),
      "invalid_request",
    );
    const replay = await client.authorizationCode.getTokenFromCodeRedirect(back, {
      redirectUri,
      state,
      codeVerifier,
    }).catch((error) => error);
    assert(replay instanceof OAuth2Error);
    assertEquals(replay.oauth2Code, "invalid_grant");
  });
});

/** The OAuth error code `fn` throws, as the library reports it. */
function oauthCode(fn: () => unknown): string | null {
  try {
    fn();
  } catch (error) {
    if (error instanceof OAuth2Error) return error.oauth2Code;
    throw error;
  }
  return null;
}
