/**
 * Where keys and logins go, and what happens to a key at the end of its
 * life: revocation checked with the key itself, the id of a hand-off key
 * only when it is provably this key's, a minted key that cannot be saved,
 * and the last disagreements with production. In process (tests/helpers/world.ts)
 * unless the rule is about real sockets.
 */
import { assert, assertEquals, assertMatch } from "./helpers/assert.ts";
import { credsPath, runCli, tempHome } from "./helpers/cli.ts";
import { recordToken } from "./helpers/leaks.ts";
import { mintKey, withFakeServer, withServer } from "./helpers/server.ts";
import { TEST_CA_PEM, TEST_LEAF_KEY_PEM, TEST_LEAF_PEM } from "./helpers/tls.ts";
import { fakeJwt } from "./helpers/tokens.ts";
import { World } from "./helpers/world.ts";
import { scratchFile } from "./helpers/scratch.ts";

const key = (digit: string) => "almyty_" + digit.repeat(64);

/** Writes a login file into the world's HOME. */
function saveFile(world: World, credentials: Record<string, unknown>): void {
  Deno.mkdirSync(`${world.home}/.almyty`, { mode: 0o700, recursive: true });
  Deno.writeTextFileSync(credsPath(world.home), JSON.stringify(credentials), { mode: 0o600 });
}

/**
 * production's key endpoints, scripted: the DELETE authenticated by the key
 * itself answers `deleteAnswer`; afterwards `/auth/profile` answers 200 while
 * `alive` says the key still works.
 */
function keyApi(world: World, deleteAnswer: 200 | 400 | 401, aliveAfter: boolean) {
  let alive = true;
  const seen: string[] = [];
  const url = world.route((request) => {
    const path = new URL(request.url).pathname;
    seen.push(`${request.method} ${path}`);
    const unauthorized = () =>
      Response.json({ error: { code: "UNAUTHORIZED", message: "Invalid API key" } }, {
        status: 401,
      });
    if (!alive) return unauthorized();
    if (request.method === "DELETE") {
      if (deleteAnswer === 401) return unauthorized();
      if (deleteAnswer === 400) {
        return Response.json({
          error: { code: "BAD_REQUEST", message: "API key not found", statusCode: 400 },
        }, { status: 400 });
      }
      alive = aliveAfter;
      return Response.json({ success: true, data: null, message: "API key revoked successfully" });
    }
    return Response.json({ success: true, data: { id: "u", email: "alice@example.com" } });
  });
  return { url, seen };
}

Deno.test("20.13/20.14: logout checks the revocation with the key itself and says what really happened", async (t) => {
  recordToken(key("4"));
  const cases: [string, 200 | 400 | 401, boolean, RegExp, boolean][] = [
    ["revoked and now 401", 200, false, /Revoked the API key on \S+ \(it now gets 401\)/, true],
    [
      "already dead (401 on the DELETE)",
      401,
      false,
      /already revoked on \S+ \(it gets 401\)/,
      true,
    ],
    [
      "400 API key not found: the saved id is not this key",
      400,
      true,
      /NOT revoked: \S+ knows no key of yours with the saved id, so the saved id is not this key's, and the key still works\. Revoke it at http:\/\/127\.0\.0\.1:\d+\/settings\/api-keys/,
      false,
    ],
    [
      "accepted but the key still works",
      200,
      true,
      /NOT revoked: \S+ accepted the revocation, but the key still works\. Revoke it at http:\/\/127\.0\.0\.1:\d+\/settings\/api-keys/,
      false,
    ],
  ];
  for (const [name, answer, aliveAfter, said, ok] of cases) {
    await t.step(name, async () => {
      const world = new World();
      const api = keyApi(world, answer, aliveAfter);
      saveFile(world, { url: api.url, token: key("4"), keyId: "k1", keyOrigin: "minted" });
      assertEquals(await world.run(["logout"]), 0, world.stderr);
      assertMatch(world.stderr, said);
      assertEquals(world.stderr.includes("Warning:"), !ok, world.stderr);
      assertMatch(world.stderr, /Logged out; removed/);
      if (answer === 200) assertEquals(api.seen, ["DELETE /auth/api-keys/k1", "GET /auth/profile"]);
    });
  }
});

Deno.test("20.13: a re-login checks that the key it replaces really stopped working", async () => {
  recordToken(key("4"));
  const world = new World();
  const server = world.referenceServer();
  const old = keyApi(world, 200, true); // the previous login's API accepts, but the key lives on
  saveFile(world, { url: old.url, token: key("4"), keyId: "k1", keyOrigin: "minted" });
  const alice = server.store.userByEmail("alice@example.com")!;
  const { apiKey } = server.store.mintKey(alice, "CI");
  recordToken(apiKey);
  world.stdinText = apiKey;
  assertEquals(await world.run(["login", "--with-token", "--api", server.url]), 0, world.stderr);
  assertMatch(
    world.stderr,
    /Warning: The key of the previous login was NOT revoked: \S+ accepted the revocation, but the key still works\. Revoke it at/,
  );
  assertEquals(old.seen, ["DELETE /auth/api-keys/k1", "GET /auth/profile"]);
});

Deno.test("20.11: logout of an unreadable file says where a key it held can be revoked", async () => {
  const world = new World();
  Deno.mkdirSync(`${world.home}/.almyty`, { mode: 0o700 });
  Deno.writeTextFileSync(credsPath(world.home), "{ not json", { mode: 0o600 });
  assertEquals(await world.run(["logout"]), 0, world.stderr);
  assertMatch(
    world.stderr,
    /removing it without revoking anything\. If it held a key that is still live, revoke it at https:\/\/app\.almyty\.com\/settings\/api-keys \(or under Settings > API Keys of the environment it was for\)/,
  );
  assert(world.requests.length === 0, "nothing in it is trusted, nothing is sent");
});

/** A loopback HTTP proxy that records every request (CONNECT included) and answers 502. */
async function withCapturingProxy<T>(fn: (proxy: string, seen: string[]) => Promise<T>) {
  const seen: string[] = [];
  return await withFakeServer((request) => {
    seen.push(`${request.method} ${request.url} ${request.headers.get("authorization") ?? ""}`);
    return new Response("captured", { status: 502 });
  }, (proxy) => fn(proxy, seen));
}

