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
  {
    rule: "the PKCE challenge itself is not accepted as the verifier",
    file: "src/server/routes_oauth.ts",
    find: "constantTimeEqual(pkceChallenge(verifier), record.challenge);",
    replace:
      "(constantTimeEqual(pkceChallenge(verifier), record.challenge) || constantTimeEqual(verifier, record.challenge));",
    tests: ["tests/server_test.ts"],
    filter: "code flow: exchange works once",
  },
  {
    rule: "a code is exchanged only with its PKCE verifier",
    file: "src/server/routes_oauth.ts",
    find: "constantTimeEqual(pkceChallenge(verifier), record.challenge);",
    replace: "true;",
    tests: ["tests/server_test.ts"],
    filter: "code flow: exchange works once",
  },
  {
    rule: "a consent decision needs the session's CSRF token, even from a signed-in browser",
    file: "src/server/routes_pages.ts",
    find: "if (!signedIn || !constantTimeEqual(csrf, signedIn.session.csrf)) {",
    replace: "if (!signedIn) {",
    tests: ["tests/server_test.ts"],
    filter: "CSRF",
  },
  {
    rule: "a device code is spent before minting: redeemed once",
    file: "src/server/routes_oauth.ts",
    find: 'deviceGrant.status = "done"; // spent: before anything that could yield',
    replace: "",
    tests: ["tests/server_security_test.ts"],
    filter: "one device code is redeemed once",
  },
];
