/**
 * The command and flag definitions: one table drives the parser, the help
 * text and the shell completions, so they cannot disagree. (Which module
 * runs each command is in `commands.ts`.)
 *
 * @example
 * ```ts
 * import { COMMANDS } from "./spec.ts";
 * COMMANDS.whoami.flags.json.description; // "print JSON for scripts"
 * ```
 * @module
 */

/** A flag. */
export interface FlagSpec {
  type: "boolean" | "string";
  description: string;
  /** Placeholder shown in help for string flags. */
  value?: string;
  short?: string;
  /** What completions offer as the value: fixed words, or the names of the saved logins. */
  values?: string[] | "profiles";
}

/** A command: its flags and help. */
export interface CommandSpec {
  summary: string;
  examples: string[];
  /** More lines for `help <command>`, after the examples. */
  notes?: string[];
  flags: Record<string, FlagSpec>;
  /** Accepted positional values (for completions), if any. */
  positionals?: string[];
  /**
   * What the words after a positional (a subcommand) are, for completions:
   * a login's name or a folder, in order. A subcommand not named takes nothing.
   */
  arguments?: Record<string, ("login" | "folder")[]>;
  /**
   * Takes a program to run after its flags (`exec`): the first positional
   * ends flag parsing, so the program's own flags are passed on untouched.
   * The text is the usage line's placeholder.
   */
  program?: string;
}

const json: FlagSpec = { type: "boolean", description: "print JSON for scripts" };
const api: FlagSpec = {
  type: "string",
  value: "url",
  description: "API URL (default https://api.almyty.com)",
};

const profile: FlagSpec = {
  type: "string",
  value: "name",
  description: "use this named login (`almyty-auth profile list` shows them)",
  values: "profiles",
};

/**
 * The names `env --shell` takes, each with the syntax it prints (a shell's other
 * names share its syntax): env's check, its refusal, help and the completions
 * all read this one list.
 *
 * @example
 * ```ts
 * import { ENV_SHELLS } from "./spec.ts";
 * ENV_SHELLS.pwsh; // "powershell"
 * ```
 */
export const ENV_SHELLS: Readonly<Record<string, "sh" | "fish" | "powershell" | "json">> = {
  sh: "sh",
  bash: "sh",
  zsh: "sh",
  fish: "fish",
  powershell: "powershell",
  pwsh: "powershell",
  json: "json",
};

