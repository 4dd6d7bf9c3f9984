/**
 * The prompts on a real terminal (a pseudo-terminal): what readpassphrase(3)
 * guarantees. A signal that ends the prompt leaves the terminal echoing;
 * Ctrl-Z then `fg` keeps the key hidden; what is typed never reaches the
 * screen when hidden, and only printable text does when shown.
 */
import { assert, assertEquals, assertMatch } from "./helpers/assert.ts";
import { credsPath, driveTerminal, homeWithFile, readBytes, tempHome } from "./helpers/cli.ts";
import { recordToken } from "./helpers/leaks.ts";
import { closedPort, mintKey, withServer } from "./helpers/server.ts";

const PROMPT = /Paste your API key \(it is not shown\), then press Enter: /;

for (const [name, signal] of [["SIGTERM", 15], ["SIGHUP", 1], ["SIGQUIT", 3]] as const) {
  Deno.test(`hidden prompt: ${name} restores the terminal, then ends the process by that signal`, async () => {
    const { home, bytes: before } = homeWithFile();
    const run = await driveTerminal(
      ["login", "--with-token", "--api", `http://127.0.0.1:${closedPort()}`],
      home,
      [[PROMPT, "almyty_half"], [/$/, `@signal:${name}`]],
    );
    assertEquals(run.echo, true, `${name} left the terminal without echo`);
    assertEquals(run.code, -signal, run.screen);
    assertEquals(readBytes(credsPath(home)), before);
  });
}

Deno.test("hidden prompt: Ctrl-Z then fg hides the key again (the shell turned echo on); an empty Enter asks again; the key page is named", async () => {
  await withServer({}, async (server) => {
    const { apiKey } = await mintKey(server.url);
    recordToken(apiKey);
    const home = tempHome();
    const run = await driveTerminal(["login", "--with-token", "--api", server.url], home, [
      [PROMPT, "\r"],
      [
        /Nothing was entered: paste the key, or press Ctrl-C to cancel\.[\s\S]*Paste your API key/,
        "almyty_",
      ],
      [/$/, "@stop-fg"],
      [/(Paste your API key[\s\S]*){3}/, apiKey.slice(7) + "\r"],
    ]);
    assertEquals(run.code, 0, run.screen);
    assert(!run.screen.includes(apiKey.slice(7, 30)), `the key was echoed:\n${run.screen}`);
    assertMatch(run.screen, /Create an API key at http:\/\/127\.0\.0\.1:\d+\/settings\/api-keys/);
    assertMatch(run.screen, /Logged in as alice@example\.com/);
    assertEquals(run.echo, true);
    assertEquals(JSON.parse(Deno.readTextFileSync(credsPath(home))).token, apiKey);
  });
});
