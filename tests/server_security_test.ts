/**
 * The reference server under attack, each case reproduced with bounded loops
 * on loopback: user-code guessing and floods, one device code redeemed
 * many times, replay without proof, open redirects, malformed encodings,
 * and DNS rebinding.
 */
import { assert, assertEquals, assertMatch } from "./helpers/assert.ts";
import { randomToken } from "../src/protocol/crypto.ts";
import { authorizationRequest } from "./helpers/consent.ts";
import { browserSession, decide, rawRequest, withServer } from "./helpers/server.ts";
import { recordToken } from "./helpers/leaks.ts";

const DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";

/** An OAuth request, as a standard client sends it: form-encoded, with the client's id. */
function form(url: string, path: string, fields: Record<string, string>) {
  return fetch(url + path, {
    method: "POST",
    body: new URLSearchParams({ client_id: "almyty-cli", ...fields }),
  });
}

Deno.test("user codes: no oracle before sign-in, a limit after, lookups by hash map", async () => {
  await withServer({ requestLimit: 10_000 }, async (s) => {
    const real = await (await form(s.url, "/auth/cli/device", {})).json();
    // Signed out: a real code and a made-up one get the very same page.
    const pages = await Promise.all(
      [real.user_code, "BCDF-BCDF"].map(async (code) => {
        const response = await fetch(`${s.url}/cli-auth?code=${code}`);
        return [
          response.status,
          (await response.text()).replace(/BCDF-BCDF|[A-Z]{4}-[A-Z]{4}/g, ""),
        ];
      }),
    );
    assertEquals(pages[0], pages[1]);
    assertMatch(String(pages[0][1]), /command-line tool on another device asked to log in/);
    // Signed in: ten guesses a minute, then 429 with Retry-After.
    const cookie = await browserSession(s.url);
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const response = await fetch(`${s.url}/cli-auth?code=ZZZZ-ZZZ${"BCDFGHJKLMNP"[i]}`, {
        headers: { cookie },
      });
      statuses.push(response.status);
      if (response.status === 429) assert(Number(response.headers.get("retry-after")) > 0);
      await response.body?.cancel();
    }
    assertEquals(statuses.slice(0, 10).every((s) => s === 400), true, String(statuses));
    assertEquals(statuses.slice(10), [429, 429]);
  });
});

Deno.test("a flood of device requests is limited per client and expired grants are purged", async () => {
  let now = Date.now();
  await withServer({ now: () => now, requestLimit: 10_000 }, async (s) => {
    const statuses = [];
    for (let i = 0; i < 30; i++) {
      const response = await form(s.url, "/auth/cli/device", {});
      statuses.push(response.status);
      await response.body?.cancel();
    }
    assertEquals(statuses.filter((c) => c === 200).length, 20);
    const limited = await form(s.url, "/auth/cli/device", {});
    assertEquals([limited.status, (await limited.json()).error], [429, "slow_down"]);
    assertEquals(s.store.devices.size, 20);
    // Long after expiry, the next request purges the old grants.
    now += 3 * 600_000;
    await (await form(s.url, "/auth/cli/device", {})).body?.cancel();
    assertEquals(s.store.devices.size, 1);
  });
});

Deno.test("one device code is redeemed once: the held poll gets the key, every later poll nothing", async () => {
  await withServer({ deviceInterval: 0 }, async (s) => {
    const d = await (await form(s.url, "/auth/cli/device", {})).json();
    const poll = (wait = "0") =>
      form(s.url, "/auth/cli/token", {
        grant_type: DEVICE_GRANT,
        device_code: d.device_code,
        almyty_wait: wait,
      }).then((r) => r.json());
    const held = poll("5");
    // A second poll while one is held is told to slow down, never held as well.
    for (let tries = 0;; tries++) {
      const other = await poll();
      if (other.error === "slow_down") break;
      assertEquals(other.error, "authorization_pending"); // the first is not held yet
      assert(tries < 100, "the first poll was never held");
    }
    await (await decide(s.url, `/cli-auth?code=${d.user_code}`, "approve")).body?.cancel();
    const first = await held;
    recordToken(first.access_token);
    assert(first.access_token, JSON.stringify(first));
    // The code is spent: polls after the approval (concurrent or not) get no second key.
    const later = await Promise.all([poll(), poll(), poll("5")]);
    for (const answer of later) if (answer.access_token) recordToken(answer.access_token);
    assertEquals(later.map((a) => a.error), ["invalid_grant", "invalid_grant", "invalid_grant"]);
    assertEquals(s.store.keysOf(s.store.userByEmail("alice@example.com")!).length, 1);
  });
});

