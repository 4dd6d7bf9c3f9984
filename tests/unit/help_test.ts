/**
 * The help a newcomer reads first: every line fits an 80-column terminal
 * (a wrapped line breaks between words, not in the middle of a flag), and
 * the usage lines still name every flag.
 */
import { assert, assertEquals } from "../helpers/assert.ts";
import { commandHelp, mainHelp } from "../../src/cli/help.ts";
import { COMMANDS } from "../../src/cli/spec.ts";
import { deriveFrontendUrl } from "../../src/protocol/urls.ts";

const pages = (): [string, string][] => [
  ["almyty-auth --help", mainHelp()],
  ["help help", commandHelp("help")],
  ...Object.keys(COMMANDS).map((name): [string, string] => [`help ${name}`, commandHelp(name)]),
];

Deno.test("help: every line of every page fits 80 columns", () => {
  const long = pages().flatMap(([page, text]) =>
    text.split("\n").filter((row) => [...row].length > 80).map((row) =>
      `${page} (${[...row].length}): ${row}`
    )
  );
  assertEquals(long, []);
});

Deno.test("help: the usage names every flag, wrapped under the command with its brackets whole", () => {
  for (const [name, command] of Object.entries(COMMANDS)) {
    const help = commandHelp(name);
    const usage = help.slice(
      help.indexOf("Usage: "),
      help.indexOf("\n\n", help.indexOf("Usage: ")),
    );
    for (const flag of Object.keys(command.flags)) {
      assert(usage.includes(`[--${flag}`), `help ${name}: the usage lacks --${flag}:\n${usage}`);
    }
    const [first, ...rest] = usage.split("\n");
    const indent = first.indexOf(name) + name.length + 1;
    for (const row of rest) {
      assertEquals(row.slice(0, indent).trim(), "", `help ${name}: ${row}`);
      assert(
        /^\s+\[/.test(row) || /^\s+-- /.test(row),
        `help ${name}: a wrapped line starts mid-flag: ${row}`,
      );
    }
  }
  assert(commandHelp("login").split("\n").some((row) => row.includes("[--timeout seconds]")));
});

/** Asserts that `help <command>` says `sentence` (wherever its lines break). */
function assertSays(command: string, sentence: string): void {
  const text = commandHelp(command).replace(/\s+/g, " ");
  assert(text.includes(sentence), `help ${command} does not say "${sentence}":\n${text}`);
}

Deno.test("help profile's precedence agrees with the CLI: --profile beside ALMYTY_TOKEN is an error, not outranked", () => {
  assertSays(
    "profile",
    "ALMYTY_TOKEN (with ALMYTY_URL; --profile beside it is an error), else --profile",
  );
});

Deno.test("help login's --frontend default agrees with the CLI: derived from the API (it named only production's)", () => {
  assertSays(
    "login",
    "--frontend <url> web app URL (default: the API's, api.… → app.…; https://app.almyty.com)",
  );
  assertEquals(
    deriveFrontendUrl("https://api.staging.almyty.com"),
    "https://app.staging.almyty.com",
  );
  assertEquals(deriveFrontendUrl("https://api.almyty.com"), "https://app.almyty.com");
});

Deno.test("help doctor's --api default is the login's API, as doctor checks (not always production's)", () => {
  assertSays(
    "doctor",
    "--api <url> check this API (default: the login's; without one, https://api.almyty.com)",
  );
});

Deno.test("help exec says what README's exec says: the signals passed on, the exit codes, no empty token handed over", () => {
  const flat = (text: string) => text.replace(/\s+/g, " ");
  const readme = flat(Deno.readTextFileSync(new URL("../../README.md", import.meta.url)));
  const section = readme.slice(
    readme.indexOf("**Handing a login to other programs**"),
    readme.indexOf("- `almyty-auth env ["),
  );
  const help = flat(commandHelp("exec"));
  // README's promises about exec, each as it must read in both.
  const promises = [
    "without a shell",
    "ALMYTY_FRONTEND_URL",
    "ALMYTY_PROFILE",
    "replacing",
    "inherited ones",
    "does not stop `--profile`",
    "empty token",
    "SIGTERM and SIGHUP are passed on",
    "SIGINT and SIGQUIT",
    "within 3 s is passed on",
    "128+n after signal n, 127 not found, 126 not executable or its `#!` interpreter missing",
  ];
  const plain = (text: string) => text.replaceAll("`", "");
  for (const promise of promises) {
    assert(section.includes(promise), `README's exec no longer says: ${promise}`);
    assert(plain(help).includes(plain(promise)), `help exec does not say: ${promise}`);
  }
});
