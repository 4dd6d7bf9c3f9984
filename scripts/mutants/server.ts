/**
 * Mutants of the reference server: PKCE and redirect binding, single
 * redemption, CSRF, rate limits, open redirects, DNS rebinding.
 * @module
 */
import type { Mutant } from "./mutant.ts";

/** See scripts/mutants/mutant.ts for the fields. */
export const mutants: Mutant[] = [
  {
    rule: "a replayed code revokes its key only with the verifier and redirect_uri",
    file: "src/server/routes_oauth.ts",
    find: "if (bound && record.keyId) ctx.store.revokeKeyRecord(record.keyId);",
    replace: "if (record.keyId) ctx.store.revokeKeyRecord(record.keyId);",
    tests: ["tests/server_security_test.ts"],
    filter: "replayed code",
  },
  {
    rule: "the server answers only its own Host (DNS rebinding)",
    file: "src/server/app.ts",
    find: 'if (!allowedHosts(origin()).has(request.headers.get("host") ?? "")) {',
    replace: "if (false) {",
    tests: ["tests/server_security_test.ts"],
    filter: "DNS rebinding",
  },
];
