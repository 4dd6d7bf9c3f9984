import { assertEquals, assertMatch, assertThrows } from "../helpers/assert.ts";
import { parseCommandLine } from "../../src/cli/parse.ts";
import { CliError } from "../../src/runtime/errors.ts";

Deno.test("parse: flags in every spelling, help and version", () => {
  const run = (argv: string[]) => {
    const parsed = parseCommandLine(argv);
    if (parsed.kind !== "run") throw new Error(parsed.kind);
    return parsed.input;
  };
  assertEquals(run(["login", "--api", "https://x", "--no-browser"]).flags, {
    api: "https://x",
    "no-browser": true,
  });
  assertEquals(run(["login", "--api=https://x=y"]).flags, { api: "https://x=y" });
  assertEquals(run(["login", "--token", "-"]).flags, { token: "-" });
  assertEquals(run(["completions", "fish"]).positionals, ["fish"]);
  assertEquals(parseCommandLine(["whoami", "-h"]), { kind: "help", command: "whoami" });
  assertEquals(parseCommandLine(["-V"]), { kind: "version" });
  // After a command too, as the completions offer it: never runs the command.
  assertEquals(parseCommandLine(["whoami", "-V"]), { kind: "version" });
  assertEquals(parseCommandLine(["login", "--version"]), { kind: "version" });
  assertEquals(parseCommandLine([]), { kind: "help" });
  assertEquals(parseCommandLine(["--help"]), { kind: "help", command: undefined });
  for (const flag of ["--help", "-h"]) {
    // `help --help` is the help command's page (it said "Unknown command \"--help\"").
    assertEquals(parseCommandLine(["help", flag]), { kind: "help", command: "help" });
    assertEquals(parseCommandLine([flag, flag]), { kind: "help", command: "help" });
    assertEquals(parseCommandLine([flag, "login"]), { kind: "help", command: "login" });
  }
});

Deno.test("parse: every bad input is a usage error (exit 2) that names it", () => {
  const cases: [string[], RegExp][] = [
    [["whoami", "--jsn"], /Unknown flag "--jsn"/],
    [["whoami", "--json=yes"], /--json takes no value/],
    [["login", "--api"], /--api needs a value \(<url>\)/],
    // A flag (or --) where the value belongs: the value was forgotten; it is not that flag.
    [["login", "--api", "--with-token"], /^--api needs a value \(<url>\) before --with-token\.\n/],
    [
      ["login", "--profile", "--api", "http://x"],
      /^--profile needs a value \(<name>\) before --api\./,
    ],
    [["exec", "--profile", "--", "true"], /^--profile needs a value \(<name>\) before --\./],
    // An empty command ("$CMD" unset) gets no guess; a pasted blob is not echoed whole.
    [[""], /^Unknown command ""\.\n/],
    [["help", ""], /^Unknown command ""\.\n/],
    [["x".repeat(100_000)], new RegExp(`^Unknown command "${"x".repeat(60)}…"\\.\\n`)],
    [["whoami", "y".repeat(1000)], new RegExp(`^Unexpected argument "${"y".repeat(60)}…"\\.\\n`)],
    [["whoami", `--${"z".repeat(1000)}`], new RegExp(`^Unknown flag "--${"z".repeat(58)}…"\\.\\n`)],
    [["whoami", "extra"], /Unexpected argument "extra"/],
    [["token", "--", "--profile", "staging"], /^Unexpected argument "--profile" after --\.\n/],
    [["logout", "--", "--all"], /^Unexpected argument "--all" after --\.\n/],
    [["logn"], /Unknown command "logn"\. Did you mean "login"\?/],
    [["--api", "x"], /a command comes first/],
    [["help", "nope"], /Unknown command "nope"/],
    // A flag is named as one (it said 'Unknown command "--json"'), with what help takes.
    [
      ["help", "--json"],
      /^Unknown flag "--json": help takes a command's name, as in almyty-auth help login\.\nRun `almyty-auth help help`/,
    ],
    [["--help", "-x"], /^Unknown flag "-x": help takes a command's name/],
    [["--help", "nope"], /Unknown command "nope"/],
    [["whoami", "-x"], /Unknown flag "-x"/],
    [["help", "logni"], /Unknown command "logni"\. Did you mean "login"\?/],
    // --api where a login's own API applies: the way to another environment, not a dead end.
    // The hint keeps what was typed: the API, and the profile when one was named.
    [
      ["whoami", "--api", "https://api.staging.almyty.com"],
      /Unknown flag "--api" for whoami: a saved login keeps its own API\. For another environment, log in to a profile there \(almyty-auth login --profile <name> --api https:\/\/api\.staging\.almyty\.com\), then use --profile <name>\./,
    ],
    [
      ["token", "--api=https://x.example", "--profile", "ci"],
      /Unknown flag "--api" for token: a saved login keeps its own API\. For another environment, log in to a profile there \(almyty-auth login --profile ci --api https:\/\/x\.example\), then use --profile ci\./,
    ],
    [["status", "--profile=ci", "--api"], /\(almyty-auth login --profile ci --api <url>\)/],
    // Pasted, the hint runs only the login: what was typed is one shell word each.
    [
      ["whoami", "--api", "https://x.example/$(touch pwned)", "--profile", "a;b"],
      /\(almyty-auth login --profile 'a;b' --api 'https:\/\/x\.example\/\$\(touch pwned\)'\), then use --profile 'a;b'\./,
    ],
  ];
  for (const [argv, message] of cases) {
    const error = assertThrows(() => parseCommandLine(argv), CliError);
    assertEquals(error.exitCode, 2, argv.join(" "));
    assertMatch(error.message, message);
  }
});
