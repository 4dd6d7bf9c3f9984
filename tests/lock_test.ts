/**
 * Logins of one HOME that run at the same time (issue 19.10): every save and
 * the revocation of the key it replaces run under a lock between processes
 * that the kernel releases when its holder dies. Real processes, a real
 * reference server; what each process waits for is observed, never slept on.
 */
import { holdLock } from "./helpers/locks.ts";
import { assert, assertEquals, assertMatch } from "./helpers/assert.ts";
import { CliProcess, credsPath, readBytes, runCli, tempHome } from "./helpers/cli.ts";
import { decide, liveKeyIds, mintKey, withFakeServer, withServer } from "./helpers/server.ts";
import { denoLocker, lockPathFor, LockTimeoutError } from "../src/platform/lock.ts";
import { writeProfile } from "../src/credentials/mod.ts";
import { scratchDir } from "./helpers/scratch.ts";

/** Fails (instead of hanging the suite) when `work` takes longer than `ms`. */
async function within<T>(ms: number, work: Promise<T>, what: string): Promise<T> {
  let timer!: ReturnType<typeof setTimeout>;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

Deno.test("lock: a second holder waits, is told it waits, and gets it on release; timeout and abort give up cleanly", async () => {
  const dir = scratchDir();
  const path = lockPathFor(`${dir}/credentials.json`);
  assertEquals(path, `${dir}/.credentials.json.lock`);
  const first = await denoLocker(path);
  let waited = false;
  const second = denoLocker(path, { noticeMs: 50, onWait: () => (waited = true) });
  const told = await within(
    10_000,
    (async () => {
      while (!waited) await new Promise((resolve) => setTimeout(resolve, 10));
    })(),
    "the wait notice",
  );
  assertEquals(told, undefined);
  first.release();
  first.release(); // twice is harmless
  const held = await within(10_000, second, "the second holder");
  // Held: a third gives up after its timeout, and an aborted wait rejects with the reason.
  const timedOut = await denoLocker(path, { timeoutMs: 50 }).catch((error) => error);
  assert(timedOut instanceof LockTimeoutError, String(timedOut));
  assertEquals(Deno.statSync(path).mode! & 0o777, 0o600);
  const abort = new AbortController();
  const aborted = denoLocker(path, { signal: abort.signal }).catch((error) => error);
  abort.abort(new Error("stop"));
  assertEquals((await aborted).message, "stop");
  held.release();
  // The lock the given-up waiters would have been granted is not kept.
  (await within(10_000, denoLocker(path), "a fresh holder")).release();
});

Deno.test("lock: a login whose lock another process holds waits, says so, and saves once the holder is killed (SIGKILL)", async () => {
  await withServer({}, async (server) => {
    const { apiKey } = await mintKey(server.url);
    const home = tempHome();
    Deno.mkdirSync(`${home}/.almyty`, { mode: 0o700 });
    const holder = await holdLock(credsPath(home));
    const cli = new CliProcess(["login", "--with-token", "--api", server.url], {
      home,
      stdin: apiKey,
    });
    await within(
      30_000,
      cli.waitFor(/Waiting for another almyty-auth to finish with \S+credentials\.json/),
      "the wait notice",
    );
    assertEquals(
      Deno.statSync(credsPath(home).replace(/credentials\.json$/, "")).isDirectory,
      true,
    );
    let written = true;
    try {
      Deno.statSync(credsPath(home));
    } catch {
      written = false;
    }
    assertEquals(written, false, "nothing is saved while another process holds the lock");
    holder.kill("SIGKILL"); // the kernel releases a dead holder's lock
    await holder.status;
    const result = await within(30_000, cli.done, "the login after the holder died");
    assertEquals(result.code, 0, result.stderr);
    assertEquals(JSON.parse(Deno.readTextFileSync(credsPath(home))).token, apiKey);
  });
});

for (const profile of ["default", "staging"]) {
  Deno.test(`19.10: two concurrent minted logins of one HOME (${profile}): the second saves after the first's revocation, revokes the key the first saved, one file, one live key`, async () => {
    await concurrentMintedLogins(profile);
  });
}

/** Two logins of the login `profile` approved one after the other while both run. */
async function concurrentMintedLogins(profile: string) {
  const flag = profile === "default" ? [] : ["--profile", profile];
  const fileOf = (home: string) =>
    profile === "default" ? credsPath(home) : `${home}/.almyty/profiles/${profile}.json`;
  await withServer({ deviceInterval: 1 }, async (server) => {
    // The revocations pass a gate the test opens, so the first login is held
    // inside its save-and-revoke while the second is ready to save.
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const deletes: string[] = [];
    let secondDelete!: () => void;
    const twoDeletes = new Promise<void>((resolve) => (secondDelete = resolve));
    await withFakeServer(async (request) => {
      const url = new URL(request.url);
      if (request.method === "DELETE") {
        deletes.push(url.pathname);
        if (deletes.length === 2) secondDelete();
        await gate;
      }
      const headers = new Headers(request.headers);
      headers.delete("host");
      const response = await fetch(server.url + url.pathname + url.search, {
        method: request.method,
        headers,
        body: request.body,
        redirect: "manual",
      });
      const text = await response.text();
      return new Response(text.replaceAll(server.url, url.origin), {
        status: response.status,
        headers: response.headers,
      });
    }, (api) => concurrentLogins(api).finally(open));

    async function concurrentLogins(api: string) {
      const home = tempHome();
      const previous = await mintKey(server.url);
      writeProfile(profile, {
        url: api,
        token: previous.apiKey,
        keyId: previous.keyId,
        keyOrigin: "minted",
      }, { home });
      // Both start (and read the saved login) before either is approved.
      const start = async () => {
        const cli = new CliProcess(["login", "--no-browser", "--api", api, ...flag], { home });
        const [, code] = await within(30_000, cli.waitFor(/^\s+([B-Z]{4}-[B-Z]{4})$/m), "a code");
        await cli.waitFor(/Waiting for approval/);
        return { cli, code };
      };
      const approve = async (code: string) =>
        await (await decide(server.url, `/cli-auth?code=${code}`, "approve")).body?.cancel();
      const [one, two] = [await start(), await start()];
      const [first, second] = [one.cli, two.cli];
      await approve(one.code);
      await within(30_000, first.waitFor(/Credentials saved/), "the first save");
      const { token: firstKey, keyId: firstKeyId } = JSON.parse(
        Deno.readTextFileSync(fileOf(home)),
      );
      await approve(two.code);
      // The second waits for the lock; without it, it would save and revoke at once.
      const waited = await within(
        30_000,
        Promise.race([
          second.waitFor(/Waiting for another almyty-auth to finish with/).then(() => true),
          twoDeletes.then(() => false),
        ]),
        "the second login waiting for the lock",
      );
      assert(waited, "the second login revoked a key while the first held the lock");
      assertEquals(
        JSON.parse(Deno.readTextFileSync(fileOf(home))).token,
        firstKey,
        "the second login does not save while the first is revoking",
      );
      open();
      const [a, b] = await within(30_000, Promise.all([first.done, second.done]), "both logins");
      assertEquals([a.code, b.code], [0, 0], a.stderr + b.stderr);
      assertMatch(
        b.stderr,
        /(Revoked|already revoked) the key of the previous login|key of the previous login was already revoked/,
      );
      const saved = JSON.parse(Deno.readTextFileSync(fileOf(home)));
      assert(saved.token !== firstKey);
      // Re-read under the lock: the second revoked the key the first saved, not the original again.
      assertEquals(deletes, [
        `/auth/api-keys/${previous.keyId}`,
        `/auth/api-keys/${firstKeyId}`,
      ]);
      assertEquals(await liveKeyIds(server.url, saved.token), [saved.keyId]);
      assertEquals((await runCli(["whoami", ...flag], { home })).code, 0);
      // One login file: nothing else was written beside it.
      if (profile !== "default") assertEquals(readBytes(credsPath(home)), null);
    }
  });
}
