/**
 * What a person reads in an 80-column terminal (a pseudo-terminal): output
 * meant for reading wraps between words, under its own text, instead of
 * being cut mid-word by the terminal.
 */
import { assert, assertEquals } from "./helpers/assert.ts";
import { driveTerminal, homeWithFile } from "./helpers/cli.ts";
import { recordToken } from "./helpers/leaks.ts";
import { mintKey, withServer } from "./helpers/server.ts";

// deno-lint-ignore no-control-regex -- the terminal's colours take no room
const visible = (row: string) => row.replace(/\x1b\[[\d;]*m/g, "");

Deno.test("doctor at 80 columns: each check wraps between words, under its text, in colour or not", async () => {
  await withServer({}, async (server) => {
    const { apiKey } = await mintKey(server.url);
    recordToken(apiKey);
    const { home } = homeWithFile(JSON.stringify({ url: server.url, token: apiKey }));
    const colours: Record<string, string>[] = [{}, { NO_COLOR: "" }];
    for (const colour of colours) {
      const run = await driveTerminal(["doctor"], home, [], colour, { size: [80, 24] });
      assertEquals(run.code, 0, run.screen);
      const rows = run.screen.split(/\r?\n/).map(visible).filter((row) => row !== "");
      assert(rows.length > 8, run.screen);
      for (const row of rows) {
        // Only a word longer than a line (a long path) may stand alone on one, unbroken.
        assert([...row].length <= 80 || /^ {9}\S+$/.test(row), `wider than the terminal: ${row}`);
        assert(/^(ok|warning|problem) +\S|^ {9}\S/.test(row), `not under its text: ${row}`);
      }
      // The long ones did wrap (the loopback API's line is over 80 columns unwrapped).
      assert(rows.some((row) => row.startsWith(" ".repeat(9))), run.screen);
    }
  });
});
