/**
 * The CLI through its real surface: spawned with the compile-time
 * permissions, HOME in a temp dir, talking HTTP to the reference server.
 */
import { assert, assertEquals, assertMatch } from "./helpers/assert.ts";
import { CliProcess, credsPath, homeWithFile, readBytes, runCli, tempHome } from "./helpers/cli.ts";
import { assertNoLeaks, recordToken } from "./helpers/leaks.ts";
import { closedPort, decide, mintKey, withFakeServer, withServer } from "./helpers/server.ts";

Deno.test("usage: --help, help <cmd>, --version, unknown command and flag", async () => {
  const home = tempHome();
  const help = await runCli(["--help"], { home });
  assertEquals(help.code, 0);
  assertMatch(help.stdout, /login[\s\S]*logout[\s\S]*whoami/);
  assertMatch((await runCli(["help", "login"], { home })).stdout, /--no-browser/);
  assertMatch((await runCli(["login", "--help"], { home })).stdout, /--with-token/);
  const version = JSON.parse(Deno.readTextFileSync("deno.json")).version;
  assertEquals((await runCli(["--version"], { home })).stdout.trim(), `almyty-auth ${version}`);
  const unknown = await runCli(["whoamii"], { home });
  assertEquals(unknown.code, 2);
  assertMatch(unknown.stderr, /Unknown command "whoamii"/);
  const flag = await runCli(["whoami", "--bogus"], { home });
  assertEquals(flag.code, 2);
  assertMatch(flag.stderr, /bogus/);
  assertEquals((await runCli(["login", "--timeout", "soon"], { home })).code, 2);
});

Deno.test("token login validates, saves 0600 with email and org; whoami, token, status", async () => {
  await withServer({}, async (server) => {
    const { apiKey } = await mintKey(server.url);
    recordToken(apiKey);
    const home = tempHome();
    const login = await runCli(["login", "--with-token", "--api", server.url], {
      home,
      stdin: apiKey + "\n",
    });
    assertEquals(login.code, 0, login.stderr);
    assertMatch(login.stderr, /Logged in as alice@example.com \(acme\)/);
    assert(login.stderr.includes(credsPath(home)));
    const saved = JSON.parse(Deno.readTextFileSync(credsPath(home)));
    assertEquals([saved.url, saved.token, saved.email, saved.frontendUrl], [
      server.url,
      apiKey,
      "alice@example.com",
      server.url,
    ]);
    assertEquals(saved.organization.name, "acme");
    assertEquals(Deno.statSync(credsPath(home)).mode! & 0o777, 0o600);
    assertEquals(Deno.statSync(`${home}/.almyty`).mode! & 0o777, 0o700);

    const whoami = await runCli(["whoami"], { home });
    assertEquals(whoami.code, 0);
    assertMatch(
      whoami.stdout,
      /^Logged in as alice@example.com\nOrganization: acme\nAPI: http:\/\/127\.0\.0\.1:\d+\n/,
    );
    assertMatch(whoami.stdout, /Token: almyty_[0-9a-f]…[0-9a-f]{4} \(from .*credentials\.json\)/);
    const json = JSON.parse((await runCli(["whoami", "--json"], { home })).stdout);
    assertEquals([json.email, json.organization.slug, json.source.token], [
      "alice@example.com",
      "acme",
      "file",
    ]);

    const token = await runCli(["token"], { home, mayPrintToken: true });
    assertEquals([token.code, token.stdout], [0, apiKey + "\n"]);
    // Not the default API: ALMYTY_TOKEN alone would reach production with almyty's CLIs.
    assertMatch(token.stderr, /send ALMYTY_TOKEN alone to https:\/\/api\.almyty\.com[^\n]*exec/);

    const again = await runCli(["login", "--with-token", "--api", server.url], {
      home,
      stdin: apiKey,
      env: { ALMYTY_TOKEN: "another-token-in-the-env" },
    });
    assertMatch(
      again.stderr,
      /ALMYTY_TOKEN is set in your environment and overrides the saved credentials/,
    );
    const argv = await runCli(["login", "--token", apiKey, "--api", server.url], { home });
    assertEquals(argv.code, 0);
    assertMatch(argv.stderr, /--token puts the key in your shell history/);

    const status = JSON.parse((await runCli(["status", "--json"], { home })).stdout);
    assertEquals([status.server.accepted, status.file.mode, status.token.source], [
      true,
      "0600",
      "file",
    ]);
  });
});

