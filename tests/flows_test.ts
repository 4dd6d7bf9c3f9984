/**
 * Every login flow and its error paths, in process: the real CLI surface
 * (`runCli` with argv), the reference server's handler or a scripted API,
 * the CLI's own listener, a manual clock. Milliseconds each, no sockets.
 */
import { assert, assertEquals, assertMatch } from "./helpers/assert.ts";
import { credsPath, homeWithFile, pendingPath, readBytes } from "./helpers/cli.ts";
import { recordToken } from "./helpers/leaks.ts";
import { fakeJwt } from "./helpers/tokens.ts";
import { openConsent } from "./helpers/consent.ts";
import { browse, mintedKey, signInCookie, World } from "./helpers/world.ts";
import { OAUTH_ERROR } from "../src/protocol/constants.ts";
import { scriptedDeviceApi } from "./helpers/device_api.ts";
import { denoLocker } from "../src/platform/lock.ts";

const BROWSER = { BROWSER: "test-browser" };

/** A login in a world with a browser, against the in-process reference server. */
function browserWorld(options: { legacy?: boolean } = {}, home?: string) {
  const world = new World(BROWSER, home);
  const server = world.referenceServer(options);
  return { world, server };
}

Deno.test("browser flow: URL reported before launch, approve, saved, port released", async () => {
  const { world, server } = browserWorld();
  let callback = "";
  world.onLaunch = (url) => {
    // Said and printed in full before anything is launched.
    assertMatch(
      world.stderr,
      /Opening 127\.0\.0\.1:\d+\/cli-auth in your browser[^\n]*\n.*\n {2}http:\/\/\S+state=/,
    );
    callback = new URL(url).searchParams.get("redirect_uri")!;
    world.task(async () => {
      const cookie = await signInCookie(world.fetch, server.url);
      assertMatch((await browse(world.fetch, url, "approve", cookie)).text, /Logged in/);
    });
    return true;
  };
  assertEquals(await world.run(["login", "--api", server.url]), 0, world.stderr);
  assertEquals(world.launched.length, 1);
  // The launcher's argv (readable by other users in /proc) names a private file only,
  // removed when the login ends.
  const argv = world.launched[0].args.join(" ");
  assertMatch(argv, /^file:\/\/\/\S+\/\.almyty\/login\/\d+-[0-9a-f]{16}\.html$/);
  assert(!/state|code_challenge|127\.0\.0\.1/.test(argv));
  assertEquals([...Deno.readDirSync(`${world.home}/.almyty/login`)], [], "the file is removed");
  const saved = world.saved()!;
  assertEquals([saved.email, saved.keyOrigin, saved.url], [
    "alice@example.com",
    "minted",
    server.url,
  ]);
  assertMatch(world.stderr, /✓ Logged in as alice@example.com \(acme\)/);
  const after = await world.fetch(callback).catch((e) => e);
  assertMatch(String(after), /Connection refused/, "the listener is gone");
});

Deno.test("browser flow: forged state, foreign Host, unknown path, and a stray code are refused; the real callback wins", async () => {
  const { world, server } = browserWorld();
  world.onLaunch = (url) => {
    const callback = new URL(url).searchParams.get("redirect_uri")!;
    const origin = new URL(callback).origin;
    world.task(async () => {
      const forged = await world.fetch(`${callback}?code=forged&state=${"A".repeat(43)}`);
      assertEquals(forged.status, 400);
      assertMatch(await forged.text(), /state does not match/);
      const noState = await world.fetch(`${callback}?code=forged`);
      assertEquals(noState.status, 400);
      await noState.body?.cancel();
      const rebinding = await world.fetch(callback, { headers: { host: "evil.example:80" } });
      assertEquals([rebinding.status, await rebinding.text()], [400, "Bad Host header"]);
      const unknown = await world.fetch(`${origin}/nope`);
      assertEquals(unknown.status, 404);
      await unknown.body?.cancel();
      const state = new URL(url).searchParams.get("state")!;
      const noCode = await world.fetch(`${callback}?state=${state}`);
      assertEquals(noCode.status, 400, "a callback without a code does not end the login");
      await noCode.body?.cancel();
      const page = await world.decide(url, "approve");
      assertMatch(page.text, /Logged in/);
      // A second delivery of the code is never exchanged: the listener is gone.
      assertMatch(String(await world.fetch(page.location!).catch((e) => e)), /refused/);
    });
    return true;
  };
  assertEquals(await world.run(["login", "--api", server.url]), 0, world.stderr);
  assertEquals(world.saved()!.email, "alice@example.com");
});

Deno.test("browser flow: Deny → exit 1, old file byte-identical", async () => {
  const { home, path, bytes } = homeWithFile();
  const { world, server } = browserWorld({}, home);
  world.onLaunch = (url) => {
    world.task(() => world.decide(url, "deny"));
    return true;
  };
  assertEquals(await world.run(["login", "--api", server.url]), 1);
  assertMatch(world.stderr, /Login denied in the browser/);
  assertEquals(readBytes(path), bytes);
  assertEquals([...Deno.readDirSync(`${home}/.almyty/login`)], [], "the redirect file is removed");
});

Deno.test("browser flow: --timeout ends it in virtual time with a hint that keeps --api", async () => {
  const { world, server } = browserWorld();
  const started = world.clock.now();
  assertEquals(await world.run(["login", "--timeout", "120", "--api", server.url]), 1);
  assertEquals(world.clock.now() - started, 120_000);
  assertMatch(
    world.stderr,
    new RegExp(`Login timed out after 120 s[\\s\\S]*almyty-auth login --api ${server.url}`),
  );
  assertEquals(world.saved(), null);
  assertEquals(world.launched.length, 1);
  assertEquals(
    [...Deno.readDirSync(`${world.home}/.almyty/login`)],
    [],
    "the redirect file is removed",
  );
});

/**
 * A browser login (--timeout 5) whose code exchange the token endpoint holds until `release()`,
 * so the CLI gives up while it is under way; `revocationFails` makes every DELETE fail.
 */
function heldExchange(home: string, options: { revocationFails?: boolean } = {}) {
  const world = new World(BROWSER, home);
  let exchanging!: () => void;
  const exchangeStarted = new Promise<void>((resolve) => (exchanging = resolve));
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const server = world.referenceServer({
    before: async (request) => {
      if (options.revocationFails && request.method === "DELETE") {
        throw new Error("the API is down");
      }
      if (new URL(request.url).pathname !== "/auth/cli/token") return;
      exchanging();
      await released;
    },
  });
  let landed: Promise<{ text: string }> | undefined;
  world.onLaunch = (url) => {
    landed = signInCookie(world.fetch, server.url).then((c) =>
      browse(world.fetch, url, "approve", c)
    );
    return true;
  };
  const run = world.run(["login", "--timeout", "5", "--api", server.url]);
  return { world, server, run, exchangeStarted, release, landed: () => landed! };
}

Deno.test("browser flow: a code exchange still under way when the login times out saves nothing", async () => {
  const { home, path, bytes } = homeWithFile();
  const { world, run, exchangeStarted, release, landed } = heldExchange(home);
  await exchangeStarted; // the browser delivered the code: the exchange is under way
  assertEquals(await run, 1);
  assertMatch(world.stderr, /timed out/);
  // Not finished within the wait for it: the person hears a key may be live, and where to revoke it.
  assertMatch(
    world.stderr,
    /if it created a key, that key was not saved and may be live; revoke it at http:\/\/\S+/,
  );
  release(); // the exchange now completes, after the end
  assertMatch((await landed()).text, /could not finish the login/);
  assertEquals(readBytes(path), bytes, "the late exchange must not save");
});

