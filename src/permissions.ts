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

/** Every environment variable the CLI reads. */
export const ENV_VARS = [
  "HOME",
  "USERPROFILE",
  "ALMYTY_TOKEN",
  "ALMYTY_URL",
  "ALMYTY_FRONTEND_URL",
  "BROWSER",
  "DISPLAY",
  "WAYLAND_DISPLAY",
  "SSH_CONNECTION",
  "SSH_TTY",
  "CI",
  "NO_COLOR",
  "TERM",
  "WSL_DISTRO_NAME",
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
  // Coding agents (cli/agent.ts): their login does not wait for a person.
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
 * System paths the CLI never needs; denied so that a bug (or a hostile
 * BROWSER value's parent) cannot make the CLI read or write them. Deno cannot
 * expand `~` or variables in permission paths, and HOME is only known at run
 * time, so read/write cannot be narrowed to ~/.almyty at compile time.
 */
export const DENIED_PATHS = ["/etc", "/proc", "/sys", "/boot", "/dev/mem"] as const;

/**
 * The permission flags, in the order `deno run`/`deno compile` take them.
 *
 * @example
 * ```ts
 * permissionFlags().includes("--no-prompt"); // true
 * ```
 */
export function permissionFlags(): string[] {
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
    `--deny-read=${DENIED_PATHS.join(",")}`,
    `--deny-write=${DENIED_PATHS.join(",")}`,
    "--no-prompt",
  ];
}