/** All commands. */
export const COMMANDS: Record<string, CommandSpec> = {
  login: {
    summary: "Log in to almyty and save the credentials",
    examples: [
      "almyty-auth login",
      "almyty-auth login --no-browser",
      'echo "$ALMYTY_KEY" | almyty-auth login --with-token',
      "almyty-auth login --api http://127.0.0.1:8080",
      "almyty-auth login --profile staging --api https://api.staging.almyty.com",
      "almyty-auth login --no-wait --json",
      "almyty-auth login --continue --wait 60",
    ],
    notes: [
      "For agents and scripts: a login in two steps that leaves nothing running.",
      "  1. almyty-auth login --no-wait --json",
      "     exits at once (0); show the user the URL and the code it prints.",
      "  2. almyty-auth login --continue [--wait <seconds>]",
      "     exit 0 approved and saved, 8 not approved yet (run it again),",
      "     1 denied, expired or nothing pending (start again with step 1).",
      "A --continue that stops (time up, Ctrl-C, killed) keeps the pending login.",
      "With an AI agent's variable set (AI_AGENT, CLAUDECODE, CURSOR_AGENT, …) and",
      "no terminal on stdin, plain `login` acts as --no-wait; --wait-for-approval",
      "waits here instead.",
    ],
    flags: {
      profile: { ...profile, description: "log in to this named login (created if new)" },
      api,
      frontend: {
        type: "string",
        value: "url",
        description: "web app URL (default: the API's, api.… → app.…; https://app.almyty.com)",
      },
      "no-browser": {
        type: "boolean",
        description: "do not open a browser: show a URL and a code to approve on any device",
      },
      qr: {
        type: "boolean",
        description: "headless login: show the QR code even when the terminal is too short for it",
      },
      token: {
        type: "string",
        value: "key",
        description: "save this API key (use - to read it from stdin)",
      },
      "with-token": { type: "boolean", description: "read the API key from stdin" },
      timeout: {
        type: "string",
        value: "seconds",
        description: "give up after this long (default 300)",
      },
      "no-wait": {
        type: "boolean",
        description: "print the URL and code and exit at once",
      },
      continue: {
        type: "boolean",
        description: "finish a --no-wait login (exit 8: not approved yet)",
      },
      wait: {
        type: "string",
        value: "seconds",
        description: "with --continue: wait up to this long (default 0)",
      },
      cancel: { type: "boolean", description: "forget the pending --no-wait login" },
      restart: { type: "boolean", description: "with --no-wait: start over with a new code" },
      json: { type: "boolean", description: "with --no-wait, --continue, --cancel: print JSON" },
      "wait-for-approval": {
        type: "boolean",
        description: "wait here even when an AI agent runs this",
      },
    },
  },
  logout: {
    summary: "Revoke the saved key and remove the login's file",
    examples: [
      "almyty-auth logout",
      "almyty-auth logout --profile staging",
      "almyty-auth logout --all",
    ],
    flags: {
      profile: { ...profile, description: "log out of this named login only" },
      all: { type: "boolean", description: "log out of the default login and every profile" },
    },
  },
  whoami: {
    summary: "Show who you are logged in as (checked with the server)",
    examples: [
      "almyty-auth whoami",
      "almyty-auth whoami --profile staging",
      "almyty-auth whoami --json | jq -r .email",
    ],
    flags: { json, profile },
  },
  token: {
    summary: "Print the token that applies, for scripts",
    examples: [
      "almyty-auth token | some-tool --token-stdin",
      "almyty-auth exec --profile staging -- almyty agents list   # see exec",
    ],
    notes: [
      "ALMYTY_TOKEN alone is sent to https://api.almyty.com by almyty's CLIs: to hand a",
      "login to another tool, use `almyty-auth exec` or `almyty-auth env`, which set",
      "ALMYTY_TOKEN and ALMYTY_URL together.",
    ],
    flags: { profile },
  },
  status: {
    summary: "Show which credentials apply and whether the server accepts them",
    examples: ["almyty-auth status", "almyty-auth status --offline --json"],
    flags: {
      json,
      profile,
      offline: { type: "boolean", description: "do not contact the server" },
    },
  },
  doctor: {
    summary: "Check the setup and say how to fix what is wrong",
    examples: [
      "almyty-auth doctor",
      "almyty-auth doctor --profile staging",
      "almyty-auth doctor --fix   # so that almyty's other CLIs can read it",
    ],
    flags: {
      json,
      api: {
        ...api,
        description: "check this API (default: the login's; without one, https://api.almyty.com)",
      },
      profile,
      fix: {
        type: "boolean",
        description: "rewrite credentials.json without a byte-order mark and with its url",
      },
    },
  },
  profile: {
    summary: "List, copy, choose by folder and trust your named logins",
    examples: [
      "almyty-auth profile list",
      "almyty-auth profile list --check",
      "almyty-auth profile save work     # work becomes a copy of the default login",
      "almyty-auth profile use staging   # the default login: a copy of staging",
      "almyty-auth profile bind staging ~/src/acme   # that folder tree uses staging",
      "almyty-auth profile unbind ~/src/acme",
      "almyty-auth profile trust         # honour this repository's .almyty-profile",
    ],
    notes: [
      "Subcommands:",
      "  list [--json] [--check]  every login: email, organization, API, key, and which",
      "                           one applies here",
      "  save <name>              copy the default login into the profile <name>",
      "  use <name>               make the default login (what almyty's other CLIs",
      "                           read) a copy of <name>; refused if that would drop a",
      "                           login kept nowhere else",
      "  bind <name> [dir]        use <name> in dir (default: here) and below, with no",
      "                           file in it",
      "  unbind [dir]             remove the binding of dir",
      "  trust [dir]              honour dir's .almyty-profile as it is now (a change",
      "                           untrusts it)",
      "  untrust [dir]            stop honouring it",
      "",
      "Which login applies: ALMYTY_TOKEN (with ALMYTY_URL; --profile beside it is an",
      "error), else --profile, else ALMYTY_PROFILE, else a trusted .almyty-profile or a",
      "binding of the folder (the nearer one; a binding of the same folder wins), else",
      "the default login.",
      "Parallel agents should use `exec`, `--profile` or ALMYTY_PROFILE, never",
      "`profile use`: the default login is shared by every process.",
    ],
    flags: {
      json,
      check: { type: "boolean", description: "with list: verify each login with its own API" },
    },
    positionals: ["list", "save", "use", "bind", "unbind", "trust", "untrust"],
    arguments: {
      use: ["login"],
      bind: ["login", "folder"],
      unbind: ["folder"],
      trust: ["folder"],
      untrust: ["folder"],
    },
  },
  exec: {
    summary: "Run a program with a login's ALMYTY_TOKEN and ALMYTY_URL",
    examples: [
      "almyty-auth exec --profile staging -- almyty agents list",
      "almyty-auth exec --profile acme-prod -- node deploy.mjs --dry-run",
    ],
    notes: [
      "The program runs without a shell, with your environment plus ALMYTY_TOKEN,",
      "ALMYTY_URL, ALMYTY_FRONTEND_URL and ALMYTY_PROFILE of the login (replacing any",
      "inherited ones: an ALMYTY_TOKEN in your shell does not stop --profile), so every",
      "almyty CLI uses that login, unchanged. Without a login nothing runs (exit 4):",
      "an empty token or a missing URL is never handed over.",
      "Signals: SIGTERM and SIGHUP are passed on, SIGINT and SIGQUIT too except at a",
      "terminal, where Ctrl-C and Ctrl-\\ already reach the program (there, one that",
      "comes again within 3 s is passed on).",
      "Exit code: the program's; 128+n after signal n, 127 not found, 126 not",
      "executable or its #! interpreter missing (which is named).",
    ],
    flags: { profile },
    positionals: [],
    program: "-- <program> [args…]",
  },
  env: {
    summary: "Print a login's ALMYTY_* variables for a shell (eval) or direnv",
    examples: [
      'eval "$(almyty-auth env --profile staging)"',
      "almyty-auth env --profile staging --shell fish | source",
      "almyty-auth env --profile staging --shell powershell | Invoke-Expression",
      'eval "$(almyty-auth env --unset)"',
    ],
    notes: [
      "It prints a secret: pipe it into your shell, do not paste it anywhere.",
      'In direnv\'s .envrc: eval "$(almyty-auth env --profile staging)".',
    ],
    flags: {
      profile,
      shell: {
        type: "string",
        value: "shell",
        description: "sh (also bash, zsh; the default), fish, powershell (also pwsh) or json",
        values: Object.keys(ENV_SHELLS),
      },
      unset: { type: "boolean", description: "print the commands that remove the variables" },
    },
  },
  completions: {
    summary: "Print a shell completion script (bash, zsh or fish)",
    examples: [
      "mkdir -p ~/.local/share/bash-completion/completions",
      "almyty-auth completions bash \\",
      "  > ~/.local/share/bash-completion/completions/almyty-auth",
      "mkdir -p ~/.zfunc && almyty-auth completions zsh > ~/.zfunc/_almyty-auth",
      "mkdir -p ~/.config/fish/completions",
      "almyty-auth completions fish > ~/.config/fish/completions/almyty-auth.fish",
    ],
    notes: [
      "bash reads that folder only with the bash-completion package; without it, put",
      "  source <(almyty-auth completions bash)",
      "in ~/.bashrc. zsh: put fpath=(~/.zfunc $fpath) before compinit in ~/.zshrc, or",
      "  source <(almyty-auth completions zsh)",
      "anywhere in ~/.zshrc.",
    ],
    flags: {},
    positionals: ["bash", "zsh", "fish"],
  },
};

/** What `help` (a command of its own, not in {@link COMMANDS}) does. */
export const HELP_SUMMARY = "Show help for a command";

/** Flags every command accepts. */
export const GLOBAL_FLAGS: Record<string, FlagSpec> = {
  help: { type: "boolean", short: "h", description: "show help" },
  version: { type: "boolean", short: "V", description: "print the version" },
};