Deno.test("browser flow: a save still waiting for the lock when the login times out saves nothing and leaves no live key", async () => {
  const { home, path, bytes } = homeWithFile();
  const world = new World(BROWSER, home);
  const server = world.referenceServer();
  // Another almyty-auth holds the credentials' lock until after this login gave up; then
  // the lock is granted as if at the very moment the login ended (the wait's signal ignored).
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let wanted!: (signal: AbortSignal | undefined) => void;
  const lockWanted = new Promise<AbortSignal | undefined>((resolve) => (wanted = resolve));
  world.locker = async (lock, options) => {
    if (!lock.endsWith("/.credentials.json.lock")) return await denoLocker(lock, options);
    wanted(options?.signal);
    await released;
    return await denoLocker(lock, { ...options, signal: undefined });
  };
  let landed: Promise<unknown> | undefined;
  world.onLaunch = (url) => {
    landed = signInCookie(world.fetch, server.url).then((c) =>
      browse(world.fetch, url, "approve", c)
    );
    return true;
  };
  const run = world.run(["login", "--timeout", "5", "--api", server.url]);
  const waiting = await lockWanted; // approved, checked, and the save waits for the lock
  assertEquals(await run, 1);
  assertMatch(world.stderr, /timed out/);
  assert(waiting?.aborted, "the end of the login stops the save's wait for the lock");
  release(); // the other process lets go: the save of a login that reported failure goes on
  await landed;
  assertEquals(readBytes(path), bytes, "a login that reported failure must not save");
  assert(!/Logged in/.test(world.stderr), world.stderr);
  const alice = server.store.userByEmail("alice@example.com")!;
  assertEquals(server.store.keysOf(alice).filter((k) => k.isActive).length, 0, "no live key");
});

Deno.test("browser flow: a code exchange that finishes after the login timed out and whose key cannot be revoked names that key and where to revoke it", async () => {
  const { home, path, bytes } = homeWithFile();
  const { world, server, run, exchangeStarted, release, landed } = heldExchange(home, {
    revocationFails: true,
  });
  await exchangeStarted; // the browser delivered the code: the exchange is under way
  await Promise.race([
    world.waitFor(/arrived just as the login ended: finishing it/),
    run.then(() =>
      Promise.reject(new Error(`ended without finishing the exchange:\n${world.stderr}`))
    ),
  ]);
  release(); // the exchange completes after the end, and mints a key
  assertEquals(await run, 1);
  const alice = server.store.userByEmail("alice@example.com")!;
  const [key] = server.store.keysOf(alice);
  assert(key?.isActive, "a key was minted, and is live (its revocation failed)");
  assertMatch(
    world.stderr,
    new RegExp(
      `Login timed out after 5 s[^\\n]*\\n` +
        `A key was created for this login but not saved: \\S+ \\(id ${key.id}\\)[^\\n]*` +
        `It could not be revoked \\([^)]*the API is down[^)]*\\); revoke it at ${server.url}/settings/api-keys`,
    ),
  );
  assertMatch((await landed()).text, /could not finish the login/);
  assertEquals(readBytes(path), bytes, "the late exchange must not save");
});

Deno.test("Ctrl-C during a browser login: 130, credentials untouched, listener closed", async () => {
  const { home, path, bytes } = homeWithFile();
  const { world, server } = browserWorld({}, home);
  let callback = "";
  world.onLaunch = (url) => {
    callback = new URL(url).searchParams.get("redirect_uri")!;
    queueMicrotask(() => world.interrupt());
    return true;
  };
  assertEquals(await world.run(["login", "--api", server.url]), 130);
  assertMatch(world.stderr, /Interrupted\./);
  assertEquals(readBytes(path), bytes);
  assertMatch(String(await world.fetch(callback).catch((e) => e)), /Connection refused/);
});

const oauthError = (error: string, status = 400) => Response.json({ error }, { status });
const GRANT = {
  access_token: "almyty_" + "c".repeat(64),
  token_type: "Bearer",
  key_id: "k1",
  email: "dev@example.com",
  organization: null,
};

Deno.test("device flow: slow_down adds 5 s to every later poll (RFC 8628 §3.5)", async () => {
  const world = new World();
  const api = scriptedDeviceApi(
    world,
    (poll) =>
      poll === 1
        ? oauthError(OAUTH_ERROR.slowDown)
        : poll < 4
        ? oauthError(OAUTH_ERROR.authorizationPending)
        : Response.json(GRANT),
  );
  assertEquals(await world.run(["login", "--no-browser", "--api", api.url]), 0, world.stderr);
  const gaps = api.polls.slice(1).map((t, i) => t - api.polls[i]);
  assertEquals(gaps, [10_000, 10_000, 10_000], "5 s interval + 5 s after slow_down, kept");
  assertMatch(world.stderr, /BCDF-GHJK/);
  assertEquals(world.saved()!.email, "dev@example.com");
});

Deno.test("device flow: a 5xx storm is ridden out with exponential backoff", async () => {
  const world = new World();
  const api = scriptedDeviceApi(
    world,
    (poll) => poll <= 4 ? new Response("upstream down", { status: 503 }) : Response.json(GRANT),
  );
  assertEquals(await world.run(["login", "--no-browser", "--api", api.url]), 0, world.stderr);
  const gaps = api.polls.slice(1).map((t, i) => t - api.polls[i]);
  assertEquals(gaps, [5_000, 10_000, 20_000, 30_000], "doubling from the interval, capped at 30 s");
});

Deno.test("device flow: expiry, denial, and a server that keeps failing each end clearly", async () => {
  const cases: [(poll: number) => Response, RegExp][] = [
    [
      () => oauthError(OAUTH_ERROR.authorizationPending),
      // --timeout 60 ends the wait before the code's 600 s: that is what is said.
      /Stopped waiting after 60 s \(--timeout\)[\s\S]*login --no-browser --timeout 600 --api/,
    ],
    [
      () => oauthError(OAUTH_ERROR.expiredToken),
      /code expired \(it lasts 600 s\) before it was approved/,
    ],
    [() => oauthError(OAUTH_ERROR.accessDenied), /Login denied in the browser/],
    [() => new Response("down", { status: 502 }), /timed out; the server kept failing[\s\S]*502/],
  ];
  for (const [answer, message] of cases) {
    const { home, path, bytes } = homeWithFile();
    const world = new World({}, home);
    const api = scriptedDeviceApi(world, answer);
    assertEquals(
      await world.run(["login", "--no-browser", "--timeout", "60", "--api", api.url]),
      1,
    );
    assertMatch(world.stderr, message);
    assertEquals(readBytes(path), bytes, String(message));
  }
});

Deno.test("device flow: a verification page off the server's site is refused before it is shown", async () => {
  for (const field of ["verification_uri", "verification_uri_complete"]) {
    const { home, path, bytes } = homeWithFile();
    const world = new World({}, home);
    const offSite = "https://almyty-login.evil.example/cli-auth";
    const api = scriptedDeviceApi(world, () => Response.json(GRANT), {
      device: { [field]: field === "verification_uri" ? offSite : `${offSite}?code=BCDF-GHJK` },
    });
    assertEquals(await world.run(["login", "--no-browser", "--api", api.url]), 1, field);
    assertMatch(
      world.stderr,
      /sends you to https:\/\/almyty-login\.evil\.example to approve, which is neither [^\n]* nor its web app [^\n]*: refusing/,
      field,
    );
    assert(!world.stderr.includes(offSite), `${field}: the page was offered:\n${world.stderr}`);
    assertEquals(api.polls, [], `${field}: nothing is polled`);
    assertEquals(readBytes(path), bytes);
  }
});

Deno.test("device flow: a server without the optional verification_uri_complete (RFC 8628 §3.2) shows the URI and the code, and logs in", async () => {
  const world = new World();
  const api = scriptedDeviceApi(
    world,
    (poll) => poll < 2 ? oauthError(OAUTH_ERROR.authorizationPending) : Response.json(GRANT),
    { device: { verification_uri_complete: undefined } },
  );
  assertEquals(await world.run(["login", "--no-browser", "--api", api.url]), 0, world.stderr);
  assertMatch(
    world.stderr,
    new RegExp(
      `Open this URL in any browser:\\n  ${api.url}/cli-auth\\nand enter this code there:\\n  BCDF-GHJK`,
    ),
  );
  assert(!/undefined/.test(world.stderr), world.stderr);
  assertEquals(world.saved()!.email, "dev@example.com");
  // The two-step login too: its JSON gives the URI where the complete one would be.
  const agent = new World();
  const two = scriptedDeviceApi(agent, () => oauthError(OAUTH_ERROR.authorizationPending), {
    device: { verification_uri_complete: undefined },
  });
  assertEquals(await agent.run(["login", "--no-wait", "--json", "--api", two.url]), 0);
  const json = JSON.parse(agent.stdout);
  assertEquals([json.verification_uri, json.verification_uri_complete], [
    `${two.url}/cli-auth`,
    `${two.url}/cli-auth`,
  ]);
  // Neither is optional when the other is missing: the server is named, not "undefined".
  const bare = new World();
  const none = scriptedDeviceApi(bare, () => Response.json(GRANT), {
    device: { verification_uri_complete: undefined, verification_uri: undefined },
  });
  assertEquals(await bare.run(["login", "--no-browser", "--api", none.url]), 1);
  assertMatch(bare.stderr, /answered without a verification_uri \(RFC 8628 §3\.2\)/);
  assertEquals(none.polls, []);
});

