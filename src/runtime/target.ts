/**
 * The one way to obtain what a command talks to: the token, the API URL and
 * the web app URL, each with where it came from, every URL already checked
 * against the https-or-loopback rule and the token checked to be sendable.
 * `ApiClient` is constructible only from a `Target`, so an unchecked URL
 * cannot reach the network.
 *
 * - Reading commands (`whoami`, `token`, `status`, `doctor`): `readingTarget`,
 *   almyty's reader rule (see `resolveCredentialsWith`).
 * - `login`: `loginTarget`: `--api`, `ALMYTY_URL`, the file's `url`, the default.
 * - `logout`: `savedTarget`: the file's token at the file's `url`, whatever
 *   the environment says.
 *
 * @example
 * ```ts
 * import { loginTarget } from "./target.ts";
 * import { nodeFs } from "../credentials/node_fs.ts";
 * const target = loginTarget({ api: "https://api.staging.almyty.com" }, {
 *   fs: nodeFs,
 *   env: {},
 *   home: "/nonexistent",
 * });
 * target.frontend; // "https://app.staging.almyty.com"
 * ```
 * @module
 */
import { DEFAULT_PROFILE, loginPathWith, readProfileWith } from "../credentials/profiles.ts";
import { resolveCredentialsWith } from "../credentials/resolve.ts";
import { checkAssertions, chooseLoginWith, type LoginChoice } from "../credentials/select.ts";
import {
  type Credentials,
  CredentialsError,
  type CredentialsIo,
  type SelectOptions,
} from "../credentials/types.ts";
import { DEFAULT_API_URL, PATHS } from "../protocol/constants.ts";
import { isSendableToken, TokenFormatError } from "../protocol/tokens.ts";
import {
  checkServiceUrl,
  deriveFrontendUrl,
  displayUrl,
  sameServiceUrl,
  UrlRuleError,
} from "../protocol/urls.ts";

/** Where a value came from. */
export type TargetSource = "flag" | "env" | "file" | "default" | "derived";

/**
 * What a command talks to. Built only by this module's functions.
 *
 * @example
 * ```ts
 * const target = Target.build({
 *   api: ["https://api.staging.almyty.com", "flag", "--api"],
 *   frontend: ["https://app.staging.almyty.com", "derived", "--api"],
 *   path: "/home/alice/.almyty/credentials.json",
 *   file: null,
 *   login: { profile: "default", source: "default" },
 * });
 * target.withToken("almyty_x").source.token; // "login"
 * ```
 */
export class Target {
  /** Brands the class: no object literal passes for a Target. */
  readonly #checked = true;

  private constructor(
    /** The API base URL, checked, without a trailing slash. */
    readonly api: string,
    /** The web app URL, checked, without a trailing slash. */
    readonly frontend: string,
    /** The token to send, if any (sendable characters only). */
    readonly token: string | undefined,
    /** Where each value came from. */
    readonly source: {
      token?: "env" | "file" | "login";
      api: TargetSource;
      frontend: TargetSource;
    },
    /** The credentials file's path. */
    readonly path: string,
    /** The file's contents when it was read and usable. */
    readonly file: Credentials | null,
    /** The login file in use and why (null: the ALMYTY_TOKEN pair). */
    readonly login: LoginChoice | null,
    /** `ALMYTY_URL` when it is set, differs, and was not applied. */
    readonly ignoredEnvUrl?: string,
  ) {}

  /** True for a value this module built (for `ApiClient`'s runtime check). */
  static isTarget(value: unknown): value is Target {
    return typeof value === "object" && value !== null && #checked in value;
  }

  /** The same API and frontend with another token (a login's new key). */
  withToken(token: string): Target {
    return new Target(
      this.api,
      this.frontend,
      checkToken(token, "the new key"),
      { ...this.source, token: "login" },
      this.path,
      this.file,
      this.login,
    );
  }

