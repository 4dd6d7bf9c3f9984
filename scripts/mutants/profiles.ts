/**
 * Mutants of several logins (issue 17) and of the lock between concurrent
 * logins (issue 19.10): each "must never happen" of the issue is a rule here.
 * @module
 */
import type { Mutant } from "./mutant.ts";

/** See scripts/mutants/mutant.ts for the fields. */
export const mutants: Mutant[] = [
  {
    rule:
      "--profile X beside ALMYTY_TOKEN is no conflict only when the environment holds X's saved pair (what exec hands over)",
    file: "src/credentials/select.ts",
    find: "  if (profile !== env.ALMYTY_PROFILE) return false;",
    replace: "  if (profile === env.ALMYTY_PROFILE) return true;",
    tests: ["tests/profiles_test.ts"],
    filter: "ALMYTY_PROFILE next to another login",
  },
  {
    rule: "every 'log in' hint keeps --profile (one builder: credentials/fix_hints.ts)",
    file: "src/credentials/fix_hints.ts",
    find: '    words.push("--profile", profile);\n',
    replace: "",
    tests: ["tests/profiles_test.ts"],
    filter: "hints keep --profile",
  },
  {
    rule:
      "a login's save and the revocation of the key it replaces run under the login file's lock",
    file: "src/runtime/login_lock.ts",
    find: "    held = await ctx.lock(lockPathFor(path), {",
    replace: "    held = { release() {} } || await ctx.lock(lockPathFor(path), {",
    tests: ["tests/lock_test.ts"],
    filter: "19.10",
  },
  {
    rule: "the login a save replaces is re-read under the lock",
    file: "src/cli/save_login.ts",
    find: "      previous = readProfileWith(credentialsIo(ctx, () => {}), name);",
    replace: "      previous = target.file;",
    tests: ["tests/lock_test.ts"],
    filter: "19.10",
  },
  {
    rule: "a selected profile that does not exist never falls back to the default login",
    file: "src/credentials/resolve.ts",
    find: "  const file = readProfileWith(io, selection.profile);",
    replace:
      "  const file = readProfileWith(io, selection.profile) ?? readProfileWith(io, DEFAULT_PROFILE);",
    tests: ["tests/profiles_test.ts", "tests/unit/profiles_test.ts"],
    filter: "missing profile",
  },
  {
    rule: "a repository's .almyty-profile selects a login only once trusted",
    file: "src/credentials/directory.ts",
    find: "  if (trusted !== file.sha256) throw untrusted(io, file, trusted !== undefined);",
    replace: "",
    tests: ["tests/profiles_test.ts"],
    filter: "folders, through the CLI",
  },
  {
    rule: "a trusted .almyty-profile that changed is untrusted again",
    file: "src/credentials/directory.ts",
    find: "  if (trusted !== file.sha256) throw untrusted(io, file, trusted !== undefined);",
    replace: "  if (trusted === undefined) throw untrusted(io, file, false);",
    tests: ["tests/unit/profiles_test.ts"],
    filter: "folders: nearest file wins",
  },
  {
    rule: "a .almyty-profile that is a symbolic link is refused",
    file: "src/credentials/directory.ts",
    find:
      '  if (facts.isSymlink) throw refuse("it is a symbolic link", "Make it a regular file.");',
    replace: "",
    tests: ["tests/unit/profiles_test.ts"],
    filter: "folders: nearest file wins",
  },
  {
    rule: "the walk for a .almyty-profile stops before a folder another user owns",
    file: "src/credentials/directory.ts",
    find:
      "        if (!facts || (me !== null && facts.uid !== null && facts.uid !== me)) return null;",
    replace: "        if (!facts) return null;",
    tests: ["tests/unit/profiles_test.ts"],
    filter: "folders: nearest file wins",
  },
  {
    rule: "a folder's assertions (api, organization) are checked before anything is sent",
    file: "src/credentials/select.ts",
    find: "  if (!problems.length) return;",
    replace: "  return;",
    tests: ["tests/profiles_test.ts"],
    filter: "folders, through the CLI",
  },
  {
    rule: "ALMYTY_URL never re-points a profile's saved key",
    file: "src/credentials/resolve.ts",
    find: '  const [url, urlSource]: [string, Source] = file.url\n    ? [file.url, "file"]',
    replace:
      '  const [url, urlSource]: [string, Source] = env.ALMYTY_URL\n    ? [env.ALMYTY_URL, "env"]\n    : file.url\n    ? [file.url, "file"]',
    tests: ["tests/profiles_test.ts"],
    filter: "two reference servers",
  },
  {
    rule: "--profile together with ALMYTY_TOKEN is a usage error, not a silent choice",
    file: "src/credentials/select.ts",
    find: "    if (options.profile !== undefined && !isHandedOver(io, env, options.profile)) {",
    replace: "    if (false) {",
    tests: ["tests/profiles_test.ts"],
    filter: "--profile everywhere",
  },
  {
    rule: "logout of one profile removes that profile's file only",
    file: "src/cli/logout.ts",
    find: '  return deleteProfileWith(io, name) ? "removed" : "absent";',
    replace:
      '  deleteProfileWith(io, "default");\n  return deleteProfileWith(io, name) ? "removed" : "absent";',
    tests: ["tests/profiles_test.ts"],
    filter: "two reference servers",
  },
  {
    rule: "a key another login file holds is never revoked by logout",
    file: "src/cli/logout.ts",
    find: '  if (stillHeld(ctx, file, name, "The key was not revoked")) return false;',
    replace: "",
    tests: ["tests/profiles_test.ts"],
    filter: "another login file also holds",
  },
  {
    rule: "a profile file of a newer almyty-auth is neither read nor overwritten",
    file: "src/credentials/profiles.ts",
    find:
      '  return typeof version === "number" && Number.isInteger(version) && version > PROFILE_VERSION;',
    replace: "  return false;",
    tests: ["tests/unit/profiles_test.ts"],
    filter: "newer almyty-auth",
  },
  {
    rule: "each named login is its own file, beside credentials.json, never inside it",
    file: "src/credentials/profiles.ts",
    find: "  return name === DEFAULT_PROFILE\n    ? credentialsPathWith(io)",
    replace: "  return name === name\n    ? credentialsPathWith(io)",
    tests: ["tests/profiles_test.ts"],
    filter: "old writer",
  },
  // What issue 17 says must never happen, beyond the entries above.
  {
    rule: "a profile name never becomes a path outside profiles/",
    file: "src/credentials/types.ts",
    find: "  return NAME.test(name) && !isWindowsDeviceName(name);",
    replace: "  return !isWindowsDeviceName(name);",
    tests: ["tests/unit/profiles_test.ts"],
    filter: "profile names",
  },
  {
    rule: "Windows device names are refused as profile names",
    file: "src/credentials/types.ts",
    find: "  return NAME.test(name) && !isWindowsDeviceName(name);",
    replace: "  return NAME.test(name);",
    tests: ["tests/unit/profiles_test.ts"],
    filter: "profile names",
  },
  {
    rule: "a login --profile writes that profile's file, never the default login",
    file: "src/credentials/profiles.ts",
    find: "  return name === DEFAULT_PROFILE\n    ? credentialsPathWith(io)",
    replace: "  return name === DEFAULT_PROFILE || true\n    ? credentialsPathWith(io)",
    tests: ["tests/profiles_test.ts"],
    filter: "re-login of a profile",
  },
  {
    rule: "status --json never carries a token",
    file: "src/cli/status.ts",
    find: "    profile: target ? loginJson(target) : null,",
    replace: "    profile: target ? { ...loginJson(target), token: target.token } : null,",
    tests: ["tests/profiles_test.ts"],
    filter: "status --json carries it and never a token",
  },
  {
    rule: "a re-login revokes the replaced key with its own token at its own API",
    file: "src/cli/save_login.ts",
    find: "    target = fileTarget(previous, path);",
    replace: "    target = fileTarget({ ...previous, url: credentials.url }, path);",
    tests: ["tests/profiles_test.ts"],
    filter: "re-login of a profile",
  },
  {
    rule: "exec and env never hand over an empty token: no login, nothing run or printed",
    file: "src/cli/handoff.ts",
    find: "  if (!target?.token) throw notAuthenticated(ctx);",
    replace: "",
    tests: ["tests/profiles_test.ts"],
    filter: "exec and env hand over",
  },
  {
    rule: "exec and env with --profile replace an inherited ALMYTY_TOKEN with the profile's pair",
    file: "src/cli/handoff.ts",
    find: "  if (profile !== undefined) {",
    replace: "  if (false) {",
    tests: ["tests/profiles_test.ts"],
    filter: "exec and env hand over",
  },
  {
    rule: "env quotes every value for the shell (a key with quotes or $ in it is not interpreted)",
    file: "src/cli/env.ts",
    find: "        return `export ${name}='${value.replace(/'/g, `'\\\\''`)}'`;",
    replace: '        return `export ${name}="${value}"`;',
    tests: ["tests/profiles_e2e_test.ts"],
    filter: "env under",
  },
  {
    rule: "exec exits with the program's status",
    file: "src/cli/exec.ts",
    find: '  if ("code" in result) return result.code;',
    replace: '  if ("code" in result) return EXIT.ok;',
    tests: ["tests/profiles_test.ts"],
    filter: "exec and env hand over",
  },
  {
    rule: "profile use never drops a default login kept nowhere else",
    file: "src/cli/profile.ts",
    find: "      loginsHoldingKey(io, current, DEFAULT_PROFILE).length === 0",
    replace: "      false",
    tests: ["tests/profiles_test.ts"],
    filter: "profile save and use",
  },
  {
    rule: "listProfiles never carries a token",
    file: "src/credentials/profiles.ts",
    find:
      '  const strings = ["url", "email", "frontendUrl", "keyId", "createdAt", "expiresAt"] as const;',
    replace:
      '  const strings = ["url", "token", "email", "frontendUrl", "keyId", "createdAt", "expiresAt"] as const;',
    tests: ["tests/unit/profiles_test.ts"],
    filter: "one 0600 file each",
  },
  {
    rule: "a key another login file holds is never revoked by a re-login",
    file: "src/cli/save_login.ts",
    find: '  if (stillHeld(ctx, previous, name, "The previous key was kept")) return;',
    replace: "",
    tests: ["tests/profiles_test.ts"],
    filter: "another login file also holds",
  },
  {
    rule: "exec and env never hand over a token without its ALMYTY_URL",
    file: "src/cli/handoff.ts",
    find: "    ALMYTY_URL: target.api,",
    replace: '    ALMYTY_URL: target.login?.profile ? target.api : "",',
    tests: ["tests/profiles_test.ts"],
    filter: "exec and env hand over",
  },
  {
    rule: "a Windows device name as a profile name says to choose another name",
    file: "src/credentials/profiles.ts",
    find:
      "    ? `${shown} is a device name on Windows, so no file can have it: choose another name`",
    replace: "    ? `${shown} is a device name on Windows`",
    tests: ["tests/unit/profiles_test.ts"],
    filter: "profile names: the rule",
  },
  {
    rule:
      "logout --all leaves the logins that can revoke their key for last (no supplied copy keeps it live)",
    file: "src/cli/logout.ts",
    find: "? revokersLast(listProfilesWith(io)).map(",
    replace: "? listProfilesWith(io).map(",
    tests: ["tests/profiles_test.ts"],
    filter: "logout --all",
  },
];