Deno.test("a replayed code revokes its key only with the binding proof (verifier, redirect_uri)", async () => {
  await withServer({}, async (s) => {
    const { url: consent, verifier, redirectUri } = authorizationRequest("");
    const location = new URL(
      (await decide(s.url, consent, "approve")).headers.get("location")!,
    );
    const code = location.searchParams.get("code")!;
    const exchange = (fields: Record<string, string>) =>
      form(s.url, "/auth/cli/token", {
        grant_type: "authorization_code",
        code,
        code_verifier: verifier,
        redirect_uri: redirectUri,
        ...fields,
      }).then((r) => r.json());
    const grant = await exchange({});
    recordToken(grant.access_token);
    const works = async () =>
      (await fetch(`${s.url}/auth/profile`, {
        headers: { authorization: `Bearer ${grant.access_token}` },
      }).then((r) => (r.body?.cancel(), r.status))) === 200;
    // Someone with the code from browser history, without the whole proof: nothing happens.
    for (
      const forgery of [
        { code_verifier: randomToken(32), redirect_uri: "http://x/y" } as Record<string, string>,
        { code_verifier: randomToken(32) },
        { redirect_uri: "http://127.0.0.1:5556/callback" },
      ]
    ) {
      const forged = await exchange(forgery);
      assertEquals(forged.error, "invalid_grant");
      assert(await works(), `a replay forging ${Object.keys(forgery)} logged the user out`);
    }
    // The code's own client replaying it: the key it issued is revoked.
    assertEquals((await exchange({})).error, "invalid_grant");
    assertEquals(await works(), false);
  });
});

Deno.test("open redirects after sign-in are refused: the answer is an absolute URL on the same origin", async () => {
  await withServer({ signInLimit: 100 }, async (s) => {
    const home = `${s.url}/`;
    const cases: [string, string][] = [
      ["/%09/localhost:18090/pwned", home],
      ["/\t/evil.example", home],
      ["//evil.example", home],
      ["/\\evil.example", home],
      ["https://evil.example/", home],
      ["/\n/evil.example", home],
      // Dot segments resolve to "//evil.example", which a browser reads as another host.
      ["/.//evil.example", home],
      ["/..//evil.example", home],
      ["/%2e//evil.example", home],
      ["/%2E%2E//evil.example/x?y=1", home],
      ["/././/evil.example", home],
      ["/cli-auth?code=BC\u0007DF", home], // control characters are refused outright
      ["/cli-auth?code=BCDF-GHJK", `${s.url}/cli-auth?code=BCDF-GHJK`],
      ["/a/../cli-auth", `${s.url}/cli-auth`],
    ];
    for (const [returnTo, expected] of cases) {
      const body = new URLSearchParams({
        email: "alice@example.com",
        password: "alice-password",
      }).toString() +
        `&return_to=${returnTo.startsWith("/%") ? returnTo : encodeURIComponent(returnTo)}`;
      const response = await fetch(`${s.url}/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body,
        redirect: "manual",
      });
      await response.body?.cancel();
      const location = response.headers.get("location")!;
      assertEquals(location, expected, JSON.stringify(returnTo));
      // What a browser does with it: the same origin, whatever base it resolves against.
      assertEquals(new URL(location, "http://elsewhere.example/x").origin, s.url);
    }
  });
});

Deno.test("malformed percent-encoding gets a 400, never a 500", async () => {
  await withServer({}, async (s) => {
    const { session } = await (async () => {
      const login = await fetch(`${s.url}/auth/login`, {
        method: "POST",
        body: JSON.stringify({ email: "alice@example.com", password: "alice-password" }),
      });
      return { session: (await login.json()).data.accessToken as string };
    })();
    const deleted = await fetch(`${s.url}/auth/api-keys/%E0%A4%A`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${session}` },
    });
    assertEquals([deleted.status, (await deleted.json()).error.message], [
      400,
      "Database operation failed", // not a uuid, as production's Postgres column answers
    ]);
    // A page on any loopback port can set this cookie: every page must still work.
    for (const path of ["/", "/cli-auth", "/cli-login?callback=x&state=y"]) {
      const response = await fetch(s.url + path, { headers: { cookie: "access_token=%" } });
      assert(response.status < 500, `${path}: ${response.status}`);
      await response.body?.cancel();
    }
  });
});