Deno.test("19.2: loopback requests never go through a proxy, whatever the spelling (capturing proxy, real processes)", async () => {
  await withCapturingProxy(async (proxy, seen) => {
    const proxyEnv = { HTTP_PROXY: proxy, HTTPS_PROXY: proxy, ALL_PROXY: proxy, NO_PROXY: "" };
    for (const hostname of ["127.0.0.1", "::1"]) {
      await withServer({ hostname }, async (server) => {
        const spellings = hostname === "::1"
          ? [server.url]
          : [server.url, server.url.replace("127.0.0.1", "localhost")];
        for (const api of spellings) {
          const { apiKey, keyId } = await mintKey(server.url);
          recordToken(apiKey);
          const home = tempHome();
          const login = await runCli(["login", "--with-token", "--api", api], {
            home,
            stdin: apiKey,
            env: proxyEnv,
          });
          assertEquals(login.code, 0, login.stderr);
          if (api !== server.url) continue;
          // A minted login: whoami, status, doctor and logout (revocation and its check).
          Deno.writeTextFileSync(
            credsPath(home),
            JSON.stringify({ url: api, token: apiKey, keyId, keyOrigin: "minted" }),
          );
          for (const command of [["whoami"], ["status"], ["doctor"], ["logout"]]) {
            const run = await runCli(command, { home, env: proxyEnv });
            assertEquals(run.code, 0, `${command}: ${run.stdout}${run.stderr}`);
          }
        }
      });
    }
    assertEquals(seen, [], "no request reached the proxy");
  });
});

Deno.test("19.2: an https API on loopback is not reached through the proxy either (DENO_CERT)", async () => {
  const key = "almyty_" + "7".repeat(64);
  recordToken(key);
  const ca = scratchFile({ suffix: ".pem" });
  Deno.writeTextFileSync(ca, TEST_CA_PEM);
  const api = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    cert: TEST_LEAF_PEM,
    key: TEST_LEAF_KEY_PEM,
    onListen() {},
  }, () => Response.json({ success: true, data: { id: "u", email: "alice@example.com" } }));
  try {
    await withCapturingProxy(async (proxy, seen) => {
      const run = await runCli(["whoami"], {
        home: tempHome(),
        env: {
          HTTPS_PROXY: proxy,
          ALL_PROXY: proxy,
          DENO_CERT: ca,
          ALMYTY_TOKEN: key,
          ALMYTY_URL: `https://localhost:${api.addr.port}`,
        },
      });
      assertEquals(run.code, 0, run.stderr);
      assertMatch(run.stdout, /Logged in as alice@example\.com/);
      assertEquals(seen, [], "no CONNECT reached the proxy");
    });
  } finally {
    await api.shutdown();
    Deno.removeSync(ca);
  }
});

Deno.test("19.3: the token goes to the API's own origin only; doctor's frontend probe carries none", async (t) => {
  recordToken(key("8"));
  await t.step("a frontend on another origin", async () => {
    const world = new World();
    const server = world.referenceServer();
    const alice = server.store.userByEmail("alice@example.com")!;
    const { apiKey } = server.store.mintKey(alice, "CI");
    recordToken(apiKey);
    const frontendSaw: (string | null)[] = [];
    const frontend = world.route((request) => {
      frontendSaw.push(request.headers.get("authorization"));
      return new Response("<html></html>", { headers: { "content-type": "text/html" } });
    });
    saveFile(world, { url: server.url, token: apiKey, frontendUrl: frontend });
    await world.run(["doctor"]);
    assertMatch(world.stdout, /Frontend: http:\/\/127\.0\.0\.1:\d+ answered 200/);
    assertEquals(frontendSaw, [null], "no Authorization reached the frontend");
  });
  await t.step("the same origin as the API (the reference server)", async () => {
    const world = new World();
    const authorizations: string[] = [];
    const api = world.route((request) => {
      authorizations.push(
        `${new URL(request.url).pathname} ${request.headers.get("authorization")}`,
      );
      return Response.json({ success: true, data: { id: "u", email: "alice@example.com" } });
    });
    saveFile(world, { url: api, token: key("8") });
    await world.run(["doctor"]);
    assert(
      authorizations.includes("/ null"),
      `the frontend probe carried no token: ${authorizations.join(", ")}`,
    );
  });
  await t.step("an absolute URL on another origin gets no token", async () => {
    const world = new World();
    const seen: (string | null)[] = [];
    const other = world.route((request) => {
      seen.push(request.headers.get("authorization"));
      return Response.json({ ok: true });
    });
    const { ApiClient } = await import("../src/runtime/client.ts");
    const { Target } = await import("../src/runtime/target.ts");
    const target = Target.build({
      api: ["http://127.0.0.1:39999", "flag", "--api"],
      frontend: ["http://127.0.0.1:39999", "derived", "--api"],
      token: [key("8"), "env"],
      path: "/nonexistent",
      file: null,
    });
    await new ApiClient(target, { fetch: world.fetch }).request(`${other}/x`, { envelope: false });
    assertEquals(seen, [null]);
  });
});

Deno.test("19.4: a redirect that carries the token never prints it; messages name the URL asked for", async () => {
  const token = key("9");
  recordToken(token);
  const world = new World({ ALMYTY_TOKEN: token });
  const api = world.route((request) => {
    const path = new URL(request.url).pathname;
    if (path === "/auth/profile") {
      // Same origin, so followed: the token ends up in the path of the next request.
      return new Response(null, { status: 302, headers: { location: `/t/${token}/x` } });
    }
    return new Response(`no page at ${path}`, { status: 404 });
  });
  world.env.ALMYTY_URL = api;
  assertEquals(await world.run(["whoami"]), 1);
  assertMatch(world.stderr, new RegExp(`${api}/auth/profile answered 404`));
  assert(!world.stderr.includes(token.slice(7, 15)), world.stderr);
  assertEquals(await world.run(["status", "--json"]), 1);
  const report = JSON.parse(world.stdout);
  assertMatch(report.server.error, new RegExp(`^${api}/auth/profile answered 404`));
  assert(!world.stdout.includes(token.slice(20, 28)), world.stdout);

  // A redirect to another origin whose host name carries the token.
  const world2 = new World({ ALMYTY_TOKEN: token });
  world2.env.ALMYTY_URL = world2.route(() =>
    new Response(null, { status: 302, headers: { location: `http://${token}.evil.example/` } })
  );
  assertEquals(await world2.run(["whoami"]), 1);
  assertMatch(world2.stderr, /redirected to another origin \(http:\/\/\[token\]\.evil\.example\)/);
  assert(!world2.stderr.includes(token.slice(30, 38)), world2.stderr);
});

