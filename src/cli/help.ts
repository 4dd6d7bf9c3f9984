/**
 * Help text, generated from the command table.
 *
 * @example
 * ```ts
 * import { commandHelp } from "./help.ts";
 * console.log(commandHelp("login"));
 * ```
 * @module
 */
import { wrapWords } from "../runtime/output.ts";
import { COMMANDS, type FlagSpec, GLOBAL_FLAGS, HELP_SUMMARY } from "./spec.ts";

/** Help fits a terminal of this many columns (80: the smallest anyone still uses). */
const COLUMNS = 80;

/** Help's lines: `wrapWords` at 80 columns. */
function wrap(words: string[], first: string, indent: number): string[] {
  return wrapWords(words, first, indent, COLUMNS);
}

/** Two columns (a name, its description), the description wrapped under itself. */
function twoColumns(rows: string[][]): string[] {
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.flatMap(([left, right]) =>
    wrap(right.split(" "), `  ${left.padEnd(width)} `, width + 4)
  );
}

function flagLines(flags: Record<string, FlagSpec>): string[] {
  return twoColumns(
    Object.entries(flags).map(([name, spec]) => [
      (spec.short ? `-${spec.short}, ` : "    ") + `--${name}` +
      (spec.value ? ` <${spec.value}>` : ""),
      spec.description,
    ]),
  );
}

/**
 * The top-level help.
 *
 * @example
 * ```ts
 * mainHelp().startsWith("almyty-auth:"); // true
 * ```
 */
export function mainHelp(): string {
  return [
    "almyty-auth: log in to almyty from a terminal",
    "",
    "Usage: almyty-auth <command> [flags]",
    "",
    "Commands:",
    ...twoColumns([
      ...Object.entries(COMMANDS).map(([name, c]) => [name, c.summary]),
      ["help", HELP_SUMMARY],
    ]),
    "",
    "Flags:",
    ...flagLines(GLOBAL_FLAGS),
    "",
    "Environment: ALMYTY_TOKEN (at ALMYTY_URL) takes the place of the saved login;",
    "ALMYTY_URL alone never re-points a saved key. ALMYTY_FRONTEND_URL sets the web",
    "app. Several logins: --profile <name>, else ALMYTY_PROFILE, else a trusted",
    ".almyty-profile or a binding of the folder, else the default login",
    "(`almyty-auth help profile`).",
    "Exit codes: 0 ok, 1 error, 2 usage, 4 not authenticated, 8 login still pending",
    "(login --continue), 130 interrupted.",
    "",
    "Run `almyty-auth help <command>` for a command's flags and examples.",
  ].join("\n");
}

/**
 * A command's usage line, from its flags, so it cannot leave one out.
 *
 * @example
 * ```ts
 * usageLine("whoami"); // "almyty-auth whoami [--json]"
 * ```
 */
export function usageLine(name: string): string {
  const command = COMMANDS[name];
  const flags = Object.entries(command.flags).map(([flag, spec]) =>
    `[--${flag}${spec.value ? ` ${spec.value}` : ""}]`
  );
  const positionals = command.positionals?.length ? [command.positionals.join("|")] : [];
  return [
    "almyty-auth",
    name,
    ...positionals,
    ...flags,
    ...(command.program ? [command.program] : []),
  ]
    .join(" ");
}

/**
 * Help for one command (`help` included).
 *
 * @example
 * ```ts
 * commandHelp("whoami").includes("--json"); // true
 * ```
 */
export function commandHelp(name: string): string {
  if (name === "help") {
    const names = Object.keys(COMMANDS).map((c) => `${c},`);
    return [
      HELP_SUMMARY,
      "",
      "Usage: almyty-auth help [command]",
      "",
      ...wrap(names, "Commands:", "Commands: ".length),
    ].join("\n").replace(/,$/, "");
  }
  const command = COMMANDS[name];
  // The usage line, wrapped under the command's name: `login` alone has fifteen flags.
  const [head, ...words] = usageLine(name).split(/ (?=\[|-- )/);
  return [
    command.summary,
    "",
    ...wrap(words, `Usage: ${head}`, `Usage: almyty-auth ${name} `.length),
    "",
    "Flags:",
    ...flagLines({ ...command.flags, help: GLOBAL_FLAGS.help }),
    "",
    "Examples:",
    ...command.examples.map((e) => `  ${e}`),
    ...(command.notes ? ["", ...command.notes] : []),
  ].join("\n");
}
