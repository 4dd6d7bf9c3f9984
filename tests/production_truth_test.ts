/**
 * Production truth: one resolved target for every command, logout and
 * re-login that leave no live keys behind, who-you-are in production's
 * shapes, and tokens that never leak through errors. Real CLI processes
 * against the reference server (or a stand-in on loopback).
 */
import { assert, assertEquals, assertMatch } from "./helpers/assert.ts";
import { credsPath, homeWithFile, readBytes, runCli, tempHome } from "./helpers/cli.ts";
import { recordToken } from "./helpers/leaks.ts";
import { mintKey, withFakeServer, withServer } from "./helpers/server.ts";
import { fakeJwt } from "./helpers/tokens.ts";
import { World } from "./helpers/world.ts";

/** A loopback HTTP proxy that records every request and answers 502. */
async function withCapturingProxy<T>(fn: (proxy: string, seen: string[]) => Promise<T>) {
  const seen: string[] = [];
  return await withFakeServer((request) => {
    seen.push(`${request.method} ${request.url}`);
    return new Response("captured", { status: 502 });
  }, (proxy) => fn(proxy, seen));
}

Deno.test("a refused URL is never contacted: status, doctor, whoami (capturing proxy)", async () => {
  await withCapturingProxy(async (proxy, seen) => {
    const proxyEnv = { HTTP_PROXY: proxy, HTTPS_PROXY: proxy, NO_PROXY: "" };
    const token = "almyty_" + "1".repeat(64);
    recordToken(token);
    const env = { ...proxyEnv, ALMYTY_TOKEN: token, ALMYTY_URL: "http://api.example.com" };
    for (const command of [["status"], ["whoami"], ["doctor"]]) {
      const result = await runCli(command, { home: tempHome(), env });
      assertMatch(
        result.stderr + result.stdout,
        /ALMYTY_URL: http is refused for api\.example\.com/,
      );
      assert(result.code !== 0, command.join(" "));
    }
    // The same for a file whose url breaks the rule.
    const { home } = homeWithFile(JSON.stringify({ url: "http://api.example.com", token }));
    for (const command of [["status"], ["whoami"], ["doctor"], ["logout"]]) {
      const result = await runCli(command, { home, env: proxyEnv });
      assertMatch(
        result.stderr + result.stdout,
        /http is refused for api\.example\.com/,
        command[0],
      );
    }
    assertEquals(seen, [], "no request reached the proxy");
  });
});

Deno.test("ALMYTY_URL does not move a saved key; it is reported with how to apply it", async () => {
  await withServer({}, async (server) => {
    const { apiKey } = await mintKey(server.url);
    recordToken(apiKey);
    const { home } = homeWithFile(JSON.stringify({ url: server.url, token: apiKey }));
    await withCapturingProxy(async (elsewhere, seen) => {
      const env = { ALMYTY_URL: elsewhere };
      const whoami = await runCli(["whoami"], { home, env });
      assertEquals(whoami.code, 0, whoami.stderr);
      assertMatch(whoami.stdout, new RegExp(`API: ${server.url}`));
      assertMatch(
        whoami.stderr,
        /ALMYTY_URL \(.*\) is not applied: the saved key belongs to .*ALMYTY_TOKEN too, or log in there: almyty-auth login --api/,
      );
      const status = await runCli(["status"], { home, env });
      assertMatch(status.stdout, /Note: +ALMYTY_URL .* is not applied/);
      const doctor = await runCli(["doctor"], { home, env });
      assertMatch(doctor.stdout, /warning +ALMYTY_URL: ALMYTY_URL .* is not applied/);
      assertMatch(doctor.stdout, new RegExp(`API: ${server.url} answered`));
      assertEquals(seen, [], "the saved key never went to ALMYTY_URL");
    });
    // With ALMYTY_TOKEN too, ALMYTY_URL applies (almyty's reader rule).
    const both = await runCli(["whoami", "--json"], {
      home,
      env: { ALMYTY_TOKEN: apiKey, ALMYTY_URL: server.url },
    });
    const json = JSON.parse(both.stdout);
    assertEquals([json.source.token, json.source.url], ["env", "env"]);
  });
});