  /**
   * Builds a target, checking every URL against the rule (each with the label
   * that names where it came from) and the token's characters. The only way
   * to make one.
   */
  static build(parts: {
    api: [string, TargetSource, string];
    frontend: [string, TargetSource, string];
    token?: [string, "env" | "file"];
    path: string;
    file: Credentials | null;
    /** The login file in use; null or absent for none (the ALMYTY_TOKEN pair, a probe). */
    login?: LoginChoice | null;
    ignoredEnvUrl?: string;
  }): Target {
    const api = displayUrl(checkServiceUrl(parts.api[0], parts.api[2]));
    const frontend = displayUrl(checkServiceUrl(parts.frontend[0], parts.frontend[2]));
    const token = parts.token
      ? checkToken(parts.token[0], parts.token[1] === "env" ? "ALMYTY_TOKEN" : parts.path)
      : undefined;
    return new Target(
      api,
      frontend,
      token,
      {
        ...(parts.token ? { token: parts.token[1] } : {}),
        api: parts.api[1],
        frontend: parts.frontend[1],
      },
      parts.path,
      parts.file,
      parts.login ?? null,
      parts.ignoredEnvUrl,
    );
  }
}

function checkToken(token: string, where: string): string {
  if (token === "") {
    throw new TokenFormatError(
      // (ALMYTY_TOKEN's whitespace is the library's blank-token, said before this.)
      `${where} holds only whitespace, so there is no token to send. Log in again.`,
    );
  }
  if (!isSendableToken(token)) {
    throw new TokenFormatError(
      `The token from ${where} contains spaces or control characters (a line break, a tab, a NUL) ` +
        "inside it, so it cannot be sent. Check that it holds exactly one key.",
    );
  }
  return token;
}

/**
 * The target of a reading command, or null when there is no token. Which
 * login applies is the library's one rule (`selectLoginWith`). Throws
 * UrlRuleError for a refused URL, TokenFormatError for an unsendable token
 * and CredentialsError for an unusable file, a missing or untrusted choice.
 *
 * @example
 * ```ts
 * import { nodeFs } from "../credentials/node_fs.ts";
 * const target = readingTarget({ fs: nodeFs, env: { ALMYTY_TOKEN: "almyty_x" } });
 * target?.api; // "https://api.almyty.com"
 * ```
 */
export function readingTarget(io: CredentialsIo, options: SelectOptions = {}): Target | null {
  const resolved = resolveCredentialsWith(io, options);
  if (!resolved) return null;
  const fileLabel = `url in ${resolved.path}`;
  const urlLabel = resolved.source.url === "env" ? "ALMYTY_URL" : fileLabel;
  return Target.build({
    api: [resolved.url, resolved.source.url, urlLabel],
    frontend: [
      resolved.frontendUrl,
      resolved.source.frontendUrl,
      resolved.source.frontendUrl === "env"
        ? "ALMYTY_FRONTEND_URL"
        : resolved.source.frontendUrl === "file"
        ? `frontendUrl in ${resolved.path}`
        : urlLabel,
    ],
    token: [resolved.token, resolved.source.token],
    path: resolved.path,
    file: resolved.file,
    login: resolved.profile === null ? null : {
      profile: resolved.profile,
      source: resolved.source.profile ?? "default",
      ...(resolved.profileOrigin ? { origin: resolved.profileOrigin } : {}),
    },
    ignoredEnvUrl: resolved.ignoredEnvUrl,
  });
}

/** Problems with the credentials path that no login may paper over. */
const REFUSED = ["not-a-file", "untrusted", "no-home", "unsupported-version"];

/** Flags that choose a login and its environment. */
export interface TargetFlags extends SelectOptions {
  api?: string;
  frontend?: string;
}

/**
 * A login's target (no token yet), for the login file the selection rule
 * chooses (ALMYTY_TOKEN aside: a login writes a file). The API: `--api`, else
 * for the default login `ALMYTY_URL`, the file's `url`, the default; for a
 * named profile its own `url`, else (a new profile) `ALMYTY_URL`, the
 * default. So a re-login stays in the login's environment. Frontend from
 * `--frontend`, the environment's when the API came from it, the file's
 * `frontendUrl` when the file's `url` is the API in use, else derived. An
 * unusable file does not stop a login (the login replaces it), except one
 * that is not ours or not a file.
 *
 * @example
 * ```ts
 * import { nodeFs } from "../credentials/node_fs.ts";
 * loginTarget({ api: "http://127.0.0.1:8080" }, { fs: nodeFs, env: {}, home: "/nonexistent" }).api;
 * // "http://127.0.0.1:8080"
 * ```
 */
