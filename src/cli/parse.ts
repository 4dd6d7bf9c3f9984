/**
 * argv → a command and its flags, with usage errors for anything unknown.
 *
 * @example
 * ```ts
 * import { parseCommandLine } from "./parse.ts";
 * parseCommandLine(["whoami", "--json"]); // { kind: "run", command: "whoami", … }
 * ```
 * @module
 */
import { parseArgs } from "node:util";
import { type CommandInput, COMMANDS, type FlagSpec, GLOBAL_FLAGS } from "./commands.ts";
import { CliError, EXIT } from "./context.ts";

/** What to do. */
export type Parsed =
  | { kind: "help"; command?: string }
  | { kind: "version" }
  | { kind: "run"; command: string; input: CommandInput };

function usageError(message: string, command?: string): CliError {
  const hint = command ? `almyty-auth help ${command}` : "almyty-auth --help";
  return new CliError(`${message}\nRun \`${hint}\` for usage.`, EXIT.usage);
}

function toParseArgsOptions(flags: Record<string, FlagSpec>) {
  return Object.fromEntries(
    Object.entries(flags).map((
      [name, spec],
    ) => [name, spec.short ? { type: spec.type, short: spec.short } : { type: spec.type }]),
  ) as Record<string, { type: "boolean" | "string"; short?: string }>;
}

/** Parses argv; throws CliError(EXIT.usage) for bad input. */
export function parseCommandLine(argv: string[]): Parsed {
  const [first, ...rest] = argv;
  if (first === undefined || first === "--help" || first === "-h") return { kind: "help" };
  if (first === "--version" || first === "-V") return { kind: "version" };
  if (first === "help") {
    if (rest[0] !== undefined && !(rest[0] in COMMANDS)) {
      throw usageError(`Unknown command "${rest[0]}".`);
    }
    return { kind: "help", command: rest[0] };
  }
  if (first.startsWith("-")) throw usageError(`Unknown flag "${first}"; a command comes first.`);
  const command = COMMANDS[first];
  if (!command) {
    const near = Object.keys(COMMANDS).find((name) => name.startsWith(first.slice(0, 2)));
    throw usageError(`Unknown command "${first}".${near ? ` Did you mean "${near}"?` : ""}`);
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      strict: true,
      allowPositionals: command.positionals !== undefined,
      options: toParseArgsOptions({ ...command.flags, ...GLOBAL_FLAGS }),
    });
  } catch (error) {
    const message = (error as Error).message.replace(/\. To specify.*$/s, ".");
    throw usageError(message, first);
  }
  const { help, version: _version, ...flags } = parsed.values;
  if (help) return { kind: "help", command: first };
  return { kind: "run", command: first, input: { flags, positionals: parsed.positionals } };
}