Deno.test("token login: a rejected key saves nothing and leaves the old file byte-identical", async () => {
  await withServer({}, async (server) => {
    const { home, path, bytes } = homeWithFile();
    const result = await runCli(["login", "--with-token", "--api", server.url], {
      home,
      stdin: "ak_live_notarealkeynotarealkey00",
    });
    assertEquals(result.code, 4);
    assertMatch(result.stderr, /rejected this API key \(401\)\. Nothing was saved/);
    assertEquals(readBytes(path), bytes);
  });
});

Deno.test("bad --api/--frontend/ALMYTY_URL values: exit 2, named, nothing touched", async () => {
  const { home, path, bytes } = homeWithFile();
  const cases: [string[], Record<string, string>, RegExp][] = [
    [["--api", "http://example.com"], {}, /--api: http is refused for example\.com/],
    [["--api", "not a url"], {}, /--api is not a URL\. Use a full URL/],
    [["--api", "ftp://127.0.0.1"], {}, /must be an https URL/],
    [["--frontend", "http://10.0.0.1"], {}, /--frontend: http is refused/],
    [[], { ALMYTY_URL: "http://api.example.com" }, /ALMYTY_URL: http is refused/],
  ];
  for (const [args, env, message] of cases) {
    const result = await runCli(["login", "--with-token", ...args], {
      home,
      env,
      stdin: "ak_live_x",
    });
    assertEquals(result.code, 2, args.join(" "));
    assertMatch(result.stderr, message);
    assertEquals(readBytes(path), bytes);
  }
  // Loopback http is allowed, including [::1] (production's CLI wrongly refused it).
  const port = closedPort();
  const v6 = await runCli(["login", "--with-token", "--api", `http://[::1]:${port}`], {
    home,
    stdin: "ak_live_x",
  });
  assertEquals(v6.code, 1);
  assertMatch(v6.stderr, new RegExp(`Cannot reach http://\\[::1\\]:${port}`));
});

Deno.test("whoami: each server failure has its message class and exit code; file untouched", async () => {
  const cases: [string, (r: Request) => Response | Promise<Response>, number, RegExp][] = [
    [
      "401",
      () =>
        Response.json({
          error: { code: "UNAUTHORIZED", message: "Invalid API key", statusCode: 401 },
        }, { status: 401 }),
      4,
      /revoked[\s\S]*a newer login from this machine replaced it[\s\S]*another environment/,
    ],
    [
      "500",
      () =>
        Response.json({ error: { code: "INTERNAL_ERROR", message: "boom", statusCode: 500 } }, {
          status: 500,
        }),
      1,
      /answered 500: boom/,
    ],
    [
      "html",
      () => new Response("<html>proxy login</html>", { headers: { "content-type": "text/html" } }),
      1,
      /not JSON \(an HTML page\)/,
    ],
    ["garbage", () => new Response("{{{"), 1, /not JSON \(3 bytes of text\)/],
    [
      "proxy echoing the request",
      (r) => new Response(`bad gateway for ${r.headers.get("authorization")}`, { status: 502 }),
      1,
      /answered 502: "bad gateway for Bearer \[token\]"/,
    ],
    [
      "timeout",
      // Answers only once the CLI has given up (and gone): the server's shutdown waits for nothing.
      (r) =>
        new Promise<Response>((resolve) =>
          r.signal.addEventListener("abort", () => resolve(new Response("late")))
        ),
      1,
      /did not answer within 1 s/,
    ],
  ];
  recordToken("ak_live_ORIGINALORIGINALORIGINAL"); // the leak scan looks for it in every stderr
  for (const [name, handler, code, message] of cases) {
    await withFakeServer(handler, async (url) => {
      const { home, path, bytes } = homeWithFile(
        JSON.stringify({
          url,
          token: "ak_live_ORIGINALORIGINALORIGINAL",
          email: "old@example.com",
        }),
      );
      const result = await runCli(["whoami"], { home, env: { ALMYTY_HTTP_TIMEOUT: "1" } });
      assertEquals(result.code, code, `${name}: ${result.stderr}`);
      assertMatch(result.stderr, message, name);
      if (code === 1) {
        assertMatch(result.stderr, /Stored login: old@example.com[\s\S]*Could not verify/, name);
      }
      assertEquals(readBytes(path), bytes, name);
    });
  }
  const port = closedPort();
  const refused = homeWithFile(
    JSON.stringify({ url: `http://127.0.0.1:${port}`, token: "ak_live_ORIGINALORIGINALORIGINAL" }),
  );
  const result = await runCli(["whoami"], { home: refused.home });
  assertEquals(result.code, 1);
  assertMatch(
    result.stderr,
    new RegExp(`Cannot reach http://127\\.0\\.0\\.1:${port}/auth/profile: connection refused`),
  );
  assertEquals(readBytes(refused.path), refused.bytes);
});

