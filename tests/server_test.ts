/** The reference server over real HTTP on 127.0.0.1, with an injected clock. */
import { assert, assertEquals, assertMatch } from "./helpers/assert.ts";
import { pkceChallenge, randomToken } from "../src/protocol/crypto.ts";
import { browserSession, decide, mintKey, withServer } from "./helpers/server.ts";
import { startServer } from "../src/server/app.ts";
import { authorizationRequest, openConsent, TEST_REDIRECT_URI } from "./helpers/consent.ts";
import { scratchDir } from "./helpers/scratch.ts";

const CODE_GRANT = "authorization_code";
const DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";

/** An OAuth request, as a standard client sends it: form-encoded, with the client's id. */
function form(url: string, path: string, fields: Record<string, string>, signal?: AbortSignal) {
  return fetch(url + path, {
    method: "POST",
    body: new URLSearchParams({ client_id: "almyty-cli", ...fields }),
    signal,
  });
}

/** Runs the code flow up to the redirect; returns the code and PKCE verifier. */
async function authorize(url: string, redirectUri = TEST_REDIRECT_URI) {
  const request = authorizationRequest("", { redirectUri, clientName: "test-host" });
  const { verifier } = request;
  const response = await decide(url, request.url, "approve");
  assertEquals(response.status, 303);
  const location = new URL(response.headers.get("location")!);
  assertEquals(location.origin + location.pathname, redirectUri);
  assertEquals(location.searchParams.get("state"), "s".repeat(43));
  assertEquals(location.searchParams.get("iss"), url, "RFC 9207: the issuer in the response");
  return { code: location.searchParams.get("code")!, verifier, redirectUri };
}

Deno.test("discovery document names every endpoint; --legacy has none", async () => {
  await withServer({}, async (s) => {
    const doc = await (await fetch(`${s.url}/.well-known/oauth-authorization-server`)).json();
    assertEquals(doc.issuer, s.url);
    assertEquals(doc.token_endpoint, `${s.url}/auth/cli/token`);
    assertEquals(doc.code_challenge_methods_supported, ["S256"]);
    assert(doc.grant_types_supported.includes(DEVICE_GRANT));
  });
  await withServer({ legacy: true }, async (s) => {
    for (const path of ["/.well-known/oauth-authorization-server", "/cli-auth"]) {
      const r = await fetch(s.url + path);
      assertEquals(r.status, 404, path);
      assertEquals((await r.json()).error.code, "NOT_FOUND");
    }
  });
});

