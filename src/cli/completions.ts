/**
 * `almyty-auth completions bash|zsh|fish`, generated from the command table.
 *
 * @example
 * ```sh
 * almyty-auth completions bash > /etc/bash_completion.d/almyty-auth
 * ```
 * @module
 */
import { COMMANDS, GLOBAL_FLAGS } from "./spec.ts";
import type { CommandInput } from "../runtime/command.ts";
import type { Context } from "../runtime/context.ts";
import { CliError, EXIT } from "../runtime/errors.ts";

const NAMES = [...Object.keys(COMMANDS), "help"];
const flagsOf = (name: string) =>
  [
    ...Object.keys(COMMANDS[name]?.flags ?? {}),
    ...Object.keys(GLOBAL_FLAGS),
  ].map((f) => `--${f}`);

/**
 * The bash completion script.
 *
 * @example
 * ```ts
 * bash().includes("complete -F _almyty_auth almyty-auth"); // true
 * ```
 */
export function bash(): string {
  const cases = Object.keys(COMMANDS).map((name) =>
    `    ${name}) words="${[...flagsOf(name), ...(COMMANDS[name].positionals ?? [])].join(" ")}" ;;`
  ).join("\n");
  return `# bash completion for almyty-auth
_almyty_auth() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD-1]} words
  case "$prev" in
${valueCases("bash")}
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

/**
 * The zsh completion script.
 *
 * @example
 * ```ts
 * zsh().startsWith("#compdef almyty-auth"); // true
 * ```
 */
export function zsh(): string {
  const cases = Object.keys(COMMANDS).map((name) =>
    `    ${name}) compadd -- ${
      [...flagsOf(name), ...(COMMANDS[name].positionals ?? [])].join(" ")
    } ;;`
  ).join("\n");
  return `#compdef almyty-auth
_almyty_auth() {
  case "$words[CURRENT-1]" in
${valueCases("zsh")}
    ${valueFlags().join("|")}) _message 'value'; return ;; # a value comes next, not a flag
  esac
  if [[ "$words[2]" == profile && CURRENT -eq 4 && "$words[3]" == (use|bind) ]]; then
    compadd -- default ${PROFILE_NAMES.zsh}
    return
  fi
  if (( CURRENT == 2 )); then
    compadd -- ${NAMES.join(" ")} --help --version
    return
  fi
  case "$words[2]" in
${cases}
    help) compadd -- ${Object.keys(COMMANDS).join(" ")} ;;
  esac
}
# Sourced before compinit (e.g. early in .zshrc), compdef does not exist yet.
if (( ! $+functions[compdef] )); then
  autoload -Uz compinit && compinit
fi
compdef _almyty_auth almyty-auth
`;
}

/**
 * The fish completion script.
 *
 * @example
 * ```ts
 * fish().includes("complete -c almyty-auth"); // true
 * ```
 */
export function fish(): string {
  const lines = ["# fish completion for almyty-auth", "complete -c almyty-auth -f"];
  for (const [name, spec] of Object.entries(COMMANDS)) {
    lines.push(
      `complete -c almyty-auth -n __fish_use_subcommand -a ${name} -d '${
        spec.summary.replace(/'/g, "\\'")
      }'`,
    );
    for (const [flag, f] of Object.entries(spec.flags)) {
      lines.push(
        `complete -c almyty-auth -n '__fish_seen_subcommand_from ${name}' -l ${flag} -d '${
          f.description.replace(/'/g, "\\'")
        }'${f.type === "string" ? " -r" : ""}${fishValues(f)}`,
      );
    }
    for (const value of spec.positionals ?? []) {
      lines.push(`complete -c almyty-auth -n '__fish_seen_subcommand_from ${name}' -a ${value}`);
    }
  }
  lines.push(
    `complete -c almyty-auth -n '__fish_seen_subcommand_from use bind' -a "default ${PROFILE_NAMES.fish}"`,
    `complete -c almyty-auth -n __fish_use_subcommand -a help -d 'Show help for a command'`,
  );
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
  fish: `(command ls $HOME/.almyty/profiles 2>/dev/null | string replace -rf '\\.json$' '')`,
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

/** `case` arms that offer a flag's values (bash, zsh). */
function valueCases(shell: "bash" | "zsh"): string {
  return [...offered()].map(([flag, values]) => {
    const words = values === "profiles"
      ? `default ${shell === "bash" ? PROFILE_NAMES.sh : PROFILE_NAMES.zsh}`
      : values.join(" ");
    return shell === "bash"
      ? `    ${flag}) COMPREPLY=($(compgen -W "${words}" -- "$cur")); return ;;`
      : `    ${flag}) compadd -- ${words}; return ;;`;
  }).join("\n");
}

/** fish: a flag's values, when it has some. */
function fishValues(f: { values?: string[] | "profiles" }): string {
  if (!f.values) return "";
  return ` -x -a "${
    f.values === "profiles" ? `default ${PROFILE_NAMES.fish}` : f.values.join(" ")
  }"`;
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
    throw new CliError(
      (shell && !SHELLS[shell] ? `${shell} is not supported: ` : "") +
        "name one of the supported shells: almyty-auth completions bash|zsh|fish",
      EXIT.usage,
    );
  }
  ctx.stdout.write(SHELLS[shell]());
  return Promise.resolve(EXIT.ok);
}
