/**
 * Mutants for the rules round 3's attacker added (hunter-attacker3).
 * @module
 */
import type { Mutant } from "./mutant.ts";

/** A key typed where a value belongs: the test that sees it echoed. */
const typedKey = {
  tests: ["tests/security_test.ts"],
  filter: "a key typed where an argument",
};

export const mutants: Mutant[] = [
  {
    rule: "exec --profile without a program repeats only a valid name (a key is named as one)",
    file: "src/cli/exec.ts",
    find: '`--profile ${checkProfileName(String(flags.profile), "--profile")}`',
    replace: "`--profile ${stripControl(String(flags.profile))}`",
    ...typedKey,
  },
  {
    rule: "the program exec cannot start is never quoted when it is a key",
    file: "src/cli/exec.ts",
    find: "isKeyOrToken(command) ? quoteTyped(command) : stripControl(command)",
    replace: "stripControl(command)",
    ...typedKey,
  },
  {
    rule: "profile's folder argument is never quoted when it is a key",
    file: "src/cli/profile.ts",
    find: "isKeyOrToken(given) ? quoteTyped(given) : stripControl(given)",
    replace: "stripControl(given)",
    ...typedKey,
  },
];
