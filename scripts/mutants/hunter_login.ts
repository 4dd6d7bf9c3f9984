/**
 * Mutants of the rules the round-2 login hunt added: what login and logout do
 * with logins that are pending, interrupted or interleaved.
 * @module
 */
import type { Mutant } from "./mutant.ts";

/** See scripts/mutants/mutant.ts for the fields. */
export const mutants: Mutant[] = [
  {
    rule: "logout --all forgets every pending two-step login, also of a profile never saved",
    file: "src/cli/logout.ts",
    find: "[DEFAULT_PROFILE, ...pendingLoginNames(io), ...names]",
    replace: "[DEFAULT_PROFILE, ...names]",
    tests: ["tests/two_step_test.ts"],
    filter: "profile never saved",
  },
  {
    rule: "a usage error never quotes an argument that is an API key or token",
    file: "src/protocol/tokens.ts",
    find: '  if (isKeyOrToken(value)) return "an API key or token (not shown here)";\n',
    replace: "",
    tests: ["tests/security_test.ts"],
    filter: "a key typed where an argument",
  },
  {
    rule:
      "a URL value that is an API key or token is never quoted (no 'Did you mean https://<key>')",
    file: "src/protocol/urls.ts",
    find: '  if (tokenKind(raw.trim()) !== "other" || (host !== null && isKeyOrToken(host))) {',
    replace: "  if (false) {",
    tests: ["tests/security_test.ts"],
    filter: "a key typed where an argument",
  },
  {
    rule: "the --api hint of a command without --api does not carry a key typed as its value",
    file: "src/cli/parse.ts",
    find: "      return value === undefined || isKeyOrToken(value)",
    replace: "      return value === undefined",
    tests: ["tests/security_test.ts"],
    filter: "a key typed where an argument",
  },
  {
    rule: "an argument that is a key gets where a key goes",
    file: "src/cli/parse.ts",
    find: "  return isKeyOrToken(word)\n",
    replace: "  return false\n",
    tests: ["tests/security_test.ts"],
    filter: "a key typed where an argument",
  },
  {
    rule:
      "logout says what became of a pending login's approved key: one it could not revoke is named with where to revoke it",
    file: "src/cli/login_two_step.ts",
    find: "    const text = forgottenText(ctx, outcome);\n",
    replace:
      '    const text = "Cancelled the login that was waiting for approval (login --no-wait).";\n',
    tests: ["tests/two_step_test.ts"],
    filter: "cannot be revoked names",
  },
  {
    rule:
      "--no-wait that replaces an approved, unsaved login names its key when it could not revoke it",
    file: "src/cli/login_two_step.ts",
    find: '          (replaced.grant && outcome.server !== "revoked"',
    replace: "          (false",
    tests: ["tests/two_step_test.ts"],
    filter: "replaces an approved, unsaved",
  },
  {
    rule: "login --cancel with nothing pending for its login names another login's pending one",
    file: "src/cli/login_two_step.ts",
    find: "      const cancelOther = other === null ? null",
    replace: "      const cancelOther = true ? null",
    tests: ["tests/two_step_test.ts"],
    filter: "login --cancel with nothing pending",
  },
  {
    rule: "a URL whose host would show a key is refused as a key, never shown",
    file: "src/protocol/urls.ts",
    find: " || (host !== null && isKeyOrToken(host))) {",
    replace: ") {",
    tests: ["tests/security_test.ts"],
    filter: "a key typed where an argument",
  },
];
