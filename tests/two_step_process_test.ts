/**
 * The two-step login as agents run it: real CLI processes (the binary's
 * permissions), the real reference server on 127.0.0.1, a pseudo-terminal
 * for agent detection. What each process waits for is observed, never slept on.
 */
import { holdLock } from "./helpers/locks.ts";
import { assert, assertEquals, assertMatch } from "./helpers/assert.ts";
import {
  CliProcess,
  credsPath,
  driveTerminal,
  homeWithFile,
  pendingPath,
  readBytes,
  runCli,
  tempHome,
} from "./helpers/cli.ts";
import { recordToken } from "./helpers/leaks.ts";
import { decide, liveKeyIds, withFaultyTokenEndpoint, withServer } from "./helpers/server.ts";

/** The pending file's device code (registered with the leak scan), or null. */
function deviceCode(home: string): string | null {
  try {
    const code = JSON.parse(Deno.readTextFileSync(pendingPath(home))).deviceCode as string;
    recordToken(code);
    return code;
  } catch {
    return null;
  }
}

/** `login --no-wait --json` in a real process; its parsed JSON. */
async function noWait(url: string, home: string, env: Record<string, string> = {}) {
  const result = await runCli(["login", "--no-wait", "--json", "--api", url], { home, env });
  assertEquals(result.code, 0, result.stderr);
  const json = JSON.parse(result.stdout);
  const code = deviceCode(home)!;
  assert(
    !result.stdout.includes(code) && !result.stderr.includes(code),
    "the device code is never printed",
  );
  return json;
}

/** Alice approves (or denies) the code's page through the consent form. */
async function approve(
  url: string,
  json: { verification_uri_complete: string },
  decision: "approve" | "deny" = "approve",
) {
  const page = new URL(json.verification_uri_complete);
  const response = await decide(url, page.pathname + page.search, decision);
  await response.body?.cancel();
}