Deno.test("device flow: an answer that would show the device code, or has no user code, is refused before anything is shown or saved", async () => {
  const secret = "Sq3xK9vLmN2pR7tW4yZ8bC6dF1gH5jE0aU";
  const at = (origin: string) => ({
    user_code: { device_code: secret, user_code: secret },
    verification_uri_complete: {
      device_code: secret,
      verification_uri_complete: `${origin}/cli-auth?code=BCDF-GHJK&device_code=${secret}`,
    },
    verification_uri: {
      device_code: secret,
      verification_uri: `${origin}/cli-auth/${secret}`,
      verification_uri_complete: undefined,
    },
    "no user_code": { device_code: secret, user_code: undefined },
  });
  for (const argv of [["--no-browser"], ["--no-wait", "--json"]]) {
    for (const name of Object.keys(at(""))) {
      const { home, path, bytes } = homeWithFile();
      const world = new World({}, home);
      let origin = "";
      const api = scriptedDeviceApi(world, () => Response.json(GRANT), {
        get device() {
          return at(origin)[name as keyof ReturnType<typeof at>];
        },
      });
      origin = api.url;
      const code = await world.run(["login", ...argv, "--api", api.url]);
      const what = `${argv[0]} ${name}`;
      assertEquals(code, 1, `${what}\n${world.stderr}`);
      assertMatch(
        world.stderr,
        name === "no user_code"
          ? /answered without a user_code \(RFC 8628 §3\.2\)/
          : new RegExp(`put its device_code into the ${name} it asks us to show; refusing`),
        what,
      );
      assert(!(world.stderr + world.stdout).includes(secret), `${what}: the device code was shown`);
      assert(!/undefined/.test(world.stderr + world.stdout), `${what}: ${world.stderr}`);
      assertEquals(api.polls, [], `${what}: nothing is polled`);
      assertEquals(readBytes(pendingPath(home)), null, `${what}: nothing is pending`);
      assertEquals(readBytes(path), bytes, what);
    }
  }
});

Deno.test("device flow: a token response with no usable Bearer token is the server's mistake, said plainly (no 'Unexpected error', no stack), nothing saved", async () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ token_type: "Bearer" }, /token response has no Bearer access_token \(RFC 6749 §5\.1\)/],
    [{ ...GRANT, token_type: "mac" }, /token response has no Bearer access_token/],
    [{ ...GRANT, access_token: "almyty_a b" }, /access_token no request can carry[^\n]*\(id k1\)/],
    [{ ...GRANT, access_token: "" }, /access_token no request can carry/],
  ];
  for (const [grant, message] of cases) {
    const { home, path, bytes } = homeWithFile();
    const world = new World({}, home);
    const api = scriptedDeviceApi(world, () => Response.json(grant));
    assertEquals(await world.run(["login", "--no-browser", "--api", api.url]), 1, world.stderr);
    assertMatch(world.stderr, message);
    assert(!/Unexpected error|\n {4}at /.test(world.stderr), world.stderr);
    assertEquals(readBytes(path), bytes);
  }
  // The two-step login: its --continue says the same, and the pending login is over.
  const agent = new World();
  const two = scriptedDeviceApi(agent, () => Response.json({ ...GRANT, token_type: "mac" }));
  assertEquals(await agent.run(["login", "--no-wait", "--api", two.url]), 0, agent.stderr);
  assertEquals(await agent.again().run(["login", "--continue"]), 1, agent.stderr);
  assertMatch(agent.stderr, /token response has no Bearer access_token/);
  assert(!/Unexpected error/.test(agent.stderr), agent.stderr);
  assertEquals(readBytes(pendingPath(agent.home)), null);
});

Deno.test("a /auth/profile that names no email is no almyty profile: the login saves nothing (no 'Logged in as undefined', no \"undefined\" in the shared file), whoami says so", async () => {
  for (const email of [undefined, 42, " "]) {
    const { home, path, bytes } = homeWithFile();
    const world = new World({}, home);
    const api = scriptedDeviceApi(world, () => Response.json(GRANT), { account: { email } });
    assertEquals(await world.run(["login", "--no-browser", "--api", api.url]), 1, world.stderr);
    assertMatch(
      world.stderr,
      /auth\/profile answered without the account's email[^\n]*almyty's API URL\?/,
    );
    assertMatch(world.stderr, /A key was created for this login but not saved[^\n]*\(id k1\)/);
    assert(!/Logged in|undefined/.test(world.stderr), world.stderr);
    assertEquals(readBytes(path), bytes, String(email));
  }
  const reader = new World();
  const url = reader.route(() => Response.json({ success: true, data: { id: "u" } }));
  reader.env.ALMYTY_TOKEN = "almyty_example";
  reader.env.ALMYTY_URL = url;
  assertEquals(await reader.run(["whoami"]), 1, reader.stderr);
  assertMatch(reader.stderr, /answered without the account's email/);
  assert(!/Logged in as/.test(reader.stdout + reader.stderr), reader.stdout);
});

Deno.test("a /auth/profile whose organization lists are no lists logs in without one (it was 'Unexpected error: TypeError' and a stack)", async () => {
  for (
    const account of [
      { currentOrganizationId: "o", organizationMemberships: "acme" },
      { currentOrganizationId: "o", organizations: { id: "o", name: "acme" } },
    ]
  ) {
    const world = new World();
    const api = scriptedDeviceApi(world, () => Response.json(GRANT), { account });
    assertEquals(await world.run(["login", "--no-browser", "--api", api.url]), 0, world.stderr);
    assert(!/Unexpected error/.test(world.stderr), world.stderr);
    assertEquals(world.saved()!.organization ?? null, null, JSON.stringify(account));
    assertEquals(await world.again().run(["whoami"]), 0, world.stderr);
    assertMatch(world.stdout, /Organization: none/);
  }
});

Deno.test("device flow: a lifetime no date can hold (expires_in 1e300) is no crash: the key is kept, the code lasts a day at most", async () => {
  const world = new World();
  const api = scriptedDeviceApi(world, () => Response.json({ ...GRANT, expires_in: 1e300 }));
  assertEquals(await world.run(["login", "--no-browser", "--api", api.url]), 0, world.stderr);
  assertEquals(world.saved()!.token, GRANT.access_token);
  assertEquals(world.saved()!.expiresAt, undefined);
  const agent = new World();
  const two = scriptedDeviceApi(agent, () => oauthError(OAUTH_ERROR.authorizationPending), {
    device: { expires_in: 1e300 },
  });
  assertEquals(await agent.run(["login", "--no-wait", "--json", "--api", two.url]), 0);
  assertEquals(Date.parse(JSON.parse(agent.stdout).expires_at), agent.clock.now() + 86_400_000);
});

Deno.test("device flow: a server's interval (or slow_down) of more than a minute is waited a minute at most", async () => {
  // A day between polls: the approval would be noticed only at --timeout (and then cancelled).
  const world = new World();
  const api = scriptedDeviceApi(
    world,
    (poll) => poll < 2 ? oauthError(OAUTH_ERROR.authorizationPending) : Response.json(GRANT),
    { device: { interval: 86_400, expires_in: 3600 } },
  );
  assertEquals(await world.run(["login", "--no-browser", "--api", api.url]), 0, world.stderr);
  assertEquals(api.polls[1] - api.polls[0], 60_000, "a minute, not a day");
  // slow_down adds 5 s, up to the minute.
  const slowed = new World();
  const slow = scriptedDeviceApi(
    slowed,
    (poll) =>
      poll === 1
        ? oauthError(OAUTH_ERROR.slowDown)
        : poll < 3
        ? oauthError(OAUTH_ERROR.authorizationPending)
        : Response.json(GRANT),
    { device: { interval: 58, expires_in: 3600 } },
  );
  assertEquals(await slowed.run(["login", "--no-browser", "--api", slow.url]), 0, slowed.stderr);
  const gaps = slow.polls.slice(1).map((t, i) => t - slow.polls[i]);
  assertEquals(gaps, [60_000, 60_000], "58 s + 5 s is a minute at most");
});

Deno.test("device flow against the reference server: approve in the browser; the code matches", async () => {
  const world = new World();
  const server = world.referenceServer({ deviceInterval: 1 });
  const run = world.run(["login", "--no-browser", "--api", server.url]);
  const [, url] = await world.waitFor(/Open this URL in any browser:\n\s+(\S+)/);
  const [, code] = await world.waitFor(/^\s+([B-Z]{4}-[B-Z]{4})$/m);
  assertEquals(new URL(url).searchParams.get("code"), code);
  // RFC 8628 §3.3.1: the verification URI is shown with the code, not only the complete one.
  assertMatch(world.stderr, new RegExp(`Or go to ${server.url}/cli-auth and enter the code there`));
  const page = await world.decide(url, "approve");
  assertMatch(page.text, /Device approved/);
  assertEquals(await run, 0, world.stderr);
  assertEquals(world.saved()!.email, "alice@example.com");
});

Deno.test("re-login: the key the previous login minted no longer works on the server", async () => {
  const world = new World();
  const server = world.referenceServer({ deviceInterval: 1 });
  // The previous login's key, minted for another machine name: only the CLI's
  // own revocation retires it (not a server rule about one key per device).
  const alice = server.store.userByEmail("alice@example.com")!;
  const old = server.store.mintCliKey(alice, "old-laptop");
  Deno.mkdirSync(`${world.home}/.almyty`, { mode: 0o700 });
  Deno.writeTextFileSync(
    credsPath(world.home),
    JSON.stringify({
      url: server.url,
      token: old.apiKey,
      email: alice.email,
      keyId: old.record.id,
      keyOrigin: "minted",
    }),
    { mode: 0o600 },
  );
  const works = async (token: string) => {
    const response = await world.fetch(`${server.url}/auth/profile`, {
      headers: { authorization: `Bearer ${token}` },
    });
    await response.body?.cancel();
    return response.status === 200;
  };
  assert(await works(old.apiKey));
  const run = world.run(["login", "--no-browser", "--api", server.url]);
  const [, url] = await world.waitFor(/Open this URL in any browser:\n\s+(\S+)/);
  await world.decide(url, "approve");
  assertEquals(await run, 0, world.stderr);
  const saved = world.saved()!;
  assert(saved.token !== old.apiKey);
  assertEquals(await works(old.apiKey), false, "the replaced key still works");
  assert(await works(saved.token as string), "the new key works");
  assertMatch(world.stderr, /Revoked the key of the previous login/);
});

Deno.test("hand-off flow (today's production): Connect CLI → fragment → key checked, id found, saved", async () => {
  const { world, server } = browserWorld({ legacy: true });
  world.onLaunch = (url) => {
    world.task(async () => {
      const cookie = await signInCookie(world.fetch, server.url);
      const page = await (await world.fetch(url, { headers: { cookie } })).text();
      assertMatch(page, /Connect CLI/);
      // What the page's script does on the click:
      const created = await (await world.fetch(`${server.url}/auth/api-keys`, {
        method: "POST",
        headers: { cookie, "content-type": "application/json" },
        body: JSON.stringify({ name: "CLI login (Linux x86_64) 2026-11-27" }),
      })).json();
      const params = new URL(url).searchParams;
      const callback = new URL(params.get("callback")!);
      // …then the listener's /cb page posts the fragment to /cb-complete:
      const done = await world.fetch(new URL("/cb-complete", callback), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ token: created.data.apiKey, state: params.get("state") }),
      });
      assertEquals(await done.json(), { ok: true });
      const success = await world.fetch(new URL("/success", callback));
      assertMatch(await success.text(), /Logged in/);
    });
    return true;
  };
  assertEquals(await world.run(["login", "--api", server.url]), 0, world.stderr);
  const saved = world.saved()!;
  assertEquals([saved.keyOrigin, typeof saved.keyId], ["minted", "string"]);
  assertMatch(
    world.stderr,
    /^Logging in through almyty's web app \(127\.0\.0\.1:\d+\/cli-login\)\.$/m,
  );
  assert(!/discovery document/.test(world.stderr), "no jargon");
});

