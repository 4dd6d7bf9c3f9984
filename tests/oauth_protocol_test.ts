/**
 * The protocol's standard shape and its defences: the mix-up attack against
 * the CLI (RFC 9700 §4.4), exact redirect URIs, RFC 6749 §5.2 errors, the
 * long-poll extension's rules, device-flow phishing (RFC 8628 §5.4), and keys
 * that match their purpose.
 */
import { assert, assertEquals, assertMatch } from "./helpers/assert.ts";
import { authorizationRequest, openConsent, TEST_REDIRECT_URI } from "./helpers/consent.ts";
import { signInCookie, World } from "./helpers/world.ts";
import { recordToken } from "./helpers/leaks.ts";
import { pkceChallenge, randomToken } from "../src/protocol/crypto.ts";
import { isLoopbackRedirect } from "../src/server/routes_pages.ts";
import { createHandler } from "../src/server/app.ts";
import { Store } from "../src/server/store.ts";

Deno.test("mix-up: a hostile API that forwards the browser to the real server is refused before any code is sent", async () => {
  const world = new World({ BROWSER: "test-browser" });
  const real = world.referenceServer();
  const seenByHostile: string[] = [];
  const hostile = world.route((request) => {
    const url = new URL(request.url);
    seenByHostile.push(url.pathname);
    const origin = url.origin;
    if (url.pathname === "/.well-known/oauth-authorization-server") {
      return Response.json({
        issuer: origin,
        authorization_endpoint: `${real.url}/cli-auth`, // the real almyty's approval page
        token_endpoint: `${origin}/token`, // where the approved code would be redeemed
        device_authorization_endpoint: `${origin}/device`,
        authorization_response_iss_parameter_supported: true,
      });
    }
    return new Response("no", { status: 404 });
  });
  assertEquals(await world.run(["login", "--api", hostile]), 1);
  assertMatch(
    world.stderr,
    /sends the browser to http:\/\/127\.0\.0\.1:\d+, which is neither .* nor its web app .*: refusing/,
  );
  assertEquals(world.launched, [], "no browser was opened");
  assertEquals(seenByHostile, ["/.well-known/oauth-authorization-server"], "nothing else was sent");
  assert(!world.requests.some((r) => r.includes(`${real.url}/cli-auth`)));

  // A document that claims to be the real issuer is refused too (RFC 8414 §3.3).
  const impostor = new World({ BROWSER: "test-browser" });
  const genuine = impostor.referenceServer();
  const liar = impostor.route(async () =>
    new Response(
      await (await impostor.fetch(`${genuine.url}/.well-known/oauth-authorization-server`)).text(),
      { headers: { "content-type": "application/json" } },
    )
  );
  assertEquals(await impostor.run(["login", "--api", liar]), 1);
  assertMatch(impostor.stderr, new RegExp(`names another issuer \\(${genuine.url}\\)`));
  // Another port of this machine is another server: no way around the refusal is offered.
  assert(!/log in with/.test(impostor.stderr), impostor.stderr);
  assertEquals(impostor.launched, []);
});

Deno.test("--api http://localhost:<port> for a server that publishes itself as 127.0.0.1:<port> (the reference server's banner) is still refused, with the login at the published address", async () => {
  const world = new World({ BROWSER: "test-browser" });
  const server = world.referenceServer();
  const port = new URL(server.url).port;
  const localhost = world.route(
    (request) => world.fetch(request.url.replace("//localhost:", "//127.0.0.1:"), request),
    `http://localhost:${port}`,
  );
  assertEquals(await world.run(["login", "--profile", "dev", "--api", localhost]), 1);
  assertEquals(
    world.stderr,
    `${localhost}/.well-known/oauth-authorization-server names another issuer (${server.url}), ` +
      `not ${localhost}: refusing to log in there (a server answering for another one is how a ` +
      "mix-up attack starts). Both are addresses of this machine; log in with the one the server " +
      `publishes: almyty-auth login --profile dev --api ${server.url}\n`,
  );
  assertEquals(world.launched, []);
  const published = world.again();
  published.onLaunch = () => false;
  assertEquals(
    await published.run(["login", "--timeout", "1", "--profile", "dev", "--api", server.url]),
    1,
  );
  assert(!/names another issuer/.test(published.stderr), published.stderr);
});

