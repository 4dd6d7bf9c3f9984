/**
 * The reference server where it models almyty's production
 * (shared/reference/almyty-production.md): the guard's 401 wording, the
 * throttle per route and client address, the headers of the web app's SPA
 * routes, a DELETE of an id that is not a UUID; and where it is a server of
 * its own, pages a browser can read.
 */
import { assertEquals, assertMatch } from "./helpers/assert.ts";
import { browserSession, mintKey, withServer } from "./helpers/server.ts";

Deno.test("401 wording as production's guard: 'API key is required' for any JWT that fails and any non-almyty_ Bearer value", async () => {
  let now = Date.now();
  await withServer({ now: () => now }, async (s) => {
    const { apiKey, keyId, session } = await mintKey(s.url);
    const message = async (headers: Record<string, string>) => {
      const response = await fetch(`${s.url}/auth/profile`, { headers });
      const body = await response.json();
      return response.status === 401 ? body.error.message : `${response.status}`;
    };
    assertEquals(await message({ authorization: `Bearer ${session}` }), "200");
    assertEquals(await message({}), "API key is required");
    assertEquals(await message({ authorization: "Bearer not-a-jwt" }), "API key is required");
    assertEquals(await message({ authorization: "Bearer ak_live_123" }), "API key is required");
    const forged = session.slice(0, -4) + (session.endsWith("AAAA") ? "BBBB" : "AAAA");
    assertEquals(await message({ authorization: `Bearer ${forged}` }), "API key is required");
    // A key production would recognise by its prefix, and that fails: "Invalid API key".
    assertEquals(
      await message({ authorization: `Bearer almyty_${"0".repeat(64)}` }),
      "Invalid API key",
    );
    await (await fetch(`${s.url}/auth/api-keys/${keyId}`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${apiKey}` },
    })).body?.cancel();
    assertEquals(await message({ authorization: `Bearer ${apiKey}` }), "Invalid API key");
    assertEquals(await message({ "x-api-key": apiKey }), "Invalid API key");
    // The JWT expires after 24 h: the same wording, so clients read its exp, never the message.
    now += 86_400_000 + 1000;
    assertEquals(await message({ authorization: `Bearer ${session}` }), "API key is required");
  });
});

Deno.test("an API key is taken where production's strategy takes it (Bearer almyty_, X-API-Key, ?api_key=), also after a JWT that fails", async () => {
  await withServer({}, async (s) => {
    const { apiKey } = await mintKey(s.url);
    const status = async (path: string, headers: Record<string, string> = {}) => {
      const response = await fetch(`${s.url}${path}`, { headers });
      const body = await response.json();
      return response.status === 401 ? body.error.message : response.status;
    };
    assertEquals(await status("/auth/profile", { authorization: `Bearer ${apiKey}` }), 200);
    assertEquals(await status("/auth/profile", { "x-api-key": apiKey }), 200);
    assertEquals(await status(`/auth/profile?api_key=${apiKey}`), 200);
    // The JWT strategy fails on a Bearer value without the prefix; the key strategy then finds the key.
    assertEquals(
      await status("/auth/profile", { authorization: "Bearer not-a-jwt", "x-api-key": apiKey }),
      200,
    );
    assertEquals(
      await status(`/auth/api-keys?api_key=${apiKey}`, { authorization: "Bearer not-a-jwt" }),
      200,
    );
    const unknown = `almyty_${"0".repeat(64)}`;
    assertEquals(await status(`/auth/profile?api_key=${unknown}`), "Invalid API key");
    // Bearer almyty_… is the strategy's first place: a bad one there is not rescued by X-API-Key.
    assertEquals(
      await status("/auth/profile", { authorization: `Bearer ${unknown}`, "x-api-key": apiKey }),
      "Invalid API key",
    );
  });
});

Deno.test("POST /auth/api-keys honours production's optional scopes and expiresAt, and refuses wrong types with its messages", async () => {
  let now = Date.now();
  await withServer({ now: () => now }, async (s) => {
    const { session } = await mintKey(s.url);
    const create = async (body: Record<string, unknown>) => {
      const response = await fetch(`${s.url}/auth/api-keys`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${session}` },
        body: JSON.stringify({ name: "ci", ...body }),
      });
      const json = await response.json();
      return response.status === 201 ? json.data : `${response.status} ${json.error.message}`;
    };
    const expiresAt = new Date(now + 3_600_000).toISOString();
    const made = await create({ scopes: ["agents:read"], expiresAt });
    assertEquals([made.keyData.scopes, made.keyData.expiresAt], [["agents:read"], expiresAt]);
    const listed = await fetch(`${s.url}/auth/api-keys`, {
      headers: { authorization: `Bearer ${made.apiKey}` },
    });
    const entry = (await listed.json()).data.apiKeys.find((k: { id: string }) =>
      k.id === made.keyData.id
    );
    assertEquals([entry.scopes, entry.expiresAt], [["agents:read"], expiresAt]);
    now += 3_600_000 + 1000; // past its expiry: the key no longer authenticates
    const expired = await fetch(`${s.url}/auth/profile`, {
      headers: { authorization: `Bearer ${made.apiKey}` },
    });
    assertEquals([expired.status, (await expired.json()).error.message], [401, "Invalid API key"]);
    assertEquals(await create({ organizationId: "acme" }), "400 organizationId must be a UUID");
    assertEquals(await create({ scopes: "agents:read" }), "400 scopes must be an array");
    assertEquals(await create({ scopes: [1] }), "400 each value in scopes must be a string");
    for (const bad of ["tomorrow", 5, "2026-13-45"]) {
      assertEquals(
        await create({ expiresAt: bad }),
        "400 expiresAt must be a valid ISO 8601 date string",
        String(bad),
      );
    }
  });
});