Deno.test("19.5: doctor names a proxy by host and port only, and loopback as direct", async () => {
  for (
    const [proxy, shown] of [
      ["user:pa@ss@word@proxy.corp:3128", "proxy.corp:3128"],
      ["http://user:secret-word@proxy.corp:8080/", "proxy.corp:8080"],
      ["%%%secret-word", "(not a URL)"],
    ]
  ) {
    const world = new World({ HTTPS_PROXY: proxy, ALMYTY_TOKEN: key("8") });
    world.route(() => new Response("{}"), "https://api.example.test");
    world.env.ALMYTY_URL = "https://api.example.test";
    await world.run(["doctor"]);
    assertMatch(
      world.stdout,
      new RegExp(`via the proxy ${shown.replace(/[().]/g, "\\$&")} from HTTPS_PROXY`),
    );
    assert(!/pa@ss|secret-word/.test(world.stdout + world.stderr), world.stdout);
  }
  const world = new World({
    HTTP_PROXY: "http://proxy.corp:3128",
    HTTPS_PROXY: "http://proxy.corp:3128",
  });
  world.env.ALMYTY_URL = world.referenceServer().url;
  world.env.ALMYTY_TOKEN = key("8");
  await world.run(["doctor"]);
  assertMatch(
    world.stdout,
    /API: http:\/\/127\.0\.0\.1:\d+ answered \d+ in \d+ ms \(loopback http; reached directly: loopback never uses a proxy\)$/m,
  );
});

/** What a scripted standard server does. */
interface StandardOptions {
  /** The issuer it publishes (default: its origin plus `path`). */
  issuer?: (base: string) => string;
  /** The API's path (an issuer with a path, RFC 8414 §3.1). */
  path?: string;
  /** Where its document is: RFC 8414 §3.1's inserted location (default) or the appended one. */
  discoveryAt?: "inserted" | "appended";
  /** Whether it has a device flow (default true). */
  device?: boolean;
  /** Whether it has almyty's `GET /auth/profile` (default true). */
  profile?: boolean;
  /** The token response's extras beside access_token and token_type. */
  extras?: Record<string, unknown>;
  /** The origin its device verification pages are on (default its own). */
  pagesAt?: string;
  /** The origin of its authorization endpoint (default its own). */
  authorizeAt?: string;
  /** The origin it is served at (default a new loopback origin). */
  origin?: string;
}

/**
 * A standard authorization server (RFC 8414, 6749, 8628, 7009, 9207), scripted:
 * it approves every code and device login at once, and keeps track of which
 * of its keys are alive.
 */
function standardServer(world: World, options: StandardOptions = {}) {
  const alive = new Set<string>();
  const seen: string[] = [];
  let minted = 0;
  const path = options.path ?? "";
  const mint = () => {
    const token = `almyty_${String(++minted).repeat(64).slice(0, 64)}`;
    recordToken(token);
    alive.add(token);
    return token;
  };
  const bearer = (request: Request) =>
    request.headers.get("authorization")?.replace(/^Bearer /, "") ?? "";
  let base = "";
  const url = world.route(async (request) => {
    const { pathname, origin } = new URL(request.url);
    seen.push(`${request.method} ${pathname}`);
    base = origin + path;
    const issuer = options.issuer?.(base) ?? base;
    const pages = options.pagesAt ?? origin;
    const discovery = options.discoveryAt === "appended"
      ? `${path}/.well-known/oauth-authorization-server`
      : `/.well-known/oauth-authorization-server${path}`;
    if (pathname === discovery) {
      return Response.json({
        issuer,
        authorization_endpoint: `${options.authorizeAt ?? origin}/authorize`,
        token_endpoint: `${base}/token`,
        ...(options.device === false ? {} : { device_authorization_endpoint: `${base}/device` }),
        revocation_endpoint: `${base}/revoke`,
        scopes_supported: ["openid", "api"],
        authorization_response_iss_parameter_supported: true,
      });
    }
    if (pathname === `${path}/device`) {
      return Response.json({
        device_code: "dc",
        user_code: "BCDF-GHJK",
        verification_uri: `${pages}/device`,
        verification_uri_complete: `${pages}/device?code=BCDF-GHJK`,
        expires_in: 600,
        interval: 5,
      });
    }
    if (pathname === `${path}/token`) {
      await request.text();
      return Response.json({
        access_token: mint(),
        token_type: "Bearer",
        refresh_token: "rt-that-is-dropped",
        ...options.extras,
      });
    }
    if (pathname === `${path}/revoke`) {
      alive.delete(new URLSearchParams(await request.text()).get("token") ?? "");
      return new Response(null, { status: 200 });
    }
    if (pathname === `${path}/auth/profile` && options.profile !== false) {
      if (!alive.has(bearer(request))) {
        return Response.json({ error: { code: "UNAUTHORIZED", message: "Invalid API key" } }, {
          status: 401,
        });
      }
      return Response.json({ success: true, data: { id: "u", email: "alice@example.com" } });
    }
    return new Response("not here", { status: 404 });
  }, options.origin);
  return { url: url + path, seen, alive, issuer: () => options.issuer?.(base) ?? base };
}

/** The fake browser: approves at once, answering the callback with `iss` (or `iss` as given). */
function approveInBrowser(world: World, iss: () => string) {
  world.onLaunch = (url) => {
    const params = new URL(url).searchParams;
    world.task(async () => {
      const callback = new URL(params.get("redirect_uri")!);
      callback.search = new URLSearchParams({
        code: "c",
        state: params.get("state")!,
        iss: iss(),
      }).toString();
      await (await world.fetch(callback.href)).text();
    });
    return true;
  };
}

