/**
 * Where a two-step login waits: `~/.almyty/pending/<profile or "default">.json`.
 * Apart from the reader (`pending.ts`), so a command that only needs to know
 * whether a file is there (`whoami`, `status`, `logout`) loads no more.
 *
 * @example
 * ```ts
 * import { pendingPathWith } from "./pending_path.ts";
 * import { denoFs } from "../platform/deno_fs.ts";
 * pendingPathWith({ fs: denoFs, home: "/home/alice" }, "staging"); // "/home/alice/.almyty/pending/staging.json"
 * ```
 * @module
 */
import { directoryOf, joinPath } from "../credentials/fs.ts";
import { homeDirectoryWith } from "../credentials/path.ts";
import { type CredentialsIo, isProfileName } from "../credentials/types.ts";

/**
 * `<home>/.almyty/pending/<name>.json`.
 *
 * @example
 * ```ts
 * import { denoFs } from "../platform/deno_fs.ts";
 * pendingPathWith({ fs: denoFs, home: "/home/alice" }, "default"); // "/home/alice/.almyty/pending/default.json"
 * ```
 */
export function pendingPathWith(io: CredentialsIo, name: string): string {
  return joinPath(io.fs.platform, homeDirectoryWith(io), ".almyty", "pending", `${name}.json`);
}

/**
 * The logins with a two-step login pending (their pending files' names),
 * sorted; none when the folder cannot be listed.
 *
 * @example
 * ```ts
 * import { denoFs } from "../platform/deno_fs.ts";
 * pendingLoginNames({ fs: denoFs, home: Deno.makeTempDirSync() }); // []
 * ```
 */
export function pendingLoginNames(io: CredentialsIo): string[] {
  let entries: string[];
  try {
    entries = io.fs.list(directoryOf(io.fs.platform, pendingPathWith(io, "default")));
  } catch {
    return [];
  }
  return entries.filter((entry) => entry.endsWith(".json")).map((entry) => entry.slice(0, -5))
    .filter(isProfileName).sort();
}