Deno.test("fuzz: the listener never crashes or accepts a wrong state (seeded, 400 requests in process)", async () => {
  let seed = Number(Deno.env.get("FUZZ_SEED") ?? 20261127);
  const rand = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(items: T[]) => items[Math.floor(rand() * items.length)];
  const junk = (max: number, alphabet: string) =>
    Array.from({ length: Math.floor(rand() * max) }, () => pick([...alphabet])).join("");
  const { world, server } = browserWorld();
  world.onLaunch = (url) => {
    world.task(async () => {
      const callback = new URL(new URL(url).searchParams.get("redirect_uri")!);
      const state = new URL(url).searchParams.get("state")!;
      for (let i = 0; i < 400; i++) {
        const query = new URLSearchParams();
        if (rand() < 0.7) query.set("state", rand() < 0.05 ? state.slice(1) : junk(60, "ABCS-_"));
        if (rand() < 0.7) query.set("code", junk(30, "abc123"));
        if (rand() < 0.2) query.set("error", junk(10, "abc_"));
        const method = pick(["GET", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"]);
        const path = pick([
          "/callback",
          "/",
          "/cb",
          "/cb-complete",
          "/success",
          "/callback/",
          "/%00",
        ]);
        const headers = new Headers();
        if (rand() < 0.1) headers.set("host", rand() < 0.5 ? "evil.example" : callback.host);
        const response = await world.fetch(`${callback.origin}${path}?${query}`, {
          method,
          headers,
          body: method === "GET" ? undefined : junk(200, 'ab{}"=&'),
        });
        assert(response.status < 500, `status ${response.status}`);
        await response.body?.cancel();
      }
      assert(!world.stderr.includes("Logged in"), "no fuzzed request completed the login");
      await world.decide(url, "approve");
    });
    return true;
  };
  assertEquals(await world.run(["login", "--api", server.url]), 0, world.stderr);
});

/** A browser that approves but cannot reach the listener (WSL, containers): where it lands. */
async function approveUnreachable(world: World, serverUrl: string, url: string) {
  const consent = await openConsent(world.fetch, url, await signInCookie(world.fetch, serverUrl));
  const decided = await consent.submit("approve");
  await decided.body?.cancel();
  return decided.headers.get("location")!; // "connection refused" in the browser's address bar
}

Deno.test("paste-back, code flow: the address the browser could not reach finishes the login", async () => {
  const { world, server } = browserWorld();
  world.stdinIsTerminal = true;
  world.onLaunch = (url) => {
    world.task(async () => {
      const landed = await approveUnreachable(world, server.url, url);
      world.type("not a url at all");
      await world.waitFor(/Not accepted: That is not the address/);
      const wrong = new URL(landed);
      wrong.searchParams.set("state", "A".repeat(43));
      world.type(wrong.href);
      await world.waitFor(/Not accepted: The state does not match/);
      world.type(landed);
      await world.waitFor(/Logged in as/);
      // Whichever arrives first wins: the listener refuses the same code (or is gone).
      const late = await world.fetch(landed).catch((e) => e);
      if (late instanceof Response) {
        assertEquals(late.status, 409);
        await late.body?.cancel();
      } else assertMatch(String(late), /refused/);
    });
    return true;
  };
  assertEquals(await world.run(["login", "--api", server.url]), 0, world.stderr);
  assertMatch(
    world.stderr,
    /If the browser shows an error page, copy its address and paste it here:/,
  );
  assertEquals(world.prompts.every((echo) => echo), true, "a callback address holds no key");
  assertEquals(world.saved()!.email, "alice@example.com");
});

Deno.test("paste-back, hand-off: the fragment address is accepted unseen and the key checked", async () => {
  const { world, server } = browserWorld({ legacy: true });
  world.stdinIsTerminal = true;
  world.onLaunch = (url) => {
    world.task(async () => {
      const cookie = await signInCookie(world.fetch, server.url);
      const created = await (await world.fetch(`${server.url}/auth/api-keys`, {
        method: "POST",
        headers: { cookie, "content-type": "application/json" },
        body: JSON.stringify({ name: "CLI login (Linux x86_64) 2026-11-27" }),
      })).json();
      const params = new URL(url).searchParams;
      world.type(
        `${params.get("callback")}#token=${created.data.apiKey}&state=${"0".repeat(64)}`,
      );
      await world.waitFor(/Not accepted: That address is from another login/);
      world.type(
        `${params.get("callback")}#token=${created.data.apiKey}&state=${params.get("state")}`,
      );
    });
    return true;
  };
  assertEquals(await world.run(["login", "--api", server.url]), 0, world.stderr);
  assertMatch(
    world.stderr,
    /it is not shown as you paste it\.\n.*copy its address and paste it here:/,
  );
  // The prompt fits an 80-column terminal (the key prompt is where a wrapped line hurts most).
  const prompt = world.stderr.split("\n").filter((row) => /paste/.test(row));
  assertEquals(prompt.filter((row) => [...row].length > 80), []);
  assertEquals(world.prompts.every((echo) => !echo), true, "the key is never echoed");
  assertEquals(world.saved()!.keyOrigin, "minted");
});

Deno.test("a browser command that fails is reported with the way out; no prompt without a terminal", async () => {
  const { world, server } = browserWorld();
  world.onLaunch = () => 1; // like BROWSER=/bin/false, or xdg-open with nothing configured
  assertEquals(await world.run(["login", "--timeout", "30", "--api", server.url]), 1);
  assertMatch(
    world.stderr,
    new RegExp(
      `The browser command BROWSER=test-browser failed \\(exit 1\\)[\\s\\S]*almyty-auth login --no-browser --api ${server.url}`,
    ),
  );
  assertEquals(world.prompts, [], "stdin is not a terminal: nothing is asked");
});

Deno.test("WSL: paste-back is offered up front", async () => {
  const world = new World({ WSL_DISTRO_NAME: "Ubuntu", BROWSER: "" });
  const server = world.referenceServer();
  world.stdinIsTerminal = true;
  world.onLaunch = () => {
    world.interrupt();
    return true;
  };
  assertEquals(await world.run(["login", "--api", server.url]), 130);
  assertMatch(world.stderr, /On WSL, Windows' browser often cannot reach/);
  assertEquals(world.launched[0].command, "wslview");
});

Deno.test("login --with-token with nothing on stdin: exit 2, the hint keeps --profile and --api", async () => {
  const world = new World();
  const server = world.referenceServer();
  world.stdinText = "\n";
  for (const flags of [["--with-token"], ["--token", "-"]]) {
    assertEquals(
      await world.run(["login", ...flags, "--profile", "ci", "--api", server.url]),
      2,
    );
    assertMatch(
      world.stderr,
      new RegExp(
        `The API key is empty\\. Pass the key itself, e\\.g\\. almyty-auth login --with-token --profile ci --api ${server.url} < key\\.txt`,
      ),
    );
  }
});

Deno.test("login --with-token when the API is down or rate-limiting: the login unchanged, a retry that keeps --profile and --api", async () => {
  const world = new World();
  const server = world.referenceServer();
  const key = await mintedKey(world, server.url);
  world.stdinText = key;
  assertEquals(
    await world.run(["login", "--with-token", "--profile", "ci", "--api", server.url]),
    0,
  );
  const profile = `${world.home}/.almyty/profiles/ci.json`;
  const before = readBytes(profile);
  assert(before);
  const envelope = (status: number, code: string, headers: Record<string, string> = {}) => () =>
    Response.json({ error: { code, message: "Too bad", statusCode: status } }, { status, headers });
  // What the API answered, what the user is told of it, and when to try again.
  const cases: [(() => Response) | null, string, string][] = [
    [envelope(503, "INTERNAL_ERROR"), "answered 503: Too bad", " in a minute"],
    [
      envelope(429, "RATE_LIMITED", { "retry-after": "30" }),
      "answered 429: Too bad \\(retry after 30 s\\)",
      " in 30 s",
    ],
    [
      () => new Response("<html>Bad gateway</html>", { status: 502 }),
      "answered 502",
      " in a minute",
    ],
    [null, "Cannot reach http://127\\.0\\.0\\.1:9/auth/profile: connection refused", ""],
  ];
  for (const [answer, said, when] of cases) {
    const api = answer ? world.route(answer) : "http://127.0.0.1:9";
    for (
      const [flags, stdin] of [[["--with-token"], key], [["--token", key], undefined]] as const
    ) {
      world.again().stdinText = stdin;
      assertEquals(
        await world.run(["login", ...flags, "--profile", "ci", "--api", api]),
        1,
        world.stderr,
      );
      assertMatch(world.stderr, new RegExp(said));
      // A key given in argv is offered the pipe, the way that keeps it out of `ps`.
      assertMatch(
        world.stderr,
        new RegExp(
          `\nThe key was not checked, and nothing was saved\\. Try again${when}: ` +
            `almyty-auth login --with-token --profile ci --api ${api} < key\\.txt\n$`,
        ),
      );
      assertEquals(readBytes(profile), before);
    }
  }
  // A key typed at the prompt is typed again: no file to pipe.
  const typed = new World({}, world.home);
  typed.stdinIsTerminal = true;
  typed.type(key);
  const down = typed.route(envelope(500, "INTERNAL_ERROR"));
  assertEquals(await typed.run(["login", "--with-token", "--profile", "ci", "--api", down]), 1);
  assertMatch(
    typed.stderr,
    new RegExp(
      `Try again in a minute: almyty-auth login --with-token --profile ci --api ${down}\n`,
    ),
  );
  assertEquals(readBytes(profile), before);
});

Deno.test("an API URL with a path (`--api https://host/api`), where almyty's routes 404: the failure names the base URL to use", async () => {
  const world = new World({ BROWSER: "test-browser" });
  const server = world.referenceServer();
  const key = await mintedKey(world, server.url);
  const hint = (api: string) =>
    `almyty's API routes start at the host, with no path before them: use ${server.url} as the ` +
    `API URL, not ${api}.\n`;
  for (const path of ["/api", "/api/v1"]) {
    const api = server.url + path;
    world.again().stdinText = key;
    assertEquals(await world.run(["login", "--with-token", "--api", api]), 1);
    assertEquals(world.stderr, `${api}/auth/profile answered 404: Not found\n${hint(api)}`);
    assertEquals(world.saved(), null);
    // The browser login asks before it mints anything.
    world.again();
    assertEquals(await world.run(["login", "--no-browser", "--api", api]), 1);
    assert(world.stderr.includes(`answered 404: Not found\n${hint(api)}`), world.stderr);
    assertEquals(world.launched.length, 0);
  }
  // A reading command with the pair in the environment.
  const reading = new World({ ALMYTY_TOKEN: key, ALMYTY_URL: `${server.url}/api` }, world.home);
  reading.route(world.fetch, server.url);
  assertEquals(await reading.run(["whoami"]), 1);
  assert(reading.stderr.endsWith(hint(`${server.url}/api`)), reading.stderr);
  // At the base URL, a 404 says nothing of paths.
  const scripted = new World();
  const bare = scripted.route(() =>
    Response.json({ error: { code: "NOT_FOUND", message: "Not found" } }, { status: 404 })
  );
  scripted.stdinText = key;
  assertEquals(await scripted.run(["login", "--with-token", "--api", bare]), 1);
  assertEquals(scripted.stderr, `${bare}/auth/profile answered 404: Not found\n`);
});

Deno.test("token prompt: a terminal is asked for the key, unseen; Ctrl-D saves nothing", async () => {
  const world = new World();
  const server = world.referenceServer();
  world.stdinIsTerminal = true;
  world.type(await mintedKey(world, server.url));
  assertEquals(await world.run(["login", "--with-token", "--api", server.url]), 0, world.stderr);
  assertMatch(world.stderr, /Paste your API key \(it is not shown\)/);
  assertEquals(world.prompts, [false]);
  const none = new World();
  none.stdinIsTerminal = true;
  none.type(null);
  assertEquals(await none.run(["login", "--token", "-", "--api", server.url]), 2);
  assertMatch(none.stderr, /No API key was entered/);
  assertEquals(none.saved(), null);
});

Deno.test("doctor's fixes keep the environment it checked (--api)", async () => {
  const world = new World();
  const { url } = world.referenceServer();
  world.listenError = new Deno.errors.PermissionDenied("listen denied by the sandbox");
  assertEquals(await world.run(["doctor", "--json", "--api", url]), 1, world.stderr);
  const checks = JSON.parse(world.stdout) as { name: string; fix?: string }[];
  const fix = (name: string) => checks.find((c) => c.name === name)?.fix;
  assertEquals(fix("Credentials file"), `almyty-auth login --api ${url}`);
  assertMatch(fix("Loopback")!, new RegExp(`use almyty-auth login --no-browser --api ${url}$`));
});

Deno.test("doctor reads plainly: an unreachable API's advice is given once, no parentheses inside parentheses; with --api elsewhere, the saved key is said to be unchecked and where it is checked", async () => {
  const world = new World();
  const { url } = world.referenceServer();
  const other = world.referenceServer({ legacy: true }).url;
  Deno.mkdirSync(`${world.home}/.almyty`, { mode: 0o700 });
  Deno.writeTextFileSync(
    credsPath(world.home),
    JSON.stringify({ url, token: `almyty_${"a".repeat(64)}` }),
    {
      mode: 0o600,
    },
  );
  const unreachable = "http://127.0.0.1:9";
  await world.run(["doctor", "--api", unreachable]);
  const api = world.stdout.split("\n").find((row) => row.includes("API: cannot reach"))!;
  assertEquals(api.match(/check the URL/gi)?.length, 1, api);
  for (const row of world.stdout.split("\n")) {
    assert(!/\([^()]*\(/.test(row) && !/\) \(/.test(row), `doctor: ${row}`);
  }

  const elsewhere = world.again();
  await elsewhere.run(["doctor", "--json", "--api", other]);
  const token = (JSON.parse(elsewhere.stdout) as { name: string; detail: string; fix?: string }[])
    .find((c) => c.name === "Token");
  assertMatch(
    token?.detail ?? "(no Token check)",
    new RegExp(`not checked: .*saved key is for ${url}$`),
  );
  assertEquals(token?.fix, "almyty-auth doctor checks the saved key");
});

Deno.test("completions without a shell, or with one it lacks: a sentence, the way to name one, and where to read how to install it", async () => {
  for (const argv of [["completions"], ["completions", "tc\x1b]52sh"]]) {
    const world = new World();
    assertEquals(await world.run(argv), 2);
    assertMatch(
      world.stderr,
      /^(?:"tc\]52sh" is not a shell it supports\. )?Name the shell: almyty-auth completions bash\|zsh\|fish\nRun `almyty-auth help completions` for where to put the script\.\n$/,
    );
  }
  // Quoted by the one rule for typed values: at most 60 characters, never an escape.
  const long = new World();
  assertEquals(await long.run(["completions", "\x1b[2J" + "z".repeat(100)]), 2);
  assert(
    long.stderr.startsWith(`"[2J${"z".repeat(57)}…" is not a shell it supports. `),
    long.stderr,
  );
});

Deno.test("completions with a word after the shell says it is one too many, not to name the shell", async () => {
  const world = new World();
  assertEquals(await world.run(["completions", "bash", "zsh"]), 2);
  assertEquals(
    world.stderr,
    'One shell at a time ("zsh" is one too many). Name the shell: almyty-auth completions ' +
      "bash|zsh|fish\nRun `almyty-auth help completions` for where to put the script.\n",
  );
});

Deno.test("the API keys page the hints name exists on the reference server: create a key there, log in with it, revoke it there", async () => {
  const world = new World();
  const server = world.referenceServer({ legacy: true });
  // The hint of a server without the headless login names the page.
  assertEquals(await world.run(["login", "--no-wait", "--api", server.url]), 1);
  const page = `${server.url}/settings/api-keys`;
  assertMatch(world.stderr, new RegExp(`create an API key at ${page} and pipe it to`));
  // Signed out: the sign-in page, which comes back here.
  const signedOut = await (await world.fetch(page, { headers: { accept: "text/html" } })).text();
  assertMatch(signedOut, /name="return_to" value="\/settings\/api-keys"/);
  const cookie = await signInCookie(world.fetch, server.url);
  const open = await (await world.fetch(page, { headers: { cookie } })).text();
  assertMatch(open, /Create a key/);
  const csrf = /name="csrf" value="([^"]+)"/.exec(open)![1];
  const post = (fields: Record<string, string>) =>
    world.fetch(page, {
      method: "POST",
      headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ csrf, ...fields }),
    });
  // A form without the session's CSRF token changes nothing.
  const forged = await world.fetch(page, {
    method: "POST",
    headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ action: "create", name: "forged" }),
  });
  assertEquals(forged.status, 403);
  await forged.body?.cancel();
  assertEquals(server.store.keysOf(server.store.firstUser()!).length, 0);

  const created = await (await post({ action: "create", name: "CI" })).text();
  const key = /data-testid="new-key">(almyty_[0-9a-f]{64})</.exec(created)![1];
  recordToken(key);
  assertMatch(
    created,
    new RegExp(`pipe it to <code>almyty-auth login --with-token --api ${server.url}</code>`),
  );
  const login = world.again();
  login.stdinText = key;
  assertEquals(await login.run(["login", "--with-token", "--api", server.url]), 0, login.stderr);
  assertEquals(login.saved()!.keyOrigin, "supplied");

  const id = /name="id" value="([^"]+)"/.exec(
    await (await world.fetch(page, { headers: { cookie } })).text(),
  )![1];
  const revoked = await (await post({ action: "revoke", id })).text();
  assertMatch(revoked, /The key was revoked\./);
  const after = login.again();
  assertEquals(await after.run(["whoami"]), 4);
});