export function loginTarget(
  flags: TargetFlags,
  io: CredentialsIo,
  /** The saved login, when the caller has already read it (null: none); read otherwise. */
  saved?: Credentials | null,
): Target {
  const env = io.env ?? io.fs.env();
  const choice = chooseLoginWith(io, flags);
  const named = choice.profile !== DEFAULT_PROFILE;
  const path = loginPathWith(io, choice.profile);
  let file: Credentials | null = saved ?? null;
  if (saved === undefined) {
    try {
      file = readProfileWith({ ...io, onWarning: () => {} }, choice.profile);
    } catch (error) {
      // A login replaces a malformed file; but what is not ours, not a file,
      // or of a newer almyty-auth stops it before anything is minted.
      if (!(error instanceof CredentialsError) || REFUSED.includes(error.code)) throw error;
    }
  }
  if (flags.api === "") throw new UrlRuleError(`--api needs a URL, got "".`);
  if (flags.frontend === "") throw new UrlRuleError(`--frontend needs a URL, got "".`);
  const fromFile: [string, TargetSource, string] | null = file?.url
    ? [file.url, "file", `url in ${path}`]
    : null;
  const fromEnv: [string, TargetSource, string] | null = env.ALMYTY_URL
    ? [env.ALMYTY_URL, "env", "ALMYTY_URL"]
    : null;
  const api: [string, TargetSource, string] = flags.api
    ? [flags.api, "flag", "--api"]
    : (named ? fromFile ?? fromEnv : fromEnv ?? fromFile) ??
      [DEFAULT_API_URL, "default", "default API URL"];
  const apiUrl = displayUrl(checkServiceUrl(api[0], api[2]));
  if (choice.assert?.api !== undefined) {
    // A folder's assertion: the login must be at the API it names (never used as the API).
    checkAssertions({ ...choice, assert: { api: choice.assert.api } }, { url: apiUrl, token: "" });
  }
  const fileMatches = file?.url !== undefined && sameServiceUrl(file.url, apiUrl);
  const envFrontend = env.ALMYTY_FRONTEND_URL && (!named || api[1] === "env");
  const frontend: [string, TargetSource, string] = flags.frontend
    ? [flags.frontend, "flag", "--frontend"]
    : envFrontend
    ? [env.ALMYTY_FRONTEND_URL!, "env", "ALMYTY_FRONTEND_URL"]
    : fileMatches && file?.frontendUrl
    ? [file.frontendUrl, "file", `frontendUrl in ${path}`]
    : [deriveFrontendUrl(apiUrl), "derived", api[2]];
  return Target.build({ api, frontend, path, file, login: choice });
}

/**
 * The saved login's target (logout): the chosen login file's token at its
 * `url` (or the default), whatever the environment says. Null when there is
 * no file. Throws like `readingTarget`.
 *
 * @example
 * ```ts
 * import { nodeFs } from "../credentials/node_fs.ts";
 * savedTarget({ fs: nodeFs, env: {}, home: "/nonexistent" }, { profile: "default", source: "default" }); // null
 * ```
 */
export function savedTarget(io: CredentialsIo, choice: LoginChoice): Target | null {
  const file = readProfileWith(io, choice.profile);
  if (!file) return null;
  checkAssertions(choice, file); // a folder's choice must be the login it asserts
  return fileTarget(file, loginPathWith(io, choice.profile), choice);
}

/**
 * The target of credentials read from `path`: their token at their `url`
 * (or the default), their `frontendUrl` (or derived).
 *
 * @example
 * ```ts
 * fileTarget({ url: "https://api.almyty.com", token: "almyty_x" }, "creds.json").frontend;
 * // "https://app.almyty.com"
 * ```
 */
export function fileTarget(
  file: Credentials,
  path: string,
  login: LoginChoice = { profile: DEFAULT_PROFILE, source: "default" },
): Target {
  const label = `url in ${path}`;
  const api: [string, TargetSource, string] = file.url
    ? [file.url, "file", label]
    : [DEFAULT_API_URL, "default", "default API URL"];
  return Target.build({
    api,
    frontend: file.frontendUrl
      ? [file.frontendUrl, "file", `frontendUrl in ${path}`]
      : [deriveFrontendUrl(displayUrl(checkServiceUrl(api[0], api[2]))), "derived", label],
    token: [file.token, "file"],
    path,
    file,
    login,
  });
}

/**
 * Where users revoke keys by hand: the dashboard's Settings > API Keys.
 *
 * @example
 * ```ts
 * apiKeysPage({ frontend: "https://app.almyty.com" }); // "https://app.almyty.com/settings/api-keys"
 * ```
 */
export function apiKeysPage(target: { frontend: string }): string {
  return `${target.frontend}${PATHS.apiKeysPage}`;
}
