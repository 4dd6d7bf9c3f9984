/**
 * Mutants of the commands: logout and re-login never leave a live key
 * behind, and never revoke one the user supplied.
 * @module
 */
import type { Mutant } from "./mutant.ts";

/** See scripts/mutants/mutant.ts for the fields. */
export const mutants: Mutant[] = [
  {
    rule: "logout never revokes a supplied key, even when the file knows its id",
    file: "src/cli/save_login.ts",
    find: "(file.keyOrigin === undefined && Boolean(file.keyId))",
    replace: "Boolean(file.keyId)",
    tests: ["tests/production_truth_test.ts"],
    filter: "logout never revokes a supplied key",
  },
  {
    rule: "a re-login revokes the key the previous login minted",
    file: "src/cli/save_login.ts",
    find: "if (isMinted(previous)) await revokeReplaced(ctx, previous, path);",
    replace: "",
    tests: ["tests/flows_test.ts"],
    filter: "re-login",
  },
  {
    rule: "logout revokes the key the CLI minted",
    file: "src/cli/logout.ts",
    find: "  if (!isMinted(file)) {",
    replace: "  if (true) {",
    tests: ["tests/cli_test.ts"],
    filter: "logout revokes the key",
  },
  {
    rule: "logout keeps a login saved meanwhile",
    file: "src/cli/logout.ts",
    find: 'if (now && now.token !== target.token) return "kept";',
    replace: "",
    tests: ["tests/production_truth_test.ts"],
    filter: "a login saved meanwhile is kept",
  },
];
