/**
 * Named logins in the library (issue 17): names, storage, the one selection
 * rule and its precedence matrix, and folders choosing a login (walk, trust,
 * bindings, assertions), on both file-system implementations.
 */
import { assert, assertEquals, assertMatch, assertThrows } from "../helpers/assert.ts";
import {
  CredentialsError,
  deleteProfile,
  listProfiles,
  readProfile,
  resolveCredentials,
  writeCredentials,
  writeProfile,
} from "../../src/credentials/mod.ts";
import { checkProfileName } from "../../src/credentials/profiles.ts";
import { directoriesPathWith, type DirectoryRecord } from "../../src/credentials/directory.ts";
import { writeDirectoryRecordWith } from "../../src/credentials/write.ts";
import { sha256Hex } from "../../src/protocol/sha256.ts";
import { credsPath, tempHome } from "../helpers/cli.ts";
import type { CredentialsFs } from "../../src/credentials/fs.ts";
import { nodeFs } from "../../src/credentials/node_fs.ts";
import { denoFs } from "../../src/platform/deno_fs.ts";
import { scratchDir } from "../helpers/scratch.ts";

const ADAPTERS: [string, CredentialsFs][] = [["node:fs", nodeFs], ["Deno", denoFs]];
const OTHER_UID = 4242;

const PROD = { url: "https://api.almyty.com", token: "almyty_PRODUCTIONKEY000000000001" };
const STAGING = {
  url: "https://api.staging.almyty.com",
  token: "almyty_STAGINGKEY0000000000000002",
  email: "alice@example.com",
  organization: { id: "o1", name: "Acme", slug: "acme" },
};

function errorOf(fn: () => unknown): CredentialsError {
  return assertThrows(fn, CredentialsError);
}

/** A HOME with a default login and a staging profile, and a repository folder inside it. */
function setup(fs: CredentialsFs) {
  const home = tempHome();
  writeCredentials(PROD, { home, fs });
  writeProfile("staging", STAGING, { home, fs });
  const repo = `${home}/work/repo`;
  Deno.mkdirSync(`${repo}/sub/deeper`, { recursive: true });
  return { home, repo };
}

function dirFile(dir: string, text: string, mode = 0o644): string {
  const path = `${dir}/.almyty-profile`;
  Deno.writeTextFileSync(path, text, { mode });
  Deno.chmodSync(path, mode);
  return path;
}

function record(fs: CredentialsFs, home: string, record: Partial<DirectoryRecord>): void {
  writeDirectoryRecordWith({ fs, home }, { trusted: {}, bindings: {}, ...record });
}

function trust(fs: CredentialsFs, home: string, path: string): void {
  record(fs, home, { trusted: { [path]: sha256Hex(Deno.readTextFileSync(path)) } });
}

Deno.test("profile names: the rule, default, Windows device names; never a path outside profiles/", () => {
  for (
    const good of ["a", "0", "acme-staging", "a_b", "x".repeat(63), "default", "con1", "nul-x"]
  ) {
    assertEquals(checkProfileName(good, "--profile"), good);
  }
  const bad = [
    "",
    "-a",
    "_a",
    "A",
    "Acme",
    "a b",
    "a/b",
    "../x",
    "..",
    ".",
    "a.json",
    "x".repeat(64),
    "é",
    "a\nb",
    "con",
    "nul",
    "prn",
    "aux",
    "com1",
    "lpt9",
  ];
  for (const name of bad) {
    const error = errorOf(() => checkProfileName(name, "ALMYTY_PROFILE"));
    assertEquals(error.code, "invalid-profile-name", name);
    assertMatch(error.message, /from ALMYTY_PROFILE/);
    assert(!error.message.includes("\n"), "control characters are not echoed");
  }
  assertMatch(
    errorOf(() => checkProfileName("com3", "--profile")).message,
    /device name on Windows/,
  );
  assertMatch(
    errorOf(() => checkProfileName("com3", "--profile")).message,
    /"com3" is a device name on Windows, so no file can have it: choose another name\./,
  );
});

