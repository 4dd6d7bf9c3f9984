/**
 * Mutants of the test suite's own machinery: the leak scan's records belong
 * to one run, and runs that are over leave nothing behind.
 * @module
 */
import type { Mutant } from "./mutant.ts";

const TESTS = ["tests/unit/leaks_test.ts"];

/** See scripts/mutants/mutant.ts for the fields. */
export const mutants: Mutant[] = [
  {
    rule: "the leak scan's records are keyed by run, never by a process id the system reuses",
    file: "tests/helpers/leaks.ts",
    find: "if (/^\\d+$/.test(started)) return `${Deno.pid}-${started}`;",
    replace: "return `${Deno.pid}`;",
    tests: TESTS,
    filter: "never reads the records an earlier run left",
  },
  {
    rule: "a run removes the leak-scan records of runs that are over",
    file: "tests/helpers/leaks.ts",
    find: "  removeFinishedRuns(RUN); // the first worker of the run\n",
    replace: "",
    tests: TESTS,
    filter: "never reads the records an earlier run left",
  },
  {
    rule: "a suite split over processes (the leak scan after the rest) shares one named run",
    file: "tests/helpers/leaks.ts",
    find: "  if (named && /^\\d+-[\\w.-]+$/.test(named)) return named;\n",
    replace: "",
    tests: TESTS,
    filter: "every test file of a run shares its records",
  },
];