Deno.test("env --shell takes exactly the shells that help, the completions, README and its refusal name (pwsh too)", async () => {
  const tried = ["sh", "bash", "zsh", "fish", "powershell", "pwsh", "json", "ksh", "cmd", "nu"];
  const accepted: string[] = [];
  for (const shell of tried) {
    const world = new World();
    const code = await world.run(["env", "--shell", shell, "--unset"]);
    assert(code === 0 || code === 2, `${shell}: ${code} ${world.stderr}`);
    if (code === 0) accepted.push(shell);
  }
  assertEquals(accepted, ["sh", "bash", "zsh", "fish", "powershell", "pwsh", "json"]);
  const pwsh = new World();
  assertEquals(await pwsh.run(["env", "--shell", "pwsh", "--unset"]), 0);
  assertMatch(pwsh.stdout, /^Remove-Item Env:ALMYTY_TOKEN /);
  const words = (text: string) => text.match(/[a-z]+/g)!.filter((w) => tried.includes(w));
  const help = new World();
  assertEquals(await help.run(["help", "env"]), 0);
  assertEquals(words(help.stdout.match(/--shell <shell>([\s\S]*?)--unset/)![1]), accepted);
  const completions = new World();
  assertEquals(await completions.run(["completions", "bash"]), 0);
  assertEquals(
    completions.stdout.match(/--shell\) COMPREPLY=\(\$\(compgen -W "([^"]*)"/)![1].split(" "),
    accepted,
  );
  const readme = Deno.readTextFileSync(new URL("../README.md", import.meta.url));
  const lists = [...readme.matchAll(/--shell (sh[\\|a-z]*)/g)].map((m) => words(m[1]));
  assertEquals(lists, [accepted, accepted]);
  const long = new World();
  assertEquals(await long.run(["env", "--shell", "\x1b[2J" + "z".repeat(100)]), 2);
  assert(long.stderr.includes(`, got "[2J${"z".repeat(57)}…".\n`), long.stderr);
  const refused = new World();
  assertEquals(await refused.run(["env", "--shell", "ksh"]), 2);
  assertMatch(
    refused.stderr,
    /^--shell takes sh, bash, zsh, fish, powershell, pwsh or json, got "ksh"\./,
  );
});

