/**
 * Where the credentials file lives.
 *
 * @example
 * ```ts
 * import { credentialsPath } from "./path.ts";
 * credentialsPath({ home: "/home/alice" }); // "/home/alice/.almyty/credentials.json"
 * ```
 * @module
 */
import { join } from "node:path";
import process from "node:process";
import type { CredentialsOptions } from "./types.ts";

/**
 * The home directory: HOME, or USERPROFILE on Windows.
 *
 * @example
 * ```ts
 * homeDirectory({ env: { HOME: "/home/alice" } }); // "/home/alice"
 * ```
 */
export function homeDirectory(options: CredentialsOptions = {}): string {
  if (options.home) return options.home;
  // A caller's env without HOME (e.g. one built for a child process) falls back to ours.
  const pick = (env: Record<string, string | undefined>) =>
    process.platform === "win32" ? env.USERPROFILE ?? env.HOME : env.HOME;
  const home = pick(options.env ?? {}) ?? pick(process.env);
  if (!home) {
    throw new Error(
      "Cannot find your home directory: set HOME (USERPROFILE on Windows) and try again.",
    );
  }
  return home;
}

/**
 * `<home>/.almyty/credentials.json`.
 *
 * @example
 * ```ts
 * credentialsPath({ home: "/home/alice" }); // "/home/alice/.almyty/credentials.json"
 * ```
 */
export function credentialsPath(options: CredentialsOptions = {}): string {
  return join(homeDirectory(options), ".almyty", "credentials.json");
}