Deno.test("API shapes: login envelope + cookie, profile, keys, revoke, errors", async () => {
  await withServer({}, async (s) => {
    const bad = await fetch(`${s.url}/auth/login`, {
      method: "POST",
      body: JSON.stringify({ email: "alice@example.com", password: "nope" }),
    });
    assertEquals(bad.status, 401);
    const err = (await bad.json()).error;
    assertEquals([err.code, err.statusCode, err.path], ["UNAUTHORIZED", 401, "/auth/login"]);
    assert(err.timestamp);
    const good = await fetch(`${s.url}/auth/login`, {
      method: "POST",
      body: JSON.stringify({ email: "alice@example.com", password: "alice-password" }),
    });
    const cookie = good.headers.get("set-cookie")!;
    assertMatch(cookie, /HttpOnly/);
    assertMatch(cookie, /SameSite=Lax/);
    assertEquals(Object.keys((await good.json()).data).sort(), [
      "accessToken",
      "expiresIn",
      "refreshToken",
    ]);

    const { apiKey, keyId, session } = await mintKey(s.url);
    assertMatch(apiKey, /^almyty_[0-9a-f]{64}$/, "production's key format");
    assertEquals(session.split(".").length, 3, "/auth/login hands out a JWT, as production does");
    assert(
      ![...s.store.keys.values()].some((k) => JSON.stringify(k).includes(apiKey)),
      "only hashes are stored",
    );
    const auth = { authorization: `Bearer ${apiKey}` };
    const profile = (await (await fetch(`${s.url}/auth/profile`, { headers: auth })).json()).data;
    // Production's shape: organizations[] without slugs, the slug in the memberships.
    assertEquals(profile.organizations, [{
      id: profile.currentOrganizationId,
      name: "acme",
      role: "owner",
    }]);
    assertEquals(profile.organizationMemberships[0].organization, {
      id: profile.currentOrganizationId,
      name: "acme",
      slug: "acme",
    });
    const keys =
      (await (await fetch(`${s.url}/auth/api-keys`, { headers: auth })).json()).data.apiKeys;
    const listed = keys.find((k: { id: string }) => k.id === keyId);
    assertEquals(Object.keys(listed).sort(), [
      "createdAt",
      "expiresAt",
      "id",
      "isActive",
      "keyPrefix",
      "lastUsedAt",
      "name",
      "scopes",
    ]);
    assertEquals([listed.keyPrefix, listed.isActive, listed.expiresAt], [
      apiKey.slice(0, 8),
      true,
      null,
    ]);
    const extra = await fetch(`${s.url}/auth/api-keys`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ name: "x", color: "red" }),
    });
    assertEquals([extra.status, (await extra.json()).error.message], [
      400,
      "property color should not exist",
    ]);
    const nowhere = await fetch(`${s.url}/no/such/route`);
    const { timestamp, ...notFound } = (await nowhere.json()).error;
    assertEquals([nowhere.status, notFound], [404, {
      code: "NOT_FOUND",
      message: "Not found",
      statusCode: 404,
      path: "/no/such/route",
    }]);
    assert(!Number.isNaN(Date.parse(timestamp)));
    const unknown = await fetch(`${s.url}/auth/api-keys/${crypto.randomUUID()}`, {
      method: "DELETE",
      headers: auth,
    });
    assertEquals([unknown.status, (await unknown.json()).error.message], [
      400,
      "API key not found",
    ]);
    const del = await fetch(`${s.url}/auth/api-keys/${keyId}`, { method: "DELETE", headers: auth });
    assertEquals(await del.json(), {
      success: true,
      data: null,
      message: "API key revoked successfully",
    });
    const after = await fetch(`${s.url}/auth/profile`, { headers: auth });
    assertEquals(after.status, 401);
    await after.body?.cancel();
    const malformed = await fetch(`${s.url}/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "ak_live_ECHOECHOECHO",
    });
    const malformedError = (await malformed.json()).error;
    assertEquals([malformed.status, malformedError.code], [400, "BAD_REQUEST"]);
    assert(!malformedError.message.includes("ECHO"), "errors never quote the body");
    const huge = await fetch(`${s.url}/auth/login`, { method: "POST", body: "x".repeat(70_000) });
    assertEquals(huge.status, 413);
    await huge.body?.cancel();
  });
});

Deno.test("code flow: exchange works once; PKCE mismatch (the challenge itself too), wrong redirect, reuse (revokes) and expiry fail", async () => {
  let now = Date.now();
  await withServer({ now: () => now }, async (s) => {
    const ok = await authorize(s.url);
    const exchange = (c: typeof ok, extra: Record<string, string> = {}) =>
      form(s.url, "/auth/cli/token", {
        grant_type: CODE_GRANT,
        code: c.code,
        code_verifier: c.verifier,
        redirect_uri: c.redirectUri,
        ...extra,
      });
    const first = await exchange(ok);
    assertEquals(first.headers.get("cache-control"), "no-store");
    const grant = await first.json();
    assertEquals(grant.token_type, "Bearer");
    assertEquals([grant.email, grant.organization.slug], ["alice@example.com", "acme"]);
    const reuse = await exchange(ok);
    assertEquals([reuse.status, (await reuse.json()).error], [400, "invalid_grant"]);
    const revoked = await fetch(`${s.url}/auth/profile`, {
      headers: { authorization: `Bearer ${grant.access_token}` },
    });
    assertEquals(revoked.status, 401, "a replayed code revokes the key it minted");
    await revoked.body?.cancel();

    // The challenge was public (in the authorization URL): it is no proof of the verifier.
    const challengeOnly = await authorize(s.url);
    const r0 = await exchange(challengeOnly, {
      code_verifier: pkceChallenge(challengeOnly.verifier),
    });
    assertEquals([r0.status, (await r0.json()).error], [400, "invalid_grant"]);
    const mismatch = await authorize(s.url);
    const r1 = await exchange(mismatch, { code_verifier: randomToken(32) });
    assertMatch((await r1.json()).error_description, /code_verifier/);
    const redirect = await authorize(s.url);
    const r2 = await exchange(redirect, { redirect_uri: "http://127.0.0.1:1/other" });
    assertMatch((await r2.json()).error_description, /redirect_uri/);
    const late = await authorize(s.url);
    now += 61_000;
    const r3 = await exchange(late);
    assertEquals([r3.status, (await r3.json()).error_description], [
      400,
      "Authorization code expired",
    ]);
  });
});

Deno.test("bad redirect_uri is refused on the page, never redirected to", async () => {
  await withServer({}, async (s) => {
    for (
      const uri of [
        "https://127.0.0.1/cb",
        "http://evil.example/cb",
        "http://127.0.0.1.evil.example/cb",
        "http://user@127.0.0.1/cb",
      ]
    ) {
      const q = new URLSearchParams({
        redirect_uri: uri,
        state: "x",
        code_challenge: "a".repeat(43),
        code_challenge_method: "S256",
      });
      const r = await fetch(`${s.url}/cli-auth?${q}`, { redirect: "manual" });
      assertEquals(r.status, 400, uri);
      assertEquals(r.headers.get("location"), null);
      const page = await r.text();
      assert(!page.includes("<script"), "no script on refusal pages");
      assertEquals(r.headers.get("x-frame-options"), "DENY");
      assertMatch(r.headers.get("content-security-policy")!, /default-src 'none'/);
      assertEquals(r.headers.get("cache-control"), "no-store");
    }
    const xss = await fetch(
      `${s.url}/cli-login?callback=${
        encodeURIComponent("http://<script>alert(1)</script>/")
      }&state=x`,
    );
    assert(!(await xss.text()).includes("<script>alert"), "reflected values are escaped");
  });
});

Deno.test("device flow: pending, slow_down (+5 s), wait long-poll, deny, expiry", async () => {
  let now = Date.now();
  await withServer({ now: () => now, deviceInterval: 5 }, async (s) => {
    const start = async () =>
      await (await form(s.url, "/auth/cli/device", { client_name: "box" })).json();
    const poll = async (device_code: string, wait = "0") =>
      await (await form(s.url, "/auth/cli/token", {
        grant_type: DEVICE_GRANT,
        device_code,
        almyty_wait: wait,
      }))
        .json();
    const d = await start();
    assertMatch(d.user_code, /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    assertEquals([d.verification_uri, d.verification_uri_complete, d.expires_in, d.interval], [
      `${s.url}/cli-auth`,
      `${s.url}/cli-auth?code=${d.user_code}`,
      600,
      5,
    ]);
    assertEquals((await poll(d.device_code)).error, "authorization_pending");
    assertEquals((await poll(d.device_code)).error, "slow_down");
    now += 10_001;
    // Long-poll: the approval arrives while the request waits.
    const waiting = poll(d.device_code, "10");
    const approved = await decide(s.url, `/cli-auth?code=${d.user_code.toLowerCase()}`, "approve");
    assertMatch(await approved.text(), /Device approved/);
    assertEquals((await waiting).email, "alice@example.com");
    assertEquals((await poll(d.device_code)).error, "invalid_grant", "single use");

    const denied = await start();
    await (await decide(s.url, `/cli-auth?code=${denied.user_code}`, "deny")).body?.cancel();
    now += 10_000;
    assertEquals((await poll(denied.device_code)).error, "access_denied");

    const expired = await start();
    now += 601_000;
    assertEquals((await poll(expired.device_code)).error, "expired_token");
    const page = await fetch(`${s.url}/cli-auth?code=${expired.user_code}`, {
      headers: { cookie: await browserSession(s.url) },
    });
    assertEquals(page.status, 400);
    assertMatch(await page.text(), /not valid or has expired/);
  });
});

/** Resolves once `condition()` holds (checked every few ms); fails after `ms` naming `what`. */
async function until(condition: () => boolean, what: string, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A device code and its long-poll, as a client sends it (`signal` to give up). */
async function heldPoll(url: string, signal?: AbortSignal) {
  const device = await (await form(url, "/auth/cli/device", { client_name: "box" })).json();
  const answer = form(url, "/auth/cli/token", {
    grant_type: DEVICE_GRANT,
    device_code: device.device_code,
    almyty_wait: "20",
  }, signal).then((r) => r.json(), (error) => error);
  return { device, answer };
}

Deno.test("a held long-poll whose client went away mints nothing: the server ends it, and the approval goes to the next poll", async () => {
  await withServer({ deviceInterval: 0 }, async (s) => {
    const gone = new AbortController();
    const { device, answer } = await heldPoll(s.url, gone.signal);
    const grant = s.store.deviceGrant(device.device_code)!;
    await until(() => grant.held, "the poll is held");
    gone.abort(); // the client is killed, or gives up, while the server holds its poll
    assertEquals((await answer).name, "AbortError");
    await until(() => !grant.held, "the server ends the poll of a client that went away");
    const page = await decide(s.url, `/cli-auth?code=${device.user_code}`, "approve");
    assertMatch(await page.text(), /Device approved/);
    const alice = s.store.userByEmail("alice@example.com")!;
    assertEquals(s.store.keysOf(alice), [], "no key minted for a client that is gone");
    const next = await (await form(s.url, "/auth/cli/token", {
      grant_type: DEVICE_GRANT,
      device_code: device.device_code,
    })).json();
    assertEquals(next.token_type, "Bearer", "the client that is there gets the approval");
    assertEquals(s.store.keysOf(alice).map((key) => key.id), [next.key_id]);
  });
});

Deno.test("the server's shutdown waits for no held long-poll: it answers authorization_pending at once", async () => {
  const s = await startServer({ port: 0, deviceInterval: 0 });
  const { device, answer } = await heldPoll(s.url);
  await until(() => s.store.deviceGrant(device.device_code)!.held, "the poll is held");
  const closed = s.close();
  // The poll would be held for 20 s: the shutdown must not wait for it.
  let timer!: ReturnType<typeof setTimeout>;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error("the shutdown waited for the held poll")), 5_000);
  });
  try {
    assertEquals(
      (await Promise.race([answer, late]) as { error: string }).error,
      "authorization_pending",
    );
    await Promise.race([closed, late]);
  } finally {
    clearTimeout(timer);
  }
});

Deno.test("CSRF: a decision without the session's token is refused, signed in or not", async () => {
  await withServer({}, async (s) => {
    const d = await (await form(s.url, "/auth/cli/device", {})).json();
    const status = () => s.store.deviceByUserCode(d.user_code)?.grant.status;
    // Signed out: refused before any token is compared.
    const signedOut = await form(s.url, "/cli-auth/decision", {
      request_id: "x",
      csrf: "forged",
      decision: "approve",
    });
    assertEquals(signedOut.status, 403);
    await signedOut.body?.cancel();
    // Signed in, on a live consent request: only the session's token is accepted.
    const cookie = await browserSession(s.url);
    const consent = await openConsent(fetch, `${s.url}/cli-auth?code=${d.user_code}`, cookie);
    const requestId = /name="request_id" value="([^"]+)"/.exec(consent.html)![1];
    for (const csrf of [undefined, "", "forged", "x".repeat(43)]) {
      const body = new URLSearchParams({ request_id: requestId, decision: "approve" });
      if (csrf !== undefined) body.set("csrf", csrf);
      const r = await fetch(`${s.url}/cli-auth/decision`, {
        method: "POST",
        headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
        body,
        redirect: "manual",
      });
      assertEquals(r.status, 403, `csrf ${JSON.stringify(csrf)}`);
      assertMatch(await r.text(), /did not come from almyty/);
      assertEquals(status(), "pending", `csrf ${JSON.stringify(csrf)} approved the device`);
    }
    // The same form with its token goes through: the refusals were about the token alone.
    const approved = await consent.submit("approve");
    assertEquals(approved.status, 200);
    assertMatch(await approved.text(), /Device approved/);
    assertEquals(s.store.deviceGrant(d.device_code)?.status, "approved");
  });
});

Deno.test("rate limits: sign-in and token endpoint answer 429 with Retry-After", async () => {
  await withServer({ signInLimit: 2, tokenLimit: 2 }, async (s) => {
    const statuses = [];
    for (let i = 0; i < 3; i++) {
      const r = await fetch(`${s.url}/auth/login`, {
        method: "POST",
        body: JSON.stringify({ email: "a@b.c", password: "x" }),
      });
      statuses.push(r.status);
      if (r.status === 429) assert(Number(r.headers.get("retry-after")) > 0);
      await r.body?.cancel();
    }
    assertEquals(statuses, [401, 401, 429]);
    const token = [];
    for (let i = 0; i < 3; i++) {
      const r = await form(s.url, "/auth/cli/token", { grant_type: "x" });
      token.push(r.status);
      await r.body?.cancel();
    }
    assertEquals(token, [400, 400, 429]);
  });
});

Deno.test("sign-in as production: 10 attempts per 5 minutes, then 429; the cookie is access_token", async () => {
  await withServer({}, async (s) => {
    const statuses = [];
    let retryAfter = 0;
    for (let i = 0; i < 11; i++) {
      const r = await fetch(`${s.url}/auth/login`, {
        method: "POST",
        body: JSON.stringify({ email: "alice@example.com", password: "alice-password" }),
      });
      statuses.push(r.status);
      if (r.status === 200) {
        assertMatch(
          r.headers.get("set-cookie")!,
          /^access_token=[^;]+; Path=\/; HttpOnly; SameSite=Lax/,
        );
      }
      if (r.status === 429) retryAfter = Number(r.headers.get("retry-after"));
      await r.body?.cancel();
    }
    assertEquals(statuses, [...Array(10).fill(200), 429]);
    assert(retryAfter > 240 && retryAfter <= 300, `Retry-After ${retryAfter}`);
  });
});

/**
 * The server's output until it holds `text`; a banner that never says it fails
 * the test within 20 s instead of hanging it, and stops the server.
 */
async function readUntil(
  child: Deno.ChildProcess,
  reader: ReadableStreamDefaultReader<string>,
  text: string,
  banner = "",
): Promise<string> {
  const deadline = Date.now() + 20_000;
  while (!banner.includes(text)) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const next = await Promise.race([
      reader.read(),
      new Promise<null>((resolve) =>
        timer = setTimeout(() => resolve(null), deadline - Date.now())
      ),
    ]);
    clearTimeout(timer);
    if (next === null || next.done) {
      child.kill("SIGTERM");
      throw new Error(`the banner never says "${text}":\n${banner}`);
    }
    banner += next.value;
  }
  return banner;
}

Deno.test("deno task server --help and its banners fit an 80-column terminal", async () => {
  const help = await new Deno.Command(Deno.execPath(), {
    args: ["task", "--quiet", "server", "--help"],
    stdout: "piped",
    stderr: "null",
  }).output();
  const text = new TextDecoder().decode(help.stdout);
  assertMatch(text, /^Usage: deno task server/);
  assertEquals(text.split("\n").filter((row) => [...row].length > 80), []);
});

Deno.test("deno task server --legacy says in its banner that it behaves like today's production", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["task", "--quiet", "server", "--port", "0", "--legacy"],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const banner = await readUntil(child, reader, "from this checkout");
  assertEquals(banner.split("\n").filter((row) => [...row].length > 80), []);
  assertMatch(
    banner,
    /^almyty reference server listening on http:\/\/127\.0\.0\.1:\d+\n--legacy: like almyty's production today, no discovery document and no headless\nlogin: logins go through its \/cli-login page\.\n/,
  );
  child.kill("SIGTERM");
  await reader.cancel();
  await child.status;
});

Deno.test("--auto-approve approves device and browser requests as alice", async () => {
  await withServer({ autoApprove: true }, async (s) => {
    const d = await (await form(s.url, "/auth/cli/device", {})).json();
    const r = await (await form(s.url, "/auth/cli/token", {
      grant_type: DEVICE_GRANT,
      device_code: d.device_code,
    })).json();
    assertEquals(r.email, "alice@example.com");
    // The browser request is approved at once too: straight back to the callback with a code.
    const { url: consentUrl, verifier } = authorizationRequest(s.url);
    const page = await fetch(consentUrl, { redirect: "manual" });
    assertEquals(page.status, 303);
    const location = new URL(page.headers.get("location")!);
    assertEquals(location.searchParams.get("error"), null);
    const grant = await (await form(s.url, "/auth/cli/token", {
      grant_type: CODE_GRANT,
      code: location.searchParams.get("code")!,
      code_verifier: verifier,
      redirect_uri: TEST_REDIRECT_URI,
    })).json();
    assertEquals(grant.email, "alice@example.com");
  });
});

Deno.test("deno task server starts with its address and the demo accounts, serves, and stops on SIGTERM", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["task", "--quiet", "server", "--port", "0", "--device-interval", "0"],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  try {
    const stderr = new Response(child.stderr).text();
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let banner = await readUntil(child, reader, "Log in from a terminal");
    const match = /^almyty reference server listening on (http:\/\/127\.0\.0\.1:\d+)\n/.exec(
      banner,
    );
    assert(match, banner);
    // A newcomer at the sign-in page knows what to type.
    assertMatch(banner, /alice@example\.com +password alice-password +organizations: acme\n/);
    assertMatch(banner, /carol@example\.com +password carol-password +organizations: acme, globex/);
    assertMatch(banner, new RegExp(`almyty-auth login --api ${match[1]}`));
    // Where almyty-auth is not installed yet, the checkout's own CLI is named too.
    banner = await readUntil(child, reader, "from this checkout", banner);
    assertMatch(
      banner,
      new RegExp(`\\(from this checkout: deno task cli login --api ${match[1]}\\)`),
    );
    const r = await fetch(`${match[1]}/.well-known/oauth-authorization-server`);
    assertEquals(r.status, 200);
    await r.body?.cancel();
    // A long-poll answered with the key: the server watches the request's signal for a client
    // that goes away, without Deno's legacy-abort warning (deno.json opts in to the new behaviour).
    const { device, answer } = await heldPoll(match[1]);
    // Held once a second poll is told to slow down (one held poll per code).
    const poll = () =>
      form(match[1], "/auth/cli/token", {
        grant_type: DEVICE_GRANT,
        device_code: device.device_code,
      })
        .then((response) => response.json());
    while ((await poll()).error !== "slow_down") { /* not held yet */ }
    await (await decide(match[1], `/cli-auth?code=${device.user_code}`, "approve")).body?.cancel();
    assertEquals((await answer).token_type, "Bearer");
    child.kill("SIGTERM");
    assertEquals((await child.status).code, 0);
    reader.releaseLock();
    await child.stdout.cancel().catch(() => {});
    const warned = await stderr;
    assert(!/legacy|request\.signal/i.test(warned), warned);
  } finally {
    // A failed check (a mutant's run) must not leave the server running after the suite.
    try {
      child.kill("SIGTERM");
    } catch { /* it has stopped */ }
    await child.status;
  }
});

Deno.test("--data persists accounts and key hashes (0600) across restarts; --user adds accounts", async () => {
  const dir = scratchDir();
  const data = `${dir}/server.json`;
  let apiKey = "";
  await withServer({ dataFile: data, users: ["bob@example.com:bob-password:bobco"] }, async (s) => {
    apiKey = (await mintKey(s.url, "bob@example.com", "bob-password")).apiKey;
  });
  assertEquals(Deno.statSync(data).mode! & 0o777, 0o600);
  assert(!Deno.readTextFileSync(data).includes(apiKey), "the file holds hashes, not keys");
  await withServer({ dataFile: data }, async (s) => {
    const r = await fetch(`${s.url}/auth/profile`, {
      headers: { authorization: `Bearer ${apiKey}` },
    });
    const profile = (await r.json()).data;
    assertEquals([profile.email, profile.organizations[0].name], ["bob@example.com", "bobco"]);
  });
});

Deno.test("deno task server --help names the demo users and their passwords", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["task", "--quiet", "server", "--help"],
    stdout: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  assertEquals(out.code, 0);
  assertMatch(text, /alice@example\.com +password alice-password +organizations: acme/);
  assertMatch(text, /carol@example\.com +password carol-password +organizations: acme, globex/);
});

Deno.test("production's throttle: 100 requests per minute per client, then 429 in the envelope", async () => {
  let now = Date.now();
  await withServer({ now: () => now }, async (s) => {
    for (let i = 0; i < 100; i++) {
      const ok = await fetch(`${s.url}/auth/profile`);
      assertEquals(ok.status, 401);
      await ok.body?.cancel();
    }
    const limited = await fetch(`${s.url}/auth/profile`);
    const body = await limited.json();
    assertEquals([limited.status, body.error.code, body.error.statusCode], [
      429,
      "RATE_LIMITED",
      429,
    ]);
    assert(Number(limited.headers.get("retry-after")) > 0);
    now += 60_000;
    const later = await fetch(`${s.url}/auth/profile`);
    assertEquals(later.status, 401, "the window resets");
    await later.body?.cancel();
  });
});

Deno.test("/cli-login as production's page: callback and state required, loopback only, sign-in first", async () => {
  await withServer({ legacy: true }, async (s) => {
    const page = async (query: string, cookie = "") => {
      const response = await fetch(`${s.url}/cli-login?${query}`, { headers: { cookie } });
      return { status: response.status, text: await response.text() };
    };
    const state = "s".repeat(64);
    const cases: [string, RegExp][] = [
      [`state=${state}`, /callback parameter is missing/],
      [`callback=${encodeURIComponent("http://127.0.0.1:9/cb")}`, /state parameter is missing/],
      [
        `callback=${encodeURIComponent("http://evil.example/cb")}&state=${state}`,
        /non-loopback callback \(http:\/\/evil\.example\)/,
      ],
      [`callback=${encodeURIComponent("https://127.0.0.1/cb")}&state=${state}`, /non-loopback/],
      [`callback=${encodeURIComponent("http://127.0.0.2:9/cb")}&state=${state}`, /non-loopback/],
    ];
    for (const [query, message] of cases) {
      const { status, text } = await page(query);
      assertEquals(status, 400, query);
      assertMatch(text, message);
    }
    for (const host of ["127.0.0.1:9", "localhost:9", "[::1]:9"]) {
      const query = `callback=${encodeURIComponent(`http://${host}/any/path`)}&state=${state}`;
      assertMatch((await page(query)).text, /Sign in to almyty/, host);
      const signedIn = await page(query, await browserSession(s.url));
      assertMatch(signedIn.text, /Connect CLI/, host);
      assert(!signedIn.text.includes("almyty_"), "the page holds no key until the click");
    }
    const discovery = await fetch(`${s.url}/.well-known/oauth-authorization-server`);
    assertEquals([discovery.status, (await discovery.json()).error.message], [404, "Not found"]);
  });
});

Deno.test("deno task server refuses --auto-approve on a non-loopback host, and bad flags", async () => {
  for (const args of [["--auto-approve", "--host", "0.0.0.0"], ["--port", "99999"], ["--bogus"]]) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["task", "--quiet", "server", ...args],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assertEquals(out.code, 2, args.join(" "));
    assertMatch(new TextDecoder().decode(out.stderr), /error: /);
  }
});
