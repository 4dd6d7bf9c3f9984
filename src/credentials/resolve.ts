/**
 * Which token and URLs apply, from the environment or a login file: with no
 * profile chosen, exactly as almyty's own readers (`resolveCredentials` in
 * `@almyty/client`) decide.
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
import { deriveFrontendUrl, sameServiceUrl } from "../protocol/urls.ts";
import { credentialsPathWith } from "./path.ts";
import { DEFAULT_PROFILE, loginPathWith, readProfileWith } from "./profiles.ts";
import { checkAssertions, profileNotFound, type ProfileSource, selectLoginWith } from "./select.ts";
import {
  type Credentials,
  CredentialsError,
  type CredentialsIo,
  type SelectOptions,
  type Source,
} from "./types.ts";

/** The credentials that apply, and where each value came from. */
export interface ResolvedCredentials {
  /** The token to send as `Authorization: Bearer …`. */
  token: string;
  /** The API base URL. */
  url: string;
  /** The web app URL. */
  frontendUrl: string;
  /**
   * Where each value came from (`derived`: computed from the API URL;
   * `profile`: why this login applies, absent when ALMYTY_TOKEN does).
   */
  source: {
    token: "env" | "file";
    url: Source;
    frontendUrl: Source | "derived";
    profile?: ProfileSource;
  };
  /** The login that applies: `default`, a profile's name, or null for ALMYTY_TOKEN. */
  profile: string | null;
  /** The `.almyty-profile` or the bound folder that chose the profile, when one did. */
  profileOrigin?: string;
  /**
   * The path of the login file (whether or not it was read); `""` under
   * `ALMYTY_TOKEN` when no home directory is known (the token needs none).
   */
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
 * Resolves the credentials. Which login applies is `selectLoginWith`'s rule
 * (ALMYTY_TOKEN, the profile option, ALMYTY_PROFILE, the folder, the default);
 * then:
 * - `ALMYTY_TOKEN` set and non-empty: that token, at `ALMYTY_URL` or the
 *   default; no file is ever opened. Only whitespace there throws
 *   CredentialsError("blank-token").
 * - otherwise the login file's token **together with** its `url` (or the
 *   default). `ALMYTY_URL` does not re-point a saved key, so a production key
 *   is never sent to another host.
 *
 * Frontend: `ALMYTY_FRONTEND_URL`, else the file's `frontendUrl` (when the
 * token came from the default file), else derived from the API URL; a named
 * profile's frontend is its own (the environment's is not applied to it).
 * Returns null when no token is available; throws CredentialsError when a
 * file exists but cannot be used, and when a chosen profile does not exist
 * (never falling back to another login).
 *
 * @example
 * ```ts
 * import { nodeFs } from "./node_fs.ts";
 * const creds = resolveCredentialsWith({ fs: nodeFs, env: {} });
 * if (creds) console.log(`token from ${creds.source.token}, API ${creds.url}`);
 * ```
 */
export function resolveCredentialsWith(
  io: CredentialsIo,
  options: SelectOptions = {},
): ResolvedCredentials | null {
  const env = io.env ?? io.fs.env();
  const selection = selectLoginWith(io, options);
  if (selection.kind === "env-token") return fromEnvironment(io, env);
  const named = selection.profile !== DEFAULT_PROFILE;
  const path = loginPathWith(io, selection.profile);
  const file = readProfileWith(io, selection.profile);
  if (!file?.token) {
    if (named) throw profileNotFound(io, selection);
    return null;
  }
  checkAssertions(selection, file);
  const [url, urlSource]: [string, Source] = file.url
    ? [file.url, "file"]
    : [DEFAULT_API_URL, "default"];
  const [frontendUrl, frontendSource]: [string, Source | "derived"] =
    env.ALMYTY_FRONTEND_URL && !named
      ? [env.ALMYTY_FRONTEND_URL, "env"]
      : file.frontendUrl
      ? [file.frontendUrl, "file"]
      : [safeDerive(url), "derived"];
  const ignored = env.ALMYTY_URL && !sameServiceUrl(env.ALMYTY_URL, url);
  return {
    token: file.token,
    url,
    frontendUrl,
    source: {
      token: "file",
      url: urlSource,
      frontendUrl: frontendSource,
      profile: selection.source,
    },
    profile: selection.profile,
    ...(selection.origin ? { profileOrigin: selection.origin } : {}),
    path,
    file,
    ...(ignored ? { ignoredEnvUrl: env.ALMYTY_URL } : {}),
  };
}

/** The ALMYTY_TOKEN pair: the token at ALMYTY_URL or the default, nothing from any file. */
function fromEnvironment(
  io: CredentialsIo,
  env: Record<string, string | undefined>,
): ResolvedCredentials {
  if (env.ALMYTY_TOKEN!.trim() === "") {
    // Never a result with an empty token (its `Bearer ` fails as "API key is required", and
    // logging in again would not help: ALMYTY_TOKEN still wins).
    throw new CredentialsError(
      "blank-token",
      "",
      "ALMYTY_TOKEN holds only whitespace, so there is no token to send. Set it to your key, " +
        "or unset it to use the saved login.",
    );
  }
  const url = env.ALMYTY_URL || DEFAULT_API_URL;
  return {
    // Surrounding whitespace (a trailing newline from a file or `$(...)`) is no part of the
    // key: almyty's clients send it through fetch, which trims header values.
    token: env.ALMYTY_TOKEN!.trim(),
    url,
    frontendUrl: env.ALMYTY_FRONTEND_URL || safeDerive(url),
    source: {
      token: "env",
      url: env.ALMYTY_URL ? "env" : "default",
      frontendUrl: env.ALMYTY_FRONTEND_URL ? "env" : "derived",
    },
    profile: null,
    path: defaultPathIfKnown(io),
    file: null,
  };
}

/**
 * The default login's path, or "" without a home directory (HOME unset in a
 * service or `env -i`): ALMYTY_TOKEN opens no file, so it must not need one.
 */
function defaultPathIfKnown(io: CredentialsIo): string {
  try {
    return credentialsPathWith(io);
  } catch (error) {
    if (error instanceof CredentialsError && error.code === "no-home") return "";
    throw error;
  }
}

function safeDerive(url: string): string {
  try {
    return deriveFrontendUrl(url);
  } catch {
    return url; // not a URL: the caller's URL check reports it
  }
}
