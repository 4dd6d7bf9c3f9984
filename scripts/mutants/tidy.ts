/**
 * Mutants of "nothing is left behind": not by the CLI on any way out (a
 * signal included), not by a test file or a script the tests run.
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
  {
    rule: "SIGTERM or SIGHUP in the middle of a save waits for the write: no temp file stays",
    file: "src/runtime/login_lock.ts",
    find: "  const forget = ctx.onFatalSignal(() => {});\n",
    replace: "  const forget = () => {};\n",
    tests: ["tests/security_test.ts"],
    filter: "in the middle of a save",
  },
  {
    rule: "a test file's scratch folders go when it ends, pass or fail",
    file: "tests/helpers/scratch.ts",
    find: '    globalThis.addEventListener("unload", removeScratch);\n',
    replace: "",
    tests: ["tests/unit/scratch_test.ts"],
    filter: "test files that pass, fail",
  },
  {
    rule: "a script's scratch folders go when it ends by an uncaught error",
    file: "tests/helpers/scratch.ts",
    find: '    globalThis.addEventListener("unhandledrejection", removeScratch);\n',
    replace: "",
    tests: ["tests/unit/scratch_test.ts"],
    filter: "a script that ends",
  },
  {
    rule: "a mutant's failed test leaves no process running (its process group goes after the run)",
    file: "scripts/mutants.ts",
    find: '    Deno.kill(-child.pid, "SIGKILL");\n  } catch { /* nothing left */ }',
    replace: "  } catch { /* nothing left */ }",
    tests: ["tests/unit/mutants_test.ts"],
    filter: "small repository",
  },
];
