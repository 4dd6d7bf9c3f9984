/**
 * Paths, grant types and limits of the almyty CLI login protocol, shared by the
 * CLI and the reference server so that neither can drift from docs/PROTOCOL.md.
 *
 * @example
 * ```ts
 * import { PATHS } from "./constants.ts";
 * new URL(PATHS.profile, "http://127.0.0.1:8080"); // .../auth/profile
 * ```
 * @module
 */

/** Endpoint paths, relative to the API (or, for pages, the frontend) origin. */
export const PATHS = {
  discovery: "/.well-known/oauth-authorization-server",
  login: "/auth/login",
  logout: "/auth/logout",
  profile: "/auth/profile",
  apiKeys: "/auth/api-keys",
  token: "/auth/cli/token",
  device: "/auth/cli/device",
  /** almyty's extension: the CLI says it stopped waiting for a device code (PROTOCOL section 4). */
  deviceCancel: "/auth/cli/device/cancel",
  revoke: "/auth/cli/revoke",
  authorizePage: "/cli-auth",
  decision: "/cli-auth/decision",
  legacyPage: "/cli-login",
  /** The web app's API keys page (Settings > API Keys), where a key is created or revoked by hand. */
  apiKeysPage: "/settings/api-keys",
} as const;

/** OAuth grant types the token endpoint accepts. */
export const GRANT = {
  authorizationCode: "authorization_code",
  deviceCode: "urn:ietf:params:oauth:grant-type:device_code",
} as const;

/** RFC 6749 / RFC 8628 error codes used by the token endpoint. */
export const OAUTH_ERROR = {
  invalidRequest: "invalid_request",
  invalidGrant: "invalid_grant",
  unsupportedGrantType: "unsupported_grant_type",
  authorizationPending: "authorization_pending",
  slowDown: "slow_down",
  accessDenied: "access_denied",
  expiredToken: "expired_token",
} as const;

/** Paths the CLI's loopback listener serves. */
export const CALLBACK_PATHS = {
  code: "/callback",
  legacy: "/cb",
  legacyComplete: "/cb-complete",
  legacySuccess: "/success",
} as const;

/** Largest request body either side accepts. */
export const MAX_BODY_BYTES = 64 * 1024;
/** Lifetime of an authorization code. */
export const AUTH_CODE_TTL_SECONDS = 60;
/** Lifetime of a device code. */
export const DEVICE_CODE_TTL_SECONDS = 600;
/** Default device polling interval (RFC 8628 §3.2). */
export const DEVICE_INTERVAL_SECONDS = 5;
/**
 * The long-poll extension of the token endpoint (device code grant): the
 * parameter's name (prefixed so it cannot collide with a standard one) and
 * the longest wait it honours, below common load-balancer idle limits.
 */
export const LONG_POLL_PARAM = "almyty_wait";
/** Longest `almyty_wait` the token endpoint honours. */
export const MAX_WAIT_SECONDS = 20;
/** Polls this much early still count as on time (clients time from their request). */
export const POLL_TOLERANCE_MS = 1000;
/** The CLI's public, pre-registered client id (RFC 6749 §2.2; no secret: a native app). */
export const CLIENT_ID = "almyty-cli";
/** RFC 8628 §6.1: base-20 alphabet without vowels or look-alikes. */
export const USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ";

/** Production defaults. */
export const DEFAULT_API_URL = "https://api.almyty.com";
/** Production frontend default. */
export const DEFAULT_FRONTEND_URL = "https://app.almyty.com";
