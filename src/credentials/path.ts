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

/** The home directory: HOME, or USERPROFILE on Windows. */
export function homeDirectory(options: CredentialsOptions = {}): string {
  if (options.home) return options.home;
  const env = options.env ?? process.env;
  const home = process.platform === "win32" ? env.USERPROFILE ?? env.HOME : env.HOME;
  if (!home) {
    throw new Error(
      "Cannot find your home directory: set HOME (USERPROFILE on Windows) and try again.",
    );
  }
  return home;
}

/** `<home>/.almyty/credentials.json`. */
export function credentialsPath(options: CredentialsOptions = {}): string {
  return join(homeDirectory(options), ".almyty", "credentials.json");
}
