/**
 * The almyty credentials library: find, read, write and resolve the token
 * every almyty CLI uses. Runs unchanged on Deno and Node.js ≥ 20.
 *
 * @example
 * ```ts
 * import { resolveCredentials } from "@almyty/auth";
 * const creds = resolveCredentials();
 * if (!creds) throw new Error("Not authenticated. Run: npx @almyty/auth login");
 * await fetch(`${creds.url}/auth/profile`, {
 *   headers: { Authorization: `Bearer ${creds.token}` },
 * });
 * ```
 * @module
 */
export { credentialsPath, homeDirectory } from "./path.ts";
export { parseCredentials, readCredentials } from "./read.ts";
export { deleteCredentials, writeCredentials } from "./write.ts";
export { resolveCredentials, type ResolvedCredentials } from "./resolve.ts";
export {
  type Credentials,
  CredentialsError,
  type CredentialsErrorCode,
  type CredentialsOptions,
  type Source,
} from "./types.ts";
