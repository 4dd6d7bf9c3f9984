/**
 * Mutants of the test suite's own machinery: the leak scan's records belong
 * to one run, and runs that are over leave nothing behind.
 * @module
 */
import type { Mutant } from "./mutant.ts";

/** See scripts/mutants/mutant.ts for the fields. */
export const mutants: Mutant[] = [
  {
    rule: "the leak scan's records are keyed by run, never by a process id the system reuses",
    file: "tests/helpers/leaks.ts",
    find: "const run = `${Deno.pid}-${crypto.randomUUID()}`;",
    replace: "const run = `${Deno.pid}`;",
    tests: ["tests/unit/leaks_test.ts"],
    filter: "never reads the records an earlier run left",
  },
  {
    rule: "a run removes the leak-scan records of runs that are over",
    file: "tests/helpers/leaks.ts",
    find: "  removeFinishedRuns(run);\n",
    replace: "",
    tests: ["tests/unit/leaks_test.ts"],
    filter: "never reads the records an earlier run left",
  },
];