Deno.test("login stays in the saved environment; frontends derive as deployments are laid out", async () => {
  const staging = "https://api.staging.almyty.com";
  const token = "almyty_" + "2".repeat(64);
  recordToken(token);
  // status --offline shows what each reading command would use, with no network.
  const envStatus = JSON.parse(
    (await runCli(["status", "--offline", "--json"], {
      home: tempHome(),
      env: { ALMYTY_TOKEN: token, ALMYTY_URL: staging },
    })).stdout,
  );
  assertEquals(envStatus.frontendUrl, {
    value: "https://app.staging.almyty.com",
    source: "derived",
  });
  const { home } = homeWithFile(JSON.stringify({ url: staging, token }));
  const fileStatus = JSON.parse((await runCli(["status", "--offline", "--json"], { home })).stdout);
  assertEquals([fileStatus.url.value, fileStatus.frontendUrl.value], [
    staging,
    "https://app.staging.almyty.com",
  ]);
  // login and doctor use the file's url too: a staging user is not sent to production.
  // (--timeout with a dead proxy keeps this on loopback; the hint names the environment.)
  await withCapturingProxy(async (proxy, seen) => {
    const env = { HTTPS_PROXY: proxy, HTTP_PROXY: proxy };
    const login = await runCli(["login", "--no-browser"], { home, env });
    assertEquals(login.code, 1);
    assert(seen.some((r) => r.includes("api.staging.almyty.com")), seen.join("\n"));
    assert(!seen.some((r) => r.includes("//api.almyty.com")), "never production");
    const doctor = await runCli(["doctor"], { home, env });
    assertMatch(doctor.stdout, /API: cannot reach https:\/\/api\.staging\.almyty\.com/);
    assertMatch(doctor.stdout, /Frontend: cannot reach https:\/\/app\.staging\.almyty\.com/);
  });
});

Deno.test("every 'run this again' hint keeps --api", async () => {
  await withFakeServer((request) => {
    const path = new URL(request.url).pathname;
    if (path === "/.well-known/oauth-authorization-server") {
      return Response.json({ error: { code: "RATE_LIMITED", message: "slow down" } }, {
        status: 429,
        headers: { "retry-after": "42" },
      });
    }
    return Response.json({ error: { code: "UNAUTHORIZED", message: "Invalid API key" } }, {
      status: 401,
    });
  }, async (url) => {
    const token = "almyty_" + "3".repeat(64);
    recordToken(token);
    const { home } = homeWithFile(JSON.stringify({ url, token }));
    const whoami = await runCli(["whoami"], { home });
    assertEquals(whoami.code, 4);
    assertMatch(whoami.stderr, new RegExp(`Log in again with: almyty-auth login --api ${url}`));
    // A 429 on discovery is reported as such, with the retry-after, not as "no discovery".
    const login = await runCli(["login"], { home });
    assertEquals(login.code, 1);
    assertMatch(login.stderr, /answered 429: slow down \(retry after 42 s\)[\s\S]*rate-limiting/);
    assert(!/cli-login/.test(login.stderr), "not treated as today's production");
    const none = await runCli(["whoami"], { home: tempHome(), env: { ALMYTY_URL: url } });
    assertMatch(none.stderr, new RegExp(`almyty-auth login --api ${url}`));
  });
  await withServer({}, async (server) => {
    const timeout = await runCli(["login", "--no-browser", "--timeout", "1", "--api", server.url], {
      home: tempHome(),
    });
    assertEquals(timeout.code, 1);
    assertMatch(
      timeout.stderr,
      new RegExp(`almyty-auth login --no-browser --timeout 600 --api ${server.url}`),
    );
  });
});

Deno.test("a supplied key survives logout, which says where to revoke it", async () => {
  await withServer({}, async (server) => {
    const { apiKey } = await mintKey(server.url);
    recordToken(apiKey);
    const home = tempHome();
    const login = await runCli(["login", "--with-token", "--api", server.url], {
      home,
      stdin: apiKey,
    });
    assertEquals(login.code, 0, login.stderr);
    assertEquals(JSON.parse(Deno.readTextFileSync(credsPath(home))).keyOrigin, "supplied");
    const logout = await runCli(["logout"], { home });
    assertEquals(logout.code, 0);
    assertMatch(
      logout.stderr,
      new RegExp(`supplied by you[\\s\\S]*stays valid[\\s\\S]*${server.url}/settings/api-keys`),
    );
    const still = await fetch(`${server.url}/auth/profile`, {
      headers: { authorization: `Bearer ${apiKey}` },
    });
    assertEquals(still.status, 200, "a supplied key is never revoked");
    await still.body?.cancel();
  });
});