Deno.test("DNS rebinding: a foreign Host header gets nothing, even under --auto-approve", async () => {
  await withServer({ autoApprove: true }, async (s) => {
    const port = new URL(s.url).port;
    for (const host of ["rebind.attacker.example", `rebind.attacker.example:${port}`]) {
      const response = await rawRequest(s.url, "POST", "/auth/cli/device", { Host: host });
      assertEquals(response.status, 400, host);
      assertMatch(response.body, /Invalid Host header/);
      assert(!response.body.includes("device_code"), "no grant for a rebound page");
    }
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`]) {
      const ok = await rawRequest(s.url, "GET", "/.well-known/oauth-authorization-server", {
        Host: host,
      });
      assertEquals(ok.status, 200, host);
    }
  });
});

Deno.test("a malformed Host header gets 400, never a 500 with a stack trace", async () => {
  await withServer({}, async (s) => {
    for (const host of ["a b", "[::1", "exa mple.example:80", "%", "127.0.0.1:99999", "x@y"]) {
      const response = await rawRequest(s.url, "GET", "/auth/profile", { Host: host });
      assertEquals(response.status, 400, host);
      assertEquals(JSON.parse(response.body).error.message, "Invalid Host header");
      assert(!response.body.includes(" at "), "no stack trace");
    }
  });
});

/**
 * A browser that sends `Origin` but no `Sec-Fetch-Site` (Safari before 16.4), posting a page's
 * form: the form's fields (its hidden ones and `fields`), the session cookie, and the Origin the
 * Fetch standard gives a form post ("append a request Origin header"): `null` under the page's
 * `no-referrer` policy, and under `same-origin` when the form posts to another origin. A meta
 * referrer tag, processed after the header, wins over it.
 */
async function postLikeOldSafari(
  page: Response,
  fields: Record<string, string>,
  cookie = "",
): Promise<Response> {
  const html = await page.text();
  const action = new URL(/<form method="post" action="([^"]+)"/.exec(html)![1], page.url);
  const hidden = [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)];
  const policy = /<meta name="referrer" content="([^"]+)"/.exec(html)?.[1] ??
    page.headers.get("referrer-policy") ?? "strict-origin-when-cross-origin";
  const from = new URL(page.url).origin;
  const origin = policy === "no-referrer" || (policy === "same-origin" && action.origin !== from)
    ? "null"
    : from;
  return await fetch(action, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      accept: "text/html",
      origin,
      ...(cookie ? { cookie } : {}),
    },
    body: new URLSearchParams([
      ...hidden.map(([, name, value]) => [name, value]),
      ...Object.entries(fields),
    ]),
    redirect: "manual",
  });
}

Deno.test("a browser that sends Origin but no Sec-Fetch-Site (Safari < 16.4) signs in and decides on the server's own pages; a foreign Origin still cannot", async () => {
  await withServer({}, async (s) => {
    const { url: consentUrl } = authorizationRequest(s.url, { clientName: "test-host" });
    // Signed out: the page is the sign-in form, whose post comes back with the session.
    const signInPage = await fetch(consentUrl);
    assertEquals(signInPage.headers.get("referrer-policy"), "same-origin");
    const signedIn = await postLikeOldSafari(signInPage, {
      email: "alice@example.com",
      password: "alice-password",
    });
    assertEquals(signedIn.status, 303, await signedIn.text());
    const cookie = signedIn.headers.get("set-cookie")!.split(";")[0];
    const consent = await fetch(consentUrl, { headers: { cookie } });
    assertEquals(consent.headers.get("referrer-policy"), "same-origin");
    const decided = await postLikeOldSafari(consent, { decision: "approve" }, cookie);
    assertEquals(decided.status, 303, await decided.text());
    assertMatch(decided.headers.get("location")!, /^http:\/\/127\.0\.0\.1:5555\/callback\?code=/);
    // The same posts from another origin (a page on another port of 127.0.0.1) are refused.
    const again = await fetch(consentUrl, { headers: { cookie } });
    const html = await again.text();
    const field = (name: string) => new RegExp(`name="${name}" value="([^"]+)"`).exec(html)![1];
    for (
      const [path, body] of [
        ["/auth/login", { email: "alice@example.com", password: "alice-password" }],
        ["/cli-auth/decision", {
          request_id: field("request_id"),
          csrf: field("csrf"),
          decision: "approve",
        }],
      ] as const
    ) {
      const refused = await fetch(s.url + path, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          accept: "text/html",
          origin: "http://127.0.0.1:9999",
          cookie,
        },
        body: new URLSearchParams(body),
        redirect: "manual",
      });
      assertEquals(refused.status, 403, path);
      assertEquals(refused.headers.get("set-cookie"), null, path);
      await refused.body?.cancel();
    }
    assertEquals(s.store.keys.size, 0, "nothing minted from another origin");
  });
});

