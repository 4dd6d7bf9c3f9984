/**
 * Which token and URLs apply, from the environment or the file, exactly as
 * almyty's own readers (`resolveCredentials` in `@almyty/client`) decide.
 *
 * @example
 * ```ts
 * import { resolveCredentialsWith } from "./resolve.ts";
 * import { nodeFs } from "./node_fs.ts";
 * const resolved = resolveCredentialsWith({ fs: nodeFs, env: { ALMYTY_TOKEN: "almyty_x" } });
 * resolved?.source.token; // "env"
 * ```
 * @module
 */
import { DEFAULT_API_URL } from "../protocol/constants.ts";
import { deriveFrontendUrl } from "../protocol/urls.ts";
import { credentialsPathWith } from "./path.ts";
import { readCredentialsWith } from "./read.ts";
import type { Credentials, CredentialsIo, Source } from "./types.ts";

/** The credentials that apply, and where each value came from. */
export interface ResolvedCredentials {
  /** The token to send as `Authorization: Bearer …`. */
  token: string;
  /** The API base URL. */
  url: string;
  /** The web app URL. */
  frontendUrl: string;
  /** Where each value came from (`derived`: computed from the API URL). */
  source: { token: "env" | "file"; url: Source; frontendUrl: Source | "derived" };
  /** The credentials file's path (whether or not it was read). */
  path: string;
  /** The file's contents, when the token came from it. */
  file: Credentials | null;
  /**
   * `ALMYTY_URL` when it is set, differs from `url`, and was not applied
   * (it applies only together with `ALMYTY_TOKEN`).
   */
  ignoredEnvUrl?: string;
}

/**
 * Resolves the credentials:
 * - `ALMYTY_TOKEN` set and non-empty: that token, at `ALMYTY_URL` or the
 *   default; the file is never opened.
 * - otherwise the file's token **together with** the file's `url` (or the
 *   default). `ALMYTY_URL` does not re-point a saved key, so a production key
 *   is never sent to another host.
 *
 * Frontend: `ALMYTY_FRONTEND_URL`, else the file's `frontendUrl` (when the
 * token came from the file), else derived from the API URL. Returns null when
 * no token is available; throws CredentialsError when the file exists but
 * cannot be used.
 *
 * @example
 * ```ts
 * import { nodeFs } from "./node_fs.ts";
 * const creds = resolveCredentialsWith({ fs: nodeFs, env: {} });
 * if (creds) console.log(`token from ${creds.source.token}, API ${creds.url}`);
 * ```
 */
export function resolveCredentialsWith(io: CredentialsIo): ResolvedCredentials | null {
  const env = io.env ?? io.fs.env();
  const path = credentialsPathWith(io);
  const envToken = env.ALMYTY_TOKEN;
  const file = envToken ? null : readCredentialsWith(io);
  const token = envToken || file?.token;
  if (!token) return null;
  const [url, urlSource]: [string, Source] = envToken
    ? env.ALMYTY_URL ? [env.ALMYTY_URL, "env"] : [DEFAULT_API_URL, "default"]
    : file?.url
    ? [file.url, "file"]
    : [DEFAULT_API_URL, "default"];
  const [frontendUrl, frontendSource]: [string, Source | "derived"] = env.ALMYTY_FRONTEND_URL
    ? [env.ALMYTY_FRONTEND_URL, "env"]
    : file?.frontendUrl
    ? [file.frontendUrl, "file"]
    : [safeDerive(url), "derived"];
  const ignored = !envToken && env.ALMYTY_URL && !sameUrl(env.ALMYTY_URL, url);
  return {
    token,
    url,
    frontendUrl,
    source: { token: envToken ? "env" : "file", url: urlSource, frontendUrl: frontendSource },
    path,
    file,
    ...(ignored ? { ignoredEnvUrl: env.ALMYTY_URL } : {}),
  };
}

function safeDerive(url: string): string {
  try {
    return deriveFrontendUrl(url);
  } catch {
    return url; // not a URL: the caller's URL check reports it
  }
}

/** Equal up to a trailing slash. */
function sameUrl(a: string, b: string): boolean {
  return a.replace(/\/+$/, "") === b.replace(/\/+$/, "");
}
