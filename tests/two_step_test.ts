/**
 * The two-step login (`login --no-wait`, `--continue`, `--cancel`) and agent
 * detection, in process: the real CLI surface against the reference
 * server's handler on a manual clock. Real processes (SIGKILL, two at once,
 * a terminal) are in `two_step_process_test.ts`; Chromium in e2e.
 */
import { assert, assertEquals, assertMatch } from "./helpers/assert.ts";
import { credsPath, homeWithFile, pendingPath, readBytes } from "./helpers/cli.ts";
import { recordToken } from "./helpers/leaks.ts";
import { mintedKey, World } from "./helpers/world.ts";
import { scriptedDeviceApi } from "./helpers/device_api.ts";
import { OAUTH_ERROR } from "../src/protocol/constants.ts";
import { EXIT } from "../src/runtime/errors.ts";
import { readPending } from "../src/login/pending.ts";
import { writePending } from "../src/login/pending_write.ts";
import type { DeviceGrant, Store } from "../src/server/store.ts";
import { denoFs } from "../src/platform/deno_fs.ts";
import { denoLocker, LockTimeoutError } from "../src/platform/lock.ts";

const oauthError = (error: string) => Response.json({ error }, { status: 400 });

/** The pending file, parsed (its device code registered with the leak scan), or null. */
function pendingFile(home: string, name = "default"): Record<string, unknown> | null {
  try {
    const pending = JSON.parse(Deno.readTextFileSync(pendingPath(home, name)));
    recordToken(pending.deviceCode);
    return pending;
  } catch {
    return null;
  }
}

/**
 * A world with the reference server (1 s interval) and a started `--no-wait --json` login;
 * `before` runs before the server handles each request (to hold one).
 */
async function started(
  options: {
    env?: Record<string, string>;
    home?: string;
    interval?: number;
    before?: (request: Request) => Promise<void> | void;
  } = {},
) {
  const world = new World(options.env ?? {}, options.home);
  const server = world.referenceServer({
    deviceInterval: options.interval ?? 1,
    before: options.before,
  });
  const code = await world.run(["login", "--no-wait", "--json", "--api", server.url]);
  assertEquals(code, 0, world.stderr);
  const json = JSON.parse(world.stdout);
  return { world, server, json };
}

/**
 * Approves the started login and leaves what a `--continue` killed right
 * after the token response leaves: the grant in the pending file, nothing saved.
 */
async function approvedNotSaved(
  world: World,
  server: { url: string },
  json: { verification_uri_complete: string },
) {
  await world.decide(json.verification_uri_complete, "approve");
  const pending = pendingFile(world.home)!;
  const grant = await (await world.fetch(`${server.url}/auth/cli/token`, {
    method: "POST",
    body: new URLSearchParams({
      grant_type: "urn:ietf:params:oauth:grant-type:device_code",
      client_id: "almyty-cli",
      device_code: pending.deviceCode as string,
    }),
  })).json();
  recordToken(grant.access_token);
  Deno.writeTextFileSync(pendingPath(world.home), JSON.stringify({ ...pending, grant }), {
    mode: 0o600,
  });
  return { pending, grant };
}

/** The next command an agent runs: the same world, with `env` set for it. */
function next(world: World, _server?: unknown, env: Record<string, string> = {}): World {
  Object.assign(world.env, env);
  return world.again();
}

Deno.test("--no-wait --json: one JSON object, no device code anywhere, no poll; pending file 0600 in 0700", async () => {
  const { world, server, json } = await started();
  assertEquals(Object.keys(json).sort(), [
    "api",
    "expires_at",
    "interval",
    "next_step",
    "profile",
    "status",
    "user_code",
    "verification_uri",
    "verification_uri_complete",
  ]);
  assertEquals(json.status, "pending");
  assertMatch(json.user_code, /^[B-Z]{4}-[B-Z]{4}$/);
  assertEquals(json.verification_uri, `${server.url}/cli-auth`);
  assertEquals(new URL(json.verification_uri_complete).searchParams.get("code"), json.user_code);
  assertEquals(json.api, server.url);
  assertEquals(json.profile, "default");
  assertEquals(json.interval, 1);
  assertEquals(json.next_step, "almyty-auth login --continue");
  assertEquals(Date.parse(json.expires_at), world.clock.now() + 600_000);
  // The person's instructions are on stderr, with the code; stdout is only the JSON.
  assertMatch(world.stderr, new RegExp(json.user_code));
  assertMatch(world.stderr, /almyty-auth login --continue/);
  // Never polled: no request to the token endpoint.
  assertEquals(world.requests.filter((r) => r.includes("/auth/cli/token")), []);

  const pending = pendingFile(world.home)!;
  const { deviceCode } = pending as { deviceCode: string };
  assert(deviceCode.length >= 32);
  assert(!world.stdout.includes(deviceCode) && !world.stderr.includes(deviceCode));
  assertEquals(pending.version, 1);
  assertEquals([pending.api, pending.frontend], [server.url, server.url]);
  assertEquals(pending.expiresAt, json.expires_at);
  assertEquals(Deno.statSync(pendingPath(world.home)).mode! & 0o777, 0o600);
  assertEquals(Deno.statSync(`${world.home}/.almyty/pending`).mode! & 0o777, 0o700);
  assertEquals(world.saved(), null, "nothing saved yet");
});

Deno.test("--continue: 8 with the same code before approval, 0 and a minted key after; the pending login is gone", async () => {
  const { world, server, json } = await started();
  const before = next(world, server);
  assertEquals(await before.run(["login", "--continue", "--json"]), EXIT.pending, before.stderr);
  const pending = JSON.parse(before.stdout);
  assertEquals(pending, { ...json, status: "pending" });
  assertMatch(before.stderr, /Not approved yet/);

  const page = await world.decide(json.verification_uri_complete, "approve");
  assertMatch(page.text, /Device approved/);
  const after = next(before, server);
  assertEquals(await after.run(["login", "--continue", "--json"]), 0, after.stderr);
  const approved = JSON.parse(after.stdout);
  assertEquals(approved.status, "approved");
  assertEquals(approved.email, "alice@example.com");
  assertEquals(approved.key_origin, "minted");
  const saved = after.saved()!;
  assertEquals([saved.email, saved.keyOrigin, saved.url], [
    "alice@example.com",
    "minted",
    server.url,
  ]);
  assertMatch(after.stderr, /Logged in as alice@example\.com/);
  assertEquals(pendingFile(world.home), null, "forgotten after approval");
  // The key is in the credentials file and nowhere else under ~/.almyty (no pending copy, no temp file).
  const holding: string[] = [];
  const walk = (dir: string) => {
    for (const entry of Deno.readDirSync(dir)) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory) walk(path);
      else if (Deno.readTextFileSync(path).includes(saved.token as string)) holding.push(path);
    }
  };
  walk(`${world.home}/.almyty`);
  assertEquals(holding, [credsPath(world.home)]);
  // The saved key works.
  const profile = await world.fetch(`${server.url}/auth/profile`, {
    headers: { authorization: `Bearer ${saved.token}` },
  });
  assertEquals(profile.status, 200);
  await profile.body?.cancel();

  // Done: a third --continue finds nothing pending.
  const third = next(after, server);
  assertEquals(await third.run(["login", "--continue", "--json"]), 1);
  assertEquals(JSON.parse(third.stdout).status, "no_pending");
});

Deno.test("--continue: denied → 1 'denied', pending forgotten, credentials byte-identical", async () => {
  const { home, path, bytes } = homeWithFile();
  const { world, server, json } = await started({ home });
  await world.decide(json.verification_uri_complete, "deny");
  const after = next(world, server);
  assertEquals(await after.run(["login", "--continue", "--json"]), 1);
  const out = JSON.parse(after.stdout);
  assertEquals(out.status, "denied");
  // Starting again keeps the API the login was at.
  assertEquals(out.next_step, `almyty-auth login --no-wait --api ${server.url}`);
  assertMatch(after.stderr, /denied in the browser/);
  assertMatch(
    after.stderr,
    new RegExp(`To try again: almyty-auth login --no-wait --api ${server.url}$`, "m"),
  );
  assertEquals(pendingFile(home), null);
  assertEquals(readBytes(path), bytes);
});

