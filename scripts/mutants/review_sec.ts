/**
 * Mutants of the rules the security review (review-sec) added: each one's
 * test must fail when the rule is gone.
 * @module
 */
import type { Mutant } from "./mutant.ts";

/** See scripts/mutants/mutant.ts for the fields. */
export const mutants: Mutant[] = [
  {
    rule: "an interrupted demo removes its temporary HOME (where its login saved a key)",
    file: "scripts/demo.ts",
    find: "    Deno.exit(128 + number);",
    replace: '    Deno.kill(Deno.pid, "SIGKILL");', // ended by a signal: no unload
    tests: ["tests/security_test.ts"],
    filter: "demo's temporary HOME",
  },
];
