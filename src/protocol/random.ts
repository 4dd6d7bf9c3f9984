/**
 * Random hex from Web Crypto: no `node:` import, so the credentials library
 * and the CLI's start-up do not pay for Deno's Node layer.
 *
 * @example
 * ```ts
 * import { randomHex } from "./random.ts";
 * randomHex(4).length; // 8
 * ```
 * @module
 */

/**
 * `bytes` random bytes as lowercase hex.
 *
 * @example
 * ```ts
 * /^[0-9a-f]{64}$/.test(randomHex(32)); // true
 * ```
 */
export function randomHex(bytes: number): string {
  return Array.from(
    crypto.getRandomValues(new Uint8Array(bytes)),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
}
