/**
 * The protocol as a standard OAuth client sees it: oauth4webapi (npm, a
 * spec-strict client nobody here wrote) drives the reference server through
 * its own processing functions — discovery with its issuer check, the
 * authorization code + PKCE flow in real Chromium over [::1] with the RFC 9207
 * `iss` check, device authorization with approval and polling, revocation.
 */
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
