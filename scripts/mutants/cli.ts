/**
 * Mutants of the commands: logout and re-login never leave a live key
 * behind, and never revoke one the user supplied.
 * @module
 */
import type { Mutant } from "./mutant.ts";

/** See scripts/mutants/mutant.ts for the fields. */
export const mutants: Mutant[] = [
  {
    rule: "logout never revokes a supplied key, even when the file knows its id",
    file: "src/cli/save_login.ts",
    find: "(file.keyOrigin === undefined && Boolean(file.keyId))",
    replace: "Boolean(file.keyId)",
    tests: ["tests/production_truth_test.ts"],
    filter: "logout never revokes a supplied key",
  },
  {
    rule: "a re-login revokes the key the previous login minted",
    file: "src/cli/save_login.ts",
    find: "if (isMinted(previous)) await revokeReplaced(ctx, previous, path, name);",
    replace: "",
    tests: ["tests/flows_test.ts"],
    filter: "re-login",
  },
  {
    rule: "logout revokes the key the CLI minted",
    file: "src/cli/logout.ts",
    find: "  if (!isMinted(file)) {",
    replace: "  if (true) {",
    tests: ["tests/cli_test.ts"],
    filter: "logout revokes the key",
  },
  {
    rule: "logout keeps a login saved meanwhile",
    file: "src/cli/logout.ts",
    find: 'if (now && now.token !== target.token) return "kept";',
    replace: "",
    tests: ["tests/production_truth_test.ts"],
    filter: "a login saved meanwhile is kept",
  },
  {
    rule: "a token is printed only by token, on stdout (never in a login's messages)",
    file: "src/cli/save_login.ts",
    find: '"green", "✓ ") + `Logged in as ${email}${org}`',
    replace: '"green", "✓ ") + `Logged in as ${email}${org} (key ${result.token})`',
    tests: ["tests/security_test.ts"],
    filter: "only token's stdout",
  },
  {
    rule: "token prints the token on stdout only",
    file: "src/cli/token.ts",
    find: '    ctx.stdout.write(token + "\\n");',
    replace: '    ctx.stdout.write(token + "\\n");\n    ctx.stderr.write(`(${token})\\n`);',
    tests: ["tests/security_test.ts"],
    filter: "only token's stdout",
  },
  {
    rule: "logout sweeps the temp files a crashed save left",
    file: "src/credentials/write.ts",
    find: "    sweepStaleTemps(io.fs, path); // a crashed save may have left a copy of the token\n",
    replace: "",
    tests: ["tests/security_test.ts"],
    filter: "SIGKILL mid-save",
  },
  {
    rule: "concurrent logins of one file save and revoke one at a time (the login lock)",
    file: "src/cli/save_login.ts",
    find: "  await withLoginLock(ctx, target.path, async () => {",
    replace:
      "  await ((_ctx: unknown, _path: unknown, work: () => Promise<void>) => work())(ctx, target.path, async () => {",
    tests: ["tests/lock_test.ts"],
    filter: "two concurrent minted logins",
    timeoutSeconds: 120,
  },
  {
    rule: "a name every object has (--toString, --constructor) is no flag",
    file: "src/cli/parse.ts",
    find: "rawName !== undefined && Object.hasOwn(flags, rawName)",
    replace: "rawName !== undefined && rawName in flags",
    tests: ["tests/flows_test.ts"],
    filter: "names every object has",
  },
  {
    rule: "a name every object has is no command",
    file: "src/cli/parse.ts",
    find: "  if (!Object.hasOwn(COMMANDS, first)) throw",
    replace: "  if (!(first in COMMANDS)) throw",
    tests: ["tests/flows_test.ts"],
    filter: "names every object has",
  },
  {
    rule: "a name every object has is no help page",
    file: "src/cli/parse.ts",
    find: "!Object.hasOwn(COMMANDS, rest[0])",
    replace: "!(rest[0] in COMMANDS)",
    tests: ["tests/flows_test.ts"],
    filter: "names every object has",
  },
  {
    rule: "a name every object has is no shell for env",
    file: "src/cli/env.ts",
    find: "Object.hasOwn(ENV_SHELLS, name) ? ENV_SHELLS[name] : undefined",
    replace: "ENV_SHELLS[name]",
    tests: ["tests/flows_test.ts"],
    filter: "names every object has",
  },
  {
    rule: "a name every object has is no shell for completions",
    file: "src/cli/completions.ts",
    find: "shell !== undefined && Object.hasOwn(SHELLS, shell)",
    replace: "shell !== undefined && shell in SHELLS",
    tests: ["tests/flows_test.ts"],
    filter: "names every object has",
  },
  {
    rule: "a name every object has is no profile subcommand",
    file: "src/cli/profile.ts",
    find: "Object.hasOwn(SUBCOMMANDS, name) ? SUBCOMMANDS[name] : undefined",
    replace: "SUBCOMMANDS[name]",
    tests: ["tests/flows_test.ts"],
    filter: "names every object has",
  },
  {
    rule: "a flag after help is named as a flag, with what help takes",
    file: "src/cli/parse.ts",
    find: '    if (rest[0]?.startsWith("-")) {\n',
    replace: "    if (false) {\n",
    tests: ["tests/unit/parse_test.ts"],
    filter: "parse:",
  },
];