Deno.test("mix-up: a callback naming another issuer is refused and the login keeps waiting", async () => {
  const world = new World({ BROWSER: "test-browser" });
  const server = world.referenceServer();
  world.onLaunch = (url) => {
    world.task(async () => {
      const params = new URL(url).searchParams;
      const callback = params.get("redirect_uri")!;
      const state = params.get("state")!;
      const foreign = await world.fetch(`${callback}?code=x&state=${state}&iss=http://127.0.0.1:9`);
      assertEquals(foreign.status, 400);
      assertMatch(await foreign.text(), /This answer is from another server/);
      const none = await world.fetch(`${callback}?code=x&state=${state}`);
      assertEquals(none.status, 400, "iss is required: the server says it sends it");
      await none.body?.cancel();
      // The real answer still works.
      const page = await world.decide(url, "approve");
      assertMatch(page.text, /Logged in/);
    });
    return true;
  };
  assertEquals(await world.run(["login", "--api", server.url]), 0, world.stderr);
});

Deno.test("redirect URIs are compared exactly (RFC 9700 §2.1, RFC 8252 §7.3/§8.3)", () => {
  const table: [string, boolean][] = [
    ["http://127.0.0.1:53817/callback", true],
    ["http://[::1]:53817/callback", true],
    ["http://127.0.0.1/callback", false], // no port: not what a loopback client registers
    ["http://127.0.0.1:53817/cb", false],
    ["http://127.0.0.1:53817/callback/", false],
    ["http://127.0.0.1:53817/callback?x=1", false],
    ["http://127.0.0.1:53817/callback#f", false],
    ["http://localhost:53817/callback", false],
    ["http://127.0.0.2:53817/callback", false],
    ["https://127.0.0.1:53817/callback", false],
    ["http://user@127.0.0.1:53817/callback", false],
    ["http://[0:0:0:0:0:0:0:1]:53817/callback", false], // not the registered spelling
  ];
  for (const [uri, ok] of table) assertEquals(isLoopbackRedirect(uri), ok, uri);
});

/** An OAuth request to the in-process server. */
function post(world: World, url: string, body: string, type = "application/x-www-form-urlencoded") {
  return world.fetch(url, { method: "POST", headers: { "content-type": type }, body });
}

Deno.test("RFC 6749 §5.2 errors everywhere on the OAuth endpoints; client_id required", async () => {
  const world = new World();
  const { url } = world.referenceServer();
  const cases: [string, string, string | undefined, number, string][] = [
    ["/auth/cli/token", "grant_type=authorization_code&code=x", undefined, 401, "invalid_client"],
    ["/auth/cli/token", "client_id=other&grant_type=x", undefined, 401, "invalid_client"],
    [
      "/auth/cli/token",
      "client_id=almyty-cli&client_id=almyty-cli&grant_type=x",
      undefined,
      400,
      "invalid_request",
    ],
    ["/auth/cli/token", '{"client_id":"almyty-cli"}', "application/json", 400, "invalid_request"],
    [
      "/auth/cli/token",
      "client_id=almyty-cli&grant_type=password",
      undefined,
      400,
      "unsupported_grant_type",
    ],
    ["/auth/cli/device", "client_name=x", undefined, 401, "invalid_client"],
    [
      "/auth/cli/device",
      "client_id=almyty-cli&client_name=a&client_name=b",
      undefined,
      400,
      "invalid_request",
    ],
    [
      "/auth/cli/device",
      "client_id=almyty-cli&" + "x=".padEnd(70_000, "y"),
      undefined,
      413,
      "invalid_request",
    ],
    ["/auth/cli/token", "client_id=almyty-cli", undefined, 400, "invalid_request"], // no grant_type
    ["/auth/cli/revoke", "client_id=almyty-cli", undefined, 400, "invalid_request"],
    ["/auth/cli/revoke", "client_id=other&token=almyty_x", undefined, 401, "invalid_client"],
    ["/auth/cli/revoke", "token=almyty_x", undefined, 401, "invalid_client"],
    [
      "/auth/cli/device/cancel",
      "client_id=almyty-cli&device_code=a&device_code=b",
      undefined,
      400,
      "invalid_request",
    ],
  ];
  for (const [path, body, type, status, error] of cases) {
    const response = await post(world, url + path, body, type);
    const json = await response.json();
    assertEquals([response.status, json.error], [status, error], `${path} ${body.slice(0, 60)}`);
    assertEquals(typeof json.error_description, "string");
    assertEquals(response.headers.get("cache-control"), "no-store");
  }
  const doc = await (await world.fetch(`${url}/.well-known/oauth-authorization-server`)).json();
  assertEquals(doc.response_types_supported, ["code"]);
  assertEquals(doc.revocation_endpoint, `${url}/auth/cli/revoke`);
  assertEquals(doc.revocation_endpoint_auth_methods_supported, ["none"]);
  assertEquals([doc.almyty_long_poll_parameter, doc.almyty_long_poll_max_seconds], [
    "almyty_wait",
    20,
  ]);
});

