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
import { loginCommand, type LoginPlace, shellWord } from "../credentials/fix_hints.ts";
import { isProfileName } from "../credentials/types.ts";
import type { CommandInput } from "../runtime/command.ts";
import { CliError, EXIT } from "../runtime/errors.ts";
import { stripControl } from "../protocol/text.ts";
import { isKeyOrToken, quoteTyped } from "../protocol/tokens.ts";

/** What to do. */
export type Parsed =
  | { kind: "help"; command?: string }
  | { kind: "version" }
  | { kind: "run"; command: string; input: CommandInput };

/**
 * The candidate nearest to `word` (edit distance, transpositions counting
 * one), if it is close enough to be a typo.
 *
 * @example
 * ```ts
 * closest("--no-browsr", ["--no-browser", "--api"]); // "--no-browser"
 * closest("--colour", ["--api"]); // undefined
 * ```
 */
export function closest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = editDistance(word, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  const core = word.replace(/^-+/, "");
  const allowed = core.length <= 3 ? 1 : core.length <= 6 ? 2 : 3;
  if (bestDistance <= allowed) return best;
  // A prefix that names one candidate ("--no-b"), as commands accept "wh" → whoami.
  const prefixed = candidates.filter((c) => core.length >= 2 && c.startsWith(word));
  return prefixed.length === 1 ? prefixed[0] : undefined;
}

function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.length][b.length];
}

/**
 * The message for an unknown flag: -v is a common guess for the version,
 * `env --json` for `env --shell json`;
 * --api where a login's own API applies gets the way to another environment;
 * else the nearest flag.
 */
function unknownFlag(flag: string, known: string[], command?: string, args: string[] = []): string {
  if (flag === "-v") return `Unknown flag "-v". For the version, use -V (or --version).`;
  // env prints JSON as one of its shells; --json is what every other command takes.
  if (flag === "--json" && known.includes("--shell")) {
    return `Unknown flag "--json". For JSON, use --shell json.`;
  }
  if (flag === "--api" && known.includes("--profile")) {
    // The hint keeps what was typed: the API asked for, and the profile if one was named,
    // each one shell word (pasted, it runs nothing but the login).
    const typed = (flag: string) => {
      const value = valueOf(args, flag);
      // A key typed as the --api value (an "API key"?) is not put in the hint.
      return value === undefined || isKeyOrToken(value)
        ? undefined
        : shellWord(stripControl(value));
    };
    const name = typed("--profile") ?? "<name>";
    const url = typed("--api") ?? "<url>";
    return `Unknown flag "--api" for ${command}: a saved login keeps its own API. For another ` +
      `environment, log in to a profile there (almyty-auth login --profile ${name} --api ${url}), ` +
      `then use --profile ${name}.`;
  }
  const near = closest(flag, known);
  return `Unknown flag ${quoteTyped(flag)}.${near ? ` Did you mean "${near}"?` : ""}`;
}

/** The value typed for `flag` (`--flag value` or `--flag=value`), without control characters. */
function valueOf(args: string[], flag: string): string | undefined {
  for (let i = 0; i < args.length && args[i] !== "--"; i++) {
    const value = args[i].startsWith(`${flag}=`)
      ? args[i].slice(flag.length + 1)
      : args[i] === flag && !args[i + 1]?.startsWith("-")
      ? args[i + 1]
      : undefined;
    if (value) return stripControl(value).slice(0, 200);
  }
  return undefined;
}

/** Commands of other CLIs that people type here, and what does it (no spelling is near them). */
const GUESSED_COMMANDS = new Map([
  ["version", "For the version, use -V (or --version)."], // gh, docker, kubectl
  ["signin", 'Did you mean "login"?'],
  ["sign-in", 'Did you mean "login"?'],
]);

/** The message for an unknown command, with the nearest one (none for an empty word: `"$CMD"`). */
function unknownCommand(word: string): string {
  const guessed = GUESSED_COMMANDS.get(word);
  if (guessed) return `Unknown command ${quoteTyped(word)}. ${guessed}`;
  const names = Object.keys(COMMANDS);
  const near = word === "" || word.length > 60 ? undefined : closest(word, names) ??
    names.find((name) => name.startsWith(word.slice(0, 2)));
  return `Unknown command ${quoteTyped(word)}.${near ? ` Did you mean "${near}"?` : ""}`;
}

/**
 * After an argument that is a key: where a key goes instead, keeping the login and API typed
 * in `args` (pasted, the key goes to that API and that login, never the default's).
 */