for (const [name, fs] of ADAPTERS) {
  Deno.test(`[${name}] profiles: one 0600 file each with "version": 1; the default stays byte for byte`, () => {
    const home = tempHome();
    writeCredentials(PROD, { home, fs });
    const before = Deno.readFileSync(credsPath(home));
    const path = writeProfile("staging", STAGING, { home, fs });
    assertEquals(path, `${home}/.almyty/profiles/staging.json`);
    assertEquals(Deno.statSync(path).mode! & 0o777, 0o600);
    assertEquals(Deno.statSync(`${home}/.almyty/profiles`).mode! & 0o777, 0o700);
    assertEquals(JSON.parse(Deno.readTextFileSync(path)), { version: 1, ...STAGING });
    assertEquals(readProfile("staging", { home, fs }), STAGING, "version describes the file");
    assertEquals(readProfile("default", { home, fs }), PROD);
    assertEquals(readProfile("nope", { home, fs }), null);
    assertEquals(Deno.readFileSync(credsPath(home)), before);
    assertEquals(listProfiles({ home, fs }).map((p) => [p.name, p.url, p.email]), [
      ["default", PROD.url, undefined],
      ["staging", STAGING.url, STAGING.email],
    ]);
    assert(!JSON.stringify(listProfiles({ home, fs })).includes("almyty_"), "never a token");
    assertEquals(deleteProfile("staging", { home, fs }), true);
    assertEquals(deleteProfile("staging", { home, fs }), false);
    assertEquals(Deno.readFileSync(credsPath(home)), before, "another login's file is untouched");
    assertEquals(errorOf(() => readProfile("../x", { home, fs })).code, "invalid-profile-name");
  });

  Deno.test(`[${name}] a profile file of a newer almyty-auth is neither read nor overwritten`, () => {
    const home = tempHome();
    writeProfile("staging", STAGING, { home, fs });
    const path = `${home}/.almyty/profiles/staging.json`;
    const newer = JSON.stringify({ version: 2, ...STAGING, future: true });
    Deno.writeTextFileSync(path, newer);
    const read = errorOf(() => readProfile("staging", { home, fs }));
    assertEquals(read.code, "unsupported-version");
    assertMatch(read.message, /written by a newer almyty-auth/);
    const write = errorOf(() => writeProfile("staging", PROD, { home, fs }));
    assertEquals(write.code, "unsupported-version");
    assertEquals(Deno.readTextFileSync(path), newer);
    assertEquals(
      errorOf(() => resolveCredentials({ home, fs, env: { ALMYTY_PROFILE: "staging" } })).code,
      "unsupported-version",
    );
  });

  Deno.test(`[${name}] the precedence matrix: ALMYTY_TOKEN → profile option → ALMYTY_PROFILE → folder → default, each with ALMYTY_TOKEN set and unset`, () => {
    const { home, repo } = setup(fs);
    writeProfile("dirpick", { ...STAGING, token: "almyty_DIRPICK00000000000000003" }, { home, fs });
    const file = dirFile(repo, '{"profile": "dirpick"}');
    trust(fs, home, file);
    const envToken = { ALMYTY_TOKEN: "almyty_ENVTOKEN0000000000000004" };
    const levels: [string, Record<string, string>, { profile?: string; cwd: string }, string][] = [
      ["option", { ALMYTY_PROFILE: "dirpick" }, { profile: "staging", cwd: repo }, "staging"],
      ["ALMYTY_PROFILE", { ALMYTY_PROFILE: "staging" }, { cwd: repo }, "staging"],
      ["folder", {}, { cwd: repo }, "dirpick"],
      ["default", {}, { cwd: home }, "default"],
    ];
    for (const [level, env, options, expected] of levels) {
      const resolved = resolveCredentials({ home, fs, env, ...options })!;
      assertEquals(resolved.profile, expected, level);
      const source = { option: "flag", ALMYTY_PROFILE: "env", folder: "directory" }[level];
      assertEquals(resolved.source.profile, source ?? "default", level);
      // The key and its API always come from the same file.
      const saved = expected === "default" ? PROD : readProfile(expected, { home, fs })!;
      assertEquals([resolved.token, resolved.url], [saved.token, saved.url], level);
      // With ALMYTY_TOKEN set: the token wins, except over an explicit profile (a usage error).
      const withToken = () =>
        resolveCredentials({ home, fs, env: { ...env, ...envToken }, ...options });
      if (level === "option") {
        const conflict = errorOf(withToken);
        assertEquals(conflict.code, "profile-conflict");
        assertMatch(conflict.message, /--profile "staging" and ALMYTY_TOKEN are both set/);
      } else {
        const resolvedEnv = withToken()!;
        assertEquals([resolvedEnv.token, resolvedEnv.url, resolvedEnv.profile], [
          envToken.ALMYTY_TOKEN,
          "https://api.almyty.com",
          null,
        ], level);
      }
    }
    // Empty ALMYTY_PROFILE and ALMYTY_TOKEN count as unset.
    const empty = resolveCredentials({
      home,
      fs,
      env: { ALMYTY_PROFILE: "", ALMYTY_TOKEN: "" },
      cwd: home,
    })!;
    assertEquals(empty.profile, "default");
    // directory: false ignores the folder.
    assertEquals(
      resolveCredentials({ home, fs, env: {}, cwd: repo, directory: false })!.profile,
      "default",
    );
  });

  Deno.test(`[${name}] a missing profile never falls back to the default; the error says how to log in`, () => {
    const { home } = setup(fs);
    for (
      const [env, options] of [[{ ALMYTY_PROFILE: "prod2" }, {}], [{}, {
        profile: "prod2",
      }]] as const
    ) {
      const error = errorOf(() => resolveCredentials({ home, fs, env, cwd: home, ...options }));
      assertEquals(error.code, "profile-not-found");
      assertMatch(
        error.message,
        /Profile "prod2" not found[\s\S]*almyty-auth login --profile prod2/,
      );
    }
    // The default login missing is today's "not authenticated", also when named.
    Deno.removeSync(credsPath(home));
    assertEquals(
      resolveCredentials({ home, fs, env: { ALMYTY_PROFILE: "default" }, cwd: home }),
      null,
    );
  });

  Deno.test(`[${name}] folders: nearest file wins, walk stops at HOME and before another user's folder; symlink, writable, oversize, strict JSON, untrusted and changed are refused`, () => {
    const { home, repo } = setup(fs);
    const file = dirFile(repo, '{"profile": "staging"}\n');
    const at = (cwd: string) => () => resolveCredentials({ home, fs, env: {}, cwd });
    // Untrusted: refused, naming the login it selects and the trust command.
    let error = errorOf(at(`${repo}/sub/deeper`));
    assertEquals(error.code, "directory-untrusted");
    assertMatch(
      error.message,
      new RegExp(
        `${file} selects the login "staging" \\(alice@example.com at https://api.staging.almyty.com\\), but you have not trusted this file[\\s\\S]*almyty-auth profile trust ${repo}`,
      ),
    );
    trust(fs, home, file);
    assertEquals(at(`${repo}/sub/deeper`)()!.profile, "staging");
    assertEquals(at(`${repo}/sub/deeper`)()!.profileOrigin, file);
    // Changed after trust: untrusted again.
    Deno.writeTextFileSync(file, '{"profile": "default"}\n');
    error = errorOf(at(repo));
    assertMatch(error.message, /changed since you trusted it/);
    // Nesting: the nearest file wins (and needs its own trust).
    Deno.writeTextFileSync(file, '{"profile": "staging"}\n');
    const inner = dirFile(`${repo}/sub`, '{"profile": "default"}');
    assertMatch(errorOf(at(`${repo}/sub/deeper`)).message, new RegExp(inner));
    record(fs, home, {
      trusted: {
        [file]: sha256Hex(Deno.readTextFileSync(file)),
        [inner]: sha256Hex(Deno.readTextFileSync(inner)),
      },
    });
    assertEquals(at(`${repo}/sub/deeper`)()!.profile, "default");
    assertEquals(at(repo)()!.profile, "staging");
    Deno.removeSync(inner);
    // The walk stops at HOME: a file above HOME is never seen.
    const outer = scratchDir();
    const innerHome = `${outer}/home`;
    Deno.mkdirSync(`${innerHome}/proj`, { recursive: true });
    writeCredentials(PROD, { home: innerHome, fs });
    dirFile(outer, '{"profile": "staging"}');
    assertEquals(
      resolveCredentials({ home: innerHome, fs, env: {}, cwd: `${innerHome}/proj` })!.profile,
      "default",
    );
    // ... and before a folder someone else owns (its file is not read).
    const shared = scratchDir();
    dirFile(shared, '{"profile": "staging"}');
    Deno.mkdirSync(`${shared}/mine`);
    Deno.chownSync(shared, OTHER_UID, OTHER_UID);
    assertEquals(
      resolveCredentials({ home, fs, env: {}, cwd: `${shared}/mine` })!.profile,
      "default",
    );
    // Each bad file is refused (fail closed), whatever the trust record says.
    const cases: [string, () => void, RegExp][] = [
      ["symlink", () => {
        const real = `${home}/real-profile`;
        Deno.writeTextFileSync(real, '{"profile": "staging"}');
        Deno.symlinkSync(real, file);
      }, /symbolic link/],
      ["other owner", () => {
        dirFile(repo, '{"profile": "staging"}');
        Deno.chownSync(file, OTHER_UID, OTHER_UID);
      }, /belongs to another user/],
      [
        "group-writable",
        () => dirFile(repo, '{"profile": "staging"}', 0o664),
        /others can change it/,
      ],
      [
        "oversize",
        () => dirFile(repo, `{"profile": "staging", "api": "${"x".repeat(5000)}"}`),
        /larger than 4096/,
      ],
      ["not JSON", () => dirFile(repo, "profile = staging"), /not valid JSON/],
      [
        "a token",
        () => dirFile(repo, '{"profile": "staging", "token": "almyty_x"}'),
        /holds a token/,
      ],
      [
        "a url",
        () => dirFile(repo, '{"profile": "staging", "url": "https://evil.example"}'),
        /only "profile", "api" and "organization"/,
      ],
      ["bad name", () => dirFile(repo, '{"profile": "../../etc"}'), /not a profile name/],
      [
        "no profile",
        () => dirFile(repo, '{"api": "https://api.almyty.com"}'),
        /"profile" is missing/,
      ],
    ];
    for (const [label, make, message] of cases) {
      try {
        Deno.removeSync(file);
      } catch { /* already gone */ }
      make();
      trust(fs, home, file);
      const refused = errorOf(at(repo));
      assertEquals(refused.code, "directory-untrusted", label);
      assertMatch(refused.message, message, label);
      assertMatch(refused.message, /Nothing was sent/, label);
    }
  });

  Deno.test(`[${name}] folders: assertions refuse a login at another API or organization; bindings choose without a file, longest prefix first`, () => {
    const { home, repo } = setup(fs);
    const at = (cwd: string) => () => resolveCredentials({ home, fs, env: {}, cwd });
    const assertFile = (text: string) => {
      const path = dirFile(repo, text);
      trust(fs, home, path);
      return path;
    };
    assertFile(
      '{"profile": "staging", "api": "https://api.staging.almyty.com/", "organization": "acme"}',
    );
    assertEquals(at(repo)()!.profile, "staging");
    assertFile('{"profile": "staging", "api": "https://api.almyty.com"}');
    let error = errorOf(at(repo));
    assertEquals(error.code, "directory-mismatch");
    assertMatch(
      error.message,
      /its API is https:\/\/api\.staging\.almyty\.com, not https:\/\/api\.almyty\.com/,
    );
    assertFile('{"profile": "staging", "organization": "globex"}');
    error = errorOf(at(repo));
    assertMatch(error.message, /its organization is acme, not globex/);
    // An assertion about a missing profile: the login hint names the asserted API.
    assertFile('{"profile": "newone", "api": "https://api.staging.almyty.com"}');
    assertMatch(
      errorOf(at(repo)).message,
      /almyty-auth login --profile newone --api https:\/\/api\.staging\.almyty\.com/,
    );
    Deno.removeSync(`${repo}/.almyty-profile`);
    // Bindings: longest prefix; a binding of a folder at or below a file's beats the file.
    record(fs, home, { bindings: { [`${home}/work`]: "staging", [`${repo}/sub`]: "default" } });
    assertEquals(at(repo)()!.profile, "staging");
    assertEquals(at(repo)()!.source.profile, "binding");
    assertEquals(at(`${repo}/sub/deeper`)()!.profile, "default");
    assertEquals(
      at(`${home}/workshop`)()!.profile,
      "default",
      "a prefix of the name is not a parent",
    );
    dirFile(`${repo}/sub/deeper`, '{"profile": "staging"}');
    assertEquals(
      errorOf(at(`${repo}/sub/deeper`)).code,
      "directory-untrusted",
      "the nearer file applies",
    );
    dirFile(`${home}/work`, '{"profile": "default"}'); // untrusted, but the binding of its folder wins
    assertEquals(at(`${home}/work`)()!.profile, "staging");
    // A record that cannot be read stops the bindings loudly rather than silently.
    Deno.writeTextFileSync(directoriesPathWith({ fs, home }), "{broken");
    assertEquals(errorOf(at(repo)).code, "malformed");
  });
}