Deno.test("CSRF: a state-changing request from another origin is refused (Origin, Sec-Fetch-Site); non-browsers are unaffected", async () => {
  await withServer({}, async (s) => {
    const signIn = (headers: Record<string, string>) =>
      fetch(`${s.url}/auth/login`, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          accept: "text/html",
          ...headers,
        },
        body: new URLSearchParams({ email: "alice@example.com", password: "alice-password" }),
        redirect: "manual",
      });
    // Login CSRF: a page on another port of 127.0.0.1 posts the attacker's credentials.
    for (
      const headers of [
        { origin: "http://127.0.0.1:9999" },
        { origin: "null" },
        { "sec-fetch-site": "same-site" },
        { "sec-fetch-site": "cross-site", origin: s.url }, // the browser's word wins
      ] as Record<string, string>[]
    ) {
      const refused = await signIn(headers);
      assertEquals(refused.status, 403, JSON.stringify(headers));
      assertEquals(refused.headers.get("set-cookie"), null, "no session for a forged sign-in");
      assertMatch(await refused.text(), /not from a page of this server\. Nothing was done\./);
    }
    // The server's own pages, and clients that are no browser, sign in as before.
    const port = new URL(s.url).port;
    for (
      const headers of [
        { origin: s.url, "sec-fetch-site": "same-origin" },
        { origin: "null", "sec-fetch-site": "same-origin" }, // a page with a no-referrer policy
        { origin: `http://localhost:${port}` },
        {},
      ] as Record<string, string>[]
    ) {
      const ok = await signIn(headers);
      assertEquals(ok.status, 303, JSON.stringify(headers));
      await ok.body?.cancel();
    }
    // Approving and minting keys from another origin is refused the same way.
    const cookie = await browserSession(s.url);
    for (const path of ["/cli-auth/decision", "/auth/api-keys", "/auth/logout"]) {
      const response = await fetch(s.url + path, {
        method: "POST",
        headers: { cookie, origin: "http://127.0.0.1:9999", "content-type": "application/json" },
        body: JSON.stringify({ name: "planted" }),
      });
      assertEquals(response.status, 403, path);
      assertEquals((await response.json()).error.code, "FORBIDDEN");
    }
    assertEquals(s.store.keys.size, 0);
  });
});

Deno.test("CSRF: calls signed in by the session cookie take JSON only (a text/plain or form post mints nothing)", async () => {
  await withServer({}, async (s) => {
    const cookie = await browserSession(s.url);
    for (
      const [type, body] of [
        ["text/plain", JSON.stringify({ name: "planted" })],
        ["application/x-www-form-urlencoded", "name=planted"],
        [
          "multipart/form-data; boundary=x",
          '--x\r\nContent-Disposition: form-data; name="name"\r\n\r\nplanted\r\n--x--',
        ],
      ]
    ) {
      const response = await fetch(`${s.url}/auth/api-keys`, {
        method: "POST",
        headers: { cookie, "content-type": type },
        body,
      });
      assertEquals(response.status, 415, type);
      assertMatch((await response.json()).error.message, /Content-Type: application\/json/);
    }
    assertEquals(s.store.keys.size, 0);
    // JSON with the cookie (production's /cli-login page does this), and any body with a key, work.
    const json = await fetch(`${s.url}/auth/api-keys`, {
      method: "POST",
      headers: { cookie, "content-type": "application/json; charset=utf-8" },
      body: JSON.stringify({ name: "CLI login (test) 2026-01-01" }),
    });
    assertEquals(json.status, 201);
    const { apiKey } = (await json.json()).data;
    recordToken(apiKey);
    const byKey = await fetch(`${s.url}/auth/api-keys`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${apiKey}`,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: "name=ci",
    });
    assertEquals(byKey.status, 201);
    recordToken((await byKey.json()).data.apiKey);
  });
});

Deno.test("cookie tossing: two session cookies are never a session; the page clears both and says why", async () => {
  await withServer({}, async (s) => {
    const mine = (await browserSession(s.url)).split("=")[1];
    // The attacker's own session, planted by a page on another port with a narrower path.
    const theirs = (await browserSession(s.url)).split("=")[1];
    const device = await (await fetch(`${s.url}/auth/cli/device`, {
      method: "POST",
      body: new URLSearchParams({ client_id: "almyty-cli" }),
    })).json();
    for (const order of [[theirs, mine], [mine, theirs]]) {
      const response = await fetch(`${s.url}/cli-auth?code=${device.user_code}`, {
        headers: { cookie: order.map((v) => `access_token=${v}`).join("; ") },
      });
      const html = await response.text();
      assertMatch(html, /Sign in to almyty/);
      assertMatch(html, /Your browser sent two almyty sessions/);
      assert(!html.includes('name="request_id"'), "no consent form for either session");
      const cleared = response.headers.getSetCookie();
      for (const path of ["/", "/cli-auth"]) {
        assert(
          cleared.some((c) =>
            c.startsWith("access_token=;") && c.includes(`Path=${path};`) && c.includes("Max-Age=0")
          ),
          `cleared at ${path}: ${cleared}`,
        );
      }
    }
    // The API treats them as no credential at all.
    const api = await fetch(`${s.url}/auth/profile`, {
      headers: { cookie: `access_token=${mine}; access_token=${theirs}` },
    });
    assertEquals([api.status, (await api.json()).error.message], [401, "API key is required"]);
  });
});
