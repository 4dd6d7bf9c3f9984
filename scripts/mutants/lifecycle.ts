/**
 * Mutants of where keys and logins go, and of a key's end of life:
 * revocation checked with the key itself, hand-off key ids, minted keys
 * that cannot be saved, the proxy and credential rules of the API client.
 * @module
 */
import type { Mutant } from "./mutant.ts";

/** See scripts/mutants/mutant.ts for the fields. */
export const mutants: Mutant[] = [
  {
    rule: "a revocation is checked with the key itself: after the DELETE it must get 401",
    file: "src/runtime/keys.ts",
    find: "  return await confirmDead(api);\n}",
    replace: '  return { kind: "revoked" };\n}',
    tests: ["tests/lifecycle_test.ts"],
    filter: "20.13",
  },
  {
    rule:
      '"API key not found" to a DELETE the key authenticated means the saved id is not this key',
    file: "src/runtime/keys.ts",
    find: '    ) return { kind: "not-this-key" };',
    replace: '    ) return { kind: "dead" };',
    tests: ["tests/lifecycle_test.ts"],
    filter: "20.13/20.14",
  },
];