Deno.test("19.12: every flow asks /auth/profile who the new key is; the token response's extras are hints", async (t) => {
  for (const flow of ["browser", "device"]) {
    await t.step(flow, async () => {
      const world = new World(flow === "browser" ? { BROWSER: "test-browser" } : {});
      const server = standardServer(world, {
        extras: { email: "mallory@evil.example", organization: { id: "o", name: "evil" } },
      });
      approveInBrowser(world, server.issuer);
      const args = flow === "browser" ? [] : ["--no-browser"];
      assertEquals(await world.run(["login", ...args, "--api", server.url]), 0, world.stderr);
      assertMatch(world.stderr, /✓ Logged in as alice@example\.com\n/);
      const saved = world.saved()!;
      assertEquals([saved.email, saved.organization], ["alice@example.com", undefined]);
      assert(server.seen.includes("GET /auth/profile"), server.seen.join(", "));
    });
  }
  await t.step("a server without /auth/profile: nothing saved, the key revoked", async () => {
    const world = new World({ BROWSER: "test-browser" });
    const server = standardServer(world, { profile: false, extras: { email: "a@b.c" } });
    approveInBrowser(world, server.issuer);
    assertEquals(await world.run(["login", "--api", server.url]), 1);
    assertEquals(world.saved(), null);
    assertMatch(world.stderr, /\/auth\/profile answered 404/);
    // Revoked through RFC 7009; with no /auth/profile, that it stopped working cannot be checked.
    assertMatch(
      world.stderr,
      /accepted the revocation of the key this login created, but whether the key stopped working could not be checked[^\n]*\nThat key, not saved: almyty_1…1111, created 2026-11-27 12:00 UTC\./,
    );
    assertEquals(server.alive.size, 0, "the minted key was revoked (RFC 7009)");
  });
});

Deno.test("19.13: iss is compared with the issuer exactly as published (a trailing slash logs in)", async () => {
  const world = new World({ BROWSER: "test-browser" });
  const server = standardServer(world, { issuer: (base) => base + "/" });
  approveInBrowser(world, server.issuer);
  assertEquals(await world.run(["login", "--api", server.url]), 0, world.stderr);
  assertEquals(world.saved()!.email, "alice@example.com");
});

Deno.test("19.13: an issuer with a path is discovered at RFC 8414 §3.1's location first, then the appended one", async (t) => {
  for (const at of ["inserted", "appended"] as const) {
    await t.step(at, async () => {
      const world = new World({ BROWSER: "test-browser" });
      const server = standardServer(world, { path: "/tenant", discoveryAt: at });
      approveInBrowser(world, server.issuer);
      assertEquals(await world.run(["login", "--api", server.url]), 0, world.stderr);
      const discoveries = server.seen.filter((r) => r.includes("well-known"));
      assertEquals(
        discoveries,
        at === "inserted" ? ["GET /.well-known/oauth-authorization-server/tenant"] : [
          "GET /.well-known/oauth-authorization-server/tenant",
          "GET /tenant/.well-known/oauth-authorization-server",
        ],
      );
      assertEquals(world.saved()!.url, server.url, "the path is kept");
    });
  }
});

Deno.test("19.13: metadata without a device endpoint still allows the browser login; --no-browser says there is no device flow", async () => {
  const world = new World({ BROWSER: "test-browser" });
  const server = standardServer(world, { device: false });
  approveInBrowser(world, server.issuer);
  assertEquals(await world.run(["login", "--api", server.url]), 0, world.stderr);
  const headless = new World();
  const other = standardServer(headless, { device: false });
  assertEquals(await headless.run(["login", "--no-browser", "--api", other.url]), 1);
  assertMatch(
    headless.stderr,
    /has no device flow \(its discovery document names no device_authorization_endpoint\)/,
  );
  assertEquals(other.alive.size, 0, "nothing was minted");
});

Deno.test("19.8: pages must be on the API's origin or its web app's; only --frontend exempts", async (t) => {
  const device = (world: World, api: string, pages: string) =>
    standardServer(world, { origin: api, pagesAt: pages });
  await t.step(
    "the same last two labels are not the same site (api.evil.co.uk / app.victim.co.uk)",
    async () => {
      const world = new World();
      const server = device(world, "https://api.evil.co.uk", "https://app.victim.co.uk");
      assertEquals(await world.run(["login", "--no-browser", "--api", server.url]), 1);
      assertMatch(
        world.stderr,
        /sends you to https:\/\/app\.victim\.co\.uk to approve, which is neither/,
      );
      assertEquals(server.alive.size, 0);
    },
  );
  await t.step("ALMYTY_FRONTEND_URL does not exempt a page", async () => {
    const world = new World({ ALMYTY_FRONTEND_URL: "https://login.elsewhere.example" });
    const server = device(world, "https://api.example.test", "https://login.elsewhere.example");
    assertEquals(await world.run(["login", "--no-browser", "--api", server.url]), 1);
    assertMatch(world.stderr, /to approve, [^\n]*--frontend https:\/\/login\.elsewhere\.example/);
    // Nor the authorization page of the browser login.
    const browser = new World({
      BROWSER: "test-browser",
      ALMYTY_FRONTEND_URL: "https://login.elsewhere.example",
    });
    const other = standardServer(browser, {
      origin: "https://api.example.test",
      authorizeAt: "https://login.elsewhere.example",
    });
    assertEquals(await browser.run(["login", "--api", other.url]), 1);
    assertMatch(browser.stderr, /sends the browser to https:\/\/login\.elsewhere\.example/);
    assertEquals(browser.launched, []);
  });
  await t.step("--frontend does; so does the derived web app", async () => {
    const world = new World();
    const server = device(world, "https://api.example.test", "https://login.elsewhere.example");
    const run = world.run([
      "login",
      "--no-browser",
      "--api",
      server.url,
      "--frontend",
      "https://login.elsewhere.example",
    ]);
    assertEquals(await run, 0, world.stderr);
    const derived = new World();
    const app = device(derived, "https://api.example.test", "https://app.example.test");
    assertEquals(await derived.run(["login", "--no-browser", "--api", app.url]), 0, derived.stderr);
  });
});