Deno.test("the long-poll: one held poll per code, a second's tolerance, capped at 20 s", async () => {
  const world = new World();
  const { url, store } = world.referenceServer({ deviceInterval: 5 });
  const device = await (await post(world, `${url}/auth/cli/device`, "client_id=almyty-cli")).json();
  const poll = (extra = "") =>
    post(
      world,
      `${url}/auth/cli/token`,
      `client_id=almyty-cli&grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&device_code=${device.device_code}${extra}`,
    )
      .then((r) => r.json());
  assertEquals((await poll()).error, "authorization_pending");
  world.clock.advance(4_200); // 0.8 s early: within the tolerance
  const held = poll("&almyty_wait=60"); // held (capped at 20 s)
  await new Promise((resolve) => setTimeout(resolve, 20));
  world.clock.advance(10_000);
  assertEquals((await poll()).error, "slow_down", "a second poll while one is held");
  const grant = [...store.devices.values()][0];
  assertEquals(grant.held, true);
  store.decideDevice([...store.devices.keys()][0], store.userByEmail("alice@example.com")!, true);
  assertEquals((await held).token_type, "Bearer");
});

Deno.test("a poll whose client went away before the answer mints nothing; the approval goes to the next poll", async () => {
  const store = new Store({ deviceInterval: 0 });
  const alice = store.addUser("alice@example.com", "alice-password", ["acme"]);
  const url = "http://127.0.0.1:8080";
  const handler = createHandler(store, {}, () => url);
  const poll = (signal?: AbortSignal) =>
    handler(
      new Request(`${url}/auth/cli/token`, {
        method: "POST",
        headers: { host: "127.0.0.1:8080", "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({
          client_id: "almyty-cli",
          grant_type: "urn:ietf:params:oauth:grant-type:device_code",
          device_code: deviceCode,
        }),
        signal,
      }),
    ).then((response) => response.json());
  const { deviceCode } = store.createDeviceGrant("box");
  store.decideDevice([...store.devices.keys()][0], alice, true);
  // The person approved; the client's poll was on its way when the client was killed.
  assertEquals((await poll(AbortSignal.abort())).error, "authorization_pending");
  assertEquals(store.keysOf(alice), [], "no key for a client that is gone");
  const answer = await poll();
  recordToken(answer.access_token);
  assertEquals(answer.token_type, "Bearer");
  assertEquals(store.keysOf(alice).map((key) => key.id), [answer.key_id]);
});

