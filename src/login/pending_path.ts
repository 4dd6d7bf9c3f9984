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
import { joinPath } from "../credentials/fs.ts";
import { homeDirectoryWith } from "../credentials/path.ts";
import type { CredentialsIo } from "../credentials/types.ts";

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