Deno.test("logout never revokes a supplied key, even when the file also knows its id", async () => {
  const world = new World();
  const server = world.referenceServer();
  const alice = server.store.userByEmail("alice@example.com")!;
  const { apiKey, record } = server.store.mintKey(alice, "CI");
  recordToken(apiKey);
  Deno.mkdirSync(`${world.home}/.almyty`, { mode: 0o700 });
  Deno.writeTextFileSync(
    credsPath(world.home),
    JSON.stringify({ url: server.url, token: apiKey, keyId: record.id, keyOrigin: "supplied" }),
    { mode: 0o600 },
  );
  assertEquals(await world.run(["logout"]), 0, world.stderr);
  assertMatch(world.stderr, /supplied by you[\s\S]*stays valid[\s\S]*Logged out/);
  assertEquals(world.requests.filter((r) => !r.startsWith("GET ")), [], "nothing was revoked");
  assertEquals(server.store.principalForKey(apiKey)?.user.email, alice.email, "the key works");
  assertEquals(world.saved(), null);
});

Deno.test("logout: an already revoked key is calm; a login saved meanwhile is kept; ALMYTY_TOKEN is never revoked", async () => {
  const key = (digit: string) => "almyty_" + digit.repeat(64);
  recordToken(key("4"));
  recordToken(key("5"));
  let home = "";
  const deletes: string[] = [];
  await withFakeServer((request) => {
    const url = new URL(request.url);
    deletes.push(`${request.method} ${url.pathname} ${request.headers.get("authorization")}`);
    // A revoked key cannot authenticate: production answers 401, to the DELETE and after it.
    if (url.pathname === "/auth/api-keys/gone" || request.method === "GET") {
      return Response.json({ error: { code: "UNAUTHORIZED", message: "Invalid API key" } }, {
        status: 401,
      });
    }
    // A login finishes while logout is revoking: its file must survive.
    Deno.writeTextFileSync(credsPath(home), JSON.stringify({ url: "x", token: key("5") }));
    return Response.json({ success: true, data: null });
  }, async (url) => {
    ({ home } = homeWithFile(
      JSON.stringify({ url, token: key("4"), keyId: "gone", keyOrigin: "minted" }),
    ));
    const gone = await runCli(["logout"], { home, env: { ALMYTY_TOKEN: key("6") } });
    assertEquals(gone.code, 0);
    assertMatch(gone.stderr, /already revoked[\s\S]*Logged out[\s\S]*ALMYTY_TOKEN is still set/);
    assert(!gone.stderr.includes("Warning: Could not revoke"));
    assertEquals(readBytes(credsPath(home)), null);

    ({ home } = homeWithFile(
      JSON.stringify({ url, token: key("4"), keyId: "k1", keyOrigin: "minted" }),
    ));
    const raced = await runCli(["logout"], { home });
    assertMatch(raced.stderr, /now holds a newer login[\s\S]*left in place/);
    assertEquals(JSON.parse(Deno.readTextFileSync(credsPath(home))).token, key("5"));
    assert(!deletes.some((d) => d.includes(key("6"))), "ALMYTY_TOKEN was never sent");
    // Each revocation is checked with the key itself afterwards (GET /auth/profile).
    assert(deletes.every((d) => /^(DELETE|GET \/auth\/profile) /.test(d)), deletes.join("\n"));
  });
});

