/**
 * The one list of what the CLI may touch. It drives `deno compile`, the
 * e2e tests, `deno task cli` and `main.ts`'s environment snapshot, so the
 * binary, the tests and development all run with the same sandbox.
 *
 * @example
 * ```ts
 * import { permissionFlags } from "./permissions.ts";
 * permissionFlags(); // ["--allow-net", "--allow-env=HOME,…", …]
 * ```
 * @module
 */

/**
 * The variables coding agents set in the shells they run commands in
 * (`cli/agent.ts`: their login does not wait for a person).
 */
export const AGENT_VARIABLES = [
  "AI_AGENT",
  "CLAUDECODE",
  "CLAUDE_CODE",
  "CURSOR_AGENT",
  "CURSOR_TRACE_ID",
  "CODEX_SANDBOX",
  "GEMINI_CLI",
  "REPL_ID",
] as const;

/**
 * The variables that choose the login and where it goes (the home folder,
 * the ALMYTY_* that select); the other `ENV_VARS` only tune.
 *
 * @example
 * ```ts
 * LOGIN_VARS.includes("ALMYTY_TOKEN"); // true
 * ```
 */
export const LOGIN_VARS = [
  "HOME",
  "USERPROFILE",
  "ALMYTY_TOKEN",
  "ALMYTY_URL",
  "ALMYTY_FRONTEND_URL",
  "ALMYTY_PROFILE",
] as const;

/** Every environment variable the CLI reads. */
export const ENV_VARS = [
  ...LOGIN_VARS,
  "BROWSER",
  "DISPLAY",
  "WAYLAND_DISPLAY",
  "SSH_CONNECTION",
  "SSH_TTY",
  "CI",
  "NO_COLOR",
  "TERM",
  "WSL_DISTRO_NAME",
  "REMOTE_CONTAINERS",
  "CODESPACES",
  "COLORFGBG",
  "HTTPS_PROXY",
  "https_proxy",
  "HTTP_PROXY",
  "http_proxy",
  "ALL_PROXY",
  "all_proxy",
  "NO_PROXY",
  "no_proxy",
  "DENO_CERT",
  "ALMYTY_HTTP_TIMEOUT",
  ...AGENT_VARIABLES,
] as const;

/** The operating systems the CLI is built for, as `Deno.build.os` names them. */
export type TargetOs = "linux" | "darwin" | "windows";

/**
 * System paths the CLI never needs, per OS, denied so that a bug (or a
 * hostile BROWSER value's parent) cannot make the CLI read or write them.
 * Named as they really are: Deno matches a deny path as given, not what it
 * resolves to, and macOS's `/etc` is a symlink to `/private/etc`, so both
 * names are denied there. Deno cannot expand `~` or variables in permission
 * paths, and HOME is only known at run time, so read/write cannot be
 * narrowed to ~/.almyty at compile time. Windows: the registry hives and
 * the hosts folder on the system drive (C:, where Windows installs itself).
 */
export const DENIED_PATHS: Readonly<Record<TargetOs, readonly string[]>> = {
  linux: ["/etc", "/proc", "/sys", "/boot", "/dev/mem"],
  darwin: ["/etc", "/private/etc", "/private/var/db", "/System", "/Library/Keychains"],
  windows: ["C:\\Windows\\System32\\config", "C:\\Windows\\System32\\drivers\\etc"],
};

/**
 * The permission flags for a binary (or a run) on `os`, in the order
 * `deno run`/`deno compile` take them; by default this machine's OS.
 *
 * @example
 * ```ts
 * permissionFlags().includes("--no-prompt"); // true
 * permissionFlags("darwin").includes("--deny-read=/etc,/private/etc,/private/var/db,/System,/Library/Keychains"); // true
 * ```
 */
export function permissionFlags(os: TargetOs = hostOs()): string[] {
  const denied = DENIED_PATHS[os].join(",");
  return [
    // Any host: the API URL is the user's choice (--api, ALMYTY_URL); the listener binds 127.0.0.1.
    "--allow-net",
    `--allow-env=${ENV_VARS.join(",")}`,
    // hostname names the device on the consent page; osRelease recognises WSL.
    "--allow-sys=hostname,osRelease,uid",
    // Any program: BROWSER names the user's own browser command; without it
    // only open / xdg-open / wslview / cmd / rundll32.exe are launched.
    "--allow-run",
    "--allow-read",
    "--allow-write",
    `--deny-read=${denied}`,
    `--deny-write=${denied}`,
    "--no-prompt",
  ];
}

/** This machine's OS as a target (other Unixes get Linux's list). */
function hostOs(): TargetOs {
  return Deno.build.os === "darwin" || Deno.build.os === "windows" ? Deno.build.os : "linux";
}
