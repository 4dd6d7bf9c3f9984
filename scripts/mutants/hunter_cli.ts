/**
 * Mutants of the rules the phase-4 CLI hunt added: what the CLI does with odd
 * stdin, environments and files that real processes meet.
 * @module
 */
import type { Mutant } from "./mutant.ts";

/** See scripts/mutants/mutant.ts for the fields. */
export const mutants: Mutant[] = [
  {
    rule: "--with-token reads at most 64 KiB of stdin (endless input ends; nothing is sent)",
    file: "src/runtime/deno_context.ts",
    find: "          if (size > maxBytes) return null;\n",
    replace: "",
    tests: ["tests/odd_input_test.ts"],
    filter: "stdin a folder",
  },
  {
    rule:
      "stdin that cannot be read (a folder) is a usage error naming the fix, not an unexpected error",
    file: "src/cli/login.ts",
    find: "      text = await ctx.stdin.readText(MAX_KEY_INPUT_BYTES);\n    } catch (error) {\n",
    replace:
      "      text = await ctx.stdin.readText(MAX_KEY_INPUT_BYTES);\n    } catch (error) {\n      throw error;\n",
    tests: ["tests/odd_input_test.ts"],
    filter: "stdin a folder",
  },
  {
    rule:
      "an empty folder argument of profile bind/unbind/trust/untrust is named as empty (exit 2), not as a disk error",
    file: "src/cli/profile.ts",
    find: '  if (value === "") {\n    usageFail(',
    replace: "  if (false) {\n    usageFail(",
    tests: ["tests/profiles_test.ts"],
    filter: "a file error reads",
  },
  {
    rule:
      "doctor --fix never says a file no reader can use (truncated JSON, no token) reads everywhere",
    file: "src/cli/doctor.ts",
    find: "      parseCredentials(text, path, () => {});\n      const problem",
    replace: "      const problem",
    tests: ["tests/lifecycle_test.ts"],
    filter: "20.12",
  },
  {
    rule:
      'exec of a script whose #! interpreter is missing (a CRLF line) names it, exit 126, not "command not found"',
    file: "src/cli/exec.ts",
    find: "  if (!/[\\\\/]/.test(command) || !ctx.fs.stat(command)?.isFile) return null;",
    replace:
      "  if (!/[\\\\/]/.test(command) || !ctx.fs.stat(command)?.isFile || true) return null;",
    tests: ["tests/profiles_test.ts", "tests/profiles_e2e_test.ts"],
    filter: "exec",
  },
  {
    rule: "a #! line ending in a Windows line break is named as such, with dos2unix",
    file: "src/cli/exec.ts",
    find: '  return first.endsWith("\\r")',
    replace: "  return false",
    tests: ["tests/profiles_e2e_test.ts"],
    filter: "exec",
  },
  {
    rule:
      "an ALMYTY_HTTP_TIMEOUT that is no positive number of seconds gets a warning, not silence",
    file: "src/runtime/connect.ts",
    find: "  if (!warnedTimeout.has(ctx)) {",
    replace: "  if (false) {",
    tests: ["tests/login_ux_test.ts"],
    filter: "said once",
  },
  {
    rule:
      "the ALMYTY_HTTP_TIMEOUT warning is said once per command, however many clients it builds",
    file: "src/runtime/connect.ts",
    find: "    warnedTimeout.add(ctx);\n",
    replace: "",
    tests: ["tests/login_ux_test.ts"],
    filter: "said once",
  },
  {
    rule: "stdout that cannot be written (a full disk) is named, exit 1, not an unexpected error",
    file: "src/runtime/deno_context.ts",
    find:
      "        throw new CliError(`Cannot write the output to stdout: ${fsErrorText(error)}.`);",
    replace: "        throw error;",
    tests: ["tests/odd_input_test.ts"],
    filter: "full disk",
  },
  {
    rule: "a flag's value is never the next flag (login --api --with-token forgot the URL)",
    file: "src/cli/parse.ts",
    find: '    } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {',
    replace: "    } else if (i + 1 < args.length) {",
    tests: ["tests/unit/parse_test.ts"],
    filter: "every bad input",
  },
  {
    rule:
      "a login folder closed to its owner (chmod 000) is named with chmod 700, not the file's chmod 600",
    file: "src/credentials/trust.ts",
    find: "  if (me !== null && me !== 0 && (facts.mode & 0o500) !== 0o500) {",
    replace: "  if (false) {",
    tests: ["tests/profiles_test.ts"],
    filter: "closed to its owner",
  },
  {
    rule:
      "a folder unreachable because one above it is closed names that one (profile list: no stack trace)",
    file: "src/credentials/trust.ts",
    find: "          throw closedFolder(above, path, facts.mode);",
    replace: "          throw error;",
    tests: ["tests/profiles_test.ts"],
    filter: "closed to its owner",
  },
  {
    rule: "doctor reads the login file before its stat, so a closed folder is named with its fix",
    file: "src/cli/doctor.ts",
    find: "    readProfileWith(io, choice.profile);\n    const stat = ctx.fs.stat(path);",
    replace: "    const stat = ctx.fs.stat(path);",
    tests: ["tests/profiles_test.ts"],
    filter: "closed to its owner",
  },
  {
    rule: "logout checks the pending logins' folder first: a closed one is named, no stack trace",
    file: "src/cli/logout.ts",
    find: "    checkFolder(ctx.fs, directoryOf(ctx.fs.platform, path), path);\n",
    replace: "",
    tests: ["tests/profiles_test.ts"],
    filter: "closed to its owner",
  },
  {
    rule: "a login folder that cannot be made names the folder it goes in (not the missing one)",
    file: "src/runtime/login_lock.ts",
    find: "    if (!ctx.fs.exists(dir)) {",
    replace: "    if (false) {",
    tests: ["tests/profiles_test.ts"],
    filter: "cannot be made",
  },
  {
    rule: "an empty command gets no did-you-mean guess",
    file: "src/cli/parse.ts",
    find: '  const near = word === "" || word.length > 60 ? undefined : closest(word, names) ??',
    replace: "  const near = word.length > 60 ? undefined : closest(word, names) ??",
    tests: ["tests/unit/parse_test.ts"],
    filter: "every bad input",
  },
  {
    rule: "a typed word is quoted in an error at most 60 characters long",
    file: "src/protocol/tokens.ts",
    find: '  return `"${value.length > 60 ? `${value.slice(0, 60)}…` : value}"`;',
    replace: '  return `"${value}"`;',
    tests: ["tests/unit/parse_test.ts"],
    filter: "every bad input",
  },
  {
    rule: "completions with a word after a known shell names the extra word",
    file: "src/cli/completions.ts",
    find: "      : known\n",
    replace: "      : false\n",
    tests: ["tests/flows_test.ts"],
    filter: "one too many",
  },
  {
    rule: "a lock file another user left is named, with the rm that frees it",
    file: "src/runtime/login_lock.ts",
    find: "    if (facts && me !== null && facts.uid !== null && facts.uid !== me) {",
    replace: "    if (false) {",
    tests: ["tests/profiles_test.ts"],
    filter: "lock file another user",
  },
  {
    rule:
      "another user's login file we may not open is named as theirs (a sudo login), not as a chmod 600",
    file: "src/credentials/read.ts",
    find: "      if (facts) checkOwner(io.fs, facts, path, path);",
    replace: "",
    tests: ["tests/profiles_test.ts"],
    filter: "a file error reads",
  },
  {
    rule:
      "a working folder that cannot be named (not UTF-8, removed) is said by profile bind/trust, no stack trace",
    file: "src/cli/profile.ts",
    find: "    try {\n      given = ctx.fs.cwd();\n    } catch (error) {\n",
    replace: "    try {\n      given = ctx.fs.cwd();\n    } catch (error) {\n      throw error;\n",
    tests: ["tests/profiles_test.ts"],
    filter: "a file error reads",
  },
  {
    rule: "a variable it acts on that is not UTF-8 is named, its value (maybe a key) never quoted",
    file: "src/runtime/deno_context.ts",
    find: "      if (!(error instanceof Deno.errors.InvalidData)) throw error;\n",
    replace: "      throw error;\n",
    tests: ["tests/odd_input_test.ts"],
    filter: "not UTF-8",
  },
  {
    rule: "an unreadable variable that only hints at the surroundings (TERM) is as if unset",
    file: "src/runtime/deno_context.ts",
    find: "      if (ACTED_ON.has(name)) {",
    replace: "      if (true) {",
    tests: ["tests/odd_input_test.ts"],
    filter: "not UTF-8",
  },
  {
    rule: "the process entry says an environment error, never a stack trace",
    file: "main.ts",
    find: "    console.error(messageFor(error, false));\n    Deno.exit(exitCodeFor(error, false));",
    replace: "    throw error;",
    tests: ["tests/odd_input_test.ts"],
    filter: "not UTF-8",
  },
  {
    rule: "arguments after -- are refused by a command that takes none, never ignored",
    file: "src/cli/parse.ts",
    find: "      if (!allowPositionals && i + 1 < args.length) {",
    replace: "      if (false) {",
    tests: ["tests/unit/parse_test.ts"],
    filter: "every bad input",
  },
  {
    rule: "help --help (and --help --help) shows the help command's page",
    file: "src/cli/parse.ts",
    find:
      '    if (rest[0] === "--help" || rest[0] === "-h") return { kind: "help", command: "help" };\n',
    replace: "",
    tests: ["tests/unit/parse_test.ts"],
    filter: "help and version",
  },
  {
    rule: "the countdown is not redrawn with escapes on TERM=dumb",
    file: "src/cli/login_ui.ts",
    find: '        !err.isTerminal || ctx.env.TERM === "dumb" ||',
    replace: "        !err.isTerminal ||",
    tests: ["tests/login_ux_test.ts"],
    filter: "redrawn only",
  },
  {
    rule: "the countdown is not redrawn on a terminal narrower than its line",
    file: "src/cli/login_ui.ts",
    find:
      "        (!!columns && visibleWidth(live(seconds())) >= columns) // 0: a size it does not know",
    replace: "        false",
    tests: ["tests/login_ux_test.ts"],
    filter: "redrawn only",
  },
  {
    rule: "status shows the mode of what a linked credentials.json points to, not the link's",
    file: "src/cli/status.ts",
    find: "    const stat = ctx.fs.stat(path) ?? ctx.fs.lstat(path);",
    replace: "    const stat = ctx.fs.lstat(path);",
    tests: ["tests/profiles_test.ts"],
    filter: "is a link",
  },
  {
    rule:
      "--continue with nothing pending points at another login's pending one, not at a second code",
    file: "src/cli/login_two_step.ts",
    find: "        if (other !== null) {",
    replace: "        if (false) {",
    tests: ["tests/two_step_test.ts"],
    filter: "points at the login",
  },
  {
    rule: "the default login's pending login is the one pointed at first",
    file: "src/cli/login_two_step.ts",
    find: "  return others.includes(DEFAULT_PROFILE) ? DEFAULT_PROFILE : others[0] ?? null;",
    replace: "  return others[0] ?? null;",
    tests: ["tests/two_step_test.ts"],
    filter: "points at the login",
  },
  {
    rule: "a refusal in a folder whose mode is fine (a sandbox, macOS privacy) advises no chmod",
    file: "src/credentials/trust.ts",
    find: "        if ((facts.mode & 0o100) === 0 && facts.uid === fs.uid()) {",
    replace: "        if (facts.uid === fs.uid()) {",
    tests: ["tests/profiles_test.ts"],
    filter: "closed to its owner",
  },
  {
    rule: "an https request answered in plain http is named as such, with the http:// way",
    file: "src/runtime/client.ts",
    find: "  if (/InvalidContentType|corrupt message|wrong version number/i.test(message)) {",
    replace: "  if (false) {",
    tests: ["tests/odd_input_test.ts"],
    filter: "plain http",
  },
  {
    rule: "exec's dos2unix hint names the script as one shell word",
    file: "src/cli/exec.ts",
    find: "(dos2unix ${shellWord(stripControl(command))})",
    replace: "(dos2unix ${stripControl(command)})",
    tests: ["tests/profiles_e2e_test.ts"],
    filter: "exec: the program's exit code",
  },
  {
    rule: "an ALMYTY_HTTP_TIMEOUT holding a key is named as one, never quoted",
    file: "src/runtime/connect.ts",
    find: "`ALMYTY_HTTP_TIMEOUT=${quoteTyped(stripControl(value))} is not a positive `",
    replace: "`ALMYTY_HTTP_TIMEOUT=${JSON.stringify(stripControl(value))} is not a positive `",
    tests: ["tests/login_ux_test.ts"],
    filter: "ALMYTY_HTTP_TIMEOUT that is no number",
  },
  {
    rule: "a key typed where profile's subcommand belongs is named as one, never quoted",
    file: "src/cli/profile.ts",
    find: "`Unknown subcommand ${quoteTyped(stripControl(name))}: use one of ${",
    replace: '`Unknown subcommand "${stripControl(name).slice(0, 40)}": use one of ${',
    tests: ["tests/security_test.ts"],
    filter: "a key typed where an argument",
  },
];
