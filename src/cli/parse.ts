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
import { COMMANDS, type FlagSpec, GLOBAL_FLAGS } from "./spec.ts";
import type { CommandInput } from "../runtime/command.ts";
import { CliError, EXIT } from "../runtime/errors.ts";

/** What to do. */
export type Parsed =
  | { kind: "help"; command?: string }
  | { kind: "version" }
  | { kind: "run"; command: string; input: CommandInput };

function usageError(message: string, command?: string): CliError {
  const hint = command ? `almyty-auth help ${command}` : "almyty-auth --help";
  return new CliError(`${message}\nRun \`${hint}\` for usage.`, EXIT.usage);
}

/**
 * Strict flag parsing: `--flag`, `--flag=value`, `--flag value`, `-x`, `--`.
 * Hand-written rather than node:util's parseArgs, which costs every command
 * about 4 ms of start-up (it initialises Deno's Node layer).
 */
function parseFlags(
  args: string[],
  flags: Record<string, FlagSpec>,
  allowPositionals: boolean,
  command: string,
  /** The first positional is a program to run: it and everything after are its own. */
  program = false,
): CommandInput {
  const values: CommandInput["flags"] = {};
  const positionals: string[] = [];
  const shorts = new Map(
    Object.entries(flags).filter(([, f]) => f.short).map(([name, f]) => [`-${f.short}`, name]),
  );
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      if (!allowPositionals) throw usageError(`Unexpected argument "${arg}".`, command);
      if (program) {
        positionals.push(...args.slice(i));
        break;
      }
      positionals.push(arg);
      continue;
    }
    const [rawName, inline] = arg.startsWith("--")
      ? [
        arg.slice(2).split("=")[0],
        arg.includes("=") ? arg.slice(arg.indexOf("=") + 1) : undefined,
      ]
      : [shorts.get(arg), undefined];
    const spec = rawName === undefined ? undefined : flags[rawName];
    if (!spec || rawName === undefined) {
      throw usageError(`Unknown flag "${arg.split("=")[0]}".`, command);
    }
    if (spec.type === "boolean") {
      if (inline !== undefined) throw usageError(`--${rawName} takes no value.`, command);
      values[rawName] = true;
    } else if (inline !== undefined) {
      values[rawName] = inline;
    } else if (i + 1 < args.length) {
      values[rawName] = args[++i];
    } else {
      throw usageError(
        `--${rawName} needs a value${spec.value ? ` (<${spec.value}>)` : ""}.`,
        command,
      );
    }
  }
  return { flags: values, positionals };
}

/**
 * Parses argv; throws CliError(EXIT.usage) for bad input.
 *
 * @example
 * ```ts
 * parseCommandLine(["whoami", "--json"]); // { kind: "run", command: "whoami", input: { flags: { json: true }, positionals: [] } }
 * ```
 */
export function parseCommandLine(argv: string[]): Parsed {
  const [first, ...rest] = argv;
  if (first === undefined || first === "--help" || first === "-h") return { kind: "help" };
  if (first === "--version" || first === "-V") return { kind: "version" };
  if (first === "help") {
    if (rest[0] !== undefined && rest[0] !== "help" && !(rest[0] in COMMANDS)) {
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
  const parsed = parseFlags(
    rest,
    { ...command.flags, ...GLOBAL_FLAGS },
    command.positionals !== undefined,
    first,
    command.program !== undefined,
  );
  const { help, version, ...flags } = parsed.flags;
  if (help) return { kind: "help", command: first };
  // Completions offer --version after every command; it means what it means first.
  if (version) return { kind: "version" };
  return { kind: "run", command: first, input: { flags, positionals: parsed.positionals } };
}
