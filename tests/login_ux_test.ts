/**
 * The browser and the terminal during login, in process: what the opener is
 * given (a private redirect file, never the URL), forwarders, paste-back
 * hints, the prompt's place, escapes from servers, OAuth errors at the
 * callback, the device flow's limits and cancel, slow servers, and typos.
 */
import { assert, assertEquals, assertMatch } from "./helpers/assert.ts";
import { homeWithFile, readBytes } from "./helpers/cli.ts";
import { openConsent } from "./helpers/consent.ts";
import { signInCookie, World } from "./helpers/world.ts";
import { scriptedDeviceApi } from "./helpers/device_api.ts";
import { OAUTH_ERROR } from "../src/protocol/constants.ts";
import { STALE_REDIRECT_MARGIN_MS } from "../src/login/redirect_file.ts";
import { scratchDir } from "./helpers/scratch.ts";

const BROWSER = { BROWSER: "test-browser" };
// deno-lint-ignore no-control-regex -- looking for escapes is the point
const ESCAPES = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;

/** A browser that approves but cannot reach the listener: the address it ends on. */
async function approveUnreachable(world: World, serverUrl: string, url: string) {
  const consent = await openConsent(world.fetch, url, await signInCookie(world.fetch, serverUrl));
  const decided = await consent.submit("approve");
  await decided.body?.cancel();
  return decided.headers.get("location")!;
}

Deno.test("opener: a private file leads to the login; stale files of ended logins are swept, running ones kept", async () => {
  const world = new World(BROWSER);
  const server = world.referenceServer();
  const folder = `${world.home}/.almyty/login`;
  Deno.mkdirSync(folder, { recursive: true, mode: 0o700 });
  const now = world.clock.now();
  const stale = `${now - STALE_REDIRECT_MARGIN_MS - 1000}-0123456789abcdef.html`;
  const running = `${now + 3_600_000}-fedcba9876543210.html`;
  for (const name of [stale, running, "notes.txt"]) {
    Deno.writeTextFileSync(`${folder}/${name}`, "x", { mode: 0o600 });
  }
  let opened = "";
  world.onLaunch = (url, spec) => {
    opened = spec.args.at(-1)!;
    world.task(() => world.decide(url, "approve"));
    return true;
  };
  assertEquals(await world.run(["login", "--api", server.url]), 0, world.stderr);
  assertMatch(opened, new RegExp(`^file://${folder}/\\d+-[0-9a-f]{16}\\.html$`));
  assertEquals(
    [...Deno.readDirSync(folder)].map((e) => e.name).sort(),
    [running, "notes.txt"].sort(),
    "the stale file and this login's own are gone; the rest is untouched",
  );
});

