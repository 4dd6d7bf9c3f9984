/**
 * Mutants of the rules the final review (review-final) added: each one's
 * test must fail when the rule is gone.
 * @module
 */
import type { Mutant } from "./mutant.ts";

/** See scripts/mutants/mutant.ts for the fields. */
export const mutants: Mutant[] = [
  {
    rule: "loginCommand names the default login by --profile default when asked to (named)",
    file: "src/credentials/fix_hints.ts",
    find: "(profile !== DEFAULT_PROFILE || place.login?.named)",
    replace: "profile !== DEFAULT_PROFILE",
    tests: ["tests/two_step_test.ts"],
    filter: "works as pasted where ALMYTY_PROFILE",
  },
  {
    rule: "--continue/--cancel name another login's pending one by its --profile, the default too",
    file: "src/cli/login_two_step.ts",
    find: "  return { profile, named: true };",
    replace: "  return { profile, named: false };",
    tests: ["tests/two_step_test.ts"],
    filter: "works as pasted where ALMYTY_PROFILE",
  },
  {
    rule: "a key inside a typed value (ALMYTY_TOKEN=$KEY, Bearer $KEY) is never echoed",
    file: "src/protocol/tokens.ts",
    find: 'word.length >= MIN_EMBEDDED_KEY && tokenKind(word) !== "other"',
    replace: "false",
    tests: ["tests/security_test.ts"],
    filter: "a key typed where an argument",
  },
  {
    rule: "a flag without its value names the next word, never a key in it (--api --token=$KEY)",
    file: "src/cli/parse.ts",
    find: "isKeyOrToken(word) ? quoteTyped(word) : stripControl(word).slice(0, 40)",
    replace: "stripControl(word).slice(0, 40)",
    tests: ["tests/security_test.ts"],
    filter: "a key typed where an argument",
  },
  {
    rule: "the hint after a key typed as an argument keeps the --profile and --api typed",
    file: "src/cli/parse.ts",
    find: '${loginCommand(typedPlace(args), "--with-token")}',
    replace: "almyty-auth login --with-token",
    tests: ["tests/security_test.ts"],
    filter: "a key typed where an argument",
  },
];
