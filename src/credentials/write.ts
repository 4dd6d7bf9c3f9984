/**
 * Writing and deleting the credentials file: atomic, 0600 from the first byte.
 *
 * @example
 * ```ts
 * import { writeCredentials } from "./write.ts";
 * writeCredentials({ url: "https://api.almyty.com", token: "ak_live_…" }, { home: "/tmp/h" });
 * ```
 * @module
 */
import { unlinkSync } from "node:fs";
import { AtomicWriteError, writeFileAtomic } from "./atomic.ts";
import { credentialsPath } from "./path.ts";
import { type Credentials, CredentialsError, type CredentialsOptions } from "./types.ts";

/**
 * Writes `credentials` atomically (see `writeFileAtomic`) and returns the path.
 * A symlink at the target is refused with a CredentialsError("symlink").
 *
 * @example
 * ```ts
 * const path = writeCredentials({ url: "https://api.almyty.com", token: "ak_live_…" });
 * ```
 */
export function writeCredentials(
  credentials: Credentials,
  options: CredentialsOptions = {},
): string {
  const path = credentialsPath(options);
  try {
    writeFileAtomic(path, JSON.stringify(credentials, null, 2) + "\n");
  } catch (error) {
    if (!(error instanceof AtomicWriteError)) throw error;
    throw new CredentialsError(
      error.reason === "symlink" ? "symlink" : "write-failed",
      path,
      error.message,
    );
  }
  return path;
}

/**
 * Removes the credentials file. Returns false when there was none.
 *
 * @example
 * ```ts
 * if (!deleteCredentials()) console.log("Not logged in");
 * ```
 */
export function deleteCredentials(options: CredentialsOptions = {}): boolean {
  const path = credentialsPath(options);
  try {
    unlinkSync(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw new CredentialsError(
      "write-failed",
      path,
      `Cannot remove ${path} (${(error as NodeJS.ErrnoException).code}). Remove it by hand.`,
    );
  }
}