function keyHint(word: string, args: string[]): string {
  return isKeyOrToken(word)
    ? " A key is never an argument (shell history, `ps`): pipe it to " +
      `${loginCommand(typedPlace(args), "--with-token")}, or set ALMYTY_TOKEN.`
    : "";
}

/** The login typed in `args`: a valid --profile, and an --api and --frontend that hold no key. */
function typedPlace(args: string[]): LoginPlace {
  const typed = (flag: string) => {
    const value = valueOf(args, flag);
    return value === undefined || isKeyOrToken(value) ? undefined : value;
  };
  const profile = typed("--profile");
  return {
    api: typed("--api"),
    frontend: typed("--frontend"),
    login: profile !== undefined && isProfileName(profile) ? { profile, named: true } : null,
  };
}

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
      // After `--` as before it: a command without arguments takes none (`token -- --profile x`
      // would otherwise print the default login's token).
      if (!allowPositionals && i + 1 < args.length) {
        throw usageError(
          `Unexpected argument ${quoteTyped(args[i + 1])} after --.${keyHint(args[i + 1], args)}`,
          command,
        );
      }
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      if (!allowPositionals) {
        throw usageError(`Unexpected argument ${quoteTyped(arg)}.${keyHint(arg, args)}`, command);
      }
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
    // Own names only: `--constructor` or `--toString` is no flag of ours.
    const spec = rawName !== undefined && Object.hasOwn(flags, rawName)
      ? flags[rawName]
      : undefined;
    if (!spec || rawName === undefined) {
      const known = Object.keys(flags).map((name) => `--${name}`);
      throw usageError(unknownFlag(arg.split("=")[0], known, command, args), command);
    }
    if (spec.type === "boolean") {
      if (inline !== undefined) throw usageError(`--${rawName} takes no value.`, command);
      values[rawName] = true;
    } else if (inline !== undefined) {
      values[rawName] = inline;
    } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
      values[rawName] = args[++i];
    } else {
      // No value of ours starts with "--": `login --api --with-token` forgot the URL (it is not
      // "--with-token"), and `--profile -- prog` the name. `--flag=--x` still passes one.
      // (`--token=$KEY` is named as a key, never shown.)
      const word = args[i + 1];
      const next = word === undefined
        ? ""
        : ` before ${isKeyOrToken(word) ? quoteTyped(word) : stripControl(word).slice(0, 40)}`;
      throw usageError(
        `--${rawName} needs a value${spec.value ? ` (<${spec.value}>)` : ""}${next}.`,
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
  if (first === undefined) return { kind: "help" };
  if (first === "--version" || first === "-V") return { kind: "version" };
  // `--help login` as git and gh read it: the command's page, like `help login`.
  if (first === "help" || first === "--help" || first === "-h") {
    // `help --help` (and `--help --help`): the help command's own page, as `git help --help`
    // shows git-help's.
    if (rest[0] === "--help" || rest[0] === "-h") return { kind: "help", command: "help" };
    if (rest[0]?.startsWith("-")) {
      throw usageError(
        `Unknown flag ${quoteTyped(rest[0])}: help takes a command's name, as in ` +
          "almyty-auth help login.",
        "help",
      );
    }
    if (rest[0] !== undefined && rest[0] !== "help" && !Object.hasOwn(COMMANDS, rest[0])) {
      throw usageError(unknownCommand(rest[0]));
    }
    // One page at a time, as every command refuses a word it does not take; a subcommand
    // (`help profile bind`) is on its command's page.
    const stray = rest.slice(1).find((word, i) =>
      i > 0 || !(COMMANDS[rest[0]]?.positionals ?? []).includes(word)
    );
    if (stray !== undefined) {
      throw usageError(
        `Unexpected argument ${quoteTyped(stray)}: help shows one command's page.${
          keyHint(stray, rest)
        }`,
        "help",
      );
    }
    return { kind: "help", command: rest[0] };
  }
  if (first === "-v") throw usageError(unknownFlag(first, []));
  if (first.startsWith("-")) {
    const near = closest(first, ["--help", "--version"]);
    throw usageError(
      `Unknown flag ${quoteTyped(first)}; a command comes first.${
        near ? ` Did you mean "${near}"?` : ""
      }`,
    );
  }
  if (!Object.hasOwn(COMMANDS, first)) throw usageError(unknownCommand(first));
  const command = COMMANDS[first];
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