Deno.test("opener: when the private file cannot be written, nothing is launched and the URL is printed", async () => {
  for (const plant of ["file", "symlink"] as const) {
    const world = new World(BROWSER);
    const server = world.referenceServer();
    Deno.mkdirSync(`${world.home}/.almyty`, { mode: 0o700 });
    if (plant === "file") Deno.writeTextFileSync(`${world.home}/.almyty/login`, "");
    else Deno.symlinkSync(scratchDir(), `${world.home}/.almyty/login`);
    world.stdinIsTerminal = true;
    world.task(async () => {
      await world.waitFor(/paste it here:\n/);
      world.interrupt();
    });
    assertEquals(await world.run(["login", "--api", server.url]), 130, world.stderr);
    assertEquals(world.launched, [], plant);
    assertMatch(
      world.stderr,
      /Warning: Not opening a browser: the private page it would open could not be written \(\S+\/\.almyty\/login is (a symbolic link|not a folder); remove it[\s\S]*Open this URL in your browser to log in:\n {2}http:\/\/\S+state=/,
    );
  }
});

Deno.test("opener: a forwarder (VS Code, dev container, Codespaces) is never handed the login; paste-back finishes", async () => {
  const world = new World({
    BROWSER: "/root/.vscode-server/bin/0123abcd/bin/helpers/browser.sh",
    REMOTE_CONTAINERS: "true",
  });
  const server = world.referenceServer();
  world.stdinIsTerminal = true;
  world.task(async () => {
    const [, url] = await world.waitFor(/to log in:\n {2}(\S+)\n/);
    world.type(await approveUnreachable(world, server.url, url));
  });
  assertEquals(await world.run(["login", "--api", server.url]), 0, world.stderr);
  assertEquals(world.launched, [], "nothing was handed the URL");
  assertMatch(world.stderr, /Not launching a browser: BROWSER is VS Code's browser helper/);
  assertEquals(world.saved()!.email, "alice@example.com");

  // An address of another login (an old tab): the way on is the URL printed, nothing was opened.
  const stray = new World({ BROWSER: "/workspaces/x/helpers/browser.sh", CODESPACES: "true" });
  const other = stray.referenceServer();
  stray.stdinIsTerminal = true;
  stray.task(async () => {
    await stray.waitFor(/to log in:\n {2}(\S+)\n/);
    stray.type("http://127.0.0.1:5555/callback?code=abc&state=another-login");
    await stray.waitFor(/Not accepted: /);
    stray.interrupt();
  });
  assertEquals(await stray.run(["login", "--api", other.url]), 130, stray.stderr);
  assertMatch(
    stray.stderr,
    /Not accepted: The state does not match the login running in your terminal\. The CLI is still waiting; finish the login from the page the CLI opened or the URL it printed\.\n/,
  );
});

Deno.test("paste-back: the address to open, a /start/ address or the redirect file get what to do", async () => {
  for (const legacy of [false, true]) {
    const world = new World(BROWSER);
    const server = world.referenceServer({ legacy });
    world.stdinIsTerminal = true;
    world.onLaunch = (url, spec) => {
      world.task(async () => {
        const pastes = [url, spec.args.at(-1)!, "http://127.0.0.1:5555/start/abcdef"];
        for (const [n, pasted] of pastes.entries()) {
          world.type(pasted);
          const hint =
            "Not accepted: That is the address to open, not the one to paste back[^\\n]*" +
            "\\(it starts with http://127\\.0\\.0\\.1:\\d+/(callback|cb)\\)\\.\\n";
          await world.waitFor(new RegExp(`(${hint}[\\s\\S]*){${n + 1}}`));
        }
        world.interrupt();
      });
      return true;
    };
    assertEquals(await world.run(["login", "--api", server.url]), 130, world.stderr);
  }
});

Deno.test("the paste prompt comes after a failed browser's warning, as the last line", async () => {
  const world = new World(BROWSER);
  const server = world.referenceServer();
  world.stdinIsTerminal = true;
  world.onLaunch = () => {
    world.task(async () => {
      await world.waitFor(/paste it here:\n/);
      world.interrupt();
    });
    return 1; // the browser command failed
  };
  assertEquals(await world.run(["login", "--api", server.url]), 130);
  const warning = world.stderr.indexOf("Warning: The browser command BROWSER=test-browser failed");
  const waiting = world.stderr.indexOf("Waiting for the browser");
  const prompt = world.stderr.indexOf("copy its address and paste it here:");
  assert(warning >= 0 && warning < waiting && waiting < prompt, world.stderr);
  assert(!/BROWSER \(/.test(world.stderr), "no nested parentheses around the opener's name");
});

Deno.test("OAuth errors at the callback: a clean message and exit 1, escapes removed, never a stack", async () => {
  const cases: [string, RegExp][] = [
    ["server_error", /could not complete the login \(server_error: down\[2J\)\. Try again in a/],
    [
      "invalid_scope",
      /refused this CLI's login request \(invalid_scope: down\[2J\)\. Update[\s\S]*`almyty-auth login --with-token --api http:\/\/127\.0\.0\.1:\d+` works/,
    ],
    [
      "evil\x1b]52;c;aGk=\x07",
      /refused the login \(evil\]52;c;aGk=: down\[2J\)\. Try again: almyty/,
    ],
  ];
  for (const [error, message] of cases) {
    const { home, path, bytes } = homeWithFile();
    const world = new World(BROWSER, home);
    const server = world.referenceServer();
    world.onLaunch = (url) => {
      const params = new URL(url).searchParams;
      world.task(async () => {
        const callback = new URL(params.get("redirect_uri")!);
        callback.search = new URLSearchParams({
          error,
          error_description: "down\x1b[2J",
          state: params.get("state")!,
          iss: server.url,
        }).toString();
        await (await world.fetch(callback)).body?.cancel();
      });
      return true;
    };
    assertEquals(await world.run(["login", "--api", server.url]), 1, world.stderr);
    assertMatch(world.stderr, message);
    assert(!/Unexpected error|at .*\.ts:\d+/.test(world.stderr), world.stderr);
    assert(!ESCAPES.test(world.stderr), JSON.stringify(world.stderr));
    assertEquals(readBytes(path), bytes);
  }
});

Deno.test("paste-back: a foreign iss is refused and shown without its escapes", async () => {
  const world = new World(BROWSER);
  const server = world.referenceServer();
  world.stdinIsTerminal = true;
  world.onLaunch = (url) => {
    world.task(async () => {
      const landed = new URL(await approveUnreachable(world, server.url, url));
      const forged = new URL(landed);
      forged.searchParams.set("iss", "https://evil.example\x1b]52;c;aGk=\x07");
      world.type(forged.href);
      await world.waitFor(/Not accepted: The login was started with/);
      world.type(landed.href);
    });
    return true;
  };
  assertEquals(await world.run(["login", "--api", server.url]), 0, world.stderr);
  assertMatch(world.stderr, /this answer names https:\/\/evil\.example\]52;c;aGk=\./);
  assert(!ESCAPES.test(world.stderr), JSON.stringify(world.stderr));
});

const pending = () => Response.json({ error: OAUTH_ERROR.authorizationPending }, { status: 400 });

Deno.test("device flow: --timeout vs the code's expiry, each named; a CLI that stops waiting cancels", async () => {
  // --timeout 60 ends the wait first: said so, and the server is told.
  const timedOut = new World();
  const a = scriptedDeviceApi(timedOut, pending, { cancel: true });
  assertEquals(await timedOut.run(["login", "--no-browser", "--timeout", "60", "--api", a.url]), 1);
  assertMatch(
    timedOut.stderr,
    /Waiting for approval \(giving up in 60 s[\s\S]*Stopped waiting after 60 s \(--timeout\) before the login was approved; it is cancelled, so approving it now does nothing\. For more time: almyty-auth login --no-browser --timeout 600 --api/,
  );
  assertEquals(a.cancels.map((c) => [c.get("client_id"), c.get("device_code")]), [
    ["almyty-cli", "dc"],
  ]);
  // The code's 60 s end first: that is what is said, and there is nothing to cancel.
  const expired = new World();
  const b = scriptedDeviceApi(expired, pending, { cancel: true, device: { expires_in: 60 } });
  assertEquals(await expired.run(["login", "--no-browser", "--api", b.url]), 1);
  assertMatch(expired.stderr, /Waiting for approval \(the code expires in 60 s/);
  assertMatch(expired.stderr, /The login code expired \(it lasts 60 s\) before it was approved/);
  assertEquals(b.cancels, []);
  // Denied at the server: nothing to cancel either.
  const denied = new World();
  const c = scriptedDeviceApi(
    denied,
    () => Response.json({ error: OAUTH_ERROR.accessDenied }, { status: 400 }),
    { cancel: true },
  );
  assertEquals(await denied.run(["login", "--no-browser", "--api", c.url]), 1);
  assertEquals(c.cancels, []);
});

Deno.test("device flow: Ctrl-C cancels the login at the server, then exits 130", async () => {
  const world = new World();
  const api = scriptedDeviceApi(world, (poll) => {
    if (poll === 2) world.interrupt();
    return pending();
  }, { cancel: true });
  assertEquals(await world.run(["login", "--no-browser", "--api", api.url]), 130);
  assertEquals(api.cancels.length, 1);
  assertEquals(api.cancels[0].get("device_code"), "dc");
});

Deno.test("device flow on a terminal: the countdown names the limit that ends the wait", async () => {
  for (
    const [args, label] of [
      [["--timeout", "90"], /Waiting for approval: giving up in 1:30/],
      [[], /Waiting for approval: code expires in 1:00/],
    ] as const
  ) {
    const world = new World();
    world.terminal = true;
    const api = scriptedDeviceApi(world, pending, {
      device: { expires_in: 60 + (args.length ? 540 : 0) },
    });
    await world.run(["login", "--no-browser", ...args, "--api", api.url]);
    assertMatch(world.stderr, label);
  }
});

Deno.test("the countdown is redrawn only where that works: not on TERM=dumb, not on a terminal narrower than its line", async () => {
  for (
    const [env, columns, live] of [
      [{}, 80, true],
      [{ TERM: "dumb" }, 80, false],
      [{}, 40, false],
    ] as const
  ) {
    const world = new World({ ...env });
    world.terminal = true;
    world.columns = columns;
    const api = scriptedDeviceApi(world, pending);
    await world.run(["login", "--no-browser", "--timeout", "90", "--api", api.url]);
    const what = `${JSON.stringify(env)} at ${columns} columns`;
    assertEquals(world.stderr.includes("\x1b[2K"), live, what);
    assertEquals(world.stderr.includes("Waiting for approval: giving up in 1:30"), live, what);
    assertEquals(
      world.stderr.includes("Waiting for approval (giving up in 90 s; Ctrl-C to cancel)...\n"),
      !live,
      what,
    );
  }
});

Deno.test("the account's organization is saved only as strings, without escapes", async () => {
  const escaped = "Acme\x1b]52;c;aGk=\x07";
  const cases: [Record<string, unknown>, unknown][] = [
    [{
      currentOrganizationId: "o1",
      organizations: [{ id: "o1", name: escaped }],
      organizationMemberships: [{ organization: { id: "o1", name: escaped, slug: "acme\x9b" } }],
    }, { id: "o1", name: "Acme]52;c;aGk=", slug: "acme" }],
    [
      { currentOrganizationId: "o1", organizations: [{ id: "o1", name: { html: "<b>" } }] },
      undefined,
    ],
    [{ currentOrganizationId: 42, organizations: [{ id: 42, name: "Acme" }] }, undefined],
  ];
  for (const [account, saved] of cases) {
    const world = new World();
    const api = scriptedDeviceApi(world, () =>
      Response.json({
        access_token: "almyty_" + "d".repeat(64),
        token_type: "Bearer",
        email: "dev@example.com",
        // A token response's extras are hints: never saved as they came.
        organization: { id: "o9", name: escaped },
      }), { account });
    assertEquals(await world.run(["login", "--no-browser", "--api", api.url]), 0, world.stderr);
    assertEquals(world.saved()!.organization, saved);
    assert(!ESCAPES.test(world.stderr), JSON.stringify(world.stderr));
  }
});

Deno.test("a slow server: after 2 s the terminal says what is being waited for; the timeout names ALMYTY_HTTP_TIMEOUT", async () => {
  const world = new World(BROWSER);
  // Answers after 2.5 s of the world's clock: past the notice, well before the timeout.
  const api = world.route(async () => {
    await world.clock.sleep(2500);
    return new Response("gone", { status: 500 });
  });
  assertEquals(await world.run(["login", "--api", api]), 1);
  assertMatch(
    world.stderr,
    /^Still waiting for 127\.0\.0\.1:\d+ \(GET \/\.well-known\/oauth-authorization-server\); giving up after 15 s \(ALMYTY_HTTP_TIMEOUT sets this\)…$/m,
  );
  // The new key's check after the approval is announced as well.
  const checking = new World();
  const device = scriptedDeviceApi(
    checking,
    () => Response.json({ access_token: "almyty_" + "f".repeat(64), token_type: "Bearer" }),
    {
      profileDelayMs: 2500,
    },
  );
  assertEquals(await checking.run(["login", "--no-browser", "--api", device.url]), 0);
  assertMatch(checking.stderr, /^Still waiting for 127\.0\.0\.1:\d+ \(GET \/auth\/profile\)/m);
  // A request that never answers ends with the variable named (1 s of real time).
  const hung = new World({ ALMYTY_HTTP_TIMEOUT: "1" });
  const never = hung.route(() => new Promise<Response>(() => {}));
  assertEquals(await hung.run(["login", "--no-browser", "--api", never]), 1);
  assertMatch(hung.stderr, /did not answer within 1 s[^\n]*set ALMYTY_HTTP_TIMEOUT/);
});

Deno.test("an ALMYTY_HTTP_TIMEOUT that is no number of seconds (60s) is said once, not ignored silently", async () => {
  const world = new World({ ALMYTY_HTTP_TIMEOUT: "60s" });
  const device = scriptedDeviceApi(
    world,
    () => Response.json({ access_token: "almyty_" + "e".repeat(64), token_type: "Bearer" }),
  );
  // A login builds several clients (discovery, device code, polls, the key's check): one warning.
  assertEquals(await world.run(["login", "--no-browser", "--api", device.url]), 0, world.stderr);
  const warning =
    'Warning: ALMYTY_HTTP_TIMEOUT="60s" is not a positive number of seconds, so requests give up ' +
    "after the default 15 s. Set it to a number from 1 to 600 (e.g. ALMYTY_HTTP_TIMEOUT=60), or " +
    "unset it.\n";
  assertEquals(world.stderr.split(warning).length, 2, world.stderr);
  // A key put there by mistake is named as one, never quoted.
  const key = "almyty_" + "c".repeat(64);
  const keyed = new World({ ALMYTY_HTTP_TIMEOUT: key });
  const keyedApi = scriptedDeviceApi(
    keyed,
    () => Response.json({ access_token: "almyty_" + "f".repeat(64), token_type: "Bearer" }),
  );
  assertEquals(await keyed.run(["login", "--no-browser", "--api", keyedApi.url]), 0, keyed.stderr);
  assertMatch(keyed.stderr, /ALMYTY_HTTP_TIMEOUT=an API key or token \(not shown here\) is not/);
  assertEquals(keyed.stderr.includes("cccccccc"), false, keyed.stderr);
  for (const fine of ["60", "0.5", " 30 ", ""]) {
    const quiet = new World({ ALMYTY_HTTP_TIMEOUT: fine });
    const api = scriptedDeviceApi(
      quiet,
      () => Response.json({ access_token: "almyty_" + "d".repeat(64), token_type: "Bearer" }),
    );
    assertEquals(await quiet.run(["login", "--no-browser", "--api", api.url]), 0, quiet.stderr);
    assertEquals(quiet.stderr.includes("ALMYTY_HTTP_TIMEOUT"), false, fine);
  }
});

Deno.test("a slow server at logout: the terminal says what is being waited for", async () => {
  const world = new World();
  const api = world.route(async () => {
    await world.clock.sleep(2500);
    return Response.json({ success: true, data: {} });
  });
  Deno.mkdirSync(`${world.home}/.almyty`, { mode: 0o700 });
  Deno.writeTextFileSync(
    `${world.home}/.almyty/credentials.json`,
    JSON.stringify({
      url: api,
      token: "almyty_" + "e".repeat(64),
      keyId: "k1",
      keyOrigin: "minted",
    }),
    { mode: 0o600 },
  );
  await world.run(["logout"]);
  assertMatch(
    world.stderr,
    /Still waiting for 127\.0\.0\.1:\d+ \(DELETE \/auth\/api-keys\/k1\); giving up after 15 s \(ALMYTY_HTTP_TIMEOUT sets this\)/,
  );
});

Deno.test("typos: flags get a suggestion, -v and `version` point at -V, `signin` at login, env --json at --shell json", async () => {
  const cases: [string[], RegExp][] = [
    [["login", "--no-browsr"], /Unknown flag "--no-browsr"\. Did you mean "--no-browser"\?/],
    [["status", "--ofline"], /Unknown flag "--ofline"\. Did you mean "--offline"\?/],
    [["-v"], /Unknown flag "-v"\. For the version, use -V \(or --version\)\./],
    [["whoami", "-v"], /Unknown flag "-v"\. For the version, use -V/],
    [["env", "--json"], /Unknown flag "--json"\. For JSON, use --shell json\./],
    [["--verison"], /Did you mean "--version"\?/],
    [["whomai"], /Unknown command "whomai"\. Did you mean "whoami"\?/],
    // Other CLIs' words for these (gh version, docker version; sign in), which no spelling is near.
    [["version"], /^Unknown command "version"\. For the version, use -V \(or --version\)\.\n/],
    [["signin"], /^Unknown command "signin"\. Did you mean "login"\?\n/],
    [["sign-in", "--api", "x"], /^Unknown command "sign-in"\. Did you mean "login"\?\n/],
  ];
  for (const [argv, message] of cases) {
    const world = new World();
    assertEquals(await world.run(argv), 2, argv.join(" "));
    assertMatch(world.stderr, message);
  }
});

Deno.test("the listener's own pages: an HTML root with a title, and HTML for unknown paths", async () => {
  const world = new World(BROWSER);
  const server = world.referenceServer();
  world.onLaunch = (url) => {
    const origin = new URL(new URL(url).searchParams.get("redirect_uri")!).origin;
    world.task(async () => {
      const root = await world.fetch(`${origin}/`);
      assertEquals(root.headers.get("content-type"), "text/html; charset=utf-8");
      // The listener's URLs carry codes: its pages never send a referrer.
      assertEquals(root.headers.get("referrer-policy"), "no-referrer");
      assertMatch(
        await root.text(),
        /<title>almyty CLI login · almyty<\/title>[\s\S]*nothing to do/,
      );
      const unknown = await world.fetch(`${origin}/favicon.ico`);
      assertEquals(unknown.status, 404);
      assertMatch(await unknown.text(), /<title>Not found · almyty<\/title>/);
      world.interrupt();
    });
    return true;
  };
  assertEquals(await world.run(["login", "--api", server.url]), 130);
});

Deno.test("a snap browser (BROWSER under /snap) is told about: the URL is the way when it refuses the file", async () => {
  const world = new World({ BROWSER: "/snap/bin/firefox" });
  const server = world.referenceServer();
  world.onLaunch = () => {
    world.task(async () => {
      await world.waitFor(/Waiting for the browser/);
      world.interrupt();
    });
    return true;
  };
  assertEquals(await world.run(["login", "--api", server.url]), 130);
  assertMatch(
    world.stderr,
    /If the browser says “Access to the file was denied”, it is a snap \(snaps cannot read ~\/\.almyty\): open the URL above in it instead\./,
  );
  // Any other browser: not a word about snaps.
  const plain = new World({ BROWSER: "/usr/bin/firefox" });
  const other = plain.referenceServer();
  plain.onLaunch = () => {
    plain.task(async () => {
      await plain.waitFor(/Waiting for the browser/);
      plain.interrupt();
    });
    return true;
  };
  assertEquals(await plain.run(["login", "--api", other.url]), 130);
  assert(!/snap/.test(plain.stderr), plain.stderr);
});

Deno.test("doctor: a forwarder BROWSER is named, and what login does there", async () => {
  const world = new World({ BROWSER: "/x/.vscode-server/bin/y/bin/helpers/browser.sh" });
  const { url } = world.referenceServer();
  await world.run(["doctor", "--json", "--api", url]);
  const browser = (JSON.parse(world.stdout) as { name: string; detail: string }[])
    .find((check) => check.name === "Browser")!;
  assertMatch(browser.detail, /none will be launched because BROWSER is VS Code's browser helper/);
  assertMatch(browser.detail, /prints the URL to open/);
});

Deno.test("a verification URL too long for a QR code: the login shows the URL and the code without one (it died with 'Unexpected error: code length overflow')", async () => {
  const { home, path, bytes } = homeWithFile();
  const world = new World({}, home);
  world.terminal = true;
  let origin = "";
  const api = scriptedDeviceApi(
    world,
    (poll) =>
      Response.json({
        error: poll < 2 ? OAUTH_ERROR.authorizationPending : OAUTH_ERROR.accessDenied,
      }, { status: 400 }),
    {
      get device() {
        return {
          verification_uri_complete: `${origin}/cli-auth?code=BCDF-GHJK&p=${"a".repeat(3000)}`,
        };
      },
    },
  );
  origin = api.url;
  assertEquals(await world.run(["login", "--no-browser", "--qr", "--api", api.url]), 1);
  assertMatch(world.stderr, /No QR code: the URL is too long for one/);
  assertMatch(world.stderr, /Login denied in the browser/, "it waited for the decision");
  assert(!/Unexpected error/.test(world.stderr), world.stderr);
  assertEquals(api.polls.length, 2);
  assertEquals(readBytes(path), bytes);
});