Deno.test("a key or token where a profile name belongs is refused without being echoed (ALMYTY_PROFILE, --profile, .almyty-profile, a name given)", () => {
  const key = `almyty_${"5e".repeat(32)}`;
  const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjE4OTM0NTYwMDB9.c2lnbmF0dXJlc2lnbmF0dXJl";
  const home = tempHome();
  writeCredentials(PROD, { home });
  const repo = scratchDir("almyty-repo-");
  for (const secret of [key, `${key}\n`, jwt]) {
    Deno.writeTextFileSync(`${repo}/.almyty-profile`, JSON.stringify({ profile: secret }));
    const cases: [string, () => unknown, string][] = [
      [
        "ALMYTY_PROFILE",
        () => resolveCredentials({ home, env: { ALMYTY_PROFILE: secret } }),
        "invalid-profile-name",
      ],
      [
        "--profile",
        () => resolveCredentials({ home, env: {}, profile: secret }),
        "invalid-profile-name",
      ],
      // Beside ALMYTY_TOKEN, the conflict message would quote it: the name is checked first.
      [
        "--profile beside ALMYTY_TOKEN",
        () => resolveCredentials({ home, env: { ALMYTY_TOKEN: PROD.token }, profile: secret }),
        "invalid-profile-name",
      ],
      [
        ".almyty-profile",
        () => resolveCredentials({ home, env: {}, cwd: repo }),
        "directory-untrusted",
      ],
      ["readProfile", () => readProfile(secret, { home }), "invalid-profile-name"],
    ];
    for (const [where, run, code] of cases) {
      const error = errorOf(run);
      assertEquals(error.code, code, where);
      assertMatch(
        error.message,
        /holds an API key or token, not a profile name \(not shown here\)\. A key goes in ALMYTY_TOKEN/,
        where,
      );
      for (let at = 0; at + 8 <= secret.trim().length; at++) {
        assert(
          !error.message.includes(secret.slice(at, at + 8)),
          `${where} quotes ${secret.slice(at, at + 8)}`,
        );
      }
    }
  }
  // Another invalid name is still quoted, so its owner sees what is wrong with it.
  assertMatch(
    errorOf(() => checkProfileName("Bad Name", "--profile")).message,
    /"Bad Name" is not a profile name/,
  );
});
