/**
 * Saving and forgetting a pending two-step login (`pending.ts` has its
 * format, its path and how it is read): atomically, 0600 from the first byte
 * in a 0700 folder, by the credentials' own private-file writer.
 *
 * @example
 * ```ts
 * import { removePending } from "./pending_write.ts";
 * import { denoFs } from "../platform/deno_fs.ts";
 * removePending({ fs: denoFs, home: Deno.makeTempDirSync() }, "default"); // false: nothing pending
 * ```
 * @module
 */
import type { CredentialsIo } from "../credentials/types.ts";
import { deletePrivateFile, writePrivateJson } from "../credentials/write.ts";
import { checkFolders, type PendingLogin } from "./pending.ts";
import { pendingPathWith } from "./pending_path.ts";

/**
 * Saves the pending login (atomically; see `writeFileAtomic`) and returns its path.
 *
 * @example
 * ```ts
 * import { denoFs } from "../platform/deno_fs.ts";
 * const io = { fs: denoFs, home: Deno.makeTempDirSync() };
 * writePending(io, {
 *   version: 1,
 *   profile: "default",
 *   api: "http://127.0.0.1:9",
 *   frontend: "http://127.0.0.1:9",
 *   tokenEndpoint: "http://127.0.0.1:9/auth/cli/token",
 *   deviceCode: "device-code",
 *   userCode: "BCDF-GHJK",
 *   verificationUri: "http://127.0.0.1:9/cli-auth",
 *   verificationUriComplete: "http://127.0.0.1:9/cli-auth?code=BCDF-GHJK",
 *   createdAt: new Date().toISOString(),
 *   expiresAt: new Date(Date.now() + 600_000).toISOString(),
 *   interval: 5,
 * }); // "<home>/.almyty/pending/default.json"
 * ```
 */
export function writePending(io: CredentialsIo, pending: PendingLogin): string {
  const path = pendingPathWith(io, pending.profile);
  checkFolders(io, path);
  return writePrivateJson(pending, path, io);
}

/**
 * Forgets the pending login `name` (and any temp file a crashed write left);
 * false when there was none.
 *
 * @example
 * ```ts
 * import { denoFs } from "../platform/deno_fs.ts";
 * removePending({ fs: denoFs, home: Deno.makeTempDirSync() }, "default"); // false
 * ```
 */
export function removePending(io: CredentialsIo, name: string): boolean {
  return deletePrivateFile(pendingPathWith(io, name), io);
}