Deno.test("--continue: expired → 1 'expired', pending file gone", async () => {
  const { world, server } = await started();
  world.clock.advance(601_000);
  const after = next(world, server);
  assertEquals(await after.run(["login", "--continue", "--json"]), 1);
  assertEquals(JSON.parse(after.stdout).status, "expired");
  assertMatch(
    after.stderr,
    new RegExp(`expired before it was approved[\\s\\S]*login --no-wait --api ${server.url}$`, "m"),
  );
  assertEquals(pendingFile(world.home), null);
  // Known expired from the file: the device code is not sent again.
  assertEquals(
    after.requests.filter((r) => r.includes("/auth/cli/token")),
    [],
    after.requests.join("\n"),
  );
});

Deno.test("an expired pending login shown by status and whoami: starting again keeps --profile, --api and --frontend", async () => {
  const { world, server } = await started({});
  const frontend = "http://localhost:9";
  const staging = next(world, server);
  const argv = ["--profile", "staging", "--api", server.url, "--frontend", frontend];
  assertEquals(await staging.run(["login", "--no-wait", ...argv]), 0, staging.stderr);
  world.clock.advance(601_000);
  const again = `almyty-auth login --no-wait ${argv.join(" ")}`;
  const status = next(world, server);
  assertEquals(await status.run(["status", "--profile", "staging", "--json"]), EXIT.auth);
  const report = JSON.parse(status.stdout).pendingLogin;
  assertEquals([report.state, report.nextStep], ["expired", again]);
  const whoami = next(world, server);
  assertEquals(await whoami.run(["whoami", "--profile", "staging"]), EXIT.auth);
  assertMatch(
    whoami.stderr,
    new RegExp(`expired before code \\S+ was approved; start again with ${again}$`, "m"),
  );
  // --continue says the same.
  const cont = next(world, server);
  assertEquals(await cont.run(["login", "--continue", "--profile", "staging"]), 1);
  assertMatch(cont.stderr, new RegExp(`Start again: ${again}$`, "m"));
});

Deno.test("a pending file that cannot be read names the fixes for its own profile", async () => {
  const { world, server } = await started({});
  const staging = next(world, server);
  assertEquals(
    await staging.run(["login", "--no-wait", "--profile", "staging", "--api", server.url]),
    0,
    staging.stderr,
  );
  Deno.writeTextFileSync(pendingPath(world.home, "staging"), "{not json", { mode: 0o600 });
  const garbage = next(staging, server);
  assertEquals(await garbage.run(["login", "--continue", "--profile", "staging"]), 1);
  assertMatch(garbage.stderr, /`almyty-auth login --cancel --profile staging`/);
  assertMatch(garbage.stderr, /`almyty-auth login --no-wait --profile staging`/);
});

Deno.test("--continue: a code the server no longer knows (restarted, purged) → 1 'expired', pending file gone", async () => {
  const { world, server } = await started();
  server.store.devices.clear();
  const after = next(world, server);
  assertEquals(await after.run(["login", "--continue", "--json"]), 1, after.stderr);
  assertEquals(JSON.parse(after.stdout).status, "expired");
  assertEquals(pendingFile(world.home), null);
});