Deno.test("device phishing: the consent page shows who asked; from another address the code must be typed", async () => {
  const world = new World();
  const { url, store } = world.referenceServer();
  world.remoteAddress = "203.0.113.7"; // the device asking
  const device = await (await post(
    world,
    `${url}/auth/cli/device`,
    "client_id=almyty-cli&client_name=build-box",
  )).json();
  world.clock.advance(90_000);
  world.remoteAddress = "127.0.0.1"; // the browser that got the link
  const cookie = await signInCookie(world.fetch, url);
  const consent = await openConsent(world.fetch, device.verification_uri_complete, cookie);
  const page = consent.html;
  assertMatch(
    page,
    /Requested from<\/dt><dd data-testid="requester">203\.0\.113\.7, 90 s ago \(this browser: 127\.0\.0\.1\)/,
  );
  assertMatch(page, /If someone sent you this link, choose Deny\./);
  assertMatch(page, /name="typed_code"/);
  // The code to type is the terminal's: the page must not show it to whoever sent the link.
  for (const spelling of [device.user_code, device.user_code.replace("-", "")]) {
    assert(!page.includes(spelling), "the page withholds the code it asks for");
  }
  assert(!page.includes('data-testid="user-code"'));
  const untyped = await consent.submit("approve");
  assertEquals(untyped.status, 403, "the pre-filled code alone does not approve");
  await untyped.body?.cancel();
  assertEquals([...store.devices.values()][0].status, "pending");
  // The same device asks again; now the person types the code from their own terminal.
  const again = await openConsent(world.fetch, device.verification_uri_complete, cookie);
  const typed = await again.submit("approve", { typed_code: device.user_code.toLowerCase() });
  assertMatch(await typed.text(), /Device approved/);
});

Deno.test("device consent from the same address shows the code to compare, and a countdown no longer than the code's life", async () => {
  const world = new World();
  const { url } = world.referenceServer();
  const device = await (await post(world, `${url}/auth/cli/device`, "client_id=almyty-cli"))
    .json();
  world.clock.advance(500_500); // 99.5 s of the code's 600 s are left
  const cookie = await signInCookie(world.fetch, url);
  const page = (await openConsent(world.fetch, device.verification_uri_complete, cookie)).html;
  assertMatch(page, new RegExp(`data-testid="user-code">${device.user_code}<`));
  assert(!page.includes('name="typed_code"'));
  assertMatch(page, /<span id="expires" data-seconds="99">1:39<\/span>/);
});

