/**
 * Mutants of the rules the phase-3 newcomer pass (polish) added: what a
 * person sees in a real terminal.
 * @module
 */
import type { Mutant } from "./mutant.ts";

const COMPLETIONS = {
  file: "src/cli/completions.ts",
  tests: ["tests/completions_test.ts"],
  filter: "saved logins' names",
};

const PROFILE_LIST = {
  tests: ["tests/terminal_width_test.ts"],
  filter: "profile list at 80 columns",
};

const MESSAGES = {
  tests: ["tests/terminal_width_test.ts"],
  filter: "messages at 80 columns",
};

/** See scripts/mutants/mutant.ts for the fields. */
export const mutants: Mutant[] = [
  {
    rule: "fish: each login's name has its own description (not the flag's, repeated)",
    ...COMPLETIONS,
    find: `"    printf '%s\\\\t%s\\\\n' default 'the default login'",`,
    replace: `"    echo default",`,
  },
  {
    rule: "fish: profile's subcommands are offered only as its first word",
    ...COMPLETIONS,
    find: '${when("__almyty_auth_profile_arg 1")}',
    replace: '${when("__fish_seen_subcommand_from profile")}',
  },
  {
    rule: "bash: after `profile use <name>` no subcommand is offered again",
    ...COMPLETIONS,
    find: "      *) COMPREPLY=() ;;\n    esac\n    return\n  fi",
    replace: "    esac\n  fi",
  },
  {
    rule: "bash: exec's program completes as a command",
    ...COMPLETIONS,
    find: 'COMPREPLY=($(compgen -c -- "$cur")); return # the program',
    replace: "COMPREPLY=(); return # the program",
  },
  {
    rule: "bash: exec --profile=<name> (split at = by bash) is no program",
    ...COMPLETIONS,
    find: 'if [ "\\${COMP_WORDS[i+1]}" = = ]; then i=$((i + 3)); else i=$((i + 2)); fi ;;',
    replace: "i=$((i + 2)) ;;",
  },
  {
    rule: "zsh: exec's program completes as a command (zsh's table of programs not hidden)",
    ...COMPLETIONS,
    find: "if (( CURRENT == 1 )); then _command_names -e; else _normal; fi",
    replace: "_files",
  },
  {
    rule: "fish: exec's program completes as a command",
    ...COMPLETIONS,
    find: "-a '(__almyty_auth_program)'",
    replace: "",
  },
  {
    rule: "profile list fits the terminal's width",
    file: "src/cli/profile.ts",
    find: "const width = ctx.stdout.isTerminal ? ctx.stdout.size?.()?.columns : undefined;",
    replace: "const width = undefined;",
    ...PROFILE_LIST,
  },
  {
    rule: "profile list piped keeps every column whole",
    file: "src/cli/profile.ts",
    find: "const width = ctx.stdout.isTerminal ? ctx.stdout.size?.()?.columns : undefined;",
    replace: "const width = ctx.stdout.size?.()?.columns ?? 80;",
    ...PROFILE_LIST,
  },
  {
    rule: "a table's note left out on a narrow terminal stands under its row",
    file: "src/runtime/output.ts",
    find: "    if (gone.below) below.push(gone);\n",
    replace: "",
    ...PROFILE_LIST,
  },
  {
    rule: "messages on a terminal's stderr break between words at its width",
    file: "src/runtime/deno_context.ts",
    find: "stderr: output(Deno.stderr, true),",
    replace: "stderr: output(Deno.stderr),",
    ...MESSAGES,
  },
  {
    rule: "piped messages are written as they are (never wrapped)",
    file: "src/runtime/deno_context.ts",
    find: "const columns = wrap ? size()?.columns : undefined;",
    replace: "const columns = wrap ? size()?.columns ?? 80 : undefined;",
    ...MESSAGES,
  },
  {
    rule: "a wrapped message never breaks a command someone copies",
    file: "src/runtime/output.ts",
    find: "const command = COMMANDS.has(",
    replace: "const command = false && COMMANDS.has(",
    ...MESSAGES,
  },
  {
    rule: "a wrapped message never breaks a `quoted span`",
    file: "src/runtime/output.ts",
    find: 'const quoted = word.startsWith("`")',
    replace: 'const quoted = false && word.startsWith("`")',
    tests: ["tests/unit/wrap_test.ts"],
    filter: "never broken",
  },
  {
    rule: "a wrapped message continues where the cursor is",
    file: "src/runtime/output.ts",
    find: "const start = i === 0 ? column : 0;",
    replace: "const start = 0;",
    tests: ["tests/unit/wrap_test.ts"],
    filter: "where the cursor is",
  },
  {
    rule: "the empty-key hint keeps the login's --profile and --api",
    file: "src/cli/login.ts",
    find:
      '`The API key is empty. Pass the key itself, e.g. ${\n        loginCommand(target, "--with-token")\n      } < key.txt`',
    replace:
      '"The API key is empty. Pass the key itself, e.g. almyty-auth login --with-token < key.txt"',
    tests: ["tests/flows_test.ts"],
    filter: "nothing on stdin",
  },
  {
    rule: "exec without a program: the usage hint keeps its --profile",
    file: "src/cli/exec.ts",
    find: ': `--profile ${checkProfileName(String(flags.profile), "--profile")}`;',
    replace: ': "[--profile <name>]";',
    tests: ["tests/profiles_test.ts"],
    filter: "exec and env hand over",
  },
  {
    rule: "a wrapped message never breaks a drawing (the QR code's rows)",
    file: "src/runtime/output.ts",
    find: " || /[\\u2580-\\u259f]/.test(row)) return row;",
    replace: ") return row;",
    tests: ["tests/unit/wrap_test.ts"],
    filter: "never broken",
  },
  {
    rule: "--api on a reading command: the hint keeps the API and profile typed",
    file: "src/cli/parse.ts",
    find: 'const url = typed("--api") ?? "<url>";',
    replace: 'const url = "<url>";',
    tests: ["tests/unit/parse_test.ts"],
    filter: "every bad input",
  },
  {
    rule: "--api on a reading command: the hint keeps the profile typed",
    file: "src/cli/parse.ts",
    find: 'const name = typed("--profile") ?? "<name>";',
    replace: 'const name = "<name>";',
    tests: ["tests/unit/parse_test.ts"],
    filter: "every bad input",
  },
  {
    rule: "a command too long to stand indented starts its line (seen and copied whole)",
    file: "src/runtime/output.ts",
    find: "lines.push(flush ? piece : under + piece);",
    replace: "lines.push(under + piece);",
    tests: ["tests/unit/wrap_test.ts"],
    filter: "hang",
  },
  {
    rule: "status on a terminal wraps long lines under their label",
    file: "src/cli/status.ts",
    find: "line(ctx.stdout, columns ? wrapForTerminal(text, columns, { hang: LABEL }) : text);",
    replace: "line(ctx.stdout, text);",
    tests: ["tests/terminal_width_test.ts"],
    filter: "status and doctor at 80",
  },
];