Deno.test("malformed credentials: each gets its own message, exit 1 (4 for no token), file byte-identical", async () => {
  for (
    const [text, message, code] of [
      ["{oops", /not valid JSON/, 1],
      ['{"url":"https://api.almyty.com"}', /has no token/, 4], // no token: not authenticated
      ['{"token":42}', /"token" must be a string/, 1],
    ] as const
  ) {
    const { home, path, bytes } = homeWithFile(text);
    const result = await runCli(["whoami"], { home });
    assertEquals(result.code, code, text);
    assertMatch(result.stderr, message);
    assert(result.stderr.includes(path));
    assertEquals(readBytes(path), bytes);
  }
  // A bare key pasted into the file: reported, never echoed (the leak scan checks stderr).
  const bare = "ak_live_PASTEDPASTEDPASTEDPASTED";
  recordToken(bare);
  const pasted = homeWithFile(bare + "\n");
  const shown = await runCli(["whoami"], { home: pasted.home });
  assertEquals(shown.code, 1);
  assertMatch(shown.stderr, /not valid JSON at position 0/);
  assert(!shown.stderr.includes(bare));
  const dir = tempHome();
  Deno.mkdirSync(credsPath(dir), { recursive: true });
  const result = await runCli(["whoami"], { home: dir });
  assertEquals(result.code, 1);
  assertMatch(result.stderr, /not a regular file/);
});

Deno.test("not authenticated: exit 4 with both ways out; token exits 4 with nothing on stdout", async () => {
  const home = tempHome();
  const whoami = await runCli(["whoami"], { home });
  assertEquals(whoami.code, 4);
  assertMatch(
    whoami.stderr,
    /Not authenticated[\s\S]*almyty-auth login[\s\S]*export ALMYTY_TOKEN=/,
  );
  const token = await runCli(["token"], { home });
  assertEquals([token.code, token.stdout], [4, ""]);
});

Deno.test("ALMYTY_TOKEN: the file is never opened (a FIFO there would hang the read)", async () => {
  await withServer({}, async (server) => {
    const { apiKey } = await mintKey(server.url);
    recordToken(apiKey);
    const home = tempHome();
    Deno.mkdirSync(`${home}/.almyty`);
    new Deno.Command("mkfifo", { args: [credsPath(home)] }).outputSync();
    const result = await runCli(["whoami"], {
      home,
      env: { ALMYTY_TOKEN: apiKey, ALMYTY_URL: server.url },
    });
    assertEquals(result.code, 0, result.stderr);
    assertMatch(result.stdout, /alice@example.com[\s\S]*from ALMYTY_TOKEN/);
    const status = await runCli(["status", "--offline"], { home, env: { ALMYTY_TOKEN: apiKey } });
    assertMatch(status.stdout, /not read: ALMYTY_TOKEN is set/);
  });
});