/** Waits until `condition` holds (checked every 10 ms), failing after 20 s instead of hanging. */
async function until(condition: () => boolean, what: string): Promise<void> {
  const give = Date.now() + 20_000;
  while (!condition()) {
    if (Date.now() > give) throw new Error(`not within 20 s: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

let tokenRequests = 0;
Deno.test({
  name:
    "process: --no-wait exits at once and never polls (a token endpoint that never answers changes nothing)",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () =>
    withServer({ deviceInterval: 1 }, (server) =>
      withFaultyTokenEndpoint(server.url, async () => {
        tokenRequests++;
        await new Promise(() => {}); // never answers
        return undefined;
      }, async (url) => {
        const home = tempHome();
        const json = await noWait(url, home);
        assertEquals(json.status, "pending");
        assertEquals(json.api, url);
        assertEquals(tokenRequests, 0);
        assertEquals(readBytes(credsPath(home)), null);
      })),
});

Deno.test("process: approve, then --continue → 0 with a minted key; before approval 8 with the same code; denial → 1", async () => {
  await withServer({ deviceInterval: 1 }, async (server) => {
    const home = tempHome();
    const json = await noWait(server.url, home);
    const early = await runCli(["login", "--continue", "--json"], { home });
    assertEquals(early.code, 8, early.stderr);
    assertEquals(JSON.parse(early.stdout).user_code, json.user_code);

    await approve(server.url, json);
    const done = await runCli(["login", "--continue", "--json"], { home });
    assertEquals(done.code, 0, done.stderr);
    assertEquals(JSON.parse(done.stdout).status, "approved");
    const saved = JSON.parse(Deno.readTextFileSync(credsPath(home)));
    assertEquals([saved.email, saved.keyOrigin], ["alice@example.com", "minted"]);
    assertEquals(Deno.statSync(credsPath(home)).mode! & 0o777, 0o600);
    assertEquals(deviceCode(home), null);

    const { home: denyHome, path, bytes } = homeWithFile();
    const denied = await noWait(server.url, denyHome);
    await approve(server.url, denied, "deny");
    const result = await runCli(["login", "--continue", "--json"], { home: denyHome });
    assertEquals(result.code, 1);
    assertEquals(JSON.parse(result.stdout).status, "denied");
    assertEquals(readBytes(path), bytes);
  });
});

Deno.test("process: a --continue SIGKILLed mid-wait keeps the pending login; the next --continue is approved", async () => {
  await withServer({ deviceInterval: 1 }, async (server) => {
    const home = tempHome();
    const json = await noWait(server.url, home);
    const waiter = new CliProcess(["login", "--continue", "--wait", "60"], { home });
    await waiter.waitFor(/Waiting up to 1 min/);
    // Killed after its first poll, while it waits for the next.
    const grant = server.store.deviceGrant(deviceCode(home)!)!;
    await until(() => grant.lastPollAt > 0, "the waiter's first poll");
    waiter.child.kill("SIGKILL");
    assertEquals((await waiter.done).code, 137);
    assert(deviceCode(home), "the pending login is kept");
    assertEquals(grant.status, "pending", "and the server was not told to cancel it");

    await approve(server.url, json);
    const next = await runCli(["login", "--continue", "--wait", "30"], { home });
    assertEquals(next.code, 0, next.stderr);
    assertEquals(JSON.parse(Deno.readTextFileSync(credsPath(home))).keyOrigin, "minted");
  });
});

Deno.test("process: two --continue at once: one saves, the other reports it; one key saved, one live key", async () => {
  await withServer({ deviceInterval: 1 }, async (server) => {
    const home = tempHome();
    const json = await noWait(server.url, home);
    const first = new CliProcess(["login", "--continue", "--wait", "60", "--json"], { home });
    const second = new CliProcess(["login", "--continue", "--wait", "60", "--json"], { home });
    await first.waitFor(/Waiting up to/);
    await second.waitFor(/Waiting up to/);
    const grant = server.store.deviceGrant(deviceCode(home)!)!;
    await until(() => grant.lastPollAt > 0, "a first poll");
    await approve(server.url, json);
    const results = await Promise.all([first.done, second.done]);
    for (const result of results) {
      assertEquals(result.code, 0, result.stderr);
      assertEquals(JSON.parse(result.stdout).status, "approved");
      assertEquals(JSON.parse(result.stdout).email, "alice@example.com");
    }
    const saves = results.filter((r) => /Credentials saved to/.test(r.stderr));
    assertEquals(saves.length, 1, "exactly one saved");
    const other = results.find((r) => !/Credentials saved to/.test(r.stderr))!;
    assertMatch(other.stderr, /another almyty-auth login --continue finished this login/);
    const saved = JSON.parse(Deno.readTextFileSync(credsPath(home)));
    assertEquals((await liveKeyIds(server.url, saved.token)).length, 1, "one live key");
    assertEquals(deviceCode(home), null);
  });
});

Deno.test("process: --cancel makes the code unapprovable and forgets it", async () => {
  await withServer({ deviceInterval: 1 }, async (server) => {
    const home = tempHome();
    await noWait(server.url, home);
    const code = deviceCode(home)!;
    const cancel = await runCli(["login", "--cancel"], { home });
    assertEquals(cancel.code, 0, cancel.stderr);
    assertMatch(cancel.stderr, /can no longer be approved/);
    assertEquals(deviceCode(home), null);
    const grant = server.store.deviceGrant(code);
    assert(grant?.status !== "pending", "the server heard the cancel");
  });
});

Deno.test("process: a production-like server (no discovery) → 'unsupported', nothing written", async () => {
  await withServer({ legacy: true }, async (server) => {
    const { home, path, bytes } = homeWithFile();
    const result = await runCli(["login", "--no-wait", "--json", "--api", server.url], { home });
    assertEquals(result.code, 1);
    assertEquals(JSON.parse(result.stdout).status, "unsupported");
    assertEquals(readBytes(path), bytes);
    assertEquals(readBytes(pendingPath(home)), null);
  });
});

Deno.test("process: agent detection: no terminal → --no-wait; on a terminal (pty) the login waits", async () => {
  await withServer({ deviceInterval: 1 }, async (server) => {
    const home = tempHome();
    const piped = await runCli(["login", "--api", server.url], { home, env: { CLAUDECODE: "1" } });
    assertEquals(piped.code, 0, piped.stderr);
    assertMatch(piped.stderr, /CLAUDECODE is set[\s\S]*login --continue/);
    assert(deviceCode(home), "a pending login");

    const tty = tempHome();
    // It waits (a person is at the terminal), until Ctrl-C.
    const run = await driveTerminal(
      ["login", "--api", server.url],
      tty,
      [[/Waiting for approval/, "\u0003"]],
      { CLAUDECODE: "1" },
    );
    assertEquals(run.code, 130, run.screen);
    assertMatch(run.screen, /Waiting for approval/);
    assert(!/CLAUDECODE is set/.test(run.screen));
    assertEquals(deviceCode(tty), null, "no pending login: it waited");
  });
});

Deno.test("process: a --continue polls only under the pending login's lock", async () => {
  await withServer({ deviceInterval: 1 }, async (server) => {
    const home = tempHome();
    await noWait(server.url, home);
    const grant = server.store.deviceGrant(deviceCode(home)!)!;
    const holder = await holdLock(pendingPath(home));
    const waiter = new CliProcess(["login", "--continue"], { home });
    await waiter.waitFor(/Waiting for another almyty-auth to finish with .*pending\/default\.json/);
    assertEquals(grant.lastPollAt, 0, "no poll while another process holds the lock");
    holder.kill("SIGKILL");
    await holder.status;
    const result = await waiter.done;
    assertEquals(result.code, 8, result.stderr);
    assert(grant.lastPollAt > 0, "polled once the lock was free");
  });
});
