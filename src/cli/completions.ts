/**
 * `almyty-auth completions bash|zsh|fish`, generated from the command table.
 * Each install method `help completions` and README name is tested in the
 * real shell through a terminal (tests/completions_test.ts).
 *
 * @example
 * ```sh
 * almyty-auth completions bash > ~/.local/share/bash-completion/completions/almyty-auth
 * ```
 * @module
 */
import { COMMANDS, type FlagSpec, GLOBAL_FLAGS } from "./spec.ts";
import type { CommandInput } from "../runtime/command.ts";
import type { Context } from "../runtime/context.ts";
import { CliError, EXIT } from "../runtime/errors.ts";

const HELP_SUMMARY = "Show help for a command";
const NAMES = [...Object.keys(COMMANDS), "help"];
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
  return `# bash completion for almyty-auth
_almyty_auth() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD-1]} words
  case "$prev" in
${bashValueCases()}
    ${valueFlags().join("|")}) COMPREPLY=(); return ;; # a value comes next, not a flag
  esac
  if [ "\${COMP_WORDS[1]}" = profile ] && [ "$COMP_CWORD" -eq 3 ]; then
    case "$prev" in use|bind) COMPREPLY=($(compgen -W "default ${PROFILE_NAMES.sh}" -- "$cur")); return ;; esac
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
  local -a commands
  commands=(${commands.join(" ")})
  if (( CURRENT == 2 )); then
    if [[ $PREFIX == -* ]]; then
      compadd -- --help --version
    else
      _describe -t commands 'almyty-auth command' commands
    fi
    return
  fi
  local command=$words[2]
  shift words
  (( CURRENT-- ))
  if [[ $command == profile && CURRENT -eq 3 && $words[2] == (use|bind) ]]; then
    compadd -- default ${PROFILE_NAMES.zsh}
    return
  fi
  case $command in
${cases}
    help) _describe -t commands 'command' commands ;;
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
  const lines = ["# fish completion for almyty-auth", "complete -c almyty-auth -f"];
  const command = (name: string, summary: string) =>
    `complete -c almyty-auth -n __fish_use_subcommand -a ${name} -d '${fishText(summary)}'`;
  for (const [name, spec] of Object.entries(COMMANDS)) {
    lines.push(command(name, spec.summary));
    for (const [flag, f] of flagsOf(name)) {
      lines.push(
        `complete -c almyty-auth -n '__fish_seen_subcommand_from ${name}' -l ${flag}${
          f.short ? ` -s ${f.short}` : ""
        } -d '${fishText(f.description)}'${f.type === "string" ? " -x" : ""}${fishValues(f)}`,
      );
    }
    for (const value of spec.positionals ?? []) {
      lines.push(`complete -c almyty-auth -n '__fish_seen_subcommand_from ${name}' -a ${value}`);
    }
  }
  lines.push(
    `complete -c almyty-auth -n '__fish_seen_subcommand_from use bind' -a 'default ${PROFILE_NAMES.fish}'`,
    command("help", HELP_SUMMARY),
  );
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
  // Single-quoted in the script (evaluated when completing), so double quotes inside.
  fish: `(command ls $HOME/.almyty/profiles 2>/dev/null | string replace -rf "\\.json\\$" "")`,
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

/** fish: a flag's values, when it has some. */
function fishValues(f: { values?: string[] | "profiles" }): string {
  if (!f.values) return "";
  return ` -a '${f.values === "profiles" ? `default ${PROFILE_NAMES.fish}` : f.values.join(" ")}'`;
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
  if (positionals.length !== 1 || !SHELLS[shell]) {
    const named = shell && !SHELLS[shell]
      ? `"${shell.replace(/[^\w.-]/g, "?").slice(0, 40)}" is not a shell it supports. `
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