/** The keys of alice at an in-process reference server that still work. */
function liveKeys(server: ReturnType<World["referenceServer"]>): string[] {
  const alice = server.store.userByEmail("alice@example.com")!;
  return server.store.keysOf(alice).filter((k) => k.isActive).map((k) => k.name);
}

Deno.test("19.9: what can be checked is checked before the browser or the device code", async (t) => {
  const cases: [string, (home: string) => void, RegExp][] = [
    [
      "a symbolic link at the credentials path",
      (home) => {
        Deno.mkdirSync(`${home}/.almyty`, { mode: 0o700 });
        Deno.writeTextFileSync(`${home}/elsewhere.json`, "{}");
        Deno.symlinkSync(`${home}/elsewhere.json`, credsPath(home));
      },
      /credentials\.json is a symbolic link; refusing to write through it/,
    ],
    [
      "~/.almyty is a file",
      (home) => Deno.writeTextFileSync(`${home}/.almyty`, "not a folder"),
      /Cannot (write|lock)|not a (folder|directory)|EEXIST|ENOTDIR/,
    ],
  ];
  for (const [name, arrange, said] of cases) {
    // A short --timeout: should the check be missing, the login fails fast rather than waiting.
    for (const args of [["--timeout", "5"], ["--no-browser", "--timeout", "5"], ["--no-wait"]]) {
      await t.step(`${name} ${args.join(" ")}`, async () => {
        const world = new World({ BROWSER: "test-browser" });
        const server = world.referenceServer();
        arrange(world.home);
        assertEquals(await world.run(["login", ...args, "--api", server.url]), 1, world.stderr);
        assertMatch(world.stderr, said);
        assertEquals(world.launched, [], "no browser");
        assert(!world.requests.some((r) => /device|cli-auth/.test(r)), world.requests.join("\n"));
        assertEquals(liveKeys(server), []);
      });
    }
  }
});

Deno.test("19.9/21.5: a minted key that cannot be saved is revoked, and checked dead", async () => {
  const world = new World({ BROWSER: "test-browser" });
  const server = world.referenceServer();
  world.onLaunch = (url) => {
    world.task(async () => {
      // Between the checks and the save: the path becomes a symbolic link.
      Deno.writeTextFileSync(`${world.home}/elsewhere.json`, "{}");
      Deno.symlinkSync(`${world.home}/elsewhere.json`, credsPath(world.home));
      await world.decide(url, "approve");
    });
    return true;
  };
  assertEquals(await world.run(["login", "--api", server.url]), 1);
  assertMatch(world.stderr, /is a symbolic link; refusing to write through it/);
  assertMatch(
    world.stderr,
    /Revoked the key this login created on http:\/\/127\.0\.0\.1:\d+ \(it now gets 401\)\. Nothing was saved, and nothing is left live\./,
  );
  assertEquals(liveKeys(server), [], "no key is left live");
});

Deno.test("19.9: a hand-off key whose id is unknown and that cannot be saved is named, with where to revoke it", async () => {
  const world = new World({ BROWSER: "test-browser" });
  const token = "almyty_" + "e".repeat(64);
  recordToken(token);
  // Today's production, scripted: no discovery, and a key list that proves nothing.
  const api = world.route((request) => {
    const path = new URL(request.url).pathname;
    const authorized = request.headers.get("authorization") === `Bearer ${token}`;
    if (path === "/auth/profile" && authorized) {
      return Response.json({ success: true, data: { id: "u", email: "alice@example.com" } });
    }
    if (path === "/auth/api-keys" && authorized) {
      return Response.json({ success: true, data: { apiKeys: [] } });
    }
    return Response.json(
      { error: { code: path === "/auth/profile" ? "UNAUTHORIZED" : "NOT_FOUND", message: "x" } },
      { status: path === "/auth/profile" ? 401 : 404 },
    );
  });
  handOff(world, token, () => {
    // Between the checks and the save: the path becomes a symbolic link.
    Deno.writeTextFileSync(`${world.home}/elsewhere.json`, "{}");
    Deno.symlinkSync(`${world.home}/elsewhere.json`, credsPath(world.home));
  });
  assertEquals(await world.run(["login", "--api", api]), 1);
  assertMatch(
    world.stderr,
    new RegExp(
      "A key was created for this login but not saved: almyty_e…eeee, created 2026-11-27 12:00 UTC\\. " +
        "It could not be revoked \\(its id is unknown and the server names no revocation endpoint\\); " +
        `revoke it at ${api}/settings/api-keys`,
    ),
  );
});

Deno.test("19.9: a discovery 404 that is not almyty's envelope asks about the URL; a wrong path is caught before the hand-off", async () => {
  const world = new World({ BROWSER: "test-browser" });
  const html = world.route(() =>
    new Response("<html>Not Found</html>", {
      status: 404,
      headers: { "content-type": "text/html" },
    })
  );
  assertEquals(await world.run(["login", "--api", html]), 1);
  assertMatch(
    world.stderr,
    /answered 404: an HTML page\nThat is not how almyty answers[^\n]*Is http:\/\/127\.0\.0\.1:\d+ almyty's API URL/,
  );
  assertEquals(world.launched, []);

  // Production answers every unknown path with its 404 envelope: /v1/auth/profile included.
  const legacy = new World({ BROWSER: "test-browser" });
  const server = legacy.referenceServer({ legacy: true });
  assertEquals(await legacy.run(["login", "--api", `${server.url}/v1`]), 1);
  assertMatch(
    legacy.stderr,
    /\/v1\/auth\/profile answered 404[^\n]*\nalmyty's API routes start at the host, with no path before them: use http:\/\/127\.0\.0\.1:\d+ as the API URL, not http:\/\/127\.0\.0\.1:\d+\/v1\.\nIs http:\/\/127\.0\.0\.1:\d+\/v1 almyty's API URL[^\n]*Nothing was started\.\n$/,
  );
  assertEquals(legacy.launched, [], "no browser: nothing minted");
});