Deno.test("names every object has (constructor, toString, __proto__) are no command, flag, help page, shell or subcommand: each is a usage error (2) naming it, never an unexpected error or a silent run", async () => {
  const cases: [string[], RegExp][] = [
    [["constructor"], /^Unknown command "constructor"\./],
    [["toString", "--json"], /^Unknown command "toString"\./],
    [["help", "constructor"], /^Unknown command "constructor"\./],
    [["--help", "hasOwnProperty"], /^Unknown command "hasOwnProperty"\./],
    [["whoami", "--constructor"], /^Unknown flag "--constructor"\./],
    [["whoami", "--toString=1"], /^Unknown flag "--toString"\./],
    [["completions", "constructor"], /^"constructor" is not a shell it supports\./],
    [
      ["env", "--shell", "toString"],
      /^--shell takes sh, bash, zsh, fish, powershell, pwsh or json, got "toString"\./,
    ],
    [["profile", "constructor"], /^Unknown subcommand "constructor": use one of list, /],
    [["profile", "__proto__"], /^Unknown subcommand "__proto__": use one of list, /],
  ];
  for (const [argv, message] of cases) {
    const world = new World();
    world.env.ALMYTY_TOKEN = "almyty_inherited";
    assertEquals(await world.run(argv), 2, `${argv.join(" ")}: ${world.stderr}`);
    assertMatch(world.stderr, message, argv.join(" "));
    assertEquals(world.stdout, "", `${argv.join(" ")} printed`);
    assertEquals(world.requests.length, 0, `${argv.join(" ")} sent a request`);
  }
});

