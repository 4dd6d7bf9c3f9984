/**
 * `almyty-auth completions bash|zsh|fish`, generated from the command table.
 * Each install method `help completions` and README name is tested in the
 * real shell through a terminal (tests/completions_test.ts).
 *
 * @example
 * ```sh
 * mkdir -p ~/.local/share/bash-completion/completions
 * almyty-auth completions bash > ~/.local/share/bash-completion/completions/almyty-auth
 * ```
 * @module
 */
import { COMMANDS, type FlagSpec, GLOBAL_FLAGS, HELP_SUMMARY } from "./spec.ts";
import type { CommandInput } from "../runtime/command.ts";
import type { Context } from "../runtime/context.ts";
import { CliError, EXIT } from "../runtime/errors.ts";
import { stripControl } from "../protocol/text.ts";
import { quoteTyped } from "../protocol/tokens.ts";

const NAMES = [...Object.keys(COMMANDS), "help"];
/** The command that runs a program (exec), and the one whose subcommands take arguments (profile). */
const PROGRAM = Object.keys(COMMANDS).find((name) => COMMANDS[name].program)!;
const SUBCOMMANDS = Object.keys(COMMANDS).find((name) => COMMANDS[name].arguments)!;
const flagsOf = (name: string): [string, FlagSpec][] => [
  ...Object.entries(COMMANDS[name]?.flags ?? {}),
  ...Object.entries(GLOBAL_FLAGS),
];

/**
 * The bash completion script (plain `complete -F`: it works sourced from
 * ~/.bashrc without any package; the bash-completion package is needed only
 * to load it from its completions folder on first use).
 *
 * @example
 * ```ts
 * bash().includes("complete -F _almyty_auth almyty-auth"); // true
 * ```
 */
export function bash(): string {
  const cases = Object.keys(COMMANDS).map((name) =>
    `    ${name}) words="${
      [...flagsOf(name).map(([f]) => `--${f}`), ...(COMMANDS[name].positionals ?? [])].join(" ")
    }" ;;`
  ).join("\n");
  const argumentCases = subcommandArguments(SUBCOMMANDS).map(({ subcommands, position, kind }) =>
    `      ${casePattern(subcommands, position)}) ${
      kind === "login"
        ? `COMPREPLY=($(compgen -W "default ${PROFILE_NAMES.sh}" -- "$cur"))`
        : "compopt -o dirnames; COMPREPLY=()"
    } ;;`
  ).join("\n");
  return `# bash completion for almyty-auth
_almyty_auth() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD-1]} words
  if [ "\${COMP_WORDS[1]}" = ${PROGRAM} ]; then
    # Where the program starts: after --, or at the first word that is no flag or flag value.
    local i=2
    while [ "$i" -lt "$COMP_CWORD" ]; do
      case "\${COMP_WORDS[i]}" in
        --) i=$((i + 1)); break ;;
        ${
    programFlags().join("|")
  }) # its value: the next word, or the two after = (bash splits at =)
          if [ "\${COMP_WORDS[i+1]}" = = ]; then i=$((i + 3)); else i=$((i + 2)); fi ;;
        -*) i=$((i + 1)) ;;
        *) break ;;
      esac
    done
    if [ "$i" -lt "$COMP_CWORD" ]; then compopt -o default; COMPREPLY=(); return; fi # its arguments
    if [ "$i" -eq "$COMP_CWORD" ] && { [ "$prev" = -- ] || [[ $cur != -* ]]; }; then
      COMPREPLY=($(compgen -c -- "$cur")); return # the program
    fi
  fi
  case "$prev" in
${bashValueCases()}
    ${valueFlags().join("|")}) COMPREPLY=(); return ;; # a value comes next, not a flag
  esac
  if [ "\${COMP_WORDS[1]}" = ${SUBCOMMANDS} ] && [ "$COMP_CWORD" -ge 3 ] && [[ $cur != -* ]]; then
    case "\${COMP_WORDS[2]} $((COMP_CWORD - 2))" in
${argumentCases}
      *) COMPREPLY=() ;;
    esac
    return
  fi
  if [ "$COMP_CWORD" -eq 1 ]; then
    words="${NAMES.join(" ")} --help --version"
  else
    case "\${COMP_WORDS[1]}" in
${cases}
    help) words="${Object.keys(COMMANDS).join(" ")}" ;;
    esac
  fi
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -F _almyty_auth almyty-auth
`;
}