Deno.test("--continue --wait: approval during the wait is saved at the next poll (short polls, one interval apart)", async () => {
  const { world, server, json } = await started();
  const waiting = next(world, server);
  const bodies: string[] = [];
  const fetch = waiting.fetch;
  waiting.fetch = async (input, init) => {
    const request = new Request(input, init);
    if (request.url.endsWith("/auth/cli/token")) bodies.push(await request.clone().text());
    return fetch(request);
  };
  const run = waiting.run(["login", "--continue", "--wait", "60"]);
  await waiting.waitFor(/Waiting up to 1 min/);
  waiting.task(async () => {
    // Once the CLI's poll is held by the server, the person approves.
    while (!waiting.requests.some((r) => r.includes("/auth/cli/token"))) {
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await waiting.decide(json.verification_uri_complete, "approve");
  });
  assertEquals(await run, 0, waiting.stderr);
  assertEquals(waiting.saved()!.keyOrigin, "minted");
  assert(bodies.length >= 2, "polled again after the approval");
  assert(bodies.every((body) => !body.includes("almyty_wait")), "never the long-poll");
  waiting.fetch = fetch;
});

Deno.test("--continue --wait that runs out keeps the pending login (exit 8); so does Ctrl-C; neither cancels", async () => {
  const { world, server, json } = await started();
  const cancels = (w: World) => w.requests.filter((r) => r.includes("/device/cancel"));
  const timed = next(world, server);
  assertEquals(await timed.run(["login", "--continue", "--wait", "1"]), EXIT.pending);
  assert(pendingFile(world.home), "kept after the wait ran out");
  assertEquals(cancels(timed), [], "the server is not told to cancel");

  const interrupted = next(timed, server);
  const run = interrupted.run(["login", "--continue", "--wait", "60"]);
  await interrupted.waitFor(/Waiting up to/);
  interrupted.interrupt();
  assertEquals(await run, EXIT.interrupted);
  assert(pendingFile(world.home), "kept after Ctrl-C");
  assertEquals(cancels(interrupted), [], "the server is not told to cancel");

  // Still approvable, and finished by the next --continue.
  await world.decide(json.verification_uri_complete, "approve");
  const last = next(interrupted, server);
  assertEquals(await last.run(["login", "--continue"]), 0, last.stderr);
});

Deno.test("separate --continue runs keep the server's interval: no slow_down, however fast they come", async () => {
  // 5 s: above the server's one-second tolerance, so a poll too early is told to slow down.
  const { world, server } = await started({ interval: 5 });
  let current = world;
  for (let i = 0; i < 4; i++) {
    current = next(current, server);
    assertEquals(await current.run(["login", "--continue"]), EXIT.pending, current.stderr);
  }
  assertEquals(pendingFile(world.home)!.interval, 5, "the server never had to slow us down");
});

Deno.test("slow_down is no answer: one check asks again after the longer interval (3 times at most), and the interval is kept for later runs", async () => {
  const world = new World();
  let polls = 0;
  const api = world.route((request) => {
    const path = new URL(request.url).pathname;
    if (path === "/.well-known/oauth-authorization-server") {
      return Response.json({
        issuer: api,
        authorization_endpoint: `${api}/cli-auth`,
        token_endpoint: `${api}/auth/cli/token`,
        device_authorization_endpoint: `${api}/auth/cli/device`,
      });
    }
    if (path === "/auth/cli/device") {
      return Response.json({
        device_code: "d".repeat(43),
        user_code: "BCDF-GHJK",
        verification_uri: `${api}/cli-auth`,
        verification_uri_complete: `${api}/cli-auth?code=BCDF-GHJK`,
        expires_in: 600,
        interval: 5,
      });
    }
    polls++;
    return Response.json({ error: OAUTH_ERROR.slowDown }, { status: 400 });
  });
  assertEquals(await world.run(["login", "--no-wait", "--api", api]), 0, world.stderr);
  assertMatch(world.stderr, /BCDF-GHJK/);
  const again = next(world, { url: api });
  assertEquals(await again.run(["login", "--continue"]), EXIT.pending);
  assertEquals(polls, 3);
  assertEquals(pendingFile(world.home)!.interval, 20, "5 s + 5 s for each slow_down, kept");
});

Deno.test("--continue never sits out a server's interval of more than a minute: one check comes within a minute, and slow_down stops there", async () => {
  const world = new World();
  const api = scriptedDeviceApi(world, () => oauthError(OAUTH_ERROR.authorizationPending), {
    device: { interval: 1e9, expires_in: 86_400 },
  });
  assertEquals(await world.run(["login", "--no-wait", "--json", "--api", api.url]), 0);
  assertEquals(JSON.parse(world.stdout).interval, 60, "what an agent is told to keep");
  assertEquals(await next(world).run(["login", "--continue"]), EXIT.pending, world.stderr);
  // A pending file an older version wrote keeps the server's word: still a minute at most.
  writePending({ fs: denoFs, home: world.home }, {
    ...readPending({ fs: denoFs, home: world.home }, "default")!,
    interval: 1e9,
  });
  const from = world.clock.now();
  assertEquals(await next(world).run(["login", "--continue"]), EXIT.pending, world.stderr);
  assertEquals(api.polls.length, 2);
  assert(world.clock.now() - from <= 60_000, `waited ${world.clock.now() - from} ms, silently`);
  // slow_down makes it longer, up to the minute.
  const slowed = new World();
  const slow = scriptedDeviceApi(slowed, () => oauthError(OAUTH_ERROR.slowDown), {
    device: { interval: 58 },
  });
  assertEquals(await slowed.run(["login", "--no-wait", "--api", slow.url]), 0);
  assertEquals(await next(slowed).run(["login", "--continue"]), EXIT.pending, slowed.stderr);
  assertEquals(pendingFile(slowed.home)!.interval, 60, "58 s + 5 s is a minute at most");
});

Deno.test("a crash between the token response and the save is finished by the next --continue", async () => {
  const { world, server, json } = await started();
  // What a --continue killed right after writing the token response leaves behind.
  const { grant } = await approvedNotSaved(world, server, json);
  const after = next(world, server);
  assertEquals(await after.run(["login", "--continue"]), 0, after.stderr);
  assertEquals(after.saved()!.token, grant.access_token);
  assertEquals(after.saved()!.keyId, grant.key_id);
  assertEquals(pendingFile(world.home), null);
  assertEquals(
    after.requests.filter((r) => r.includes("/auth/cli/token")),
    [],
    "saved from the file, not polled again (the code is spent)",
  );
});

Deno.test("a --continue stopped after its save, before it forgot the pending login (SIGTERM while the replaced key is revoked): --cancel and --no-wait --restart find it finished and never revoke the saved key", async () => {
  for (const argv of [["login", "--cancel"], ["login", "--no-wait", "--restart"]]) {
    const { world, server, json } = await started();
    const { grant } = await approvedNotSaved(world, server, json);
    const approved = Deno.readFileSync(pendingPath(world.home));
    const saving = next(world, server);
    assertEquals(await saving.run(["login", "--continue"]), 0, saving.stderr);
    // What it leaves when it is stopped after the save: the pending file still there.
    Deno.writeFileSync(pendingPath(world.home), approved, { mode: 0o600 });
    const saved = readBytes(credsPath(world.home));
    const after = next(world, server, { AI_AGENT: "test" });
    assertEquals(await after.run(argv), 0, after.stderr);
    // It said the key "had been approved but not saved" and revoked it: the saved login broken.
    assertEquals(liveKeys(server), [grant.key_id], `${argv.join(" ")}: the saved key is live`);
    assertEquals(readBytes(credsPath(world.home)), saved);
    assert(!/revoked|Replaced/.test(after.stderr), after.stderr);
    if (argv.includes("--cancel")) {
      assertMatch(after.stderr, /a --continue saved it[^\n]*so nothing was cancelled/);
      assertEquals(pendingFile(world.home), null);
    }
  }
});

/** The ids of alice's live keys at an in-process reference server. */
function liveKeys(server: { store: Store }): string[] {
  const alice = server.store.userByEmail("alice@example.com")!;
  return server.store.keysOf(alice).filter((key) => key.isActive).map((key) => key.id);
}

/** What a stopped `--continue` must leave: the approval and its live key, kept to be saved. */
function assertApprovalKept(world: World, server: { store: Store }) {
  const kept = pendingFile(world.home);
  const grant = kept?.grant as { access_token: string; key_id: string } | undefined;
  assert(grant, "the pending login keeps the token response");
  recordToken(grant.access_token);
  assertEquals(world.saved(), null, "nothing saved");
  assertEquals(
    world.requests.filter((r) => r.startsWith("DELETE ") || r.includes("/revoke")),
    [],
    "the approved key is not revoked",
  );
  assertEquals(liveKeys(server), [grant.key_id], "the approved key is live");
  assertMatch(
    world.stderr,
    /approved and is kept[^\n]*run almyty-auth login --continue to save it/,
  );
  return grant;
}

/** The next `--continue` saves the kept key, without polling again; one live key. */
async function assertNextContinueSaves(
  world: World,
  server: { store: Store },
  grant: { access_token: string; key_id: string },
) {
  const last = next(world, server);
  assertEquals(await last.run(["login", "--continue"]), 0, last.stderr);
  assertEquals(last.saved()!.token, grant.access_token);
  assertEquals(liveKeys(server), [grant.key_id]);
  assertEquals(pendingFile(world.home), null);
  assertEquals(last.requests.filter((r) => r.includes("/auth/cli/token")), [], "not polled again");
}

/** A `--continue` whose save waits for a lock another almyty-auth holds, until `stop`. */
async function stoppedAtTheLock(stop: "Ctrl-C" | "timeout") {
  const { world, server, json } = await started();
  await world.decide(json.verification_uri_complete, "approve");
  const waiting = next(world, server);
  // Another almyty-auth holds credentials.json's lock until this one stops waiting.
  waiting.locker = (path, options = {}) => {
    if (!path.endsWith("/.credentials.json.lock")) return denoLocker(path, options);
    options.onWait?.();
    if (stop !== "Ctrl-C") return Promise.reject(new LockTimeoutError(path, 60_000));
    return new Promise((_, reject) =>
      options.signal?.addEventListener("abort", () => reject(options.signal!.reason))
    );
  };
  const run = waiting.run(["login", "--continue", "--json"]);
  await waiting.waitFor(/Waiting for another almyty-auth to finish with \S+credentials\.json/);
  if (stop === "Ctrl-C") waiting.interrupt();
  assertEquals(await run, stop === "Ctrl-C" ? EXIT.interrupted : EXIT.error, waiting.stderr);
  if (stop !== "Ctrl-C") {
    assertMatch(waiting.stderr, /Another almyty-auth process is still working/);
  }
  const out = JSON.parse(waiting.stdout);
  assertEquals(out.status, "error");
  assertMatch(out.message, /approved and is kept/);
  const grant = assertApprovalKept(waiting, server);
  waiting.locker = denoLocker;
  await assertNextContinueSaves(waiting, server, grant);
}

Deno.test("--continue stopped while it waits for the login file's lock (Ctrl-C) keeps the approval and its key; the next --continue saves it", () =>
  stoppedAtTheLock("Ctrl-C"));

Deno.test("--continue stopped while it waits for the login file's lock (the lock's one-minute timeout) keeps the approval and its key; the next --continue saves it", () =>
  stoppedAtTheLock("timeout"));

Deno.test("--continue interrupted while it checks the new key (GET /auth/profile) keeps the approval; the next --continue saves it", async () => {
  let holdProfile = true;
  const { world, server, json } = await started({
    before: (request) => {
      if (holdProfile && new URL(request.url).pathname === "/auth/profile") {
        return new Promise(() => {}); // a server that does not answer, until Ctrl-C
      }
    },
  });
  await world.decide(json.verification_uri_complete, "approve");
  const checking = next(world, server);
  const run = checking.run(["login", "--continue"]);
  while (!checking.requests.some((r) => r.endsWith("/auth/profile"))) {
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  checking.interrupt();
  assertEquals(await run, EXIT.interrupted, checking.stderr);
  const grant = assertApprovalKept(checking, server);
  holdProfile = false;
  await assertNextContinueSaves(checking, server, grant);
});

Deno.test("Ctrl-C while the replaced key is revoked stops only that: the new login stays saved and live, the old key is named as still live", async () => {
  let holdDelete = false;
  const { world, server, json } = await started({
    before: (request) => {
      if (holdDelete && request.method === "DELETE") return new Promise(() => {});
    },
  });
  await world.decide(json.verification_uri_complete, "approve");
  const first = next(world, server);
  assertEquals(await first.run(["login", "--continue"]), 0, first.stderr);
  const old = first.saved()!;
  const again = next(first, server);
  assertEquals(await again.run(["login", "--no-wait", "--json", "--api", server.url]), 0);
  await world.decide(JSON.parse(again.stdout).verification_uri_complete, "approve");
  holdDelete = true;
  const replacing = next(again, server);
  const run = replacing.run(["login", "--continue"]);
  while (!replacing.requests.some((r) => r.startsWith("DELETE "))) {
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  replacing.interrupt();
  assertEquals(await run, 0, replacing.stderr);
  const saved = replacing.saved()!;
  assert(saved.token !== old.token);
  assertEquals(
    liveKeys(server).sort(),
    [old.keyId, saved.keyId].sort(),
    "the new key is not revoked",
  );
  assertMatch(
    replacing.stderr,
    new RegExp(
      `Interrupted before the key of the previous login \\(id ${old.keyId}\\) was revoked: it is still live\\.\\s+Revoke it at ${server.url}/settings/api-keys`,
    ),
  );
  assertEquals(pendingFile(world.home), null, "the login is finished");
});

Deno.test("--cancel: the server hears it, the page says so, the pending login is gone; safe to repeat", async () => {
  const { world, server, json } = await started();
  const cancel = next(world, server);
  assertEquals(await cancel.run(["login", "--cancel", "--json"]), 0, cancel.stderr);
  assertEquals(JSON.parse(cancel.stdout), {
    status: "cancelled",
    profile: "default",
    server: "cancelled",
  });
  assertMatch(cancel.stderr, /can no longer be approved/);
  assertEquals(cancel.requests.filter((r) => r.includes("/auth/cli/device/cancel")).length, 1);
  assertEquals(pendingFile(world.home), null);
  const cookie = await (await import("./helpers/world.ts")).signInCookie(world.fetch, server.url);
  const page = await (await world.fetch(json.verification_uri_complete, { headers: { cookie } }))
    .text();
  assertMatch(page, /cancelled in the terminal/);

  const again = next(cancel, server);
  assertEquals(await again.run(["login", "--cancel"]), 0);
  assertMatch(again.stderr, /nothing to cancel/);
  const after = next(again, server);
  assertEquals(await after.run(["login", "--continue"]), 1);
  assertMatch(after.stderr, /No login is waiting for approval/);
});

Deno.test("--continue of a login with nothing pending points at the login that has one (the --profile forgotten), not at a second code", async () => {
  const world = new World();
  const server = world.referenceServer({ deviceInterval: 1 });
  assertEquals(
    await world.run(["login", "--no-wait", "--profile", "ci", "--api", server.url]),
    0,
    world.stderr,
  );
  const forgot = next(world, server);
  assertEquals(await forgot.run(["login", "--continue", "--json"]), 1, forgot.stderr);
  assertEquals(JSON.parse(forgot.stdout), {
    status: "no_pending",
    message: "No login is waiting for approval, but one is for profile ci: finish it with " +
      "almyty-auth login --continue --profile ci (or start one here: almyty-auth login " +
      "--no-wait)",
    profile: "default",
    next_step: "almyty-auth login --continue --profile ci",
  });
  // The default one's first (ci's is pending too), from a profile with none.
  const other = next(forgot, server);
  assertEquals(await other.run(["login", "--no-wait", "--api", server.url]), 0, other.stderr);
  const wrong = next(other, server);
  assertEquals(await wrong.run(["login", "--continue", "--profile", "prod"]), 1);
  assertMatch(
    wrong.stderr,
    /^No login is waiting for approval for profile prod, but one is for the default login: finish it with almyty-auth login --continue --profile default \(or start one here: almyty-auth login --no-wait --profile prod\)\n$/,
  );
});

Deno.test("--cancel while a --continue got the approval but could not save it yet: the unsaved key is revoked, not left live", async () => {
  const world = new World();
  let minted: { apiKey: string; record: { id: string; isActive: boolean } } | undefined;
  const server = world.referenceServer({
    deviceInterval: 1,
    // While the cancel is on its way, a `--continue` gets the key and keeps it in the pending
    // file (its save failed for now, to be retried), as two_step.ts does.
    before: (request) => {
      if (new URL(request.url).pathname !== "/auth/cli/device/cancel" || minted) return;
      const alice = server.store.userByEmail("alice@example.com")!;
      minted = server.store.mintCliKey(alice, "test-host");
      const io = { fs: denoFs, home: world.home };
      const pending = readPending(io, "default")!;
      writePending(io, {
        ...pending,
        grant: {
          access_token: minted.apiKey,
          token_type: "Bearer",
          key_id: minted.record.id,
          email: "alice@example.com",
          organization: null,
        },
      });
    },
  });
  assertEquals(await world.run(["login", "--no-wait", "--json", "--api", server.url]), 0);
  const cancel = next(world, server);
  assertEquals(await cancel.run(["login", "--cancel"]), 0, cancel.stderr);
  recordToken(minted!.apiKey);
  assertEquals(pendingFile(world.home), null);
  assertEquals(minted!.record.isActive, false, "the key nobody will save is revoked");
});

/**
 * An approved login whose `--continue` is saving it (held at its key check, under the pending
 * login's lock) while a second almyty-auth on the same HOME runs `argv`; the check goes on once
 * that one asks for a lock. Returns both runs, ended.
 */
async function whileContinueSaves(argv: string[]) {
  let releaseProfile!: () => void;
  const profileHeld = new Promise<void>((resolve) => (releaseProfile = resolve));
  let held = false;
  const { world, server, json } = await started({
    // The --continue checks its new key (GET /auth/profile) under the pending login's lock.
    before: (request) => {
      if (held || new URL(request.url).pathname !== "/auth/profile") return;
      held = true;
      return profileHeld;
    },
  });
  await world.decide(json.verification_uri_complete, "approve");
  const saving = next(world, server);
  const continued = saving.run(["login", "--continue"]);
  while (!saving.requests.some((r) => r.endsWith("/auth/profile"))) {
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  // A second almyty-auth on the same HOME (an agent that gave up waiting, a person).
  const other = new World({}, world.home);
  other.route((request) => world.fetch(request), server.url);
  let wantLock!: () => void;
  const lockWanted = new Promise<void>((resolve) => (wantLock = resolve));
  other.locker = (path, options) => {
    wantLock();
    return denoLocker(path, options);
  };
  const running = other.run(argv);
  await lockWanted;
  releaseProfile();
  return {
    world,
    server,
    saving,
    other,
    codes: [await continued, await running],
  };
}

Deno.test("--cancel while a --continue saves the approval: the cancel waits, then says the login was finished meanwhile; the saved key is left live", async () => {
  const { world, server, saving, other: cancel, codes } = await whileContinueSaves([
    "login",
    "--cancel",
  ]);
  assertEquals(codes, [0, 0], `${saving.stderr}\n---\n${cancel.stderr}`);
  const saved = saving.saved()!;
  assertEquals(liveKeys(server), [saved.keyId], "the key just saved is live, not revoked");
  assertMatch(cancel.stderr, /Another almyty-auth finished the login at [^\n]* meanwhile/);
  assert(!/revoked/.test(cancel.stderr), cancel.stderr);
  assertEquals(pendingFile(world.home), null);
});

Deno.test("logout while a --continue saves the approval: the --continue finishes first, and what it saved is logged out too", async () => {
  const { world, server, saving, other: logout, codes } = await whileContinueSaves(["logout"]);
  assertEquals(codes, [0, 0], `${saving.stderr}\n---\n${logout.stderr}`);
  assertMatch(logout.stderr, /Logged out; removed/);
  assertEquals(readBytes(credsPath(world.home)), null, "logged out, not logged back in");
  assertEquals(liveKeys(server), [], "the key the --continue saved is revoked");
  assertEquals(pendingFile(world.home), null);
});

Deno.test("--cancel of a login approved but never saved (its --continue crashed) revokes the key it holds", async () => {
  const { world, server, json } = await started();
  const { grant } = await approvedNotSaved(world, server, json);
  const cancel = next(world, server);
  assertEquals(await cancel.run(["login", "--cancel"]), 0, cancel.stderr);
  assertMatch(cancel.stderr, /approved but not saved, so its new key was revoked/);
  assertEquals(liveKeys(server).includes(grant.key_id), false, "the key nobody will save");
  assertEquals(pendingFile(world.home), null);
});

Deno.test("--no-wait again shows the same code; --restart starts over and cancels the old code", async () => {
  const { world, server, json } = await started();
  const again = next(world, server);
  assertEquals(await again.run(["login", "--no-wait", "--json", "--api", server.url]), 0);
  assertEquals(JSON.parse(again.stdout), json);
  assertMatch(again.stderr, /already waiting for approval \(same code\)/);
  assertEquals(again.requests.filter((r) => r.includes("/auth/cli/device")), []);

  const restart = next(again, server);
  assertEquals(
    await restart.run(["login", "--no-wait", "--restart", "--json", "--api", server.url]),
    0,
  );
  const fresh = JSON.parse(restart.stdout);
  assert(fresh.user_code !== json.user_code);
  assertEquals(restart.requests.filter((r) => r.includes("/auth/cli/device/cancel")).length, 1);
  const old = await world.decide(json.verification_uri_complete, "approve").catch((e) => e);
  assert(!String(old?.text ?? old).includes("Device approved"), "the old code cannot be approved");
});

Deno.test("two --no-wait at once (two agents, one HOME): the later shows the login the other saved and cancels its own code", async () => {
  const world = new World();
  let other: { deviceCode: string; userCode: string; grant: DeviceGrant } | undefined;
  const server = world.referenceServer({
    deviceInterval: 1,
    // While this agent's device request is under way, another agent's `--no-wait` saves its own.
    before: (request) => {
      if (new URL(request.url).pathname !== "/auth/cli/device" || other) return;
      const { deviceCode, grant } = server.store.createDeviceGrant("other-agent");
      other = {
        deviceCode,
        userCode: grant.userCode.replace(/^(.{4})(.{4})$/, "$1-$2"),
        grant,
      };
      const now = world.clock.now();
      writePending({ fs: denoFs, home: world.home }, {
        version: 1,
        profile: "default",
        api: server.url,
        frontend: server.url,
        tokenEndpoint: `${server.url}/auth/cli/token`,
        deviceCancel: `${server.url}/auth/cli/device/cancel`,
        deviceCode,
        userCode: other.userCode,
        verificationUri: `${server.url}/cli-auth`,
        verificationUriComplete: `${server.url}/cli-auth?code=${other.userCode}`,
        createdAt: new Date(now).toISOString(),
        expiresAt: new Date(grant.expiresAt).toISOString(),
        interval: 1,
      });
    },
  });
  assertEquals(await world.run(["login", "--no-wait", "--json", "--api", server.url]), 0);
  // The person is shown the code that `--continue` will finish: the one saved.
  assertEquals(JSON.parse(world.stdout).user_code, other!.userCode);
  assertEquals(pendingFile(world.home)!.deviceCode, other!.deviceCode);
  // This agent's own code is cancelled: approving it can report no success nobody collects.
  const grants = [...server.store.devices.values()];
  assertEquals(grants.length, 2);
  assertEquals(grants.map((g) => g === other!.grant ? "saved" : g.status).sort(), [
    "cancelled",
    "saved",
  ]);
});

Deno.test("--no-wait again without --api (a new login: nothing chose an API) shows the pending login's code at its own API; --restart starts over there", async () => {
  const { world, server, json } = await started();
  const again = next(world, server);
  assertEquals(await again.run(["login", "--no-wait", "--json"]), 0, again.stderr);
  assertEquals(JSON.parse(again.stdout), json);
  assertMatch(again.stderr, /already waiting for approval \(same code\)/);
  assertEquals(again.requests.filter((r) => !r.includes(server.url)), [], "nothing sent elsewhere");

  const restart = next(again, server);
  assertEquals(await restart.run(["login", "--no-wait", "--restart", "--json"]), 0);
  const fresh = JSON.parse(restart.stdout);
  assert(fresh.user_code !== json.user_code);
  assertEquals(fresh.api, server.url);
  assertEquals(restart.requests.filter((r) => !r.includes(server.url)), []);
});

Deno.test("what a person reads: no parentheses inside parentheses; an agent told to show a code only when there is one", async () => {
  const { world, server } = await started();
  const before = next(world, server);
  assertEquals(await before.run(["login", "--continue"]), EXIT.pending);
  for (const text of [world.stderr, before.stderr]) {
    assertMatch(text, /expires in 10 min, at \d\d:\d\d UTC/);
    assert(!/\([^()]*\(/.test(text), `nested parentheses:\n${text}`);
  }
  // Against a server without the device flow, an agent is not told to show a URL and code it never gets.
  const agent = new World({ CLAUDECODE: "1" });
  const legacy = agent.referenceServer({ legacy: true });
  assertEquals(await agent.run(["login", "--api", legacy.url]), 1);
  assert(!/show the person the URL and code below/.test(agent.stderr), agent.stderr);
  assertMatch(agent.stderr, /no headless login/);
});

Deno.test("--continue uses the API the login started with, never ALMYTY_URL; --api that differs is refused", async () => {
  const { world, server, json } = await started();
  await world.decide(json.verification_uri_complete, "approve");
  const elsewhere = world.route(() => new Response("should not be asked", { status: 500 }));
  const mismatched = next(world, server, { ALMYTY_URL: elsewhere });
  assertEquals(await mismatched.run(["login", "--continue", "--api", elsewhere]), EXIT.usage);
  assertMatch(mismatched.stderr, new RegExp(`pending login is for ${server.url}`));
  assertMatch(mismatched.stderr, new RegExp(`login --no-wait --restart --api ${elsewhere}$`, "m"));
  const after = next(mismatched, server, { ALMYTY_URL: elsewhere });
  assertEquals(await after.run(["login", "--continue"]), 0, after.stderr);
  assertEquals(after.saved()!.url, server.url);
  assertEquals(after.requests.filter((r) => r.includes(elsewhere)), []);

  // The same API written another way is the same API.
  const again = await started({ home: world.home });
  await again.world.decide(again.json.verification_uri_complete, "approve");
  const same = next(again.world);
  assertEquals(
    await same.run(["login", "--continue", "--api", `${again.server.url}/`]),
    0,
    same.stderr,
  );
});

Deno.test("a server without the device flow (production today): 'unsupported', nothing written", async () => {
  const { home, path, bytes } = homeWithFile();
  const world = new World({}, home);
  const server = world.referenceServer({ legacy: true });
  assertEquals(await world.run(["login", "--no-wait", "--json", "--api", server.url]), 1);
  const out = JSON.parse(world.stdout);
  assertEquals(out.status, "unsupported");
  assertEquals(out.api_keys_page, `${server.url}/settings/api-keys`);
  assertMatch(out.next_step, /login --with-token --api/);
  assertMatch(world.stderr, /no headless login[\s\S]*settings\/api-keys/);
  assertEquals(readBytes(path), bytes);
  let entries: string[] = [];
  try {
    entries = [...Deno.readDirSync(`${home}/.almyty/pending`)].map((e) => e.name);
  } catch { /* absent: nothing written */ }
  assertEquals(entries, []);
});

/**
 * Runs a command that must not wait for a person: if it is still running
 * after 10 s it is interrupted and the test fails (it never hangs the suite).
 */
async function returnsAtOnce(world: World, argv: string[]): Promise<number> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let waited = false;
  const bound = new Promise<void>((resolve) =>
    timer = setTimeout(() => {
      waited = true;
      world.interrupt();
      resolve();
    }, 10_000)
  );
  const run = world.run(argv);
  await Promise.race([run, bound]);
  clearTimeout(timer);
  const code = await run;
  assert(!waited, `${argv.join(" ")} waited instead of returning at once:\n${world.stderr}`);
  return code;
}

Deno.test("agents: plain login without a terminal acts as --no-wait and says why; a terminal or --wait-for-approval waits", async () => {
  for (
    const variable of [
      "AI_AGENT",
      "CLAUDECODE",
      "CLAUDE_CODE",
      "CURSOR_AGENT",
      "CURSOR_TRACE_ID",
      "CODEX_SANDBOX",
      "GEMINI_CLI",
      "REPL_ID",
    ]
  ) {
    const world = new World({ [variable]: "1" });
    const server = world.referenceServer({ deviceInterval: 1 });
    assertEquals(await returnsAtOnce(world, ["login", "--api", server.url]), 0, world.stderr);
    assertMatch(world.stderr, new RegExp(`${variable} is set[\\s\\S]*--wait-for-approval`));
    assertMatch(world.stderr, /login --continue/);
    assertEquals(world.stdout, "", "human text only, on stderr");
    assert(pendingFile(world.home), variable);
  }
  // With --json, the agent gets the object.
  const json = new World({ CLAUDECODE: "1" });
  const server = json.referenceServer();
  assertEquals(await json.run(["login", "--json", "--api", server.url]), 0);
  assertEquals(JSON.parse(json.stdout).status, "pending");

  // A terminal on stdin: a person is there, the login waits (here until its --timeout).
  for (
    const [setup, argv] of [
      [(w: World) => (w.stdinIsTerminal = true), ["login", "--timeout", "1"]],
      [() => {}, ["login", "--wait-for-approval", "--timeout", "1"]],
    ] as const
  ) {
    const world = new World({ CLAUDECODE: "1" });
    setup(world);
    const server = world.referenceServer();
    assertEquals(await world.run([...argv, "--api", server.url]), 1);
    assertMatch(world.stderr, /Waiting for approval/);
    assertEquals(pendingFile(world.home), null, argv.join(" "));
  }
  // No agent: a plain login waits, and --json alone is a usage error.
  const plain = new World();
  assertEquals(await plain.run(["login", "--json"]), EXIT.usage);
  assertMatch(plain.stderr, /--json goes with --no-wait, --continue or --cancel/);
});

Deno.test("two-step usage errors name the conflict (exit 2) and change nothing", async () => {
  const cases: [string[], RegExp][] = [
    [["--no-wait", "--continue"], /one of --no-wait and --continue/],
    [["--continue", "--cancel"], /one of --continue and --cancel/],
    [
      ["--continue", "--timeout", "5"],
      /--timeout does not go with --continue \(--continue waits with --wait/,
    ],
    [["--no-wait", "--wait", "5"], /--wait does not go with --no-wait/],
    [["--wait", "5"], /--wait goes with --continue/],
    [["--restart"], /--restart goes with --no-wait/],
    [["--continue", "--wait", "-1"], /--wait takes a number of seconds from 0/],
    [["--continue", "--wait", "abc"], /--wait takes a number of seconds/],
    [["--no-wait", "--with-token"], /--with-token does not go with --no-wait/],
    [["--cancel", "--api", "http://127.0.0.1:9"], /--api does not go with --cancel/],
    [
      ["--cancel", "--api", "http://127.0.0.1:9"],
      /--api does not go with --cancel \(--cancel acts on the pending login where it was started\): run it without --api\./,
    ],
    [["--continue", "--frontend", "http://127.0.0.1:9"], /--frontend does not go with --continue/],
    [
      ["--continue", "--frontend", "http://127.0.0.1:9"],
      /--frontend does not go with --continue \(--continue acts on the pending login where it was started\): run it without --frontend\./,
    ],
    [
      ["--no-wait", "--with-token"],
      /--with-token does not go with --no-wait: run it without --with-token\./,
    ],
    [["--with-token", "--wait-for-approval"], /--wait-for-approval does not go with a token login/],
  ];
  for (const [argv, message] of cases) {
    const { home, path, bytes } = homeWithFile();
    const world = new World({}, home);
    assertEquals(await world.run(["login", ...argv]), EXIT.usage, argv.join(" "));
    assertMatch(world.stderr, message);
    assertEquals(readBytes(path), bytes);
    assertEquals(world.requests, [], argv.join(" "));
  }
});

Deno.test("--no-wait on a terminal too short for the QR code says --qr shows it anyway, and --no-wait --qr does (it was refused: '--qr does not go with --no-wait')", async () => {
  const world = new World();
  const server = world.referenceServer({ deviceInterval: 1 });
  world.terminal = true;
  world.columns = 100; // 24 rows: too few for the QR code and the instructions
  assertEquals(await world.run(["login", "--no-wait", "--api", server.url]), 0, world.stderr);
  assertMatch(world.stderr, /A QR code of the URL needs a larger terminal; --qr shows it anyway/);
  assert(!world.stderr.includes("█"), "no QR code");
  const forced = world.again();
  assertEquals(
    await forced.run(["login", "--no-wait", "--qr", "--restart", "--api", server.url]),
    0,
    forced.stderr,
  );
  assert(forced.stderr.includes("█"), forced.stderr);
  assert(!/larger terminal/.test(forced.stderr), forced.stderr);
  assertMatch(forced.stderr, /almyty-auth login --continue/);
});

/** A working folder whose `.almyty-profile` was never trusted. */
function untrustedFolder(world: World): void {
  world.cwd = `${world.home}/repo`;
  Deno.mkdirSync(world.cwd);
  Deno.writeTextFileSync(`${world.cwd}/.almyty-profile`, '{"profile": "staging"}');
}

Deno.test("--json: a failure before the two-step run starts is one object on stdout too (an untrusted .almyty-profile, a bad --wait or --api, ~/.almyty a file), its message on stderr", async () => {
  const cases: [string, string[], (world: World) => void, number, string | null, RegExp][] = [
    [
      "untrusted folder",
      ["--no-wait"],
      untrustedFolder,
      EXIT.auth,
      null,
      /you have not trusted this file/,
    ],
    [
      "untrusted folder",
      ["--continue"],
      untrustedFolder,
      EXIT.auth,
      null,
      /you have not trusted this file/,
    ],
    [
      "not a name",
      ["--cancel", "--profile", "Staging"],
      () => {},
      EXIT.usage,
      null,
      /not a profile name/,
    ],
    [
      "bad --wait",
      ["--continue", "--wait", "abc", "--profile", "ci"],
      () => {},
      EXIT.usage,
      "ci",
      /--wait takes a number/,
    ],
    [
      "http --api",
      ["--no-wait", "--api", "http://api.example.com"],
      () => {},
      EXIT.usage,
      "default",
      /http is refused/,
    ],
    [
      "~/.almyty a file",
      ["--no-wait", "--api", "http://127.0.0.1:9"],
      (world) => {
        Deno.writeTextFileSync(`${world.home}/.almyty`, "");
      },
      EXIT.error,
      "default",
      /\.almyty/,
    ],
  ];
  for (const [label, argv, make, exit, profile, message] of cases) {
    const world = new World();
    make(world);
    const what = `${label}: ${argv.join(" ")}`;
    assertEquals(await world.run(["login", ...argv, "--json"]), exit, what);
    assertMatch(world.stderr, message, what);
    const out = JSON.parse(world.stdout);
    assertEquals(
      { status: out.status, exit_code: out.exit_code, profile: out.profile },
      { status: "error", exit_code: exit, profile },
      what,
    );
    assertMatch(out.message, message, what);
    assertEquals(world.requests, [], what);
  }
});

Deno.test("the pending file is trusted like the credentials: a symlink, a newer version and garbage are refused", async () => {
  const { world, server } = await started();
  const path = pendingPath(world.home);
  const text = Deno.readTextFileSync(path);

  Deno.renameSync(path, `${path}.real`);
  Deno.symlinkSync(`${path}.real`, path);
  const linked = next(world, server);
  assertEquals(await linked.run(["login", "--continue"]), 1);
  assertMatch(linked.stderr, /is a symbolic link/);
  assertEquals(linked.requests, [], "refused before any request");
  Deno.removeSync(path);

  // Another user's file, and a pending folder others can write: refused before any request.
  Deno.writeTextFileSync(path, text, { mode: 0o600 });
  Deno.chownSync(path, 4242, 4242);
  const foreign = next(world, server);
  assertEquals(await foreign.run(["login", "--continue"]), 1);
  assertMatch(foreign.stderr, /belongs to another user \(uid 4242/);
  assertEquals(foreign.requests, []);
  Deno.chownSync(path, 0, 0);
  Deno.chmodSync(`${world.home}/.almyty/pending`, 0o770);
  const shared = next(world, server);
  assertEquals(await shared.run(["login", "--continue"]), 1);
  assertMatch(shared.stderr, /pending is writable by other users \(mode 770\)/);
  assertEquals(shared.requests, []);
  Deno.chmodSync(`${world.home}/.almyty/pending`, 0o700);

  Deno.writeTextFileSync(path, JSON.stringify({ ...JSON.parse(text), version: 2 }), {
    mode: 0o600,
  });
  const newer = next(world, server);
  assertEquals(await newer.run(["login", "--continue"]), 1);
  assertMatch(newer.stderr, /written by a newer almyty-auth/);

  Deno.writeTextFileSync(path, "{not json", { mode: 0o600 });
  const garbage = next(world, server);
  assertEquals(await garbage.run(["login", "--continue", "--json"]), 1);
  assertEquals(JSON.parse(garbage.stdout).status, "error");
  assertMatch(garbage.stderr, /login --cancel/);
  // --cancel clears what cannot be read.
  const cleared = next(world, server);
  assertEquals(await cleared.run(["login", "--cancel"]), 0, cleared.stderr);
  assertEquals(readBytes(path), null);

  Deno.chmodSync(`${world.home}/.almyty`, 0o777);
  const open = next(world, server);
  assertEquals(await open.run(["login", "--no-wait", "--api", server.url]), 1);
  assertMatch(open.stderr, /writable by other users/);
  assertEquals(readBytes(path), null);
  assertEquals(readBytes(credsPath(world.home)), null);
});

Deno.test("whoami and status with nothing pending look once at the pending file's path and nowhere else under pending/; something there is still read and refused", async () => {
  const world = new World();
  const server = world.referenceServer();
  world.stdinText = await mintedKey(world, server.url);
  assertEquals(await world.run(["login", "--with-token", "--api", server.url]), 0, world.stderr);
  const pendingDir = `${world.home}/.almyty/pending`;
  const seen: string[] = [];
  const spy = <A extends unknown[], R>(name: string, op: (...args: A) => R) => (...args: A): R => {
    if (String(args[0]).startsWith(pendingDir)) seen.push(`${name} ${args[0]}`);
    return op(...args);
  };
  world.fs = {
    ...denoFs,
    cwd: () => world.cwd,
    exists: spy("exists", denoFs.exists),
    lstat: spy("lstat", denoFs.lstat),
    stat: spy("stat", denoFs.stat),
    readFile: spy("readFile", denoFs.readFile),
  };
  for (const argv of [["whoami"], ["status", "--offline"]]) {
    seen.length = 0;
    const run = next(world, server);
    assertEquals(await run.run(argv), 0, run.stderr);
    assertEquals(seen, [`lstat ${pendingDir}/default.json`], argv[0]);
    assert(!/Pending/.test(run.stdout), run.stdout);
  }
  // A symlink there (even a dangling one) still goes to the reader, which refuses it and says so.
  Deno.mkdirSync(pendingDir, { mode: 0o700 });
  Deno.symlinkSync(`${world.home}/nowhere.json`, `${pendingDir}/default.json`);
  const linked = next(world, server);
  assertEquals(await linked.run(["whoami"]), 0, linked.stderr);
  assertMatch(linked.stdout, /Pending: .*default\.json is a symbolic link/);
});

Deno.test("logout forgets the default login's pending login and cancels its code", async () => {
  const { world, server, json } = await started();
  const logout = next(world, server);
  assertEquals(await logout.run(["logout"]), 0, logout.stderr);
  assertMatch(logout.stderr, /cancelled the login that was waiting for approval/);
  assertEquals(pendingFile(world.home), null);
  assertEquals(logout.requests.filter((r) => r.includes("/auth/cli/device/cancel")).length, 1);
  const cookie = await (await import("./helpers/world.ts")).signInCookie(world.fetch, server.url);
  const page = await (await world.fetch(json.verification_uri_complete, { headers: { cookie } }))
    .text();
  assertMatch(page, /cancelled in the terminal/);
});

/** A world with the reference server and a `--no-wait --json` login started for profile ci only. */
async function startedForCi() {
  const world = new World();
  const server = world.referenceServer({ deviceInterval: 1 });
  assertEquals(
    await world.run(["login", "--no-wait", "--json", "--profile", "ci", "--api", server.url]),
    0,
    world.stderr,
  );
  return { world, server, json: JSON.parse(world.stdout) };
}

Deno.test("logout --all forgets the pending login of a profile never saved (it said 'Not logged in' and the code stayed approvable)", async () => {
  const { world, server, json } = await startedForCi();
  assert(pendingFile(world.home, "ci"));
  const logout = next(world, server);
  assertEquals(await logout.run(["logout", "--all"]), 0, logout.stderr);
  assertMatch(logout.stderr, /cancelled the login that was waiting for approval/);
  assertEquals(pendingFile(world.home, "ci"), null);
  assertEquals(logout.requests.filter((r) => r.includes("/auth/cli/device/cancel")).length, 1);
  // Approved afterwards, it logs nobody back in.
  await world.decide(json.verification_uri_complete, "approve").catch(() => {});
  const later = next(world, server);
  assertEquals(await later.run(["login", "--continue", "--profile", "ci"]), 1, later.stderr);
  assertEquals(readBytes(`${world.home}/.almyty/profiles/ci.json`), null);
});

/** A two-step login approved but not saved, whose server can no longer revoke its key. */
async function approvedUnsavedUnrevocable() {
  let failRevoke = false;
  const { world, server, json } = await started({
    before: (request) => {
      if (failRevoke && request.method === "DELETE") throw new TypeError("connection reset");
    },
  });
  const { grant } = await approvedNotSaved(world, server, json);
  failRevoke = true;
  return { world, server, grant };
}

Deno.test("logout of an approved, unsaved two-step login whose key cannot be revoked names the live key and where to revoke it (it said 'cancelled' and forgot it)", async () => {
  const { world, server, grant } = await approvedUnsavedUnrevocable();
  const logout = next(world, server);
  assertEquals(await logout.run(["logout"]), 0, logout.stderr);
  assertEquals(pendingFile(world.home), null);
  assertEquals(liveKeys(server), [grant.key_id], "the server still has the key");
  assertMatch(
    logout.stderr,
    new RegExp(
      `Logging out: forgot the login that was waiting for approval at ${server.url}\\. ` +
        `Its key could not be revoked: revoke it at ${server.url}/settings/api-keys`,
    ),
  );
  assert(!/cancelled/.test(logout.stderr), logout.stderr);
  // When the revocation works, logout says that instead.
  const again = await started();
  const approved = await approvedNotSaved(again.world, again.server, again.json);
  const out = next(again.world, again.server);
  assertEquals(await out.run(["logout"]), 0, out.stderr);
  assertMatch(out.stderr, /Logging out: cancelled the login at .*its new key was revoked/);
  assertEquals(liveKeys(again.server).includes(approved.grant.key_id), false);
});

Deno.test("login --cancel with nothing pending for its login, while another login has one (--profile forgotten), names that one and its --cancel: it said only 'nothing to cancel' and the code stayed approvable", async () => {
  const { world, server } = await startedForCi();
  const cancel = next(world, server);
  assertEquals(await cancel.run(["login", "--cancel"]), 0, cancel.stderr);
  assertMatch(
    cancel.stderr,
    /No login is waiting for approval; nothing to cancel\. One is for profile ci: to cancel it, run almyty-auth login --cancel --profile ci/,
  );
  assert(pendingFile(world.home, "ci"), "another login's pending login is not cancelled");
  const json = next(world, server);
  assertEquals(await json.run(["login", "--cancel", "--json"]), 0, json.stderr);
  assertEquals(JSON.parse(json.stdout), {
    status: "no_pending",
    profile: "default",
    next_step: "almyty-auth login --cancel --profile ci",
  });
  // Nothing pending anywhere: no pointer.
  const done = next(world, server);
  assertEquals(await done.run(["login", "--cancel", "--profile", "ci"]), 0, done.stderr);
  const none = next(world, server);
  assertEquals(await none.run(["login", "--cancel", "--json"]), 0, none.stderr);
  assertEquals(JSON.parse(none.stdout), { status: "no_pending", profile: "default" });
});

Deno.test("every agent variable is one the binary may read", async () => {
  const { detectAgent } = await import("../src/cli/agent.ts");
  const { AGENT_VARIABLES, ENV_VARS } = await import("../src/permissions.ts");
  for (const name of AGENT_VARIABLES) {
    assert((ENV_VARS as readonly string[]).includes(name), `${name} is not in ENV_VARS`);
    assertEquals(detectAgent({ [name]: "1" }), name);
    assertEquals(detectAgent({ [name]: "0" }), null);
    assertEquals(detectAgent({ [name]: "false" }), null);
    assertEquals(detectAgent({ [name]: "" }), null);
  }
  assertEquals(detectAgent({ AI_AGENT: "claude-code/1.0" }), "AI_AGENT");
});

Deno.test("profiles: a pending login per login; --continue --profile saves to that profile only; logout and --cancel touch only their own", async () => {
  const world = new World();
  const production = world.referenceServer({ deviceInterval: 1 });
  const staging = world.referenceServer({ deviceInterval: 1 });
  assertEquals(await world.run(["login", "--no-wait", "--json", "--api", production.url]), 0);
  const main = JSON.parse(world.stdout);
  world.again();
  assertEquals(
    await world.run(["login", "--no-wait", "--json", "--profile", "staging", "--api", staging.url]),
    0,
    world.stderr,
  );
  const named = JSON.parse(world.stdout);
  assertEquals(named.profile, "staging");
  assertEquals(named.next_step, "almyty-auth login --continue --profile staging");
  assertMatch(world.stderr, /login --continue --profile staging/);
  assert(named.user_code !== main.user_code);
  assertEquals(pendingFile(world.home, "staging")!.api, staging.url);
  assertEquals(pendingFile(world.home)!.api, production.url, "the default's pending login is kept");

  await world.decide(named.verification_uri_complete, "approve");
  const done = next(world);
  assertEquals(await done.run(["login", "--continue", "--json", "--profile", "staging"]), 0);
  assertEquals(JSON.parse(done.stdout).profile, "staging");
  const saved = JSON.parse(Deno.readTextFileSync(`${world.home}/.almyty/profiles/staging.json`));
  assertEquals([saved.url, saved.keyOrigin], [staging.url, "minted"]);
  assertEquals(world.saved(), null, "the default login is untouched");
  assertEquals(pendingFile(world.home, "staging"), null);

  // ALMYTY_PROFILE selects the pending login too.
  const selected = next(world, undefined, { ALMYTY_PROFILE: "staging" });
  assertEquals(await selected.run(["login", "--continue", "--json"]), 1);
  assertEquals(JSON.parse(selected.stdout).status, "no_pending");
  delete world.env.ALMYTY_PROFILE;

  // The default's pending login is still there, and only its own logout forgets it.
  const other = next(world);
  assertEquals(await other.run(["logout", "--profile", "staging"]), 0, other.stderr);
  assert(pendingFile(world.home), "logout of staging leaves the default's pending login");
  const cancelNamed = next(world);
  assertEquals(await cancelNamed.run(["login", "--cancel", "--profile", "staging"]), 0);
  assertMatch(cancelNamed.stderr, /nothing to cancel/);
  assert(pendingFile(world.home), "--cancel --profile staging leaves the default's");
  const still = next(world);
  assertEquals(await still.run(["login", "--continue"]), EXIT.pending, still.stderr);

  // A name that is not a profile name never becomes a path.
  const bad = next(world);
  assertEquals(
    await bad.run(["login", "--no-wait", "--profile", "../evil", "--api", production.url]),
    2,
  );
  assertEquals(bad.requests, []);
});

Deno.test("--no-wait at another API retires the old pending login at its own API: an approved, unsaved key is revoked there, never sent to the new one", async () => {
  const { world, server, json } = await started();
  const { grant } = await approvedNotSaved(world, server, json);
  const other = world.referenceServer({ deviceInterval: 1 });
  const moved = next(world);
  assertEquals(await moved.run(["login", "--no-wait", "--api", other.url]), 0, moved.stderr);
  assertMatch(
    moved.stderr,
    new RegExp(`Replaced the login that was waiting for approval at ${server.url}`),
  );
  assertEquals(pendingFile(world.home)!.api, other.url);
  assertEquals(
    moved.requests.filter((r) => r.startsWith(`DELETE ${server.url}/auth/api-keys/`)).length,
    1,
    "revoked at its own API",
  );
  assertEquals(moved.requests.filter((r) => r.includes(`${other.url}/auth/api-keys`)), []);
  const check = await world.fetch(`${server.url}/auth/profile`, {
    headers: { authorization: `Bearer ${grant.access_token}` },
  });
  assertEquals(check.status, 401, "the key no login will save is dead");
  await check.body?.cancel();
});

Deno.test("--no-wait at another API that replaces an approved, unsaved login whose key cannot be revoked names the live key and where to revoke it (it was silent)", async () => {
  const { world, server, grant } = await approvedUnsavedUnrevocable();
  const other = world.referenceServer({ deviceInterval: 1 });
  const moved = next(world);
  assertEquals(await moved.run(["login", "--no-wait", "--api", other.url]), 0, moved.stderr);
  assertEquals(pendingFile(world.home)!.api, other.url);
  assertEquals(liveKeys(server), [grant.key_id], "the server still has the key");
  assertMatch(
    moved.stderr,
    new RegExp(
      `Replaced the login that was waiting for approval at ${server.url}\\. It had been ` +
        `approved but not saved, and its key could not be revoked: revoke it at ` +
        `${server.url}/settings/api-keys`,
    ),
  );
});

Deno.test("status and whoami name a two-step login waiting for the login they show, with the --continue that keeps --profile and --api (text and JSON)", async () => {
  const { world, server, json } = await started();
  const continueCommand = `almyty-auth login --continue --api ${server.url}`;
  // Nothing saved yet: not authenticated, and the pending login is the way in.
  const status = next(world, server);
  assertEquals(await status.run(["status"]), EXIT.auth);
  assertMatch(
    status.stdout,
    new RegExp(
      `Pending: +A login at ${server.url} is waiting for approval of code ${json.user_code} at ` +
        `\\S+ \\(the code expires in 10 min, at \\d\\d:\\d\\d UTC\\); once it is approved, ` +
        `finish it with ${continueCommand}\\n`,
    ),
  );
  const statusJson = next(world, server);
  assertEquals(await statusJson.run(["status", "--json"]), EXIT.auth);
  const report = JSON.parse(statusJson.stdout).pendingLogin;
  assertEquals(
    [report.state, report.api, report.userCode, report.expiresAt, report.nextStep],
    ["waiting", server.url, json.user_code, json.expires_at, continueCommand],
  );
  const whoami = next(world, server);
  assertEquals(await whoami.run(["whoami"]), EXIT.auth);
  assertMatch(
    whoami.stderr,
    new RegExp(`Not authenticated[\\s\\S]*finish it with ${continueCommand}`),
  );

  // Approved, then logged in: a new pending login for the same login shows beside it.
  await world.decide(json.verification_uri_complete, "approve");
  assertEquals(await next(world, server).run(["login", "--continue"]), 0);
  const again = next(world, server);
  assertEquals(await again.run(["login", "--no-wait", "--json", "--api", server.url]), 0);
  const second = JSON.parse(again.stdout);
  const shown = next(world, server);
  assertEquals(await shown.run(["whoami"]), 0, shown.stderr);
  assertMatch(shown.stdout, /^Logged in as alice@example\.com\n/);
  assertMatch(
    shown.stdout,
    new RegExp(`Pending: A login at .* code ${second.user_code} .*${continueCommand}\\n`),
  );
  const shownJson = next(world, server);
  assertEquals(await shownJson.run(["whoami", "--json"]), 0);
  assertEquals(JSON.parse(shownJson.stdout).pendingLogin.nextStep, continueCommand);

  // Approved but not saved (a --continue stopped while saving): --continue saves it.
  assert(pendingFile(world.home), "the second login is pending");
  writePending({ fs: denoFs, home: world.home }, {
    ...readPending({ fs: denoFs, home: world.home }, "default")!,
    grant: {
      access_token: "almyty_" + "k".repeat(40),
      token_type: "Bearer",
      key_id: "k1",
      email: "alice@example.com",
      organization: null,
    },
  });
  recordToken("almyty_" + "k".repeat(40));
  const approved = next(world, server);
  assertEquals(await approved.run(["status", "--offline"]), 0);
  assertMatch(
    approved.stdout,
    new RegExp(
      `Pending: +A login at ${server.url} was approved but is not saved yet: ${continueCommand} saves it\\.`,
    ),
  );

  // Only the login shown: a profile's pending login is named for that profile, not the default.
  const staged = next(world, server);
  assertEquals(
    await staged.run(["login", "--no-wait", "--profile", "staging", "--api", server.url]),
    0,
  );
  const named = next(world, server);
  assertEquals(await named.run(["whoami", "--profile", "staging"]), EXIT.auth);
  assertMatch(
    named.stderr,
    new RegExp(
      `Profile "staging" not found[\\s\\S]*finish it with almyty-auth login --continue --profile staging --api ${server.url}`,
    ),
  );
  const statusNamed = next(world, server, { ALMYTY_PROFILE: "staging" });
  assertEquals(await statusNamed.run(["status", "--json"]), EXIT.auth);
  assertEquals(
    JSON.parse(statusNamed.stdout).pendingLogin.nextStep,
    `almyty-auth login --continue --profile staging --api ${server.url}`,
  );
  delete world.env.ALMYTY_PROFILE;
  // Under ALMYTY_TOKEN no saved login is shown, so no pending one either.
  const env = next(world, server, {
    ALMYTY_TOKEN: "almyty_" + "e".repeat(40),
    ALMYTY_URL: server.url,
  });
  await env.run(["status", "--offline", "--json"]);
  assertEquals(JSON.parse(env.stdout).pendingLogin, null);
  delete world.env.ALMYTY_TOKEN;
  delete world.env.ALMYTY_URL;
});

Deno.test("the hint naming the default login's pending login works as pasted where ALMYTY_PROFILE chooses another (--profile default kept)", async () => {
  const world = new World();
  const server = world.referenceServer({ deviceInterval: 1 });
  assertEquals(await world.run(["login", "--no-wait", "--api", server.url]), 0, world.stderr);
  // A shell `env --profile prod` handed over, or an agent's ALMYTY_PROFILE: prod has none pending.
  const wrong = next(world, server, { ALMYTY_PROFILE: "prod" });
  assertEquals(await wrong.run(["login", "--continue", "--json"]), 1, wrong.stderr);
  const hint = JSON.parse(wrong.stdout).next_step as string;
  assertEquals(hint, "almyty-auth login --continue --profile default");
  const cancel = next(wrong, server);
  assertEquals(await cancel.run(["login", "--cancel"]), 0, cancel.stderr);
  assertMatch(cancel.stderr, /to cancel it, run almyty-auth login --cancel --profile default\n$/);
  // As pasted, in the same shell, it reaches the default login's pending one.
  const pasted = next(cancel, server);
  assertEquals(
    await pasted.run(hint.split(" ").slice(1).filter((w) => w !== "--continue").concat("--cancel")),
    0,
    pasted.stderr,
  );
  assertMatch(pasted.stderr, /Cancelled the login that was waiting for approval/);
  assertEquals(pendingFile(world.home), null);
});