Deno.test("production's throttle counts per route handler and client address; paths without a route share one bucket", async () => {
  let now = Date.now();
  await withServer({ now: () => now, legacy: true }, async (s) => {
    const status = async (path: string, init: RequestInit = {}) => {
      const response = await fetch(s.url + path, init);
      await response.body?.cancel();
      return response.status;
    };
    for (let i = 0; i < 100; i++) assertEquals(await status("/auth/api-keys"), 401);
    assertEquals(await status("/auth/api-keys"), 429);
    // Flooding one route leaves the others alone.
    assertEquals(await status("/auth/profile"), 401);
    assertEquals(
      await status("/auth/api-keys", { method: "POST" }),
      401,
      "POST is another handler",
    );
    // Every unknown path is one catch-all: discovery (404 here, as in production) shares its bucket.
    for (let i = 0; i < 100; i++) assertEquals(await status(`/no/such-${i}`), 404);
    assertEquals(await status("/.well-known/oauth-authorization-server"), 429);
    // DELETE /auth/api-keys/:id is one handler, whatever the id.
    for (let i = 0; i < 100; i++) {
      assertEquals(
        await status(`/auth/api-keys/${crypto.randomUUID()}`, { method: "DELETE" }),
        401,
      );
    }
    assertEquals(await status(`/auth/api-keys/${crypto.randomUUID()}`, { method: "DELETE" }), 429);
    now += 60_000;
    assertEquals(await status("/auth/api-keys"), 401, "the window resets");
  });
});

Deno.test("sign-in throttle as production's: every attempt counts, successful ones too (10 per 5 minutes)", async () => {
  let now = Date.now();
  await withServer({ now: () => now }, async (s) => {
    const attempt = async (password: string) => {
      const response = await fetch(`${s.url}/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: "alice@example.com", password }),
      });
      await response.body?.cancel();
      return response.status;
    };
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push(await attempt("alice-password"));
    for (let i = 0; i < 5; i++) statuses.push(await attempt("wrong"));
    statuses.push(await attempt("alice-password"));
    assertEquals(statuses, [200, 200, 200, 200, 200, 401, 401, 401, 401, 401, 429]);
    now += 5 * 60_000;
    assertEquals(await attempt("alice-password"), 200);
  });
});

Deno.test("DELETE /auth/api-keys/<not a uuid> answers as production's Postgres column does: 400 DATABASE_ERROR", async () => {
  await withServer({}, async (s) => {
    const { apiKey } = await mintKey(s.url);
    const auth = { authorization: `Bearer ${apiKey}` };
    for (const id of ["nope", "12345", "%E0%A4%A", `${crypto.randomUUID()}x`]) {
      const response = await fetch(`${s.url}/auth/api-keys/${id}`, {
        method: "DELETE",
        headers: auth,
      });
      const error = (await response.json()).error;
      assertEquals([response.status, error.code, error.message, error.statusCode], [
        400,
        "DATABASE_ERROR",
        "Database operation failed",
        400,
      ], id);
    }
    // Authentication still comes first, and a uuid that is not this user's key is "not found".
    const anonymous = await fetch(`${s.url}/auth/api-keys/nope`, { method: "DELETE" });
    assertEquals(anonymous.status, 401);
    await anonymous.body?.cancel();
    const unknown = await fetch(`${s.url}/auth/api-keys/${crypto.randomUUID()}`, {
      method: "DELETE",
      headers: auth,
    });
    assertEquals((await unknown.json()).error.message, "API key not found");
    // A trailing slash names the same key (the route matched without it, as production's router).
    const { apiKey: other, keyId } = await mintKey(s.url);
    const slashed = await fetch(`${s.url}/auth/api-keys/${keyId}/`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${other}` },
    });
    assertEquals([slashed.status, (await slashed.json()).message], [
      200,
      "API key revoked successfully",
    ]);
    // Revoked, it is no active key of hers: production says "not found" to another credential.
    const again = await fetch(`${s.url}/auth/api-keys/${keyId}`, {
      method: "DELETE",
      headers: auth,
    });
    assertEquals([again.status, (await again.json()).error.message], [400, "API key not found"]);
  });
});

