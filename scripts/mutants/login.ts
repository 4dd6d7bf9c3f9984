/**
 * Mutants of the login engine and the runtime under it: the state check,
 * the listener's Host check, the https-or-loopback rule, redaction.
 * @module
 */
import type { Mutant } from "./mutant.ts";

/** See scripts/mutants/mutant.ts for the fields. */
export const mutants: Mutant[] = [
  {
    rule: "the listener refuses a callback whose state does not match",
    file: "src/login/code_flow.ts",
    find: 'if (!constantTimeEqual(params.get("state") ?? "", state)) {',
    replace: "if (false) {",
    tests: ["tests/flows_test.ts"],
    filter: "forged state",
  },
  {
    rule: "the listener answers only its own Host (DNS rebinding)",
    file: "src/login/listener.ts",
    find: "if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) {",
    replace: "if (false) {",
    tests: ["tests/flows_test.ts"],
    filter: "forged state",
  },
  {
    rule: "the device flow's verification_uri_complete must be on the server's site",
    file: "src/login/device_flow.ts",
    find: "for (const page of [verificationUri, verificationUriComplete]) {",
    replace: "for (const page of [verificationUri]) {",
    tests: ["tests/flows_test.ts"],
    filter: "off the server's site",
  },
  {
    rule: "the device flow's verification_uri must be on the server's site",
    file: "src/login/device_flow.ts",
    find: "for (const page of [verificationUri, verificationUriComplete]) {",
    replace: "for (const page of [verificationUriComplete]) {",
    tests: ["tests/flows_test.ts"],
    filter: "off the server's site",
  },
];