Deno.test("a group-readable file works but warns with the chmod fix", async () => {
  await withServer({}, async (server) => {
    const { apiKey } = await mintKey(server.url);
    recordToken(apiKey);
    const { home, path } = homeWithFile(JSON.stringify({ url: server.url, token: apiKey }));
    Deno.chmodSync(path, 0o644);
    const result = await runCli(["whoami"], { home });
    assertEquals(result.code, 0);
    assertMatch(result.stderr, new RegExp(`chmod 600 ${path}`));
    const doctor = await runCli(["doctor", "--api", server.url], { home });
    assertEquals(doctor.code, 1);
    assertMatch(doctor.stdout, /problem\s+Credentials file: .*mode 644/);
  });
});

Deno.test("headless login approved over HTTP; logout revokes the key; twice is fine", async () => {
  await withServer({ deviceInterval: 1 }, async (server) => {
    const home = tempHome();
    const cli = new CliProcess(["login", "--no-browser", "--api", server.url], {
      home,
      env: { ALMYTY_TOKEN: "" },
    });
    const [, code] = await cli.waitFor(/^\s+([B-Z]{4}-[B-Z]{4})$/m);
    assertMatch(
      cli.stderr,
      /Open this URL in any browser:\n\s+http:\/\/127\.0\.0\.1:\d+\/cli-auth\?code=/,
    );
    await cli.waitFor(/Waiting for approval/);
    const started = performance.now();
    await (await decide(server.url, `/cli-auth?code=${code}`, "approve")).body?.cancel();
    const result = await cli.done;
    const latency = performance.now() - started;
    assertEquals(result.code, 0, result.stderr);
    assert(latency < 5000, `long-poll should notice approval at once (took ${latency} ms)`);
    const saved = JSON.parse(Deno.readTextFileSync(credsPath(home)));
    assert(saved.keyId);
    assertEquals(saved.organization.slug, "acme");

    const logout = await runCli(["logout"], {
      home,
      env: { ALMYTY_TOKEN: "still-set-token-123456" },
    });
    assertEquals(logout.code, 0);
    assertMatch(
      logout.stderr,
      /Revoked the API key[\s\S]*Logged out[\s\S]*ALMYTY_TOKEN is still set/,
    );
    const probe = await fetch(`${server.url}/auth/profile`, {
      headers: { authorization: `Bearer ${saved.token}` },
    });
    assertEquals(probe.status, 401, "revoked key no longer works");
    await probe.body?.cancel();
    const again = await runCli(["logout"], { home });
    assertEquals(again.code, 0);
    assertMatch(again.stderr, /Not logged in/);
  });
});

Deno.test("completions are generated for bash, zsh and fish from the command table", async () => {
  const home = tempHome();
  for (const shell of ["bash", "zsh", "fish"]) {
    const result = await runCli(["completions", shell], { home });
    assertEquals(result.code, 0);
    for (const word of ["login", "whoami", "no-browser", "with-token"]) {
      assert(result.stdout.includes(word), `${shell}: ${word}`);
    }
  }
  const bash = await runCli(["completions", "bash"], { home });
  const check = new Deno.Command("bash", { args: ["-n"], stdin: "piped" }).spawn();
  const w = check.stdin.getWriter();
  await w.write(new TextEncoder().encode(bash.stdout));
  await w.close();
  assertEquals((await check.status).code, 0, "bash syntax");
  const tcsh = await runCli(["completions", "tcsh"], { home });
  assertEquals(tcsh.code, 2);
  assertMatch(tcsh.stderr, /"tcsh" is not a shell it supports\. Name the shell: .*bash\|zsh\|fish/);
  // What the shells offer: flags after a command, nothing where a value goes.
  const script = `${home}/completion.bash`;
  Deno.writeTextFileSync(script, bash.stdout);
  const complete = async (...words: string[]) => {
    const line = `source ${script}; COMP_WORDS=(almyty-auth ${
      words.map((w) => `'${w}'`).join(" ")
    }); COMP_CWORD=${words.length}; _almyty_auth; echo "\${COMPREPLY[*]}"`;
    const out = await new Deno.Command("bash", { args: ["-c", line], stdout: "piped" }).output();
    return new TextDecoder().decode(out.stdout).trim();
  };
  assertMatch(await complete("login", "--"), /--api[\s\S]*--no-browser/);
  assertEquals(await complete("login", "--api", ""), "", "no flags where the URL goes");
  assertEquals(await complete("completions", ""), "--help --version bash zsh fish");
  // zsh parses it; how each install method completes in real shells: completions_test.ts.
  const zsh = await runCli(["completions", "zsh"], { home });
  Deno.writeTextFileSync(`${home}/completion.zsh`, zsh.stdout);
  const parsed = await new Deno.Command("zsh", {
    args: ["-n", `${home}/completion.zsh`],
    stderr: "piped",
  }).output();
  assertEquals(parsed.code, 0, new TextDecoder().decode(parsed.stderr));
});

