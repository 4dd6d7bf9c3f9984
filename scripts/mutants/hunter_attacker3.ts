/**
 * Mutants for the rules round 3's attacker added (hunter-attacker3).
 * @module
 */
import type { Mutant } from "./mutant.ts";

/** A key typed where a value belongs: the test that sees it echoed. */
const typedKey = {
  tests: ["tests/security_test.ts"],
  filter: "a key typed where an argument",
};

export const mutants: Mutant[] = [
  {
    rule: "exec --profile without a program repeats only a valid name (a key is named as one)",
    file: "src/cli/exec.ts",
    find: '`--profile ${checkProfileName(String(flags.profile), "--profile")}`',
    replace: "`--profile ${stripControl(String(flags.profile))}`",
    ...typedKey,
  },
  {
    rule: "the program exec cannot start is never quoted when it is a key",
    file: "src/cli/exec.ts",
    find: "isKeyOrToken(command) ? quoteTyped(command) : stripControl(command)",
    replace: "stripControl(command)",
    ...typedKey,
  },
  {
    rule: "profile's folder argument is never quoted when it is a key",
    file: "src/cli/profile.ts",
    find: "isKeyOrToken(given) ? quoteTyped(given) : stripControl(given)",
    replace: "stripControl(given)",
    ...typedKey,
  },
  {
    rule:
      "nothing after a login's save fails it: unreadable other login files keep the previous key, never revoke the new one",
    file: "src/cli/save_login.ts",
    find: "if (!(error instanceof CredentialsError)) throw error;\n    // The other login files",
    replace: "throw error;\n    // The other login files",
    tests: ["tests/profiles_test.ts"],
    filter: "cannot be read",
  },
  {
    rule: "an organization's id or slug that is no string is ignored when a login file is read",
    file: "src/credentials/read.ts",
    find: 'for (const field of ["id", "slug"])',
    replace: 'for (const field of ["id"])',
    tests: ["tests/profiles_test.ts"],
    filter: "slug or id",
  },
  {
    rule:
      "--cancel of a pending login whose key its login file already holds (a stopped --continue) revokes nothing",
    file: "src/login/two_step.ts",
    find: "if (now && savedAlready(io, now)) finished = now;",
    replace: "if (now && !now) finished = now;",
    tests: ["tests/two_step_test.ts"],
    filter: "stopped after its save",
  },
  {
    rule:
      "--no-wait --restart never retires a pending login whose key its login file already holds",
    file: "src/login/two_step.ts",
    find: "replaced: now && !savedAlready(io, now) ? now : null",
    replace: "replaced: now",
    tests: ["tests/two_step_test.ts"],
    filter: "stopped after its save",
  },
  {
    rule: "a JWT whose exp no date can hold has no expiry (status and whoami show it)",
    file: "src/protocol/tokens.ts",
    find: "Number.isFinite(ms) && Math.abs(ms) <= MAX_DATE_MS ? ms : null",
    replace: "Number.isFinite(ms) ? ms : null",
    tests: ["tests/flows_test.ts"],
    filter: "no date can hold",
  },
  {
    rule:
      "on Windows the working folder is compared as the disk spells it (bindings, trusted files)",
    file: "src/credentials/select.ts",
    find: 'if (io.fs.platform !== "win32") return cwd;',
    replace: "return cwd;",
    tests: ["tests/platform_test.ts"],
    filter: "another case",
  },
  {
    rule: "a login file its group or others can write is not trusted",
    file: "src/credentials/read.ts",
    find: "  checkFileMode(io.fs, file.facts, path);\n",
    replace: "",
    tests: ["tests/security_test.ts"],
    filter: "a login file its group or others can write",
  },
  {
    rule: "a login file its group can write is not trusted (not only others)",
    file: "src/credentials/trust.ts",
    find: "(facts.mode & 0o022) === 0) return;",
    replace: "(facts.mode & 0o002) === 0) return;",
    tests: ["tests/security_test.ts"],
    filter: "a login file its group or others can write",
  },
  {
    rule: "a pending login its group or others can write is not trusted",
    file: "src/login/pending.ts",
    find:
      "  checkFileMode(io.fs, file.facts, path); // its API and token endpoint are where --continue goes\n",
    replace: "",
    tests: ["tests/security_test.ts"],
    filter: "a login file its group or others can write",
  },
  {
    rule:
      "a key the CLI minted, supplied again with --with-token, keeps its id and origin (the last logout revokes it)",
    file: "src/cli/save_login.ts",
    find: 'keyOrigin: origin ? "minted" : result.keyOrigin,',
    replace: "keyOrigin: result.keyOrigin,",
    tests: ["tests/profiles_test.ts"],
    filter: "supplied again",
  },
  {
    rule: "a supplied key is minted only when a login file holds it as minted, with its id",
    file: "src/cli/save_login.ts",
    find: "if (readProfileWith(io, login.name)?.token === token) return { keyId: login.keyId };",
    replace: "if (readProfileWith(io, login.name)?.token !== token) return { keyId: login.keyId };",
    tests: ["tests/profiles_test.ts"],
    filter: "supplied again",
  },
  {
    rule:
      "logout --all sweeps the stale temp files of login files never saved (a first save killed)",
    file: "src/cli/logout.ts",
    find: "if (flags.all) sweepLoginFolders(ctx);",
    replace: "if (!flags.all) sweepLoginFolders(ctx);",
    tests: ["tests/security_test.ts"],
    filter: "SIGKILL mid-save",
  },
  {
    rule: "logout --all sweeps the pending logins' folder too",
    file: "src/cli/logout.ts",
    find: "for (const dir of [profilesDirWith(io), pendingDir]) {",
    replace: "for (const dir of [profilesDirWith(io)]) {",
    tests: ["tests/security_test.ts"],
    filter: "SIGKILL mid-save",
  },
];