Deno.test("--json when the command fails, as README says: status, doctor, profile list and the two-step login print one JSON object whatever the exit code; whoami and env --shell json print nothing on stdout; errors on stderr", async () => {
  const world = new World();
  const server = world.referenceServer();
  // Not logged in, and a login whose key the server rejects.
  const rejected = `almyty_${"0".repeat(64)}`;
  const cases: [string[], Record<string, string>, number, "json" | "empty"][] = [
    [["status", "--json"], {}, 4, "json"],
    [["status", "--json", "--profile", "nope"], {}, 4, "json"],
    [["doctor", "--json", "--profile", "Nope", "--api", server.url], {}, 1, "json"],
    [["profile", "list", "--json", "--check"], {}, 0, "json"],
    [["login", "--continue", "--json"], {}, 1, "json"],
    [["login", "--cancel", "--json", "--profile", "Nope"], {}, 2, "json"],
    [["whoami", "--json"], {}, 4, "empty"],
    [["whoami", "--json"], { ALMYTY_TOKEN: rejected, ALMYTY_URL: server.url }, 4, "empty"],
    [["env", "--shell", "json"], {}, 4, "empty"],
    [["status", "--json", "--bogus"], {}, 2, "empty"],
  ];
  for (const [argv, env, exit, stdout] of cases) {
    const run = world.again();
    delete run.env.ALMYTY_TOKEN;
    delete run.env.ALMYTY_URL;
    Object.assign(run.env, env);
    const what = `${argv.join(" ")} ${Object.keys(env).join(" ")}`;
    assertEquals(await run.run(argv), exit, `${what}: ${run.stderr}`);
    if (stdout === "json") JSON.parse(run.stdout);
    else assertEquals(run.stdout, "", what);
    if (exit !== 0) assert(run.stderr.length > 0 || stdout === "json", what);
    if (exit !== 0 && stdout === "empty") assert(run.stderr.length > 0, what);
  }
});

Deno.test("today's production in a CI job without a terminal: login stops at once naming the API key and the --with-token that works (it waited out its 300 s for a browser no one could open); with a terminal it still waits for the pasted address", async () => {
  const { home, path, bytes } = homeWithFile();
  const world = new World({ CI: "true" }, home);
  const server = world.referenceServer({ legacy: true });
  assertEquals(await world.run(["login", "--profile", "ci", "--api", server.url]), 1);
  assertMatch(
    world.stderr,
    new RegExp(
      `^${server.url} has no headless login \\(neither has almyty's production today\\), and in a CI job without a terminal[^\\n]*Nothing was started\\. Log in with an API key instead: create one at ${server.url}/settings/api-keys, keep it as a CI secret, and pipe it to: almyty-auth login --with-token --profile ci --api ${server.url}\\n$`,
    ),
  );
  assertEquals(world.launched.length, 0);
  assertEquals(readBytes(path), bytes);
  // doctor there says the same of what login will do.
  const doctor = world.again();
  await doctor.run(["doctor", "--api", server.url]);
  assertMatch(
    doctor.stdout,
    new RegExp(
      `Browser: none will be opened because this is a CI job[^\\n]*in a CI job without a terminal nothing can finish a browser login: login stops at once → pipe an API key to almyty-auth login --with-token --api ${server.url}`,
    ),
  );

  // A person at a terminal (CI exported in their shell) can still paste the address back.
  const person = new World({ CI: "true" }, home);
  const legacy = person.referenceServer({ legacy: true });
  person.stdinIsTerminal = true;
  person.task(async () => {
    await person.waitFor(/paste it here:\n$/);
    person.interrupt();
  });
  assertEquals(await person.run(["login", "--api", legacy.url]), 130);
  assertMatch(person.stderr, /ssh -L (\d+):127\.0\.0\.1:\1 test-host/);
  assertEquals(readBytes(path), bytes);
});

Deno.test("a JWT whose exp no date can hold (a service token's 'never' of 1e13 s) is a token without an expiry: status and whoami, not 'Unexpected error: RangeError'", async () => {
  const jwt = fakeJwt({ sub: "svc", exp: 1e13 });
  recordToken(jwt);
  const api = "http://127.0.0.1:45990";
  const world = new World({ ALMYTY_TOKEN: jwt, ALMYTY_URL: api });
  world.route(() => Response.json({ success: true, data: { email: "svc@example.com" } }), api);
  assertEquals(await world.run(["status", "--offline"]), 0, world.stderr);
  assertMatch(world.stdout, /Token: .*a JWT/);
  assert(!/Expires/.test(world.stdout), world.stdout);
  const whoami = world.again();
  assertEquals(await whoami.run(["whoami"]), 0, whoami.stderr);
  assertMatch(whoami.stdout, /Logged in as svc@example\.com/);
  assert(!/Expires/.test(whoami.stdout), whoami.stdout);
});

Deno.test("doctor --api naming the saved login's own API checks its key (it said 'not checked: … the saved key is for <that same API>'); a rejected key there is the problem with the login that keeps --api", async () => {
  const world = new World();
  const { url } = world.referenceServer();
  world.stdinText = await mintedKey(world, url);
  recordToken(world.stdinText);
  assertEquals(await world.run(["login", "--with-token", "--api", url]), 0, world.stderr);
  type Row = { name: string; level: string; detail: string; fix?: string };
  const token = async (w: World, argv: string[]) =>
    (JSON.parse((await w.run(argv), w.stdout)) as Row[]).find((c) => c.name === "Token");
  for (const api of [url, `${url}/`]) {
    assertEquals(
      await token(world.again(), ["doctor", "--json", "--api", api]),
      { name: "Token", level: "ok", detail: `${url} accepts it (alice@example.com)` },
    );
  }
  const saved = world.saved()!;
  Deno.writeTextFileSync(
    credsPath(world.home),
    JSON.stringify({ ...saved, token: `almyty_${"0".repeat(64)}` }),
  );
  const rejected = await token(world.again(), ["doctor", "--json", "--api", url]);
  assertEquals(rejected?.level, "problem");
  assertEquals(rejected?.fix, `almyty-auth login --api ${url}`);
});

Deno.test("logout in a shell that `env` handed the login to: ALMYTY_TOKEN holding the key it just revoked is said to be dead now, with the unset of what env set (it said the tools 'stay authenticated with it'); another key in ALMYTY_TOKEN still stays valid", async () => {
  const { world, server } = browserWorld();
  world.onLaunch = (url) => {
    world.task(async () => {
      const cookie = await signInCookie(world.fetch, server.url);
      await browse(world.fetch, url, "approve", cookie);
    });
    return true;
  };
  assertEquals(await world.run(["login", "--profile", "staging", "--api", server.url]), 0);
  const handed = world.again();
  assertEquals(await handed.run(["env", "--profile", "staging", "--shell", "json"]), 0);
  const vars = JSON.parse(handed.stdout) as Record<string, string>;
  recordToken(vars.ALMYTY_TOKEN);
  Object.assign(world.env, vars);
  const logout = world.again();
  assertEquals(await logout.run(["logout"]), 0, logout.stderr);
  assertMatch(
    logout.stderr,
    /^Revoked the API key on [^\n]*\n✓ Logged out of profile staging; [^\n]*\nWarning: ALMYTY_TOKEN still holds the key just revoked, so almyty tools given it now get 401\. Unset what handed it over: unset ALMYTY_TOKEN ALMYTY_URL ALMYTY_FRONTEND_URL ALMYTY_PROFILE\n$/,
  );

  // A key of its own in ALMYTY_TOKEN is never revoked by logout, and still works.
  const other = new World({ ALMYTY_TOKEN: "almyty_" + "7".repeat(64) });
  assertEquals(await other.run(["logout"]), 0);
  assertMatch(
    other.stderr,
    /ALMYTY_TOKEN is still set, so almyty tools stay authenticated with it/,
  );
});