Deno.test('help: help help, usage lines from the flags, a stray word after the page (exit 2), --api "" is a usage error', async () => {
  const home = tempHome();
  const help = await runCli(["help", "help"], { home });
  assertEquals(help.code, 0);
  assertMatch(help.stdout, /Usage: almyty-auth help \[command\]/);
  const login = await runCli(["help", "login"], { home });
  // The usage lists every flag, wrapped under the command (help_test.ts checks every page's width).
  assertMatch(login.stdout, /Usage: almyty-auth login \[[^]*?\n {25}\[--timeout seconds\]/);
  // A subcommand is on its command's page; any other word after the page's name is refused as
  // every command refuses one, named, no page shown.
  const sub = await runCli(["help", "profile", "bind"], { home });
  assertEquals(sub.code, 0, sub.stderr);
  assertMatch(sub.stdout, /^Usage: almyty-auth profile /m);
  const strays = [
    ["help", "whoami", "extra"],
    ["--help", "login", "--api"],
    ["help", "profile", "bind", "ci"],
  ];
  for (const argv of strays) {
    const stray = await runCli(argv, { home });
    assertEquals([stray.code, stray.stdout], [2, ""], argv.join(" "));
    assertMatch(
      stray.stderr,
      new RegExp(`^Unexpected argument "${argv.at(-1)}": help shows one command's page\\.\n`),
    );
  }
  const empty = await runCli(["login", "--api", "", "--with-token"], { home, stdin: "k" });
  assertEquals(empty.code, 2);
  assertMatch(empty.stderr, /--api needs a URL/);
  const bare = await runCli(["login", "--api", "127.0.0.1:8080", "--with-token"], {
    home,
    stdin: "k",
  });
  assertEquals(bare.code, 2);
  assertMatch(bare.stderr, /Did you mean http:\/\/127\.0\.0\.1:8080\?/);
  const status = await runCli(["status"], { home });
  assertEquals(status.code, 4);
  assertMatch(status.stdout, /Not authenticated[\s\S]*almyty-auth login[\s\S]*export ALMYTY_TOKEN/);
});

Deno.test("leak scan: no token in any CLI output of this file", () => {
  const { recordings, tokens } = assertNoLeaks();
  assert(recordings > 20 && tokens > 2, `scan saw ${recordings} recordings and ${tokens} tokens`);
});

Deno.test("no HOME: a clear message instead of a path under /", async () => {
  const result = await runCli(["whoami"], { home: "" });
  assertEquals(result.code, 1);
  assertMatch(result.stderr, /Cannot find your home directory: set HOME/);
});

Deno.test("no HOME but ALMYTY_TOKEN: token, status and env work (the token needs no file)", async () => {
  const env = { ALMYTY_TOKEN: "almyty_nohome0123456789", ALMYTY_URL: "http://127.0.0.1:9" };
  const token = await runCli(["token"], { home: "", env, mayPrintToken: true });
  assertEquals([token.code, token.stdout, token.stderr], [0, "almyty_nohome0123456789\n", ""]);
  const status = await runCli(["status", "--offline"], { home: "", env });
  assertEquals(status.code, 0, status.stderr);
  assertMatch(status.stdout, /File: +none: no home directory \(HOME is unset\) \(not read/);
  const exported = await runCli(["env", "--shell", "json"], { home: "", env, mayPrintToken: true });
  assertEquals(exported.code, 0, exported.stderr);
  assertEquals(JSON.parse(exported.stdout).ALMYTY_URL, "http://127.0.0.1:9");
});

Deno.test("limits and names: --timeout and ALMYTY_HTTP_TIMEOUT capped, status names the file's owner", async () => {
  const home = tempHome();
  for (const value of ["99999999", "1e308", "0", "-5"]) {
    const result = await runCli(["login", "--timeout", value, "--no-browser"], { home });
    assertEquals(result.code, 2, value);
    assertMatch(result.stderr, /--timeout takes a number of seconds from 1 to 86400/);
  }
  // A huge ALMYTY_HTTP_TIMEOUT is capped, not a crash (it used to overflow the timer).
  const port = closedPort();
  const { home: saved } = homeWithFile(
    JSON.stringify({ url: `http://127.0.0.1:${port}`, token: "almyty_" + "9".repeat(64) }),
  );
  const huge = await runCli(["whoami"], { home: saved, env: { ALMYTY_HTTP_TIMEOUT: "1e308" } });
  assertEquals(huge.code, 1);
  assertMatch(huge.stderr, /connection refused/);
  assert(!/Unexpected error|RangeError/.test(huge.stderr), huge.stderr);
  const status = await runCli(["status", "--offline"], { home: saved });
  assertMatch(status.stdout, /owner root \(uid 0\)/);
});

Deno.test("the reference server warns when it listens beyond loopback, naming the seeded accounts; on a wildcard address (a container's --host 0.0.0.0) it is the loopback address it advertises, which a login takes (http://0.0.0.0 the CLI refuses, and 127.0.0.1 got 'Invalid Host header')", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["task", "--quiet", "server", "--host", "0.0.0.0", "--port", "0"],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let banner = "";
  while (!banner.includes("\n")) {
    const { value, done } = await lines.read(); // "listening on …": the warning came before it
    if (done) break;
    banner += value;
  }
  const url = /^almyty reference server listening on (http:\/\/127\.0\.0\.1:\d+)\n/.exec(banner)
    ?.[1];
  try {
    assert(url, banner);
    const discovery = await fetch(`${url}/.well-known/oauth-authorization-server`);
    assertEquals((await discovery.json()).issuer, url);
    const login = await runCli(["login", "--no-wait", "--api", url], { home: tempHome() });
    assertEquals(login.code, 0, login.stderr);
    assertMatch(login.stderr, /Open this URL in any browser/);
  } finally {
    child.kill("SIGTERM");
  }
  await child.status;
  lines.releaseLock();
  await child.stdout.cancel().catch(() => {});
  const stderr = await new Response(child.stderr).text();
  assertMatch(
    stderr,
    /WARNING: listening on 0\.0\.0\.0[\s\S]*alice@example\.com \/ alice-password/,
  );
});

Deno.test("the reference server refuses bad switch values with usage exit 2, naming the switch", async () => {
  for (
    const [args, message] of [
      [["--key-lifetime", "0"], /--key-lifetime must be a number of days > 0/],
      [["--key-lifetime", "soon"], /--key-lifetime must be a number of days > 0/],
      [["--rate-limit", "1.5"], /--rate-limit must be a whole number > 0/],
      [["--device-interval=-1"], /--device-interval must be a number ≥ 0/],
      [["--port", "70000"], /--port must be 0–65535/],
      [["--user", "bob@example.com"], /--user takes email:password:org, got "bob@example\.com"/],
      [["--auto-approve", "--host", "0.0.0.0"], /--auto-approve refuses to run on a non-loopback/],
      [["--nope"], /Unknown option '--nope'/],
    ] as const
  ) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["task", "--quiet", "server", "--port", "0", ...args],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assertEquals(out.code, 2, `${args.join(" ")}: ${stderr}`);
    assertMatch(stderr, message);
    assertMatch(stderr, /Usage/i);
  }
});

Deno.test("the reference server on a port in use says so and how to pick another, exit 1", async () => {
  const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["task", "--quiet", "server", "--port", String(taken.addr.port)],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assertEquals(out.code, 1, stderr);
    assertMatch(stderr, new RegExp(`port ${taken.addr.port} is in use; pick another with --port`));
  } finally {
    taken.close();
  }
});