Deno.test("who you are in production's shapes: a user with two organizations, and email: null", async () => {
  await withServer({}, async (server) => {
    const carol = await mintKey(server.url, "carol@example.com", "carol-password");
    recordToken(carol.apiKey);
    const home = tempHome();
    const login = await runCli(["login", "--with-token", "--api", server.url], {
      home,
      stdin: carol.apiKey,
    });
    assertEquals(login.code, 0, login.stderr);
    const whoami = await runCli(["whoami"], { home });
    assertMatch(
      whoami.stdout,
      /Logged in as carol@example.com\nOrganization: none \(this key is not tied to one organization; the account belongs to 2\)/,
    );
    const json = JSON.parse((await runCli(["whoami", "--json"], { home })).stdout);
    assertEquals([json.organization, json.organizations], [null, 2]);

    const alice = await mintKey(server.url);
    recordToken(alice.apiKey);
    const tolerant = homeWithFile(
      JSON.stringify({ url: server.url, token: alice.apiKey, email: null, organization: "acme" }),
    );
    const read = await runCli(["whoami"], { home: tolerant.home });
    assertEquals(read.code, 0, read.stderr);
    assertMatch(read.stdout, /Logged in as alice@example.com\nOrganization: acme/);
    assertMatch(read.stderr, /"email" should be a string; ignoring it/);
    assertMatch(read.stderr, /"organization" should be an object with a name/);
    // A switch of account is named at the next login.
    const relogin = await runCli(["login", "--with-token", "--api", server.url], {
      home,
      stdin: alice.apiKey,
    });
    assertMatch(relogin.stderr, /Switched account: carol@example.com → alice@example.com/);
    assertMatch(relogin.stderr, /Switched organization: no organization → acme/);
  });
});

Deno.test("JWTs: expiry shown, an expired one explained, logout revokes nothing", async () => {
  await withServer({}, async (server) => {
    const { session } = await mintKey(server.url); // /auth/login hands out a 24 h JWT
    recordToken(session);
    const env = { ALMYTY_TOKEN: session, ALMYTY_URL: server.url };
    const whoami = await runCli(["whoami"], { home: tempHome(), env });
    assertEquals(whoami.code, 0, whoami.stderr);
    assertMatch(whoami.stdout, /Expires: in 24 h/);
    const expired = fakeJwt({ sub: "x", exp: Math.floor(Date.now() / 1000) - 2 * 86400 });
    recordToken(expired);
    const old = await runCli(["whoami"], {
      home: tempHome(),
      env: { ALMYTY_TOKEN: expired, ALMYTY_URL: server.url },
    });
    assertEquals(old.code, 4);
    assertMatch(
      old.stderr,
      new RegExp(
        `rejected the token \\(401\\): it is a JWT that expired 2 days ago[\\s\\S]*almyty-auth login --api ${server.url}. for a long-lived API key`,
      ),
    );
    const status = await runCli(["status", "--offline"], {
      home: tempHome(),
      env: { ALMYTY_TOKEN: expired, ALMYTY_URL: server.url },
    });
    assertMatch(
      status.stdout,
      new RegExp(
        `a JWT\\)\nExpires: +2 days ago \\(expired: run almyty-auth login --api ${server.url} for`,
      ),
    );
    const { home } = homeWithFile(JSON.stringify({ url: server.url, token: session }));
    const logout = await runCli(["logout"], { home });
    assertMatch(
      logout.stderr,
      /a JWT \(a session token\), not an API key: there is nothing to revoke/,
    );
  });
});

