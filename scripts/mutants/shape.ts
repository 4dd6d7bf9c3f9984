/**
 * Mutants of the code's shape (phase 2's review): start-up pays only for
 * what a command uses, so a reading command loads no writer, lock or prompt;
 * hints built by the one builder keep the login's environment.
 * @module
 */
import type { Mutant } from "./mutant.ts";

const TESTS = ["tests/unit/startup_test.ts"];

/** See scripts/mutants/mutant.ts for the fields. */
export const mutants: Mutant[] = [
  {
    rule:
      "reading a pending two-step login loads no writer (whoami and status read it on every run)",
    file: "src/login/pending.ts",
    find: 'import { parseJson } from "../protocol/json.ts";',
    replace: 'import { parseJson } from "../protocol/json.ts";\nimport "../credentials/write.ts";',
    tests: TESTS,
  },
  {
    rule: "the prompt, the lock and exec's foreground run load when first used, not at start-up",
    file: "src/runtime/deno_context.ts",
    find: 'import { directLoopbackFetch } from "../platform/http.ts";',
    replace:
      'import { directLoopbackFetch } from "../platform/http.ts";\nimport "../platform/prompt.ts";\nimport "../platform/lock.ts";',
    tests: TESTS,
  },
  {
    rule: "the help pages load only for help",
    file: "src/cli/main.ts",
    find: 'import { parseCommandLine } from "./parse.ts";',
    replace: 'import { parseCommandLine } from "./parse.ts";\nimport "./help.ts";',
    tests: TESTS,
  },
  {
    rule: "a callback's refused-request error names the --with-token login at the login's API",
    file: "src/login/code_flow.ts",
    find: 'loginCommand(place, "--with-token")',
    replace: 'loginCommand({}, "--with-token")',
    tests: ["tests/login_ux_test.ts"],
    filter: "OAuth errors at the callback",
  },
  {
    rule:
      "a pending login whose code expired unapproved is expired everywhere (--continue forgets it, --no-wait starts again, status says so)",
    file: "src/login/pending.ts",
    find: "return pending.grant === undefined && Date.parse(pending.expiresAt) <= now;",
    replace: "return false;",
    tests: ["tests/two_step_test.ts"],
    filter: "--continue: expired",
  },
  {
    rule:
      "a device authorization without any verification URI is refused (RFC 8628 §3.2): no page to approve on",
    file: "src/login/device_flow.ts",
    find: "if (!given(auth.verification_uri) && !given(auth.verification_uri_complete)) {",
    replace: "if (false) {",
    tests: ["tests/flows_test.ts"],
    filter: "optional verification_uri_complete",
  },
  {
    rule:
      "a switch variable (CI, CODESPACES, an agent's marker) set to 0 or false, in any case, is off everywhere it is read",
    file: "src/protocol/text.ts",
    find: "const word = value?.trim().toLowerCase();",
    replace: "const word = value;",
    tests: ["tests/unit/browser_test.ts"],
    filter: "SSH, CI and no display",
  },
  {
    rule:
      "a WSL distribution name holding \\, / or \" makes no \\\\wsl$ path (it could lead to another server's share)",
    file: "src/login/browser.ts",
    find: 'if (!distro || /[\\\\/"]/.test(distro)) return null;',
    replace: "if (!distro) return null;",
    tests: ["tests/unit/browser_test.ts"],
    filter: "WSL",
  },
  {
    rule:
      "the --api hint of a reading command quotes what was typed: pasted, it runs only the login",
    file: "src/cli/parse.ts",
    find: "        : shellWord(stripControl(value));",
    replace: "        : stripControl(value);",
    tests: ["tests/unit/parse_test.ts"],
    filter: "every bad input is a usage error",
  },
  {
    rule:
      "a delivery still unfinished when the login ends is waited for a while, then named: a key it made may be live, and where to revoke it",
    file: "src/login/browser_wait.ts",
    find: "  const note = late === null\n",
    replace: "  const note = late === undefined\n",
    tests: ["tests/flows_test.ts"],
    filter: "a code exchange still under way when the login times out",
  },
];