/**
 * Today's production, scripted, for the hand-off: no discovery; `/auth/profile`
 * for `token`; `/auth/api-keys` lists `others(now)` beside the new key, which
 * this very request stamps as used.
 */
function productionApi(
  world: World,
  token: string,
  others: (now: number) => Record<string, unknown>[],
  dateHeader?: string,
) {
  const iso = (ms: number) => new Date(ms).toISOString();
  let created = 0;
  const url = world.route((request) => {
    const path = new URL(request.url).pathname;
    const now = world.clock.now();
    created ||= now;
    const authorized = request.headers.get("authorization") === `Bearer ${token}`;
    const headers = dateHeader ? { date: dateHeader } : undefined;
    if (path === "/auth/profile" && authorized) {
      return Response.json({ success: true, data: { id: "u", email: "alice@example.com" } });
    }
    if (path === "/auth/api-keys" && authorized) {
      const ours = {
        id: "ours",
        name: "CLI login (Linux x86_64) 2026-11-27",
        keyPrefix: token.slice(0, 8),
        isActive: true,
        expiresAt: null,
        lastUsedAt: iso(now),
        createdAt: iso(created),
      };
      return Response.json({ success: true, data: { apiKeys: [...others(now), ours] } }, {
        headers,
      });
    }
    return Response.json(
      { error: { code: path === "/auth/profile" ? "UNAUTHORIZED" : "NOT_FOUND", message: "x" } },
      { status: path === "/auth/profile" ? 401 : 404 },
    );
  });
  return url;
}

/**
 * The fake browser of the hand-off: delivers `token` to the listener as
 * production's page does (after `before`, when given).
 */
function handOff(world: World, token: string, before?: () => void) {
  world.onLaunch = (url) => {
    const params = new URL(url).searchParams;
    world.task(async () => {
      before?.();
      const callback = new URL(params.get("callback")!);
      const done = await world.fetch(`${callback.origin}/cb-complete`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ token, state: params.get("state") }),
      });
      await done.body?.cancel();
    });
    return true;
  };
}

Deno.test("20.13: the hand-off saves a key id only when it is provably this key's", async (t) => {
  const token = "almyty_" + "3".repeat(64);
  recordToken(token);
  const iso = (ms: number) => new Date(ms).toISOString();
  const key = (id: string, created: number, used: number | null) => ({
    id,
    name: "CLI login (Linux x86_64) 2026-11-27",
    keyPrefix: "almyty_3",
    isActive: true,
    expiresAt: null,
    createdAt: iso(created),
    lastUsedAt: used === null ? null : iso(used),
  });
  const cases: [string, (now: number) => Record<string, unknown>[], string | null, RegExp?][] = [
    // The key this login replaces, even looking brand new, is never taken.
    ["the replaced key is excluded", (now) => [key("replaced", now, now)], "ours"],
    [
      "a key created a minute before this login is not this one",
      (now) => [key("older", now - 60_000, now)],
      "ours",
    ],
    [
      "a key created now but not used by this very lookup is not this one",
      (now) => [key("idle", now, now - 30_000)],
      "ours",
    ],
    [
      "two that fit: none is saved, and the CLI says so",
      (now) => [key("twin", now, now)],
      null,
      /No id was saved for this key, because none is provably this key's \(2 keys of this account were created during this login and used just now\)/,
    ],
  ];
  for (const [name, others, expected, said] of cases) {
    await t.step(name, async () => {
      const world = new World({ BROWSER: "test-browser" });
      const api = productionApi(world, token, others);
      saveFile(world, {
        url: api,
        token: "almyty_" + "2".repeat(64),
        keyId: "replaced",
        keyOrigin: "supplied",
      });
      handOff(world, token);
      assertEquals(await world.run(["login", "--api", api]), 0, world.stderr);
      assertEquals(world.saved()!.keyId, expected ?? undefined, world.stderr);
      if (said) assertMatch(world.stderr, said);
    });
  }
  await t.step("without the server's clock nothing is proved", async () => {
    const world = new World({ BROWSER: "test-browser" });
    const api = productionApi(world, token, () => [], "not a date");
    handOff(world, token);
    assertEquals(await world.run(["login", "--api", api]), 0, world.stderr);
    assertEquals(world.saved()!.keyId, undefined);
    assertMatch(world.stderr, /the server sent no Date header, so its clock is unknown/);
  });
});

Deno.test("19.14: no scope is sent (PROTOCOL defines none), even to a server listing scopes_supported; a refresh_token is never stored", async () => {
  const world = new World({ BROWSER: "test-browser" });
  const server = standardServer(world, { extras: { scope: "openid", expires_in: 3600 } });
  const authorizations: string[] = [];
  approveInBrowser(world, server.issuer);
  const approve = world.onLaunch;
  world.onLaunch = (url, spec) => {
    authorizations.push(url);
    return approve(url, spec);
  };
  assertEquals(await world.run(["login", "--api", server.url]), 0, world.stderr);
  assertEquals(authorizations.length, 1);
  assertEquals(new URL(authorizations[0]).searchParams.has("scope"), false);
  const saved = Deno.readTextFileSync(credsPath(world.home));
  assert(!saved.includes("rt-that-is-dropped") && !saved.includes("refresh"), saved);
  assertEquals(world.saved()!.expiresAt, new Date(world.clock.now() + 3600_000).toISOString());
});

