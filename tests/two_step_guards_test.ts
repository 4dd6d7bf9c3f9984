/**
 * The two-step login's promises under a crash and a race: a `--continue`
 * killed (SIGKILL) after the server handed out the key but before the
 * credentials were written loses nothing (the next `--continue` saves that
 * very key: the device code is spent, so polling again could not get it
 * back); two `--continue` at once save once, and both say it is done.
 */
import { assert, assertEquals } from "./helpers/assert.ts";
import { credsPath, pendingPath, readBytes, runCli, tempHome } from "./helpers/cli.ts";
import { recordToken } from "./helpers/leaks.ts";
import { decide, withServer } from "./helpers/server.ts";
import { World } from "./helpers/world.ts";
import { runScript, srcUrl } from "./helpers/script.ts";

/** `login --continue` in a process that kills itself as it starts writing the credentials. */
async function continueThatCrashesWhileSaving(home: string): Promise<Deno.CommandStatus> {
  const script = `
    import { runCli } from "${srcUrl("cli/main.ts")}";
    import { denoContext } from "${srcUrl("runtime/deno_context.ts")}";
    const ctx = denoContext(new AbortController().signal);
    const fs = {
      ...ctx.fs,
      writeNew(path, text, mode) {
        if (path.includes(".credentials.json.")) Deno.kill(Deno.pid, "SIGKILL");
        return ctx.fs.writeNew(path, text, mode);
      },
    };
    await runCli({ ...ctx, fs }, ["login", "--continue"]);`;
  const { status } = await runScript(script, {
    ms: 30_000,
    env: { HOME: home, NO_COLOR: "1" },
  });
  return status;
}

Deno.test("a --continue killed between the token response and the save: the next --continue saves that key", async () => {
  await withServer({ deviceInterval: 1 }, async (server) => {
    const home = tempHome();
    const started = await runCli(["login", "--no-wait", "--json", "--api", server.url], { home });
    assertEquals(started.code, 0, started.stderr);
    const { user_code } = JSON.parse(started.stdout);
    await (await decide(server.url, `/cli-auth?code=${user_code}`, "approve")).body?.cancel();

    const crashed = await continueThatCrashesWhileSaving(home);
    assertEquals(crashed.signal, "SIGKILL");
    const pending = JSON.parse(Deno.readTextFileSync(pendingPath(home)));
    assert(pending.grant?.access_token, "the token response was kept before the save");
    recordToken(pending.grant.access_token);
    recordToken(pending.deviceCode);
    assertEquals(readBytes(credsPath(home)), null, "no credentials yet");

    const finished = await runCli(["login", "--continue"], { home });
    assertEquals(finished.code, 0, finished.stderr);
    const saved = JSON.parse(Deno.readTextFileSync(credsPath(home)));
    assertEquals(saved.token, pending.grant.access_token);
    const live = server.store.keysOf(server.store.userByEmail("alice@example.com")!)
      .filter((k) => k.isActive);
    assertEquals(live.map((k) => k.id), [saved.keyId], "one key, the saved one");
  });
});

Deno.test("two --continue at once: one saves, the other finds it done; one live key", async () => {
  const first = new World();
  const server = first.referenceServer({ deviceInterval: 1 });
  assertEquals(await first.run(["login", "--no-wait", "--json", "--api", server.url]), 0);
  const { verification_uri_complete } = JSON.parse(first.stdout);
  await first.decide(verification_uri_complete, "approve");
  first.again();
  // A second almyty-auth on the same HOME, reaching the same server.
  const second = new World({}, first.home);
  second.route((request) => first.fetch(request), server.url);
  const codes = await Promise.all([
    first.run(["login", "--continue"]),
    second.run(["login", "--continue"]),
  ]);
  assertEquals(codes, [0, 0], `${first.stderr}\n---\n${second.stderr}`);
  const saved = first.saved()!;
  const live = server.store.keysOf(server.store.userByEmail("alice@example.com")!)
    .filter((k) => k.isActive);
  assertEquals(live.map((k) => k.id), [saved.keyId], "one key, the saved one");
  assertEquals(readBytes(pendingPath(first.home)), null);
});
