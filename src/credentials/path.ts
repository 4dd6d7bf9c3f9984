/**
 * Where the credentials file lives.
 *
 * @example
 * ```ts
 * import { credentialsPathWith } from "./path.ts";
 * import { nodeFs } from "./node_fs.ts";
 * credentialsPathWith({ fs: nodeFs, home: "/home/alice" }); // "/home/alice/.almyty/credentials.json"
 * ```
 * @module
 */
import { joinPath } from "./fs.ts";
import { CredentialsError, type CredentialsIo } from "./types.ts";

/**
 * The home directory: `home`, else HOME (USERPROFILE on Windows) from `env`,
 * else from the process environment.
 *
 * @example
 * ```ts
 * import { nodeFs } from "./node_fs.ts";
 * homeDirectoryWith({ fs: nodeFs, env: { HOME: "/home/alice" } }); // "/home/alice"
 * ```
 */
export function homeDirectoryWith(io: CredentialsIo): string {
  if (io.home) return io.home;
  const pick = (env: Record<string, string | undefined>) =>
    io.fs.platform === "win32" ? env.USERPROFILE ?? env.HOME : env.HOME;
  // A caller's env without HOME (e.g. one built for a child process) falls back to ours.
  const home = pick(io.env ?? {}) ?? pick(io.fs.env());
  if (!home) {
    throw new CredentialsError(
      "no-home",
      "",
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
 * import { nodeFs } from "./node_fs.ts";
 * credentialsPathWith({ fs: nodeFs, home: "/home/alice" }); // "/home/alice/.almyty/credentials.json"
 * ```
 */
export function credentialsPathWith(io: CredentialsIo): string {
  return joinPath(io.fs.platform, homeDirectoryWith(io), ".almyty", "credentials.json");
}