Deno.test("production's SPA routes have no CSP, X-Frame-Options or nosniff: /cli-login neither; the protocol's own pages keep them", async () => {
  await withServer({}, async (s) => {
    const cookie = await browserSession(s.url);
    const callback = encodeURIComponent("http://127.0.0.1:9/cb");
    const spa = [
      `/cli-login?callback=${callback}&state=${"a".repeat(64)}`, // the card
      `/cli-login?callback=${encodeURIComponent("http://evil.example/cb")}&state=x`, // refused
      "/cli-login?state=x", // no callback
    ];
    for (const path of spa) {
      for (const headers of [{ cookie }, {} as Record<string, string>]) {
        const response = await fetch(s.url + path, { headers });
        await response.body?.cancel();
        for (
          const name of [
            "content-security-policy",
            "x-frame-options",
            "x-content-type-options",
            "referrer-policy",
          ]
        ) {
          assertEquals(response.headers.get(name), null, `${path}: ${name}`);
        }
        assertEquals(response.headers.get("cache-control"), "no-store", path);
      }
    }
    for (const path of ["/cli-auth", "/cli-auth?code=BCDF-GHJK", "/"]) {
      const response = await fetch(s.url + path, { headers: { cookie } });
      await response.body?.cancel();
      assertMatch(response.headers.get("content-security-policy")!, /frame-ancestors 'none'/, path);
      assertEquals(response.headers.get("x-frame-options"), "DENY", path);
      // Their own form posts carry their Origin (no-referrer would make it "null").
      assertEquals(response.headers.get("referrer-policy"), "same-origin", path);
    }
  });
});

Deno.test("unknown pages: a browser gets a page that says what to do; an API client gets production's 404 envelope", async () => {
  await withServer({}, async (s) => {
    const browser = { accept: "text/html,application/xhtml+xml,*/*;q=0.8" };
    const page = await fetch(`${s.url}/cli-auth/nope`, { headers: browser });
    const html = await page.text();
    assertEquals([page.status, page.headers.get("content-type")], [
      404,
      "text/html; charset=utf-8",
    ]);
    assertMatch(html, /<title>Page not found · almyty<\/title>/);
    assertMatch(html, /almyty-auth login/);
    assertMatch(page.headers.get("content-security-policy")!, /default-src 'none'/);
    const wrongMethod = await fetch(`${s.url}/cli-auth/decision`, { headers: browser });
    assertEquals(wrongMethod.status, 405);
    assertMatch(await wrongMethod.text(), /is not something to open in a browser/);
    for (const accept of ["*/*", "application/json"]) {
      const api = await fetch(`${s.url}/cli-auth/nope`, { headers: { accept } });
      assertEquals((await api.json()).error.code, "NOT_FOUND", accept);
      // A known path with another method falls into production's catch-all too: no 405.
      for (const [method, path] of [["GET", "/auth/login"], ["PUT", "/auth/profile"]]) {
        const other = await fetch(`${s.url}${path}`, { method, headers: { accept } });
        const { error } = await other.json();
        assertEquals(
          [other.status, error.code, error.message, error.statusCode],
          [404, "NOT_FOUND", "Not found", 404],
          `${method} ${path} (${accept})`,
        );
      }
    }
    // Under --legacy the CLI's discovery probe still sees production's 404 envelope.
    await withServer({ legacy: true }, async (legacy) => {
      const probe = await fetch(`${legacy.url}/.well-known/oauth-authorization-server`);
      assertEquals((await probe.json()).error.message, "Not found");
    });
  });
});
