/**
 * Mutants of the rules the round-3 edges hunt added: small defects a user
 * hits at the edges of the CLI (retry hints, help, shells, folders).
 * @module
 */
import type { Mutant } from "./mutant.ts";

/** See scripts/mutants/mutant.ts for the fields. */
export const mutants: Mutant[] = [
  {
    rule:
      "login --with-token that the API could not check (5xx, 429, no answer) says nothing was saved and gives the retry that keeps --profile and --api",
    file: "src/cli/login.ts",
    find: "    if (error instanceof ApiError && isTransient(error)) {",
    replace: "    if (false) {",
    tests: ["tests/flows_test.ts"],
    filter: "down or rate-limiting",
  },
  {
    rule:
      "env --shell's names are one list: help, the completions and the refusal offer every shell env takes (pwsh too)",
    file: "src/cli/spec.ts",
    find: "        values: Object.keys(ENV_SHELLS),",
    replace: '        values: ["sh", "bash", "zsh", "fish", "powershell", "json"],',
    tests: ["tests/flows_test.ts"],
    filter: "env --shell takes exactly",
  },
  {
    rule: "a word after help's page name is a usage error naming it, as every command refuses one",
    file: "src/cli/parse.ts",
    find: "    if (stray !== undefined) {",
    replace: "    if (false) {",
    tests: ["tests/cli_test.ts"],
    filter: "a stray word after the page",
  },
  {
    rule: "help exec says what README says of exec: the signals passed on, the exit codes",
    file: "src/cli/spec.ts",
    find: '"Signals: SIGTERM and SIGHUP are passed on, SIGINT and SIGQUIT too except at a",',
    replace: '"Signals: SIGTERM is passed on, and SIGINT and SIGQUIT too except at a",',
    tests: ["tests/unit/help_test.ts"],
    filter: "help exec says what README",
  },
  {
    rule: "a key typed as env's --shell is named as one, never quoted (quoteTyped)",
    file: "src/cli/env.ts",
    find: "          quoteTyped(stripControl(name))\n",
    replace: '          `"${name.replace(/[^\\w.-]/g, "?").slice(0, 40)}"`\n',
    tests: ["tests/security_test.ts"],
    filter: "a key typed where an argument",
  },
  {
    rule: "a key typed as completions' shell is named as one, never quoted (quoteTyped)",
    file: "src/cli/completions.ts",
    find: "    const word = (text: string) => quoteTyped(stripControl(text));",
    replace:
      '    const word = (text: string) => `"${text.replace(/[^\\w.-]/g, "?").slice(0, 40)}"`;',
    tests: ["tests/security_test.ts"],
    filter: "a key typed where an argument",
  },
  {
    rule:
      "a 404 under an API URL with a path (https://host/api) names the base URL to use: almyty's routes start at the host",
    file: "src/runtime/client.ts",
    find: '        status === 404 ? baseUrlHint(this.baseUrl, url) : ""',
    replace: '        ""',
    tests: ["tests/flows_test.ts"],
    filter: "an API URL with a path",
  },
  {
    rule: "a 404 at the API's base URL says nothing of paths",
    file: "src/runtime/client.ts",
    find: '  if (pathname === "/" || !url.startsWith(`${api}/`)) return "";',
    replace: '  if (!url.startsWith(`${api}/`)) return "";',
    tests: ["tests/flows_test.ts"],
    filter: "an API URL with a path",
  },
  {
    rule:
      "a login folder closed to its owner (chmod 000 ~/.almyty/profiles) is named with its chmod before a save or logout locks in it (it ended in an unexpected error)",
    file: "src/credentials/atomic.ts",
    find: '    checkOpen(fs, folder, dir, path, "write");\n',
    replace: "",
    tests: ["tests/profiles_test.ts"],
    filter: "profiles closed to its owner",
  },
  {
    rule: "a closed folder that is itself what was read is named once ('it is closed')",
    file: "src/credentials/trust.ts",
    find: '${path === dir ? "it" : `its folder ${dir}`}',
    replace: "its folder ${dir}",
    tests: ["tests/profiles_test.ts"],
    filter: "profiles closed to its owner",
  },
  {
    rule: "help's page of a command with subcommands takes a subcommand (`help profile bind`)",
    file: "src/cli/parse.ts",
    find: "      i > 0 || !(COMMANDS[rest[0]]?.positionals ?? []).includes(word)",
    replace: "      true",
    tests: ["tests/cli_test.ts"],
    filter: "a stray word after the page",
  },
  {
    rule: "profile bind's 'no login named X yet' is said only of a login with no file",
    file: "src/cli/profile.ts",
    find: "    exists = true; // unusable, but there: reported when used\n",
    replace: "",
    tests: ["tests/profiles_test.ts"],
    filter: "profile bind warns",
  },
  {
    rule: "profile bind warns of a login that does not exist yet",
    file: "src/cli/profile.ts",
    find: "  if (!exists) {\n    warn(",
    replace: "  if (false) {\n    warn(",
    tests: ["tests/profiles_test.ts"],
    filter: "profile bind warns",
  },
];
