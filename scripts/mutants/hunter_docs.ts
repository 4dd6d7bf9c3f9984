/**
 * Mutants of the rules the phase-4 docs hunt added: what agents and scripts
 * are promised on stdout and by the exit code.
 * @module
 */
import type { Mutant } from "./mutant.ts";

const TWO_STEP = ["tests/two_step_test.ts"];

/** See scripts/mutants/mutant.ts for the fields. */
export const mutants: Mutant[] = [
  {
    rule:
      "login --no-wait/--continue/--cancel --json: a failure before the run (an untrusted folder, a bad --wait) is one object on stdout",
    file: "src/cli/login.ts",
    find: "        if (json) two.printFailure(ctx, chosen, error);\n",
    replace: "",
    tests: TWO_STEP,
    filter: "a failure before the two-step run",
  },
  {
    rule:
      "a two-step --json failure names no login when none could be chosen (a name that is not one is never echoed)",
    file: "src/cli/login.ts",
    find: "two.printFailure(ctx, chosen, error)",
    replace: "two.printFailure(ctx, chosen ?? profile ?? null, error)",
    tests: TWO_STEP,
    filter: "a failure before the two-step run",
  },
  {
    rule:
      "login --no-wait takes --qr, which its own 'needs a larger terminal' note names (it was refused)",
    file: "src/cli/login.ts",
    find: '"no-wait": ["api", "frontend", "restart", "no-browser", "qr"],',
    replace: '"no-wait": ["api", "frontend", "restart", "no-browser"],',
    tests: TWO_STEP,
    filter: "too short for the QR code",
  },
  {
    rule: "env --json points at --shell json (env's JSON is one of its shells)",
    file: "src/cli/parse.ts",
    find: 'if (flag === "--json" && known.includes("--shell")) {',
    replace: "if (false) {",
    tests: ["tests/login_ux_test.ts"],
    filter: "typos: flags get a suggestion",
  },
];
