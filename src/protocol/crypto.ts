/**
 * Random values, hashes and constant-time comparison used on both sides.
 *
 * @example
 * ```ts
 * import { pkceChallenge, randomToken } from "./crypto.ts";
 * const verifier = randomToken(32); // 43 base64url characters
 * pkceChallenge(verifier); // S256 challenge
 * ```
 * @module
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * `bytes` random bytes as base64url (32 bytes → 43 characters).
 *
 * @example
 * ```ts
 * randomToken(32).length; // 43
 * ```
 */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString("base64url");
}

/**
 * RFC 7636 S256: base64url(SHA-256(verifier)).
 *
 * @example
 * ```ts
 * pkceChallenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"); // "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM" (RFC 7636 B)
 * ```
 */
export function pkceChallenge(verifier: string): string {
  return createHash("sha256").update(verifier).digest("base64url");
}

/**
 * Compares two strings in time independent of where they differ.
 *
 * @example
 * ```ts
 * constantTimeEqual("state", "state"); // true
 * ```
 */
export function constantTimeEqual(a: string, b: string): boolean {
  // Hashing first gives equal lengths, so length does not short-circuit either.
  return timingSafeEqual(
    createHash("sha256").update(a).digest(),
    createHash("sha256").update(b).digest(),
  );
}

/**
 * `length` characters drawn uniformly from `alphabet` (rejection sampling).
 *
 * @example
 * ```ts
 * randomFromAlphabet("BCDF", 8).length; // 8
 * ```
 */
export function randomFromAlphabet(alphabet: string, length: number): string {
  const limit = 256 - (256 % alphabet.length);
  let out = "";
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < limit && out.length < length) out += alphabet[byte % alphabet.length];
    }
  }
  return out;
}
