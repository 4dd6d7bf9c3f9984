/**
 * Mutants of the rules the phase-2 adversarial review added: what a login
 * that already reported its end may still do, and what a hostile file, page
 * or process can make the CLI do.
 * @module
 */
import type { Mutant } from "./mutant.ts";

/** See scripts/mutants/mutant.ts for the fields. */
export const mutants: Mutant[] = [
  {
    rule: "a login that ended while its save waited for the lock writes nothing",
    file: "src/runtime/login_lock.ts",
    find: "    ended?.throwIfAborted();\n    return await work();",
    replace: "    return await work();",
    tests: ["tests/flows_test.ts"],
    filter: "lock when the login times out",
  },
  {
    rule: "the end of a login stops its save's wait for the lock",
    file: "src/runtime/login_lock.ts",
    find: "signal: ended ? AbortSignal.any([ctx.signal, ended]) : ctx.signal,",
    replace: "signal: ctx.signal,",
    tests: ["tests/flows_test.ts"],
    filter: "lock when the login times out",
  },
  {
    rule: "a pending login another --no-wait saved meanwhile is the one shown, not overwritten",
    file: "src/login/two_step.ts",
    find:
      "if (now && now.deviceCode !== existing?.deviceCode && reusable(ctx, now, target, options)) {",
    replace: "if (false) {",
    tests: ["tests/two_step_test.ts"],
    filter: "two --no-wait at once",
  },
  {
    rule: "the code a --no-wait withdrew (another was saved meanwhile) is cancelled at its server",
    file: "src/login/two_step.ts",
    find: "    await retire(ctx, pending, target);\n",
    replace: "",
    tests: ["tests/two_step_test.ts"],
    filter: "two --no-wait at once",
  },
  {
    rule: "--cancel revokes a key a --continue got meanwhile but could not save yet",
    file: "src/login/two_step.ts",
    find: "      else if (now?.grant) server = await retire(ctx, now, options.targetFor(now));",
    replace: "",
    tests: ["tests/two_step_test.ts"],
    filter: "could not save it yet",
  },
  {
    rule: "a profile is read only from a ~/.almyty that is ours and that no one else can write",
    file: "src/credentials/profiles.ts",
    find: "  checkFolder(io.fs, directoryOf(io.fs.platform, profilesDirWith(io)), path);\n",
    replace: "",
    tests: ["tests/security_test.ts"],
    filter: "a profile is not trusted in a",
  },
  {
    rule:
      "verification_uri_complete is optional (RFC 8628 §3.2): without it the URI is shown with the code",
    file: "src/login/device_flow.ts",
    find: "    : verificationUri;",
    replace: "    : String(auth.verification_uri_complete);",
    tests: ["tests/flows_test.ts"],
    filter: "optional verification_uri_complete",
  },
  {
    rule:
      "a key's lifetime no date can hold is no crash (the key is kept, never left live unsaved)",
    file: "src/login/minted.ts",
    find: 'typeof grant.expires_in === "number" && isDate(now + grant.expires_in * 1000)',
    replace: 'typeof grant.expires_in === "number" && Number.isFinite(grant.expires_in)',
    tests: ["tests/flows_test.ts"],
    filter: "no date can hold",
  },
  {
    rule: "a device code's lifetime is taken as a day at most",
    file: "src/login/device_flow.ts",
    find: "        MAX_CODE_LIFETIME_SECONDS,\n",
    replace: "        Infinity,\n",
    tests: ["tests/flows_test.ts"],
    filter: "no date can hold",
  },
];