/**
 * A command's subcommand arguments: at `position` (1 = the word after the
 * subcommand) after one of `subcommands`, a login's name or a folder.
 */
function subcommandArguments(
  name: string,
): { subcommands: string[]; position: number; kind: "login" | "folder" }[] {
  const groups = new Map<
    string,
    { subcommands: string[]; position: number; kind: "login" | "folder" }
  >();
  for (const [sub, kinds] of Object.entries(COMMANDS[name].arguments ?? {})) {
    kinds.forEach((kind, i) => {
      const key = `${i + 1} ${kind}`;
      if (!groups.has(key)) groups.set(key, { subcommands: [], position: i + 1, kind });
      groups.get(key)!.subcommands.push(sub);
    });
  }
  return [...groups.values()];
}

/** A shell `case` pattern matching "<subcommand> <position>" for each subcommand. */
function casePattern(subcommands: string[], position: number): string {
  return subcommands.map((s) => `"${s} ${position}"`).join("|");
}

/** Text for zsh's `_arguments` brackets and `_describe` items. */
function zshText(text: string): string {
  return text.replace(/[\\[\]:']/g, (c) => (c === "'" ? "'\\''" : `\\${c}`));
}

/** A flag as an `_arguments` spec: `--api=[description]:url: `. */
function zshFlag(name: string, spec: FlagSpec): string {
  const names = spec.short ? `{-${spec.short},--${name}}` : `--${name}`;
  const exclusive = spec.short ? `'(-${spec.short} --${name})'` : "";
  const action =
    (spec.values === "profiles"
      ? `{compadd -- default ${PROFILE_NAMES.zsh}}`
      : spec.values
      ? `(${spec.values.join(" ")})`
      : " ").replaceAll("'", "'\\''"); // inside the spec's single quotes
  const value = spec.type === "string"
    ? `=[${zshText(spec.description)}]:${spec.value ?? "value"}:${action}`
    : `[${zshText(spec.description)}]`;
  return spec.short ? `${exclusive}${names}'${value}'` : `'${names}${value}'`;
}

/**
 * The zsh completion script, with descriptions. Two ways to install it:
 * a file `_almyty-auth` in a folder of `fpath` (autoloaded by compinit; it
 * completes from the first Tab), or `source <(almyty-auth completions zsh)`
 * in .zshrc, before or after compinit (before: it registers at the first
 * prompt, once compinit has run).
 *
 * @example
 * ```ts
 * zsh().startsWith("#compdef almyty-auth"); // true
 * ```
 */
export function zsh(): string {
  const commands = [
    ...Object.entries(COMMANDS).map(([name, c]) => `'${name}:${zshText(c.summary)}'`),
    `'help:${zshText(HELP_SUMMARY)}'`,
  ];
  const cases = Object.entries(COMMANDS).map(([name, spec]) => {
    const label = name === "completions" ? "shell" : name === "profile" ? "action" : "value";
    const positionals = spec.positionals?.length
      ? [`'1:${label}:(${spec.positionals.join(" ")})'`]
      : [];
    return `    ${name}) _arguments -S ${
      [...flagsOf(name).map(([f, s]) => zshFlag(f, s)), ...positionals].join(" ")
    } ;;`;
  }).join("\n");
  return `#compdef almyty-auth
# zsh completion for almyty-auth (from \`almyty-auth completions zsh\`)
_almyty_auth() {
  local -a almyty_commands # not "commands": that would hide zsh's table of programs
  almyty_commands=(${commands.join(" ")})
  if (( CURRENT == 2 )); then
    if [[ $PREFIX == -* ]]; then
      compadd -- --help --version
    else
      _describe -t commands 'almyty-auth command' almyty_commands
    fi
    return
  fi
  local command=$words[2]
  shift words
  (( CURRENT-- ))
  if [[ $command == ${PROGRAM} ]]; then
    # Where the program starts: after --, or at the first word that is no flag or flag value.
    local i=2
    while (( i < CURRENT )); do
      case $words[i] in
        (--) (( i++ )); break ;;
        (${programFlags().join("|")}) (( i += 2 )) ;;
        (-*) (( i++ )) ;;
        (*) break ;;
      esac
    done
    if (( i < CURRENT )) || { (( i == CURRENT )) && [[ $words[i-1] == -- || $PREFIX != -* ]] }; then
      shift $(( i - 1 )) words
      (( CURRENT -= i - 1 ))
      # The program, then its arguments as a command line of its own.
      if (( CURRENT == 1 )); then _command_names -e; else _normal; fi
      return
    fi
  fi
  if [[ $command == ${SUBCOMMANDS} && CURRENT -ge 3 && $PREFIX != -* ]]; then
    case "$words[2] $(( CURRENT - 2 ))" in
${
    subcommandArguments(SUBCOMMANDS).map(({ subcommands, position, kind }) =>
      `      (${casePattern(subcommands, position)}) ${
        kind === "login" ? `compadd -- default ${PROFILE_NAMES.zsh}` : "_directories"
      } ;;`
    ).join("\n")
  }
    esac
    return
  fi
  case $command in
${cases}
    help) _describe -t commands 'command' almyty_commands ;;
  esac
}
if [[ $funcstack[1] == _almyty-auth ]]; then
  # Autoloaded from a folder of fpath: this call is the completion itself.
  _almyty_auth "$@"
elif (( $+functions[compdef] )); then
  compdef _almyty_auth almyty-auth
else
  # Sourced before compinit: register at the first prompt, once it has run.
  _almyty_auth_register() {
    add-zsh-hook -d precmd _almyty_auth_register
    (( $+functions[compdef] )) && compdef _almyty_auth almyty-auth
  }
  autoload -Uz add-zsh-hook
  add-zsh-hook precmd _almyty_auth_register
fi
`;
}

/** Text inside fish's single quotes. */
function fishText(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/'/g, "\\'");
}

/**
 * The fish completion script: no file names anywhere (`-f`), flags that
 * take a value complete nothing for it (`-x`), and `help` offers the commands.
 *
 * @example
 * ```ts
 * fish().includes("complete -c almyty-auth"); // true
 * ```
 */
export function fish(): string {
  const lines = [
    "# fish completion for almyty-auth",
    "complete -c almyty-auth -f",
    "# The saved logins, each with what it is (names only: never a file's content).",
    "function __almyty_auth_logins",
    "    printf '%s\\t%s\\n' default 'the default login'",
    `    ${PROFILE_NAMES.fish}`,
    "end",
    `# Whether the word being completed is argument $argv[1] of \`${SUBCOMMANDS}\` (flags not`,
    "# counted) and, when more are given, the subcommand is one of them.",
    "function __almyty_auth_profile_arg",
    "    set -l words (commandline -opc | string match -rv '^-')",
    `    test "$words[2]" = ${SUBCOMMANDS}; and test (count $words) -eq (math $argv[1] + 1); or return`,
    "    set -q argv[2]; or return 0",
    '    contains -- "$words[3]" $argv[2..]',
    "end",
    `# The program ${PROGRAM} runs (after --, or from its first word that is no flag or flag`,
    "# value) and its arguments, completed as a command line of their own.",
    "function __almyty_auth_program",
    "    set -l words (commandline -opc)[3..]",
    "    while set -q words[1]",
    "        switch $words[1]",
    "            case --",
    "                set -e words[1]",
    "                break",
    `            case ${programFlags().join(" ")}`,
    "                set -e words[1..2]",
    "            case '-*'",
    "                set -e words[1]",
    "            case '*'",
    "                break",
    "        end",
    "    end",
    "    complete -C (string join ' ' -- (string escape -- $words) (commandline -ct))",
    "end",
  ];
  const when = (condition: string) => `complete -c almyty-auth -n '${condition}'`;
  const command = (name: string, summary: string) =>
    `complete -c almyty-auth -n __fish_use_subcommand -a ${name} -d '${fishText(summary)}'`;
  for (const [name, spec] of Object.entries(COMMANDS)) {
    lines.push(command(name, spec.summary));
    for (const [flag, f] of flagsOf(name)) {
      lines.push(
        `${when(`__fish_seen_subcommand_from ${name}`)} -l ${flag}${
          f.short ? ` -s ${f.short}` : ""
        } -d '${fishText(f.description)}'${f.type === "string" ? " -x" : ""}${fishValues(f)}`,
      );
    }
    if (spec.arguments) {
      lines.push(`${when("__almyty_auth_profile_arg 1")} -a '${spec.positionals!.join(" ")}'`);
      for (const { subcommands, position, kind } of subcommandArguments(name)) {
        lines.push(
          `${when(`__almyty_auth_profile_arg ${position + 1} ${subcommands.join(" ")}`)} -a '${
            kind === "login" ? "(__almyty_auth_logins)" : "(__fish_complete_directories)"
          }'`,
        );
      }
    } else if (spec.program) {
      lines.push(`${when(`__fish_seen_subcommand_from ${name}`)} -a '(__almyty_auth_program)'`);
    } else {
      for (const value of spec.positionals ?? []) {
        lines.push(`${when(`__fish_seen_subcommand_from ${name}`)} -a ${value}`);
      }
    }
  }
  lines.push(command("help", HELP_SUMMARY));
  for (const [name, spec] of Object.entries(COMMANDS)) {
    lines.push(
      `complete -c almyty-auth -n '__fish_seen_subcommand_from help' -a ${name} -d '${
        fishText(spec.summary)
      }'`,
    );
  }
  for (const [flag, f] of Object.entries(GLOBAL_FLAGS)) {
    lines.push(
      `complete -c almyty-auth -n __fish_use_subcommand -l ${flag} -s ${f.short} -d '${
        fishText(f.description)
      }'`,
    );
  }
  return lines.join("\n") + "\n";
}

const SHELLS: Record<string, () => string> = { bash, zsh, fish };

/** exec's flags that take a value: the words before its program that are no program. */
function programFlags(): string[] {
  return flagsOf(PROGRAM).filter(([, f]) => f.type === "string").map(([f]) => `--${f}`);
}

/** The flags that take a value with nothing to offer for it, as shells see them. */
function valueFlags(): string[] {
  const names = new Set<string>();
  for (const spec of Object.values(COMMANDS)) {
    for (const [flag, f] of Object.entries(spec.flags)) {
      if (f.type === "string" && !f.values) names.add(`--${flag}`);
    }
  }
  return [...names];
}

/** The saved logins' names, read when completing (names only: never a file's content). */
const PROFILE_NAMES = {
  sh: `$(command ls "$HOME/.almyty/profiles" 2>/dev/null | sed -n 's/\\.json$//p')`,
  zsh: `\${(f)"$(command ls "$HOME/.almyty/profiles" 2>/dev/null | sed -n 's/\\.json$//p')"}`,
  // A line of __almyty_auth_logins: each name with its description after a tab.
  fish:
    `command ls $HOME/.almyty/profiles 2>/dev/null | string replace -rf '\\.json$' '\\tsaved login'`,
};

/** The flags whose values are offered: fixed words, or the saved logins. */
function offered(): Map<string, string[] | "profiles"> {
  const flags = new Map<string, string[] | "profiles">();
  for (const spec of Object.values(COMMANDS)) {
    for (const [flag, f] of Object.entries(spec.flags)) {
      if (f.values) flags.set(`--${flag}`, f.values);
    }
  }
  return flags;
}

/** bash `case` arms that offer a flag's values. */
function bashValueCases(): string {
  return [...offered()].map(([flag, values]) => {
    const words = values === "profiles" ? `default ${PROFILE_NAMES.sh}` : values.join(" ");
    return `    ${flag}) COMPREPLY=($(compgen -W "${words}" -- "$cur")); return ;;`;
  }).join("\n");
}

/**
 * fish: a flag's values, when it has some. A fixed word gets an empty
 * description of its own (`\\t`): fish would repeat the flag's under each one.
 */
function fishValues(f: { values?: string[] | "profiles" }): string {
  if (!f.values) return "";
  return ` -a '${
    f.values === "profiles" ? "(__almyty_auth_logins)" : f.values.map((v) => `${v}\\t`).join(" ")
  }'`;
}

/**
 * Runs the command.
 *
 * @example
 * ```ts
 * import { denoContext } from "../runtime/deno_context.ts";
 * const ctx = { ...denoContext(new AbortController().signal), env: { HOME: Deno.makeTempDirSync() } };
 * await run(ctx, { flags: {}, positionals: ["bash"] }).catch((error) => error.message);
 * ```
 */
export function run(ctx: Context, { positionals }: CommandInput): Promise<number> {
  const shell = positionals[0];
  const known = shell !== undefined && Object.hasOwn(SHELLS, shell);
  if (positionals.length !== 1 || !known) {
    const word = (text: string) => quoteTyped(stripControl(text));
    const named = shell && !known
      ? `${word(shell)} is not a shell it supports. `
      : known
      ? `One shell at a time (${word(positionals[1])} is one too many). `
      : "";
    throw new CliError(
      `${named}Name the shell: almyty-auth completions bash|zsh|fish\n` +
        "Run `almyty-auth help completions` for where to put the script.",
      EXIT.usage,
    );
  }
  ctx.stdout.write(SHELLS[shell]());
  return Promise.resolve(EXIT.ok);
}
