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
import { COMMANDS, type FlagSpec, GLOBAL_FLAGS } from "./spec.ts";

function flagLines(flags: Record<string, FlagSpec>): string[] {
  const rows = Object.entries(flags).map(([name, spec]) => [
    (spec.short ? `-${spec.short}, ` : "    ") + `--${name}` +
    (spec.value ? ` <${spec.value}>` : ""),
    spec.description,
  ]);
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`);
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
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return [
    "almyty-auth: log in to almyty from a terminal",
    "",
    "Usage: almyty-auth <command> [flags]",
    "",
    "Commands:",
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    `  ${"help".padEnd(width)}  Show help for a command`,
    "",
    "Flags:",
    ...flagLines(GLOBAL_FLAGS),
    "",
    "Environment: ALMYTY_TOKEN (at ALMYTY_URL) takes the place of the saved login;",
    "ALMYTY_URL alone never re-points a saved key. ALMYTY_FRONTEND_URL sets the web app.",
    "Several logins: --profile <name>, else ALMYTY_PROFILE, else a trusted .almyty-profile",
    "or a binding of the folder, else the default login (`almyty-auth help profile`).",
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
    return "Show help for a command\n\nUsage: almyty-auth help [command]\n\nCommands: " +
      Object.keys(COMMANDS).join(", ");
  }
  const command = COMMANDS[name];
  return [
    command.summary,
    "",
    `Usage: ${usageLine(name)}`,
    "",
    "Flags:",
    ...flagLines({ ...command.flags, help: GLOBAL_FLAGS.help }),
    "",
    "Examples:",
    ...command.examples.map((e) => `  ${e}`),
    ...(command.notes ? ["", ...command.notes] : []),
  ].join("\n");
}