Deno.test("code-flow consent: the same phishing context as the device's, and no key is replaced by a name anyone can send", async () => {
  const world = new World();
  const { url } = world.referenceServer();
  const redirectUri = TEST_REDIRECT_URI;
  const authorize = () => {
    // client_name: what an attacker's look-alike link would say
    const { url: page, verifier } = authorizationRequest(url, { clientName: "victims-laptop" });
    return { page, verifier };
  };
  const cookie = await signInCookie(world.fetch, url);
  const first = authorize();
  const consent = await openConsent(world.fetch, first.page, cookie);
  assertMatch(consent.html, /data-testid="phishing-warning"/);
  assertMatch(consent.html, /If someone sent you this link, choose Deny\./);
  assertMatch(consent.html, /victims-laptop <span class="muted">\(the name it gives itself\)/);
  assertMatch(
    consent.html,
    /Sends the result to<\/dt><dd data-testid="destination">http:\/\/127\.0\.0\.1:5555 <span class="muted">\(a program on this computer\)/,
  );
  assert(!/replaces its old key|one key per device/i.test(consent.html));
  // Two logins that give the same device name: both keys stay live (production mints a new
  // key each time; the CLI revokes the key it replaces itself).
  const tokens: string[] = [];
  for (const { page, verifier } of [first, authorize()]) {
    const opened = page === first.page ? consent : await openConsent(world.fetch, page, cookie);
    const back = new URL((await opened.submit("approve")).headers.get("location")!);
    const grant = await (await post(
      world,
      `${url}/auth/cli/token`,
      new URLSearchParams({
        client_id: "almyty-cli",
        grant_type: "authorization_code",
        code: back.searchParams.get("code")!,
        code_verifier: verifier,
        redirect_uri: redirectUri,
      }).toString(),
    )).json();
    tokens.push(grant.access_token);
  }
  for (const token of tokens) {
    const profile = await world.fetch(`${url}/auth/profile`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assertEquals(profile.status, 200, "neither login revoked the other's key");
    await profile.body?.cancel();
  }
});

Deno.test("keys match their purpose: the organization chosen, an expiry the CLI shows; a re-login's old key revoked by the CLI", async () => {
  const world = new World({ BROWSER: "test-browser" });
  const { url, store } = world.referenceServer({ keyLifetimeSeconds: 30 * 86400 });
  const carol = store.userByEmail("carol@example.com")!;
  const globex = carol.organizations.find((o) => o.name === "globex")!;
  let approvals = 0;
  world.onLaunch = (authUrl) => {
    world.task(async () => {
      const cookie = await signInCookie(world.fetch, url, "carol@example.com", "carol-password");
      const consent = await openConsent(world.fetch, authUrl, cookie);
      assertMatch(
        consent.html,
        /type="radio" name="organization_id"/,
        "carol picks an organization",
      );
      const decided = await consent.submit("approve", { organization_id: globex.id });
      await decided.body?.cancel();
      await (await world.fetch(decided.headers.get("location")!)).body?.cancel();
      approvals++;
    });
    return true;
  };
  assertEquals(await world.run(["login", "--api", url]), 0, world.stderr);
  const first = world.saved()!;
  assertMatch(String(first.expiresAt), /^\d{4}-/);
  const profile = await (await world.fetch(`${url}/auth/profile`, {
    headers: { authorization: `Bearer ${first.token}` },
  })).json();
  assertEquals(profile.data.currentOrganizationId, globex.id, "the key is tied to globex");
  const status = await world.run(["status", "--offline"]);
  assertEquals(status, 0);
  assertMatch(world.stdout, /Expires: +in 30 days/);
  // A second login replaces the first key: the CLI revokes it (the server has no one-per-device rule).
  assertEquals(await world.run(["login", "--api", url]), 0, world.stderr);
  assertEquals(approvals, 2);
  const old = await world.fetch(`${url}/auth/profile`, {
    headers: { authorization: `Bearer ${first.token}` },
  });
  assertEquals(old.status, 401);
  await old.body?.cancel();
  const live = store.keysOf(carol).filter((k) =>
    k.isActive && k.name.startsWith("CLI login (test-host)")
  );
  assertEquals(live.length, 1);
});

Deno.test("a key is tied only to an organization of the user's own, and stops working when it expires", async () => {
  const world = new World();
  const { url, store } = world.referenceServer({ keyLifetimeSeconds: 60 });
  const globex = store.userByEmail("carol@example.com")!.organizations.find((o) =>
    o.name === "globex"
  )!;
  const form = (path: string, fields: Record<string, string>) =>
    world.fetch(url + path, {
      method: "POST",
      body: new URLSearchParams({ client_id: "almyty-cli", ...fields }),
    }).then((r) => r.json());
  const device = await form("/auth/cli/device", {});
  const cookie = await signInCookie(world.fetch, url); // alice: acme only
  const page = `${url}/cli-auth?code=${device.user_code}`;
  const foreign = await (await openConsent(world.fetch, page, cookie)).submit("approve", {
    organization_id: globex.id,
  });
  assertEquals(foreign.status, 403);
  assertMatch(await foreign.text(), /That organization is not yours/);
  assertEquals(store.deviceGrant(device.device_code)?.status, "pending");
  const own = await (await openConsent(world.fetch, page, cookie)).submit("approve");
  assertMatch(await own.text(), /Device approved/);
  const grant = await form("/auth/cli/token", {
    grant_type: "urn:ietf:params:oauth:grant-type:device_code",
    device_code: device.device_code,
  });
  recordToken(grant.access_token);
  assertEquals(grant.expires_in, 60);
  const profile = async () => {
    const response = await world.fetch(`${url}/auth/profile`, {
      headers: { authorization: `Bearer ${grant.access_token}` },
    });
    await response.body?.cancel();
    return response.status;
  };
  assertEquals(await profile(), 200);
  world.clock.advance(61_000);
  assertEquals(await profile(), 401, "an expired key still works");
});

Deno.test("authorization errors: shown on the page until the client and redirect_uri are known good, then sent back with error= (RFC 6749 §4.1.2.1)", async () => {
  const world = new World();
  const { url } = world.referenceServer();
  const base = {
    response_type: "code",
    client_id: "almyty-cli",
    redirect_uri: "http://127.0.0.1:5555/callback",
    state: "s".repeat(43),
    code_challenge: pkceChallenge(randomToken(32)),
    code_challenge_method: "S256",
  };
  const open = (query: string) => world.fetch(`${url}/cli-auth?${query}`, { redirect: "manual" });
  const query = (change: Record<string, string>) => new URLSearchParams({ ...base, ...change });
  // No redirect to a client or redirect URI not known good: a page, and nothing sent anywhere.
  for (
    const [q, message] of [
      [query({ client_id: "evil" }), /Unknown client/],
      [query({ redirect_uri: "http://localhost:5555/callback" }), /redirect_uri must be exactly/],
      [
        `${query({})}&redirect_uri=${encodeURIComponent(base.redirect_uri)}`,
        /redirect_uri is repeated/,
      ],
      [`${query({})}&client_id=almyty-cli`, /client_id is repeated/],
      ["code=BCDF-GHJK&code=BCDF-GHJK", /code is repeated/],
    ] as [string, RegExp][]
  ) {
    const response = await open(String(q));
    assertEquals([response.status, response.headers.get("location")], [400, null], String(q));
    assertMatch(await response.text(), message);
  }
  // The client and its redirect are good: the error goes back to it, with state and iss.
  for (
    const [q, error, state] of [
      [query({ response_type: "token" }), "unsupported_response_type", base.state],
      [query({ code_challenge_method: "plain" }), "invalid_request", base.state],
      [query({ code_challenge: "short" }), "invalid_request", base.state],
      [`${query({})}&state=again`, "invalid_request", base.state],
      [`${query({})}&code_challenge=${base.code_challenge}`, "invalid_request", base.state],
      [new URLSearchParams({ ...base, state: "" }), "invalid_request", null],
    ] as [string, string, string | null][]
  ) {
    const response = await open(String(q));
    assertEquals(response.status, 303, String(q));
    const back = new URL(response.headers.get("location")!);
    assertEquals(back.origin + back.pathname, base.redirect_uri);
    assertEquals(
      [
        back.searchParams.get("error"),
        back.searchParams.get("state"),
        back.searchParams.get("iss"),
      ],
      [error, state, url],
      String(q),
    );
    assert(back.searchParams.get("error_description"));
    assertEquals(back.searchParams.get("code"), null);
  }
});

Deno.test("every 401 says how to authenticate: WWW-Authenticate Bearer on the API, Basic on the OAuth endpoints", async () => {
  const world = new World();
  const { url, store } = world.referenceServer();
  const alice = store.userByEmail("alice@example.com")!;
  const { apiKey } = store.mintKey(alice, "revoked");
  store.revokeKey(apiKey);
  const api: [RequestInit, string][] = [
    [{}, 'Bearer realm="almyty"'],
    [{ headers: { authorization: "Bearer not-a-jwt" } }, 'Bearer realm="almyty"'],
    [
      { headers: { authorization: `Bearer ${apiKey}` } },
      'Bearer realm="almyty", error="invalid_token"',
    ],
    [{ headers: { "x-api-key": apiKey } }, 'Bearer realm="almyty", error="invalid_token"'],
  ];
  for (const [init, challenge] of api) {
    const response = await world.fetch(`${url}/auth/profile`, init);
    assertEquals([response.status, response.headers.get("www-authenticate")], [401, challenge]);
    await response.body?.cancel();
  }
  for (const type of ["application/json", "application/x-www-form-urlencoded"]) {
    const body = type === "application/json"
      ? JSON.stringify({ email: "alice@example.com", password: "wrong" })
      : "email=alice%40example.com&password=wrong&return_to=%2F";
    const response = await post(world, `${url}/auth/login`, body, type);
    assertEquals([response.status, response.headers.get("www-authenticate")], [
      401,
      'Bearer realm="almyty"',
    ]);
    await response.body?.cancel();
  }
  for (
    const path of [
      "/auth/cli/token",
      "/auth/cli/device",
      "/auth/cli/revoke",
      "/auth/cli/device/cancel",
    ]
  ) {
    const response = await post(world, url + path, "client_id=someone-else&token=x&device_code=x");
    assertEquals([response.status, response.headers.get("www-authenticate")], [
      401,
      'Basic realm="almyty"',
    ], path);
    await response.body?.cancel();
  }
});

Deno.test("HTTP Basic almyty-cli: (empty password) names the public client, as requests-oauthlib and simple-oauth2 send it", async () => {
  const world = new World();
  const { url } = world.referenceServer();
  const basic = (id: string, secret = "") => `Basic ${btoa(`${id}:${secret}`)}`;
  const call = (path: string, body: string, authorization?: string) =>
    world.fetch(url + path, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        ...(authorization ? { authorization } : {}),
      },
      body,
    });
  const device = await (await call("/auth/cli/device", "client_name=basic", basic("almyty-cli")))
    .json();
  assertMatch(device.user_code, /^[B-Z]{4}-[B-Z]{4}$/);
  const pending = await call(
    "/auth/cli/token",
    `grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&device_code=${device.device_code}`,
    basic("almyty-cli"),
  );
  assertEquals((await pending.json()).error, "authorization_pending");
  // Both ways at once, if they agree; the cancel and revocation endpoints take it too.
  const both = await call(
    "/auth/cli/device/cancel",
    `client_id=almyty-cli&device_code=${device.device_code}`,
    basic("almyty-cli"),
  );
  assertEquals([both.status, await both.json()], [200, {}]);
  const revoked = await call("/auth/cli/revoke", "token=almyty_unknown", basic("almyty-cli"));
  assertEquals(revoked.status, 200);
  await revoked.body?.cancel();
  const refused: [string, string, RegExp][] = [
    ["", basic("almyty-cli", "s3cret"), /public client: it has no secret/],
    ["", basic("someone-else"), /Unknown client_id someone-else/],
    ["client_id=someone-else", basic("almyty-cli"), /disagree/],
    ["", "Basic !!!", /not HTTP Basic/],
    ["", "Bearer almyty_x", /not HTTP Basic/],
  ];
  for (const [body, authorization, message] of refused) {
    const response = await call("/auth/cli/device", body, authorization);
    const json = await response.json();
    assertEquals([response.status, json.error], [401, "invalid_client"], authorization);
    assertMatch(json.error_description, message);
    assertEquals(response.headers.get("www-authenticate"), 'Basic realm="almyty"');
  }
});