Deno.test("tokens in errors: unsendable tokens are refused unquoted; control characters stripped", async () => {
  const bad = "almyty_abc\r\nX-Injected: yes";
  const env = await runCli(["whoami"], { home: tempHome(), env: { ALMYTY_TOKEN: bad } });
  assertEquals(env.code, 2);
  assertMatch(env.stderr, /The token from ALMYTY_TOKEN contains spaces or control characters/);
  assert(!env.stderr.includes("Injected"), "the token is never quoted");
  const login = await runCli(["login", "--with-token", "--api", "http://127.0.0.1:9"], {
    home: tempHome(),
    stdin: "almyty_a\tb",
  });
  assertEquals(login.code, 2);
  assertMatch(login.stderr, /contains spaces or control characters/);

  const token = "almyty_" + "7".repeat(64);
  recordToken(token);
  await withFakeServer(
    (request) =>
      new Response(
        JSON.stringify({
          error: {
            code: "X\x1b[2J",
            message: `\x1b[31mbad\x07 key ${request.headers.get("authorization")?.slice(7, 67)}`,
          },
        }),
        { status: 500 },
      ),
    async (url) => {
      const { home } = homeWithFile(JSON.stringify({ url, token }));
      const result = await runCli(["whoami"], { home });
      assertEquals(result.code, 1);
      assertMatch(result.stderr, /answered 500: \[31mbad key \[token\]/);
      // deno-lint-ignore no-control-regex -- looking for control characters
      assert(!/[\x00-\x08\x0b-\x1f\x7f]/.test(result.stderr), JSON.stringify(result.stderr));
      for (let i = 0; i + 8 <= token.length; i++) {
        assert(!result.stderr.includes(token.slice(i, i + 8)), "no 8-character piece of the key");
      }
    },
  );
});

Deno.test("redirects to another origin are not followed; bodies over 1 MiB are not read", async () => {
  const token = "almyty_" + "8".repeat(64);
  recordToken(token);
  await withCapturingProxy(async (_unused, seen) => {
    await withFakeServer((request) => {
      seen.push(`elsewhere ${request.url} ${request.headers.get("authorization")}`);
      return Response.json({ success: true, data: { email: "mallory@example.com" } });
    }, async (elsewhere) => {
      await withFakeServer((request) => {
        const path = new URL(request.url).pathname;
        if (path === "/auth/profile") {
          return new Response(null, { status: 307, headers: { location: `${elsewhere}/steal` } });
        }
        return new Response("x".repeat(2 * 1024 * 1024), { status: 200 });
      }, async (url) => {
        const { home } = homeWithFile(JSON.stringify({ url, token }));
        const result = await runCli(["whoami"], { home });
        assertEquals(result.code, 1);
        assertMatch(
          result.stderr,
          /redirected to another origin \(http:\/\/127\.0\.0\.1:\d+\); not following it/,
        );
        assertEquals(seen, [], "the token never went to the other origin");
      });
    });
  });
  await withFakeServer(() => new Response("x".repeat(2 * 1024 * 1024)), async (url) => {
    const { home } = homeWithFile(JSON.stringify({ url, token }));
    const result = await runCli(["whoami"], { home });
    assertMatch(result.stderr, /more than 1 MiB; not reading it/);
  });
});

Deno.test("a body over 1 MiB is not read however it is framed: declared, chunked, chunked past a declared length, compressed", async () => {
  const token = "almyty_" + "8".repeat(64);
  recordToken(token);
  const big = "x".repeat(2 * 1024 * 1024);
  const gzipped = await new Response(
    new Blob([big]).stream().pipeThrough(new CompressionStream("gzip")),
  ).bytes();
  const whoami = async (url: string) => {
    const { home } = homeWithFile(JSON.stringify({ url, token }));
    const result = await runCli(["whoami"], { home });
    assertEquals(result.code, 1, result.stderr);
    assertMatch(result.stderr, /answered with more than 1 MiB; not reading it/);
  };
  const answers: [string, () => Response][] = [
    ["declared", () => new Response(big, { headers: { "content-length": String(big.length) } })],
    ["chunked", () => new Response(new Blob([big]).stream())],
    // A small declared length of a body that inflates past the cap.
    [
      "gzip",
      () =>
        new Response(gzipped, {
          headers: { "content-encoding": "gzip", "content-length": String(gzipped.length) },
        }),
    ],
  ];
  for (const [what, answer] of answers) {
    await withFakeServer(() => answer(), async (url) => {
      await whoami(url).catch((error) => {
        throw new Error(`${what}: ${error.message}`);
      });
    });
  }
  // Content-Length 20 beside Transfer-Encoding: chunked (which fetch follows): 2 MiB come.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const chunk = "y".repeat(64 * 1024);
  const served = (async () => {
    for await (const conn of listener) {
      await conn.read(new Uint8Array(64 * 1024));
      const head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 20\r\n" +
        "transfer-encoding: chunked\r\nconnection: close\r\n\r\n";
      const body = `${chunk.length.toString(16)}\r\n${chunk}\r\n`.repeat(32) + "0\r\n\r\n";
      await conn.write(new TextEncoder().encode(head + body)).catch(() => {});
      conn.close();
    }
  })();
  try {
    await whoami(`http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`);
  } finally {
    listener.close();
    await served.catch(() => {});
  }
});