Deno.test("19.11: a credentials file over 1 MiB is refused unread, with the fix (CLI, and the library on node:fs)", async () => {
  const world = new World();
  Deno.mkdirSync(`${world.home}/.almyty`, { mode: 0o700 });
  const path = credsPath(world.home);
  Deno.writeTextFileSync(path, "", { mode: 0o600 });
  // (2 MiB here: the world itself reads the file after each run; the library is tried with 1 GiB.)
  Deno.truncateSync(path, 2 * 1024 ** 2);
  assertEquals(await world.run(["whoami"]), 1);
  assertMatch(
    world.stderr,
    new RegExp(
      `${path} is larger than 1 MiB, which no credentials file is \\(they hold a few hundred bytes\\); it was not read\\. Move it aside \\(mv ${path} ${path}\\.bak\\) and log in again\\.`,
    ),
  );
  assert(!/chmod/.test(world.stderr), world.stderr);
  const { readCredentials, CredentialsError } = await import("../src/credentials/mod.ts");
  // A sparse gigabyte: reading it whole took 2 GB of memory.
  for (const size of [1024 ** 3, 1024 * 1024 + 1]) {
    Deno.truncateSync(path, size);
    let error: unknown;
    try {
      readCredentials({ home: world.home });
    } catch (caught) {
      error = caught;
    }
    assert(error instanceof CredentialsError && error.code === "too-large", String(error));
  }
  // A file system of the caller's that reads without a cap is caught by the library too.
  const { nodeFs } = await import("../src/credentials/node_fs.ts");
  Deno.writeTextFileSync(path, "{}", { mode: 0o600 });
  const uncapped = {
    ...nodeFs,
    readFile: (at: string) => {
      const file = nodeFs.readFile(at);
      return file && { ...file, text: " ".repeat(1024 * 1024 + 1) };
    },
  };
  let error: unknown;
  try {
    readCredentials({ home: world.home, fs: uncapped });
  } catch (caught) {
    error = caught;
  }
  assert(error instanceof CredentialsError && error.code === "too-large", String(error));
});

/** A scripted API that rejects every token as production does. */
function rejectingApi(world: World): string {
  return world.route((request) => {
    if (new URL(request.url).pathname === "/.well-known/oauth-authorization-server") {
      return Response.json({ error: { code: "NOT_FOUND", message: "Not found" } }, {
        status: 404,
      });
    }
    return Response.json({ error: { code: "UNAUTHORIZED", message: "Invalid API key" } }, {
      status: 401,
    });
  });
}