Deno.test("a failed exchange does not spend the code (as PROTOCOL says): only its own client, with the verifier, can redeem it", async () => {
  const world = new World();
  const { url } = world.referenceServer();
  const { url: page, verifier, redirectUri } = authorizationRequest(url);
  const cookie = await signInCookie(world.fetch, url);
  const consent = await openConsent(world.fetch, page, cookie);
  const code = new URL((await consent.submit("approve")).headers.get("location")!).searchParams
    .get("code")!;
  const exchange = (fields: Record<string, string>) =>
    post(
      world,
      `${url}/auth/cli/token`,
      new URLSearchParams({
        client_id: "almyty-cli",
        grant_type: "authorization_code",
        code,
        code_verifier: verifier,
        redirect_uri: redirectUri,
        ...fields,
      }).toString(),
    ).then((r) => r.json());
  // Someone who saw the code (browser history) but lacks the verifier cannot burn it.
  assertMatch((await exchange({ code_verifier: randomToken(32) })).error_description, /verifier/);
  assertMatch(
    (await exchange({ redirect_uri: "http://127.0.0.1:1/callback" })).error_description,
    /redirect_uri/,
  );
  assertEquals((await exchange({})).token_type, "Bearer");
  assertEquals((await exchange({})).error_description, "Authorization code was already used");
});
