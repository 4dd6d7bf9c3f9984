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
import { World } from "./helpers/world.ts";

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
  const ca = Deno.makeTempFileSync({ suffix: ".pem" });
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
    /API: http:\/\/127\.0\.0\.1:\d+ answered \d+ in \d+ ms \(loopback http\) \(direct: loopback never uses a proxy\)/,
  );
});
