/**
 * Mutants of what the CLI must leave behind on every way out: nothing of a
 * login's, not even when a signal ends it.
 * @module
 */
import type { Mutant } from "./mutant.ts";

/** See scripts/mutants/mutant.ts for the fields. */
export const mutants: Mutant[] = [
  {
    rule: "the redirect file is removed when SIGTERM, SIGHUP or SIGQUIT ends the login",
    file: "src/login/browser_wait.ts",
    find: "        forgetFile = ctx.onFatalSignal(file.remove);\n",
    replace: "",
    tests: ["tests/login_process_test.ts"],
    filter: "SIGTERM, SIGHUP or SIGQUIT during a browser login",
  },
];