Deno.test("20.2/20.11: the 401 hint lists the likely causes first, a newer login among them, and never claims a key expired that cannot", async () => {
  recordToken(key("5"));
  const world = new World({ ALMYTY_TOKEN: key("5") });
  world.env.ALMYTY_URL = rejectingApi(world);
  assertEquals(await world.run(["whoami"]), 4);
  assertMatch(
    world.stderr,
    /rejected the token \(401\)\. Usually one of:\n {2}• it was revoked [^\n]*,\n {2}• a newer login from this machine replaced it [^\n]*,\n {2}• it belongs to another environment[^\n]*\.\nThe token came from ALMYTY_TOKEN\. Log in again with: almyty-auth login --api \S+ \(and update or unset ALMYTY_TOKEN\)\n$/,
  );
  assert(!/expired/.test(world.stderr), "almyty's keys do not expire");
  assert(!/ {2}\(and/.test(world.stderr), "no double space");
  // A key the server minted with an expiry that has passed: that is the cause, first.
  const file = new World();
  const api = rejectingApi(file);
  saveFile(file, {
    url: api,
    token: key("5"),
    keyOrigin: "minted",
    expiresAt: new Date(file.clock.now() - 3 * 86_400_000).toISOString(),
  });
  assertEquals(await file.run(["whoami"]), 4);
  assertMatch(file.stderr, /Usually one of:\n {2}• it expired 3 days ago,\n {2}• it was revoked/);
});

Deno.test("20.4/20.15: doctor asks the server about the token and gives the fix; status ends with it", async () => {
  recordToken(key("5"));
  const world = new World();
  const api = rejectingApi(world);
  saveFile(world, { url: api, token: key("5"), keyOrigin: "minted" });
  assertEquals(await world.run(["doctor"]), 1);
  assertMatch(
    world.stdout,
    new RegExp(
      `problem {2}Token: ${api} rejected the token \\(401\\)\\. Usually one of: [^\\n]* → almyty-auth login --api ${api}\\n`,
    ),
  );
  const status = new World({}, world.home);
  status.route(() => new Response(null, { status: 401 }), api);
  assertEquals(await status.run(["status"]), 4);
  assertMatch(
    status.stdout,
    new RegExp(`Server: {4}rejects the token[^\\n]*\\nFix: {7}almyty-auth login --api ${api}\\n$`),
  );
  const json = new World({}, world.home);
  json.route(() => new Response(null, { status: 401 }), api);
  assertEquals(await json.run(["status", "--json"]), 4);
  assertEquals(JSON.parse(json.stdout).fix, `almyty-auth login --api ${api}`);
  // An accepted token is said to be accepted.
  const ok = new World();
  const server = ok.referenceServer();
  const { apiKey } = server.store.mintKey(server.store.userByEmail("alice@example.com")!, "CI");
  recordToken(apiKey);
  saveFile(ok, { url: server.url, token: apiKey });
  assertEquals(await ok.run(["doctor"]), 0, ok.stdout);
  assertMatch(
    ok.stdout,
    /ok {7}Token: http:\/\/127\.0\.0\.1:\d+ accepts it \(alice@example\.com\)/,
  );
});

Deno.test("20.12: a BOM or a token without url: whoami, status and doctor say almyty's other CLIs cannot read the file; doctor --fix repairs it", async () => {
  const world = new World();
  const server = world.referenceServer();
  const { apiKey } = server.store.mintKey(server.store.userByEmail("alice@example.com")!, "CI");
  recordToken(apiKey);
  Deno.mkdirSync(`${world.home}/.almyty`, { mode: 0o700 });
  const path = credsPath(world.home);
  const original = `\ufeff${JSON.stringify({ url: server.url, token: apiKey, extra: [1] })}`;
  Deno.writeTextFileSync(path, original, { mode: 0o600 });
  const said = new RegExp(
    `almyty's other CLIs \\(those built on @almyty/client\\) cannot read ${path}: it starts with a UTF-8 byte-order mark`,
  );
  assertEquals(await world.run(["whoami"]), 0, world.stderr);
  assertMatch(world.stderr, said);
  assertMatch(world.stderr, /Fix it with: almyty-auth doctor --fix/);
  const status = new World({}, world.home);
  status.route((request) => world.fetch(request), server.url);
  await status.run(["status"]);
  assertMatch(
    status.stdout,
    /Other CLIs: cannot read [^\n]*byte-order mark[^\n]*→ almyty-auth doctor --fix/,
  );
  const doctor = new World({}, world.home);
  doctor.route((request) => world.fetch(request), server.url);
  assertEquals(await doctor.run(["doctor"]), 1);
  assertMatch(
    doctor.stdout,
    /problem {2}Credentials file: almyty's other CLIs[^\n]*→ almyty-auth doctor --fix/,
  );
  assertEquals(Deno.readTextFileSync(path), original, "only --fix rewrites");
  const fix = new World({}, world.home);
  fix.route((request) => world.fetch(request), server.url);
  assertEquals(await fix.run(["doctor", "--fix"]), 0, fix.stdout + fix.stderr);
  assertMatch(
    fix.stderr,
    /Fixed [^\n]*: removed the byte-order mark\. almyty's other CLIs can read it now\./,
  );
  const fixed = Deno.readTextFileSync(path);
  assertEquals(fixed.charCodeAt(0), "{".charCodeAt(0));
  assertEquals(JSON.parse(fixed), { url: server.url, token: apiKey, extra: [1] });
  assertEquals(Deno.statSync(path).mode! & 0o777, 0o600);

  // A token without url (almyty's client crashes on it).
  Deno.writeTextFileSync(path, JSON.stringify({ token: apiKey }), { mode: 0o600 });
  const noUrl = new World({}, world.home);
  await noUrl.run(["whoami"]);
  assertMatch(
    noUrl.stderr,
    /cannot read [^:]+: it has a token but no "url", without which their client cannot start/,
  );
  const repair = new World({}, world.home);
  repair.route(() => new Response("{}"), "https://api.almyty.com");
  await repair.run(["doctor", "--fix"]);
  assertMatch(repair.stderr, /added "url": "https:\/\/api\.almyty\.com"/);
  assertEquals(JSON.parse(Deno.readTextFileSync(path)).url, "https://api.almyty.com");

  // An empty url reads here as the default API; almyty's client cannot start on it.
  Deno.writeTextFileSync(path, JSON.stringify({ url: "", token: apiKey, extra: 1 }), {
    mode: 0o600,
  });
  const emptyUrl = new World({}, world.home);
  await emptyUrl.run(["whoami"]);
  assertMatch(emptyUrl.stderr, /cannot read [^:]+: it has a token but no "url" \(it is empty\)/);
  const refill = new World({}, world.home);
  refill.route(() => new Response("{}"), "https://api.almyty.com");
  await refill.run(["doctor", "--fix"]);
  assertMatch(refill.stderr, /filled in "url": "https:\/\/api\.almyty\.com"/);
  assertEquals(
    Deno.readTextFileSync(path),
    JSON.stringify({ url: "https://api.almyty.com", token: apiKey, extra: 1 }, null, 2) + "\n",
  );

  // A file no reader can use (truncated JSON, no token) is not said to read everywhere.
  for (
    const [text, why] of [
      ['{"url":"https://api.almyty.com","tok', "is not valid JSON at position 36"],
      ['{"url":"https://api.almyty.com"}', "has no token"],
    ]
  ) {
    Deno.writeTextFileSync(path, text, { mode: 0o600 });
    const broken = new World({}, world.home);
    broken.route(() => new Response("{}"), "https://api.almyty.com");
    assertEquals(await broken.run(["doctor", "--fix"]), 1);
    assertEquals(
      broken.stderr.split("\n")[0],
      `Cannot fix ${path}: ${path} ${why}. Run \`almyty-auth login\` to write a fresh one.`,
    );
    assertEquals(Deno.readTextFileSync(path), text);
  }
});

Deno.test("20.15: an expired JWT given to login --with-token is named as such; ALMYTY_TOKEN's surrounding whitespace is trimmed", async () => {
  const world = new World();
  const api = rejectingApi(world);
  const expired = fakeJwt({ exp: Math.floor(world.clock.now() / 1000) - 2 * 86_400 });
  recordToken(expired);
  world.stdinText = expired;
  assertEquals(await world.run(["login", "--with-token", "--api", api]), 4);
  assertMatch(
    world.stderr,
    new RegExp(
      `rejected this token \\(401\\): it is a JWT \\(a session token\\) that expired 2 days ago\\. Nothing was saved\\.\\nLog in for a long-lived API key instead: almyty-auth login --api ${api}`,
    ),
  );
  const trimmed = new World();
  const server = trimmed.referenceServer();
  const { apiKey } = server.store.mintKey(server.store.userByEmail("alice@example.com")!, "CI");
  recordToken(apiKey);
  trimmed.env.ALMYTY_TOKEN = `  ${apiKey}\n`;
  trimmed.env.ALMYTY_URL = server.url;
  assertEquals(await trimmed.run(["whoami"]), 0, trimmed.stderr);
  const inner = new World({ ALMYTY_TOKEN: "almyty_a\tb", ALMYTY_URL: server.url });
  assertEquals(await inner.run(["whoami"]), 2);
  const blank = new World({ ALMYTY_TOKEN: "   " });
  assertEquals(await blank.run(["whoami"]), 2);
  assertMatch(blank.stderr, /ALMYTY_TOKEN holds only whitespace/);
  // doctor names it too, as the problem it is (not a URL's, and never silently the file's login).
  const doctor = new World({ ALMYTY_TOKEN: "   " });
  assertEquals(await doctor.run(["doctor"]), 1);
  assertMatch(doctor.stdout, /problem +Login: ALMYTY_TOKEN holds only whitespace[^\n]*unset it/);
});

Deno.test("20.15: without a display, doctor says what login will really do against production", async () => {
  const world = new World({ ALMYTY_URL: "" });
  const api = rejectingApi(world);
  const run = await world.run(["doctor", "--api", api]);
  assertEquals(run, 0, world.stdout);
  assertMatch(
    world.stdout,
    new RegExp(
      `Browser: none will be opened because [^\\n]*\\. ${api} has no headless login \\(almyty's production today\\): login prints the ${api}/cli-login address [^\\n]*ssh -L <port>:127\\.0\\.0\\.1:<port> test-host\` line[^\\n]* → run that ssh line on the machine with the browser, or pipe an API key to almyty-auth login --with-token --api ${api}`,
    ),
  );
});
