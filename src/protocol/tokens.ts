/**
 * What kind of token a string is, and what can be read from it without a
 * server: almyty's API keys (`almyty_` + 64 hex, which production's guard
 * recognises by the prefix) and JWTs (whose `exp` is readable, unsigned).
 *
 * @example
 * ```ts
 * import { tokenKind } from "./tokens.ts";
 * tokenKind("almyty_" + "0".repeat(64)); // "api-key"
 * ```
 * @module
 */

/** `api-key` (`almyty_…`), `jwt` (three base64url parts with a JSON header), or `other`. */
export type TokenKind = "api-key" | "jwt" | "other";

/** The prefix production's Bearer guard requires of an API key. */
export const API_KEY_PREFIX = "almyty_";

/** Printable ASCII without spaces: what may go into an Authorization header. */
const TOKEN_CHARACTERS = /^[\x21-\x7e]+$/;

/**
 * True when `token` can be sent as a Bearer token (no spaces or control characters).
 *
 * @example
 * ```ts
 * isSendableToken("almyty_abc"); // true
 * isSendableToken("almyty_abc\r\nX-Injected: 1"); // false
 * ```
 */
export function isSendableToken(token: string): boolean {
  return TOKEN_CHARACTERS.test(token);
}

/**
 * A token that cannot go into an Authorization header (it is never quoted).
 *
 * @example
 * ```ts
 * new TokenFormatError("The token from ALMYTY_TOKEN contains spaces").name; // "TokenFormatError"
 * ```
 */
export class TokenFormatError extends Error {
  override name = "TokenFormatError";
}

/**
 * Classifies a token.
 *
 * @example
 * ```ts
 * tokenKind("eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9.sig"); // "jwt"
 * ```
 */
export function tokenKind(token: string): TokenKind {
  if (token.startsWith(API_KEY_PREFIX)) return "api-key";
  return jwtPart(token, 0)?.alg !== undefined ? "jwt" : "other";
}

/**
 * True when a value typed where something else belongs (an argument, a URL, a
 * number, a name) is or holds an API key or a JWT: an error never quotes it, since
 * stderr ends up in CI logs and agents' transcripts.
 *
 * @example
 * ```ts
 * isKeyOrToken("almyty_0123"); // true
 * isKeyOrToken("ALMYTY_TOKEN=almyty_0123456789abcdef0123456789abcdef"); // true
 * isKeyOrToken("https://api.almyty.com"); // false
 * ```
 */
export function isKeyOrToken(value: string): boolean {
  if (tokenKind(value.trim()) !== "other") return true;
  // Also one inside it: `ALMYTY_TOKEN=$KEY` (as `env` takes it), `Bearer $KEY`, a pasted header
  // (a word as long as a key at least: a path's `almyty_tools` is no key).
  return value.split(/[^\w.-]+/).some((word) =>
    word.length >= MIN_EMBEDDED_KEY && tokenKind(word) !== "other"
  );
}

/** The shortest word inside a typed value taken for a key (almyty's keys are 71 characters). */
const MIN_EMBEDDED_KEY = 32;

/**
 * A typed value as an error quotes it: in double quotes, at most 60
 * characters (a pasted file is not echoed whole); an API key or token never
 * (`almyty-auth login $KEY` would put most of it in a CI log), only its kind.
 *
 * @example
 * ```ts
 * quoteTyped("--verbos"); // '"--verbos"'
 * quoteTyped("almyty_0123"); // "an API key or token (not shown here)"
 * ```
 */
export function quoteTyped(value: string): string {
  if (isKeyOrToken(value)) return "an API key or token (not shown here)";
  return `"${value.length > 60 ? `${value.slice(0, 60)}…` : value}"`;
}

/**
 * A JWT's expiry in epoch milliseconds (its `exp`, not verified), or null
 * when the token is not a JWT, has no expiry, or one no date can hold (a
 * "never" of 1e13 s: it is shown, so it must be a date).
 *
 * @example
 * ```ts
 * jwtExpiry("eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9.sig"); // 1000
 * ```
 */
export function jwtExpiry(token: string): number | null {
  if (tokenKind(token) !== "jwt") return null;
  const exp = jwtPart(token, 1)?.exp;
  if (typeof exp !== "number") return null;
  const ms = exp * 1000;
  return Number.isFinite(ms) && Math.abs(ms) <= MAX_DATE_MS ? ms : null;
}

/** The largest epoch milliseconds a Date holds (±8.64e15). */
const MAX_DATE_MS = 8.64e15;

function jwtPart(token: string, index: number): Record<string, unknown> | null {
  const parts = token.split(".");
  if (parts.length !== 3 || !/^[\w-]+$/.test(parts[index])) return null;
  try {
    const b64 = parts[index].replace(/-/g, "+").replace(/_/g, "/");
    const value = JSON.parse(atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4)));
    return typeof value === "object" && value !== null ? value : null;
  } catch {
    return null;
  }
}

/**
 * "in 3 h", "2 days ago": a time relative to `now`, for people.
 *
 * @example
 * ```ts
 * relativeTime(0, 3 * 3600_000); // "3 h ago"
 * ```
 */
export function relativeTime(at: number, now: number): string {
  const seconds = Math.round(Math.abs(at - now) / 1000);
  const amount = seconds < 90
    ? `${seconds} s`
    : seconds < 90 * 60
    ? `${Math.round(seconds / 60)} min`
    : seconds < 36 * 3600
    ? `${Math.round(seconds / 3600)} h`
    : `${Math.round(seconds / 86400)} days`;
  return at >= now ? `in ${amount}` : `${amount} ago`;
}
