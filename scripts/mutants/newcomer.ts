/**
 * Mutants of what a newcomer meets first (phase 2's walk through every
 * command in a real terminal): the QR code in a colour terminal, help that
 * fits 80 columns, hints that keep the login's environment, plain messages.
 * @module
 */
import type { Mutant } from "./mutant.ts";

/** See scripts/mutants/mutant.ts for the fields. */
export const mutants: Mutant[] = [
  {
    rule: "a colour terminal tall enough shows the QR code (its colours take no room on screen)",
    file: "src/cli/login_ui.ts",
    find: 'const columns = rows[0].replace(/\\x1b\\[[\\d;]*m/g, "").length;',
    replace: "const columns = rows[0].length;",
    tests: ["tests/login_process_test.ts"],
    filter: "tall enough",
  },
  {
    rule: "help fits an 80-column terminal: long usage lines and descriptions wrap between words",
    file: "src/cli/help.ts",
    find: "const COLUMNS = 80;",
    replace: "const COLUMNS = 300;",
    tests: ["tests/unit/help_test.ts"],
    filter: "fits 80 columns",
  },
  {
    rule:
      "--no-wait again with no API chosen shows the pending login's code (never the default API)",
    file: "src/login/two_step.ts",
    find: 'if (existing && target.source.api === "default") target = options.targetFor(existing);',
    replace: "",
    tests: ["tests/two_step_test.ts"],
    filter: "without --api",
  },
  {
    rule: "the code's expiry reads without parentheses inside parentheses",
    file: "src/cli/pending_note.ts",
    find: "`in ${duration(at - ctx.now())}, at ${pending.expiresAt.slice(11, 16)} UTC`",
    replace: "`in ${duration(at - ctx.now())} (at ${pending.expiresAt.slice(11, 16)} UTC)`",
    tests: ["tests/two_step_test.ts"],
    filter: "what a person reads",
  },
  {
    rule: "an agent is told to show a URL and code only when the server gave one",
    file: "src/cli/login_two_step.ts",
    find: '    if (outcome.kind === "unsupported") {\n' +
      "      return unsupported(ctx, run, outcome.target, Boolean(options.agent));\n",
    replace: '    if (options.agent && outcome.kind === "unsupported") {\n' +
      "      line(ctx.stderr, `${options.agent} is set: show the person the URL and code below.`);\n" +
      "    }\n" +
      '    if (outcome.kind === "unsupported") {\n' +
      "      return unsupported(ctx, run, outcome.target, Boolean(options.agent));\n",
    tests: ["tests/two_step_test.ts"],
    filter: "what a person reads",
  },
  {
    rule: "the hidden paste prompt fits 80 columns and says why it is hidden",
    file: "src/cli/login_ui.ts",
    find: '"The address holds a key, so it is not shown as you paste it.\\n" +',
    replace: '"The address holds a key, so it is not shown as you paste it: " +',
    tests: ["tests/flows_test.ts"],
    filter: "paste-back, hand-off",
  },
  {
    rule: "doctor gives an unreachable API's advice once (its fix), not the message's too",
    file: "src/cli/doctor.ts",
    find: '.replace(` ${NETWORK_ADVICE}`, "")',
    replace: "",
    tests: ["tests/flows_test.ts"],
    filter: "doctor reads plainly",
  },
  {
    rule: "doctor --api elsewhere says the saved key was not checked, and where it is",
    file: "src/cli/doctor.ts",
    find: "    else if (saved && !keyed) {",
    replace: "    else if (saved && !saved) {",
    tests: ["tests/flows_test.ts"],
    filter: "doctor reads plainly",
  },
  {
    rule: "--api on a command that uses a login's own API names the way to another environment",
    file: "src/cli/parse.ts",
    find: 'if (flag === "--api" && known.includes("--profile")) {',
    replace: 'if (flag === "--api" && known.includes("--nothing")) {',
    tests: ["tests/unit/parse_test.ts"],
    filter: "every bad input",
  },
  {
    rule: "--help <command> shows that command's page, as help <command> does",
    file: "src/cli/parse.ts",
    find: 'if (first === "help" || first === "--help" || first === "-h") {',
    replace: 'if (first === "help") {',
    tests: ["tests/unit/parse_test.ts"],
    filter: "parse",
  },
  {
    rule: "help of a mistyped command gets the nearest one",
    file: "src/cli/parse.ts",
    find: "      throw usageError(unknownCommand(rest[0]));",
    replace: '      throw usageError(`Unknown command "${rest[0]}".`);',
    tests: ["tests/unit/parse_test.ts"],
    filter: "every bad input",
  },
  {
    rule: "a file error is said in words beside its code (not a bare ENOENT or EACCES)",
    file: "src/credentials/fix_hints.ts",
    find: "return FS_ERRORS[code] ? `${FS_ERRORS[code]} (${code})` : code;",
    replace: "return code;",
    tests: ["tests/profiles_test.ts"],
    filter: "a file error reads in words",
  },
  {
    rule: "a file another user owns is removed with rm, not rm -r",
    file: "src/credentials/trust.ts",
    find: "(facts.isDirectory ? removeTreeCommand : removeFileCommand)(fs.platform, what)",
    replace: "removeTreeCommand(fs.platform, what)",
    tests: ["tests/profiles_test.ts"],
    filter: "another user owns",
  },
  {
    rule:
      "the server's banner names the checkout's CLI (deno task cli), where almyty-auth is not installed",
    file: "src/server/main.ts",
    find: "`  (from this checkout: deno task cli login --api ${server.url})`",
    replace: "`  (from this checkout: almyty-auth login --api ${server.url})`",
    tests: ["tests/server_test.ts"],
    filter: "deno task server starts",
  },
  {
    rule: "doctor on a terminal wraps each check between words, under its text",
    file: "src/cli/doctor.ts",
    find: "line(ctx.stdout, columns ? wrapForTerminal(row, columns, { hang: 9 }) : row);",
    replace: "line(ctx.stdout, row);",
    tests: ["tests/terminal_width_test.ts"],
  },
  {
    rule: "env's warning on a terminal names that shell's way to feed it (fish: | source)",
    file: "src/cli/env.ts",
    find: "? `${command} --shell fish | source`",
    replace: '? `eval "$(${command})"`',
    tests: ["tests/profiles_test.ts"],
    filter: "exec and env hand over",
  },
  {
    rule: "completions without a usable shell says where to read how to install the script",
    file: "src/cli/completions.ts",
    find: '"Run `almyty-auth help completions` for where to put the script.",',
    replace: '"",',
    tests: ["tests/flows_test.ts"],
    filter: "completions without",
  },
  {
    rule:
      "trusting a file in a folder bound to another login says the binding wins, and how to undo it",
    file: "src/cli/profile.ts",
    find: "if (bound?.dir === dir) {",
    replace: "if (bound?.dir === dir && !bound) {",
    tests: ["tests/profiles_test.ts"],
    filter: "profile trust, untrust",
  },
  {
    rule: "the API keys page's forms need the session's CSRF token",
    file: "src/server/routes_pages.ts",
    find:
      'if (!signedIn || !constantTimeEqual(field(fields, "csrf") ?? "", signedIn.session.csrf)) {',
    replace: "if (!signedIn) {",
    tests: ["tests/flows_test.ts"],
    filter: "the API keys page the hints name",
  },
  {
    rule: "the API keys page the CLI's hints name exists on the reference server",
    file: "src/server/routes_pages.ts",
    find: "  [`GET ${PATHS.apiKeysPage}`]: (ctx) => apiKeys(ctx),\n",
    replace: "",
    tests: ["tests/flows_test.ts"],
    filter: "the API keys page the hints name",
  },
];
