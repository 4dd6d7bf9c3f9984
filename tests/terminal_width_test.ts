/**
 * What a person reads in an 80-column terminal (a pseudo-terminal): output
 * meant for reading wraps between words, under its own text, instead of
 * being cut mid-word by the terminal.
 */
import { assert, assertEquals, assertMatch } from "./helpers/assert.ts";
import { driveTerminal, homeWithFile, runCli, tempHome } from "./helpers/cli.ts";
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

Deno.test("profile list at 80 columns: ordinary logins fit, names and APIs whole; --json and a pipe keep everything", async () => {
  const home = tempHome();
  Deno.mkdirSync(`${home}/.almyty/profiles`, { recursive: true, mode: 0o700 });
  const token = "almyty_0123456789abcdef0123456789abcdef";
  recordToken(token);
  const acme = { id: "o1", name: "Acme Corp", slug: "acme-corp" };
  const login = (url: string, email: string, more: Record<string, unknown> = {}) =>
    JSON.stringify({
      token,
      url,
      email,
      organization: acme,
      keyOrigin: "minted",
      createdAt: "2026-11-29T10:00:00Z",
      ...more,
    });
  const files: [string, string][] = [
    [
      "credentials.json",
      login("https://api.almyty.com", "alice.johnson@example.com", {
        profile: "staging",
      }),
    ],
    ["profiles/staging.json", login("https://api.staging.almyty.com", "alice.johnson@example.com")],
    ["profiles/acme-prod.json", login("https://api.almyty.com", "bob@example.org")],
  ];
  for (const [name, text] of files) {
    Deno.writeTextFileSync(`${home}/.almyty/${name}`, text, { mode: 0o600 });
  }
  const run = await driveTerminal(["profile", "list"], home, [], {}, { size: [80, 24] });
  assertEquals(run.code, 0, run.screen);
  const rows = run.screen.split(/\r?\n/).map(visible).filter((row) => row.trim() !== "");
  for (const row of rows) assert([...row].length <= 80, `wider than the terminal: ${row}`);
  const table = rows.join("\n");
  for (const whole of ["acme-prod", "staging", "https://api.staging.almyty.com"]) {
    assert(table.includes(whole), `${whole} is cut:\n${table}`);
  }
  assertMatch(table, /^\* +default +alice\.johnson@example\.com +https:\/\/api\.almyty\.com$/m);
  assertMatch(table, /^ +copy of staging$/m, "the note stands under its row");
  const json = await driveTerminal(["profile", "list", "--json"], home, [], {}, {
    size: [80, 24],
  });
  assertMatch(
    json.screen,
    /"email": "alice.johnson@example.com",\s+"organization": {[^}]*"slug": "acme-corp"\s+},\s+"url": "https:\/\/api.almyty.com",\s+"keyOrigin": "minted"/,
  );
  const piped = await runCli(["profile", "list"], { home });
  assertMatch(piped.stdout, /ORGANIZATION +API +KEY +CREATED/);
  assertMatch(piped.stdout, /^\* +default .*acme-corp .*minted +2026-11-29 +copy of staging$/m);
});

Deno.test("messages at 80 columns: broken between words, never inside a command to copy; piped, as written", async () => {
  const home = tempHome();
  const cases: [string[], number, string][] = [
    [
      ["whoami", "--api", "https://api.staging.almyty.com"],
      2,
      "(almyty-auth login --profile <name> --api https://api.staging.almyty.com),",
    ],
    [["whoami", "--profile", "staging"], 4, "almyty-auth login --profile staging"],
    [["profile", "save", "work"], 4, "almyty-auth login --profile work"],
  ];
  for (const [args, code, command] of cases) {
    const run = await driveTerminal(args, home, [], {}, { size: [80, 24] });
    assertEquals(run.code, code, run.screen);
    const rows = run.screen.split(/\r?\n/).map(visible).filter((row) => row.trim() !== "");
    assert(rows.length > 1, `one line of over 80 columns was expected to wrap:\n${run.screen}`);
    for (const row of rows) assert([...row].length <= 80, `wider than the terminal: ${row}`);
    assert(rows.some((row) => row.includes(command)), `${command} is broken:\n${run.screen}`);
    // Piped, each line of the message is as written (the reader's to lay out), the same words.
    const piped = await runCli(args, { home });
    assertEquals(piped.code, code);
    const lines = piped.stderr.trim().split("\n");
    assert(lines.some((line) => line.length > 80), piped.stderr);
    assertEquals(rows.join(" "), lines.join(" "));
  }
});

Deno.test("status and doctor at 80 columns: long lines wrap under their label, a command to copy stays whole", async () => {
  await withServer({}, async (server) => {
    const home = tempHome();
    const started = await runCli(["login", "--no-wait", "--profile", "p1", "--api", server.url], {
      home,
    });
    assertEquals(started.code, 0, started.stderr);
    const next = `almyty-auth login --continue --profile p1 --api ${server.url}`;
    const status = await driveTerminal(["status", "--profile", "p1", "--offline"], home, [], {}, {
      size: [80, 24],
    });
    assertEquals(status.code, 4, status.screen);
    const rows = status.screen.split(/\r?\n/).map(visible).filter((row) => row.trim() !== "");
    for (const row of rows) assert([...row].length <= 80, `wider than the terminal: ${row}`);
    const pending = rows.findIndex((row) => row.startsWith("Pending:   A login at"));
    assert(pending >= 0 && /^ {11}\S/.test(rows[pending + 1]), status.screen);
    assert(rows.some((row) => row.includes(next)), `${next} is broken:\n${status.screen}`);
    const doctor = await driveTerminal(
      ["doctor", "--profile", "p1", "--api", server.url],
      home,
      [],
      {
        NO_COLOR: "1",
      },
      { size: [80, 24] },
    );
    const fix = `almyty-auth login --profile p1 --api ${server.url}`;
    assert(doctor.screen.split(/\r?\n/).some((row) => row.includes(fix)), doctor.screen);
  });
});
