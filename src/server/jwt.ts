/**
 * HS256 JWTs as production's `/auth/login` hands them out (issuer `almyty`,
 * audience `almyty-api`, 24 h). The reference server verifies its own; the
 * CLI only reads `exp` (see `protocol/tokens.ts`).
 *
 * @example
 * ```ts
 * import { signJwt, verifyJwt } from "./jwt.ts";
 * const token = signJwt("secret", { sub: "u1" }, 1_000, 3600);
 * verifyJwt("secret", token, 2_000)?.sub; // "u1"
 * ```
 * @module
 */
import { createHmac } from "node:crypto";
import { constantTimeEqual } from "../protocol/crypto.ts";

const ISSUER = "almyty";
const AUDIENCE = "almyty-api";

function encode(value: unknown): string {
  return btoa(JSON.stringify(value)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
}

function mac(secret: string, data: string): string {
  return createHmac("sha256", secret).update(data).digest("base64url");
}

/**
 * Signs `{...claims, iss, aud, iat, exp}`; `now` in epoch ms.
 *
 * @example
 * ```ts
 * signJwt("secret", { sub: "u1" }, Date.now(), 3600).split(".").length; // 3
 * ```
 */
export function signJwt(
  secret: string,
  claims: Record<string, unknown>,
  now: number,
  lifetimeSeconds: number,
): string {
  const iat = Math.floor(now / 1000);
  const body = `${encode({ alg: "HS256", typ: "JWT" })}.${
    encode({ ...claims, iss: ISSUER, aud: AUDIENCE, iat, exp: iat + lifetimeSeconds })
  }`;
  return `${body}.${mac(secret, body)}`;
}

/**
 * The claims of a valid, unexpired token of ours, or null.
 *
 * @example
 * ```ts
 * verifyJwt("secret", signJwt("secret", { sub: "u1" }, 0, 60), 120_000); // null: expired
 * ```
 */
export function verifyJwt(
  secret: string,
  token: string,
  now: number,
): Record<string, unknown> | null {
  const parts = token.split(".");
  if (parts.length !== 3) return null;
  if (!constantTimeEqual(parts[2], mac(secret, `${parts[0]}.${parts[1]}`))) return null;
  try {
    const claims = JSON.parse(atob(parts[1].replace(/-/g, "+").replace(/_/g, "/")));
    if (claims.iss !== ISSUER || claims.aud !== AUDIENCE) return null;
    if (typeof claims.exp !== "number" || claims.exp * 1000 <= now) return null;
    return claims;
  } catch {
    return null;
  }
}
