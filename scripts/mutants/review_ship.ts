/**
 * Mutants of the rules the release review (review-ship) added: each one's
 * test must fail when the rule is gone.
 * @module
 */
import type { Mutant } from "./mutant.ts";

/** See scripts/mutants/mutant.ts for the fields. */
export const mutants: Mutant[] = [
  {
    rule: "two builds of one commit under one SOURCE_DATE_EPOCH give the same binary and archive",
    file: "scripts/compile.ts",
    find: "    dateBundle(bundleDir(DIST), mtime);\n",
    replace: "",
    tests: ["tests/packaging_test.ts"],
    filter: "two builds of one commit",
  },
];
