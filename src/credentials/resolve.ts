/**
 * Which token and URLs apply, from the environment or the file.
 *
 * @example
 * ```ts
 * import { resolveCredentials } from "./resolve.ts";
 * import { nodeFs } from "./node_fs.ts";
 * const resolved = resolveCredentials({ fs: nodeFs, env: { ALMYTY_TOKEN: "ak_live_x" } });
 * resolved?.source.token; // "env"
 * ```
 * @module
 */
import { DEFAULT_API_URL, DEFAULT_FRONTEND_URL } from "../protocol/constants.ts";
import { credentialsPath } from "./path.ts";
import { readCredentials } from "./read.ts";
import type { Credentials, CredentialsIo, Source } from "./types.ts";

/** The credentials that apply, and where each value came from. */
export interface ResolvedCredentials {
  /** The token to send as `Authorization: Bearer …`. */
  token: string;
  /** The API base URL. */
  url: string;
  /** The web app URL. */
  frontendUrl: string;
  /** Where each value came from. */
  source: { token: "env" | "file"; url: Source; frontendUrl: Source };
  /** The credentials file's path (whether or not it was read). */
  path: string;
  /** The file's contents, when the token came from it. */
  file: Credentials | null;
}

/**
 * Resolves the credentials: `ALMYTY_TOKEN` (when non-empty) wins and the file
 * is then never opened; otherwise the file's token. URL: `ALMYTY_URL`, the
 * file's `url`, the default. Frontend: `ALMYTY_FRONTEND_URL`, the file's
 * `frontendUrl`, the default. Returns null when no token is available; throws
 * CredentialsError when the file exists but cannot be used.
 *
 * @example
 * ```ts
 * const creds = resolveCredentials({ fs: nodeFs });
 * if (!creds) throw new Error("Not authenticated. Run: npx @almyty/auth login");
 * console.log(`token from ${creds.source.token}, API ${creds.url}`);
 * ```
 */
export function resolveCredentials(io: CredentialsIo): ResolvedCredentials | null {
  const env = io.env ?? io.fs.env();
  const path = credentialsPath(io);
  const envToken = env.ALMYTY_TOKEN;
  const file = envToken ? null : readCredentials(io);
  const token = envToken || file?.token;
  if (!token) return null;
  const [url, urlSource] = pick(env.ALMYTY_URL, file?.url, DEFAULT_API_URL);
  const [frontendUrl, frontendSource] = pick(
    env.ALMYTY_FRONTEND_URL,
    file?.frontendUrl,
    DEFAULT_FRONTEND_URL,
  );
  return {
    token,
    url,
    frontendUrl,
    source: { token: envToken ? "env" : "file", url: urlSource, frontendUrl: frontendSource },
    path,
    file,
  };
}

function pick(fromEnv: string | undefined, fromFile: string | undefined, fallback: string) {
  if (fromEnv) return [fromEnv, "env"] as const;
  if (fromFile) return [fromFile, "file"] as const;
  return [fallback, "default"] as const;
}
