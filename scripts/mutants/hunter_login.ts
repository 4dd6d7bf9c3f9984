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
];