Deno.test("a login that replaces a key it may not revoke (one you supplied, or an older almyty login's, which recorded no origin) says the key stays valid and where to revoke it: the file no longer names it (it was replaced silently)", async () => {
  const world = new World();
  const { url } = world.referenceServer();
  const keys = [
    await mintedKey(world, url),
    await mintedKey(world, url),
    await mintedKey(world, url),
  ];
  keys.forEach(recordToken);
  // What almyty's old @almyty/auth 1.2.0 writes: {url, token, frontendUrl}, nothing else.
  Deno.mkdirSync(`${world.home}/.almyty`, { mode: 0o700 });
  Deno.writeTextFileSync(
    credsPath(world.home),
    JSON.stringify({ url, token: keys[0], frontendUrl: url }, null, 2),
    { mode: 0o600 },
  );
  const page = `${url}/settings/api-keys \\(Settings > API Keys\\)`;
  const login = async (key: string) => {
    const run = world.again();
    run.stdinText = key;
    assertEquals(await run.run(["login", "--with-token", "--api", url]), 0, run.stderr);
    return run.stderr;
  };
  assertMatch(
    await login(keys[1]),
    new RegExp(
      `\\nThe previous login recorded no key id \\(an older almyty login\\), so its key was not revoked: it stays valid\\. Revoke it at ${page} if you no longer need it\\.\\n$`,
    ),
  );
  assertMatch(
    await login(keys[2]),
    new RegExp(
      `\\nThe previous key was supplied by you \\(--token/--with-token\\) and may be in use elsewhere, so it was not revoked: it stays valid\\. Revoke it at ${page} if you no longer need it\\.\\n$`,
    ),
  );
  // Both are live, as said; the same key again replaces nothing.
  for (const key of keys.slice(0, 2)) {
    const probe = await world.fetch(`${url}/auth/profile`, {
      headers: { authorization: `Bearer ${key}` },
    });
    assertEquals(probe.status, 200);
    await probe.body?.cancel();
  }
  assert(!/previous/.test(await login(keys[2])));
  // A copy in another login: that login still uses it, so no "revoke it" is offered.
  const save = world.again();
  assertEquals(await save.run(["profile", "save", "ci"]), 0, save.stderr);
  const replaced = await login(keys[0]);
  assertMatch(replaced, /\nThe previous key was kept: the login ci still uses it\.\n$/);
});

Deno.test("the web app's address given as the API's (--api https://app…, copied from the browser; its pages answer every path with HTML) names the api. host beside it", async () => {
  const spa = () =>
    new Response("<!doctype html><html><body><div id=root></div></body></html>", {
      headers: { "content-type": "text/html" },
    });
  const world = new World();
  const app = world.route(spa, "https://app.example.test");
  world.route(spa, "https://app.example.test:8443");
  const hint = (host: string, api: string) =>
    `\n${host} looks like almyty's web app, not its API: use ${api} as the API URL.\n`;
  assertEquals(await world.run(["login", "--no-browser", "--api", app]), 1);
  assert(world.stderr.endsWith(hint("app.example.test", "https://api.example.test")), world.stderr);
  const key = world.again();
  key.stdinText = "almyty_" + "a".repeat(64);
  recordToken(key.stdinText);
  assertEquals(
    await key.run(["login", "--with-token", "--api", "https://app.example.test:8443"]),
    1,
  );
  assert(
    key.stderr.endsWith(hint("app.example.test:8443", "https://api.example.test:8443")),
    key.stderr,
  );
  // Another host that answers HTML gets no guess.
  const other = new World();
  const site = other.route(spa, "https://www.example.test");
  assertEquals(await other.run(["login", "--no-browser", "--api", site]), 1);
  assert(!/looks like almyty's web app/.test(other.stderr), other.stderr);
});

Deno.test("login --profile b in a shell that env handed login a to: the ALMYTY_TOKEN warning says to use --profile b, as ALMYTY_PROFILE still chooses a once the token is unset (it said only 'Unset it to use this login', after which a was used)", async () => {
  const world = new World();
  const { url } = world.referenceServer();
  const key = await mintedKey(world, url);
  recordToken(key);
  world.stdinText = key;
  assertEquals(await world.run(["login", "--with-token", "--profile", "a", "--api", url]), 0);
  const handed = world.again();
  assertEquals(await handed.run(["env", "--profile", "a", "--shell", "json"]), 0);
  const vars = JSON.parse(handed.stdout);
  Object.assign(world.env, vars);
  const other = world.again();
  other.stdinText = await mintedKey(world, url);
  recordToken(other.stdinText);
  assertEquals(await other.run(["login", "--with-token", "--profile", "b", "--api", url]), 0);
  assert(
    other.stderr.endsWith(
      'Warning: ALMYTY_TOKEN is set in your environment and overrides the saved credentials. Unset it to use this login: unset ALMYTY_TOKEN, then use --profile b (ALMYTY_PROFILE chooses "a" otherwise).\n',
    ),
    other.stderr,
  );
  // What it says works: the token unset, --profile b is b's login (ALMYTY_PROFILE still says a).
  delete world.env.ALMYTY_TOKEN;
  const whoami = world.again();
  assertEquals(await whoami.run(["whoami", "--json", "--profile", "b"]), 0, whoami.stderr);
  assertEquals(JSON.parse(whoami.stdout).profile.name, "b");
  // The login ALMYTY_PROFILE chooses itself: unsetting the token is enough.
  Object.assign(world.env, vars);
  const same = world.again();
  same.stdinText = key;
  assertEquals(await same.run(["login", "--with-token", "--api", url]), 0, same.stderr);
  assert(same.stderr.endsWith("Unset it to use this login.\n"), same.stderr);
});

Deno.test("an agent on a machine where a browser opens, against today's production: the unsupported two-step also names the browser login that waits for the person (the key never passes through the agent), and that command works; not where no browser opens", async () => {
  const world = new World({ CLAUDECODE: "1", DISPLAY: ":0" });
  const server = world.referenceServer({ legacy: true });
  assertEquals(await world.run(["login", "--profile", "dev", "--api", server.url]), 1);
  const [, hint] = world.stderr.match(
    /\. Or, as a browser opens on this machine, log in through it, waiting here for the person to approve: (almyty-auth login [^\n]+)\n$/,
  ) ?? [];
  assertEquals(hint, `almyty-auth login --wait-for-approval --profile dev --api ${server.url}`);
  // Pasted, it opens the browser, and the person's click in it finishes the login.
  const pasted = world.again();
  pasted.onLaunch = (url) => {
    pasted.task(async () => {
      const cookie = await signInCookie(pasted.fetch, server.url);
      const created = await (await pasted.fetch(`${server.url}/auth/api-keys`, {
        method: "POST",
        headers: { cookie, "content-type": "application/json" },
        body: JSON.stringify({ name: "CLI login (Linux x86_64) 2026-11-27" }),
      })).json();
      recordToken(created.data.apiKey);
      const params = new URL(url).searchParams;
      const done = await pasted.fetch(new URL("/cb-complete", params.get("callback")!), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ token: created.data.apiKey, state: params.get("state") }),
      });
      assertEquals(await done.json(), { ok: true });
    });
    return true;
  };
  assertEquals(await pasted.run(hint.split(" ").slice(1)), 0, pasted.stderr);
  assertMatch(pasted.stderr, /Credentials saved to \S+\/profiles\/dev\.json/);
  // Over SSH no browser opens here: the API key is the way.
  const remote = new World({ CLAUDECODE: "1", DISPLAY: ":0", SSH_CONNECTION: "1 2 3 4" });
  const far = remote.referenceServer({ legacy: true });
  assertEquals(await remote.run(["login", "--api", far.url]), 1);
  assert(!/browser opens on this machine/.test(remote.stderr), remote.stderr);
  assertMatch(remote.stderr, /pipe it to: almyty-auth login --with-token --api/);
});

Deno.test("profile rm|remove|delete|del <name> (how to delete a login?) names logout, which does it, with the login's --profile; a word that is no name (a key) is never echoed there", async () => {
  const key = "almyty_" + "5".repeat(64);
  recordToken(key);
  const cases: [string[], string][] = [
    [["profile", "rm", "staging"], "almyty-auth logout --profile staging"],
    [["profile", "delete"], "almyty-auth logout --profile <name>"],
    [["profile", "remove", "default"], "almyty-auth logout"],
    [["profile", "del", key], "almyty-auth logout --profile <name>"],
  ];
  for (const [argv, logout] of cases) {
    const world = new World();
    assertEquals(await world.run(argv), 2, argv.join(" "));
    assert(
      world.stderr.startsWith(
        `Unknown subcommand "${argv[1]}": use one of list, save, use, bind, unbind, trust, ` +
          `untrust. To remove a login, log out of it: ${logout} (it revokes the key the login ` +
          "minted, then removes its file).\nRun `almyty-auth help profile` for usage.\n",
      ),
      world.stderr,
    );
    assertEquals(world.requests.length, 0);
  }
  // Other unknown words get the list alone.
  const other = new World();
  assertEquals(await other.run(["profile", "show"]), 2);
  assert(!/log out/.test(other.stderr), other.stderr);
});
