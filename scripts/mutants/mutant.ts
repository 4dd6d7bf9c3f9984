/**
 * One entry of `deno task mutants` (scripts/mutants.ts): a small, realistic
 * regression of one rule, and the fast tests that must fail because of it.
 * Add one to the file of scripts/mutants/ for the code's area (or a new file
 * exporting `mutants`) whenever you add a rule.
 *
 * @example
 * ```ts
 * import type { Mutant } from "./mutant.ts";
 * const example: Mutant = {
 *   rule: "a folder its group can write is not trusted",
 *   file: "src/credentials/trust.ts",
 *   find: "(facts.mode & 0o022) !== 0",
 *   replace: "(facts.mode & 0o002) !== 0",
 *   tests: ["tests/security_test.ts"],
 *   filter: "group",
 * };
 * ```
 * @module
 */

/** A regression of one rule and the tests that must catch it. */
export interface Mutant {
  /** The rule the mutant breaks, as README or PROTOCOL states it. */
  rule: string;
  /** The file changed, from the repository's root. */
  file: string;
  /** The exact text replaced; it must occur exactly once in the file. */
  find: string;
  /** What it is replaced with. */
  replace: string;
  /** The test files run (fast ones: in process, or one process; no browser). */
  tests: string[];
  /** `deno test --filter`: a piece of the killing test's name (or /regex/). */
  filter?: string;
  /** The bound on the run; by default 4× the unchanged run's time, at least 30 s. */
  timeoutSeconds?: number;
}
