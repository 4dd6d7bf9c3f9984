/**
 * Several logins through the CLI's real surface, in process (issue 17):
 * `--profile` on every command, fail-closed selection that sends nothing,
 * folders that choose a login, two reference servers as two environments,
 * re-login and logout that touch only their own login, and almyty's old
 * writer rewriting or removing `credentials.json`.
 */
import { assert, assertEquals, assertMatch } from "./helpers/assert.ts";
import { credsPath, readBytes } from "./helpers/cli.ts";
import { recordToken } from "./helpers/leaks.ts";
import { mintedKey, World } from "./helpers/world.ts";
import { scriptedDeviceApi } from "./helpers/device_api.ts";
import { writeProfile } from "../src/credentials/mod.ts";
import { writeDirectoryRecordWith } from "../src/credentials/write.ts";
import { denoFs } from "../src/platform/deno_fs.ts";
import { denoLocker } from "../src/platform/lock.ts";
import { type CredentialsFs, type FileFacts, FsError } from "../src/credentials/fs.ts";
import { sha256Hex } from "../src/protocol/sha256.ts";

type Server = ReturnType<World["referenceServer"]>;

/** A minted key of alice's at `server`, saved as the login `name` (as a login would). */
function savedLogin(world: World, server: Server, name: string) {
  const alice = server.store.userByEmail("alice@example.com")!;
  const key = server.store.mintCliKey(alice, `laptop-${name}`);
  recordToken(key.apiKey);
  const credentials = {
    url: server.url,
    token: key.apiKey,
    email: alice.email,
    keyId: key.record.id,
    keyOrigin: "minted" as const,
    organization: { id: "o", name: "acme", slug: "acme" },
  };
  writeProfile(name, credentials, { home: world.home, fs: denoFs });
  return credentials;
}

/** Whether `token` still works at `server`. */
async function works(world: World, server: Server, token: string): Promise<boolean> {
  const response = await world.fetch(`${server.url}/auth/profile`, {
    headers: { authorization: `Bearer ${token}` },
  });
  await response.body?.cancel();
  return response.status === 200;
}

/** A device login (`login --no-browser`) at `server` that alice approves; its exit code. */
async function approvedLogin(world: World, server: Server): Promise<number> {
  const run = world.run(["login", "--no-browser", "--api", server.url]);
  const [, url] = await world.waitFor(/Open this URL in any browser:\n\s+(\S+)/);
  await world.decide(url, "approve");
  return await run;
}

/** Every request the CLI sends, with the key it carried. */
function capture(world: World): { method: string; url: string; auth: string | null }[] {
  const seen: { method: string; url: string; auth: string | null }[] = [];
  const inner = world.fetch;
  world.fetch = (input, init) => {
    const request = new Request(input, init);
    seen.push({
      method: request.method,
      url: request.url,
      auth: request.headers.get("authorization"),
    });
    return inner(request);
  };
  return seen;
}

function trustFile(world: World, dir: string, text: string): string {
  const path = `${dir}/.almyty-profile`;
  Deno.mkdirSync(dir, { recursive: true });
  Deno.writeTextFileSync(path, text, { mode: 0o644 });
  writeDirectoryRecordWith({ fs: denoFs, home: world.home }, {
    trusted: { [path]: sha256Hex(text) },
    bindings: {},
  });
  return path;
}

Deno.test("--profile everywhere: a missing profile exits 4 with its login command and sends nothing; a bad name exits 2; --profile beside ALMYTY_TOKEN exits 2 naming both", async () => {
  const probe = new World();
  const server = probe.referenceServer();
  savedLogin(probe, server, "default");
  const before = readBytes(credsPath(probe.home));
  for (
    const argv of [["whoami"], ["token"], ["status"], ["status", "--json"], ["status", "--offline"]]
  ) {
    const world = new World({}, probe.home);
    world.route(() => new Response("never", { status: 500 }), server.url);
    const seen = capture(world);
    assertEquals(await world.run([...argv, "--profile", "staging"]), 4, argv.join(" "));
    assertMatch(
      world.stdout + world.stderr,
      /Profile \\?"staging\\?" not found \(from --profile\): log in to it with almyty-auth login --profile staging/,
    );
    assertEquals(seen, [], `${argv.join(" ")} sent a request`);
    assertEquals(world.stdout.includes("almyty_"), false);
  }
  for (
    const [argv, env] of [
      [["whoami", "--profile", "../etc"], {}],
      [["login", "--profile", "Prod", "--with-token"], {}],
      [["logout", "--profile", "nul"], {}],
      [["whoami"], { ALMYTY_PROFILE: "a/b" }],
    ] as const
  ) {
    const world = new World(env, probe.home);
    const seen = capture(world);
    world.stdinText = "almyty_x";
    assertEquals(await world.run([...argv]), 2, argv.join(" "));
    assertMatch(world.stderr, /Invalid profile \(from (--profile|ALMYTY_PROFILE)\)/);
    assertEquals(seen, []);
  }
  const world = new World({ ALMYTY_TOKEN: "almyty_FROMTHEENVIRONMENT0000" }, probe.home);
  const seen = capture(world);
  assertEquals(await world.run(["whoami", "--profile", "default"]), 2);
  assertMatch(world.stderr, /--profile "default" and ALMYTY_TOKEN are both set/);
  assertEquals(seen, []);
  assertEquals(readBytes(credsPath(probe.home)), before);
});

Deno.test("two reference servers as two environments: each profile's key goes only to its own API; logout --profile a sends one DELETE, to A with A's key, and nothing to B", async () => {
  const world = new World();
  const a = world.referenceServer();
  const b = world.referenceServer();
  const keyA = savedLogin(world, a, "a");
  const keyB = savedLogin(world, b, "b");
  const defaultKey = savedLogin(world, b, "default");
  const defaultBytes = readBytes(credsPath(world.home));
  const seen = capture(world);
  for (const [name, server, key] of [["a", a, keyA], ["b", b, keyB]] as const) {
    assertEquals(await world.run(["whoami", "--profile", name]), 0, world.stderr);
    const last = seen.at(-1)!;
    assertEquals([new URL(last.url).origin, last.auth], [server.url, `Bearer ${key.token}`]);
  }
  assertMatch(world.stdout, /Profile: a \(from --profile\)[\s\S]*API: http:\/\/127\.0\.0\.1/);
  seen.length = 0;
  assertEquals(await world.run(["logout", "--profile", "a"]), 0, world.stderr);
  // One DELETE, to A with A's key (then a check that the key is dead, also at A with A's key).
  assertEquals(seen.filter((r) => r.method === "DELETE"), [{
    method: "DELETE",
    url: `${a.url}/auth/api-keys/${keyA.keyId}`,
    auth: `Bearer ${keyA.token}`,
  }]);
  assertEquals(
    seen.filter((r) => new URL(r.url).origin !== a.url || r.auth !== `Bearer ${keyA.token}`),
    [],
    "nothing to B, nothing with another key",
  );
  assertMatch(world.stderr, /Logged out of profile a; removed \S+\/profiles\/a\.json/);
  assertEquals(await works(world, a, keyA.token), false);
  assertEquals(await works(world, b, keyB.token), true, "B's key is untouched");
  assertEquals(await works(world, b, defaultKey.token), true);
  assertEquals(readBytes(credsPath(world.home)), defaultBytes, "the default login is untouched");
  assertEquals(
    JSON.parse(Deno.readTextFileSync(`${world.home}/.almyty/profiles/b.json`)).token,
    keyB.token,
  );
  // ALMYTY_URL never re-points a profile's key either.
  seen.length = 0;
  world.env.ALMYTY_URL = a.url;
  assertEquals(await world.run(["whoami", "--profile", "b"]), 0, world.stderr);
  assertEquals(seen.map((r) => new URL(r.url).origin), [b.url]);
  // …and its "log in there" logs this login in there (the default login's would change nothing here).
  assertMatch(
    world.stderr,
    new RegExp(
      `ALMYTY_URL \\(${a.url}\\) is not applied: the saved key belongs to ${b.url}\\. To use it, set ALMYTY_TOKEN too, or log in there: almyty-auth login --profile b --api ${a.url}\\n`,
    ),
  );
});

Deno.test("re-login of a profile revokes that profile's replaced key only, at its own API; the default stays byte for byte", async () => {
  const world = new World();
  const server = world.referenceServer({ deviceInterval: 1 });
  const other = world.referenceServer();
  const defaultKey = savedLogin(world, other, "default");
  const before = readBytes(credsPath(world.home));
  const old = savedLogin(world, server, "staging");
  const seen = capture(world);
  // No --api: an existing profile logs in again at its own API.
  const run = world.run(["login", "--profile", "staging", "--no-browser"]);
  const [, url] = await world.waitFor(/Open this URL in any browser:\n\s+(\S+)/);
  assert(url.startsWith(server.url), url);
  await world.decide(url, "approve");
  assertEquals(await run, 0, world.stderr);
  assertMatch(
    world.stderr,
    /Credentials saved to \S+\/profiles\/staging\.json \(profile staging\)/,
  );
  assertEquals(seen.filter((r) => new URL(r.url).origin !== server.url), [], "nothing elsewhere");
  assertEquals(await works(world, server, old.token), false, "the replaced key is revoked");
  assertEquals(await works(world, other, defaultKey.token), true);
  assertEquals(readBytes(credsPath(world.home)), before);
  const saved = JSON.parse(Deno.readTextFileSync(`${world.home}/.almyty/profiles/staging.json`));
  recordToken(saved.token);
  assertEquals([saved.version, saved.url, saved.keyOrigin], [1, server.url, "minted"]);
});

Deno.test("a key another login file also holds is never revoked by a re-login or a logout", async () => {
  const world = new World();
  const server = world.referenceServer();
  const shared = savedLogin(world, server, "staging");
  writeProfile("copy", shared, { home: world.home, fs: denoFs });
  writeProfile("other", shared, { home: world.home, fs: denoFs });
  const seen = capture(world);
  // A re-login of staging replaces the shared key in staging's file only.
  const fresh = server.store.mintCliKey(server.store.userByEmail("alice@example.com")!, "new");
  recordToken(fresh.apiKey);
  world.stdinText = fresh.apiKey;
  assertEquals(await world.run(["login", "--profile", "staging", "--with-token"]), 0, world.stderr);
  assertMatch(world.stderr, /The previous key was kept: the logins copy, other still use it/);
  assertEquals(seen.filter((r) => r.method === "DELETE"), []);
  assertEquals(await works(world, server, shared.token), true);
  assertEquals(await world.run(["logout", "--profile", "copy"]), 0, world.stderr);
  assertMatch(world.stderr, /The key was not revoked: the login other still uses it/);
  assertEquals(seen.filter((r) => r.method === "DELETE"), []);
  assertEquals(await works(world, server, shared.token), true);
});

Deno.test("a re-login whose other login files cannot be read (profiles/ writable by others, or another user's after a sudo login) keeps what it saved: the new key is not revoked, the previous one is named live", async () => {
  const world = new World();
  const server = world.referenceServer();
  const previous = savedLogin(world, server, "default");
  // Not trusted, so whether a profile there holds the previous key cannot be told.
  Deno.mkdirSync(`${world.home}/.almyty/profiles`, { mode: 0o700 });
  Deno.chmodSync(`${world.home}/.almyty/profiles`, 0o770);
  const seen = capture(world);
  // It said "Credentials saved", then revoked that very key: "Nothing was saved" (exit 1),
  // the file holding a dead key and the previous key live with no file left naming it.
  assertEquals(await approvedLogin(world, server), 0, world.stderr);
  const saved = world.saved()!;
  assert(saved.token !== previous.token);
  assertEquals(await works(world, server, saved.token as string), true, "the saved key works");
  assertEquals(await works(world, server, previous.token), true, "kept: a profile may hold it");
  assertEquals(seen.filter((r) => r.method === "DELETE"), []);
  assertMatch(
    world.stderr,
    /The previous key was not revoked: whether another login still uses it cannot be told \(.*profiles is writable by other users/,
  );
  assertMatch(
    world.stderr,
    new RegExp(`If none does, revoke it at ${server.url}/settings/api-keys`),
  );
  assert(!/Nothing was saved/.test(world.stderr), world.stderr);
});

Deno.test("an organization whose slug or id is no string (another tool's file) is ignored, not a crash: profile list works, and a re-login keeps what it saved", async () => {
  const world = new World();
  const server = world.referenceServer();
  const previous = savedLogin(world, server, "default");
  Deno.writeTextFileSync(
    credsPath(world.home),
    JSON.stringify({ ...previous, organization: { id: 7, name: "Acme", slug: 5 } }),
  );
  assertEquals(await world.run(["profile", "list"]), 0, world.stderr);
  assertMatch(world.stdout, /default +alice@example\.com +Acme /);
  // It said "Credentials saved", then failed on the old organization and revoked the saved key.
  const seen = capture(world);
  assertEquals(await approvedLogin(world, server), 0, world.stderr);
  const saved = world.saved()!;
  assertEquals(await works(world, server, saved.token as string), true, "the saved key works");
  assertEquals(await works(world, server, previous.token), false, "the replaced key is revoked");
  assertEquals(seen.filter((r) => r.method === "DELETE").length, 1);
  assertMatch(world.stderr, /Switched organization: Acme → acme/);
});

Deno.test("a key the CLI minted, supplied again (`almyty-auth token | almyty-auth login --with-token`, into its own login or another) stays one the CLI minted: the last logout holding it revokes it", async () => {
  const world = new World();
  const server = world.referenceServer();
  const minted = savedLogin(world, server, "default");
  // Into its own login: it became "supplied", its id dropped, and logout left it live.
  world.stdinText = minted.token;
  assertEquals(await world.run(["login", "--with-token", "--api", server.url]), 0, world.stderr);
  assertEquals([world.saved()!.keyOrigin, world.saved()!.keyId], ["minted", minted.keyId]);
  // Into another login: logging out of both, in any order, leaves it live no more.
  const copy = world.again();
  copy.stdinText = minted.token;
  assertEquals(
    await copy.run(["login", "--with-token", "--profile", "ci", "--api", server.url]),
    0,
  );
  const first = world.again();
  assertEquals(await first.run(["logout"]), 0, first.stderr);
  assertMatch(first.stderr, /The key was not revoked: the login ci still uses it/);
  assertEquals(await works(world, server, minted.token), true);
  const last = world.again();
  assertEquals(await last.run(["logout", "--profile", "ci"]), 0, last.stderr);
  assert(!/supplied by you/.test(last.stderr), last.stderr);
  assertEquals(
    await works(world, server, minted.token),
    false,
    "the key the CLI minted is revoked",
  );
});

Deno.test("logout --all leaves no key live that only its files held: a minted login's supplied copies go first, then the minted one revokes", async () => {
  const world = new World();
  const server = world.referenceServer();
  // "a" minted the key; the default login and "b" got it through --with-token (supplied).
  const minted = savedLogin(world, server, "a");
  const supplied = { url: minted.url, token: minted.token, keyOrigin: "supplied" as const };
  writeProfile("default", supplied, { home: world.home, fs: denoFs });
  writeProfile("b", supplied, { home: world.home, fs: denoFs });
  const seen = capture(world);
  assertEquals(await world.run(["logout", "--all"]), 0, world.stderr);
  assertEquals(seen.filter((r) => r.method === "DELETE").length, 1, world.stderr);
  assertEquals(await works(world, server, minted.token), false, "the key is revoked");
  const left = [...Deno.readDirSync(`${world.home}/.almyty/profiles`)].map((entry) => entry.name);
  assertEquals(left.filter((name) => name.endsWith(".json") && !name.endsWith(".lock")), []);
  assertEquals(readBytes(credsPath(world.home)), null);
});

Deno.test("whoami and status say which profile applied and why; status --json carries it and never a token", async () => {
  const world = new World();
  const server = world.referenceServer();
  savedLogin(world, server, "default");
  const staging = savedLogin(world, server, "staging");
  const repo = `${world.home}/repo`;
  const file = trustFile(world, repo, '{"profile": "staging"}');
  world.cwd = `${repo}`;
  assertEquals(await world.run(["whoami"]), 0, world.stderr);
  assertMatch(world.stdout, new RegExp(`Profile: staging \\(from ${file}\\)`));
  assertEquals(await world.run(["status", "--json"]), 0, world.stderr);
  const report = JSON.parse(world.stdout.slice(world.stdout.indexOf("{\n")));
  assertEquals(report.profile, { name: "staging", source: "directory", origin: file });
  assertEquals(report.file.path, `${world.home}/.almyty/profiles/staging.json`);
  assert(!world.stdout.includes(staging.token) && !world.stderr.includes(staging.token));
  const envWorld = new World({ ALMYTY_PROFILE: "staging" }, world.home);
  envWorld.referenceServer; // the server lives in the first world
  envWorld.route(() => new Response("{}", { status: 500 }), server.url);
  assertEquals(await envWorld.run(["status", "--offline"]), 0, envWorld.stderr);
  assertMatch(envWorld.stdout, /Profile: +staging \(from ALMYTY_PROFILE\)/);
  // The default login by default says nothing new.
  const plain = new World({}, world.home);
  plain.route(() => new Response("{}", { status: 500 }), server.url);
  assertEquals(await plain.run(["status", "--offline"]), 0, plain.stderr);
  assertEquals(plain.stdout.includes("Profile:"), false);
});

Deno.test("folders, through the CLI: every refused .almyty-profile exits 4 before any request", async () => {
  const base = new World();
  const server = base.referenceServer();
  savedLogin(base, server, "default");
  savedLogin(base, server, "staging");
  const repo = `${base.home}/repo`;
  const cases: [string, () => void, RegExp][] = [
    ["untrusted", () => {
      Deno.mkdirSync(repo, { recursive: true });
      Deno.writeTextFileSync(`${repo}/.almyty-profile`, '{"profile": "staging"}');
    }, /you have not trusted this file[\s\S]*almyty-auth profile trust/],
    ["changed", () => {
      trustFile(base, repo, '{"profile": "staging"}');
      Deno.writeTextFileSync(`${repo}/.almyty-profile`, '{"profile": "default"}');
    }, /changed since you trusted it/],
    ["mismatch", () => {
      trustFile(base, repo, '{"profile": "staging", "api": "https://api.almyty.com"}');
    }, /its API is http:\/\/127\.0\.0\.1:\d+, not https:\/\/api\.almyty\.com/],
    [
      "missing",
      () => trustFile(base, repo, '{"profile": "nothere"}'),
      /Profile "nothere" not found \(from \S+\.almyty-profile\)/,
    ],
  ];
  for (const [label, make, message] of cases) {
    make();
    for (const argv of [["whoami"], ["token"], ["status"], ["logout"]]) {
      const world = new World({}, base.home);
      world.route(() => new Response("never", { status: 500 }), server.url);
      world.cwd = repo;
      const seen = capture(world);
      const code = await world.run(argv);
      if (label === "missing" && argv[0] === "logout") {
        assertEquals(code, 0, "nothing to log out of"); // and nothing sent
      } else {
        assertEquals(code, 4, `${label} ${argv[0]}: ${world.stderr}`);
        assertMatch(world.stdout + world.stderr, message, `${label} ${argv[0]}`);
      }
      assertEquals(seen, [], `${label} ${argv[0]} sent a request`);
    }
  }
});

Deno.test("almyty's old writer rewriting or removing credentials.json destroys no profile", async () => {
  const world = new World();
  const server = world.referenceServer();
  savedLogin(world, server, "default");
  const staging = savedLogin(world, server, "staging");
  const path = `${world.home}/.almyty/profiles/staging.json`;
  const bytes = readBytes(path);
  // @almyty/auth 1.2.0's login: exactly {url, token, frontendUrl}, pretty-printed, no newline.
  Deno.writeTextFileSync(
    credsPath(world.home),
    JSON.stringify(
      { url: server.url, token: "almyty_OLDWRITER000000000000", frontendUrl: server.url },
      null,
      2,
    ),
  );
  assertEquals(readBytes(path), bytes);
  // ... and its logout: unlink.
  Deno.removeSync(credsPath(world.home));
  assertEquals(readBytes(path), bytes);
  assertEquals(await world.run(["whoami", "--profile", "staging"]), 0, world.stderr);
  assertMatch(world.stdout, /Logged in as alice@example.com/);
  assertEquals(await works(world, server, staging.token), true);
});

Deno.test("profile list: every login with email, API, key origin and which applies here and why; never a token; --check asks each login's own API", async () => {
  const world = new World();
  const a = world.referenceServer();
  const b = world.referenceServer();
  const prod = savedLogin(world, a, "default");
  const staging = savedLogin(world, b, "staging");
  const dead = savedLogin(world, b, "old");
  b.store.revokeKey(dead.token);
  world.env.ALMYTY_PROFILE = "staging";
  const seen = capture(world);
  assertEquals(await world.run(["profile", "list"]), 0, world.stderr);
  assertEquals(seen, [], "list alone sends nothing");
  assertMatch(world.stdout, /NAME +EMAIL +ORGANIZATION +API +KEY +CREATED/);
  assertMatch(
    world.stdout,
    /^ +default +alice@example\.com +acme +http:\/\/127\.0\.0\.1:\d+ +minted/m,
  );
  assertMatch(world.stdout, /^\* +staging +alice@example\.com/m);
  assertMatch(world.stdout, /Here: staging applies \(from ALMYTY_PROFILE\)\./);
  assertEquals(
    await world.run(["profile", "list", "--json", "--check"]),
    1,
    "one login is rejected",
  );
  const report = JSON.parse(world.stdout.slice(world.stdout.lastIndexOf("\n{\n") + 1));
  assertEquals(
    report.profiles.map((p: { name: string; applies: boolean; check: { ok: boolean } }) => [
      p.name,
      p.applies,
      p.check.ok,
    ]),
    [["default", false, true], ["old", false, false], ["staging", true, true]],
  );
  assertEquals(report.applies, { name: "staging", why: "from ALMYTY_PROFILE" });
  // Each check went to the login's own API with the login's own key.
  for (const [key, server] of [[prod, a], [staging, b], [dead, b]] as const) {
    assert(seen.some((r) => r.url.startsWith(server.url) && r.auth === `Bearer ${key.token}`));
  }
  assertEquals(seen.filter((r) => !r.auth).length, 0);
  for (const key of [prod, staging, dead]) {
    assert(!world.stdout.includes(key.token) && !world.stderr.includes(key.token));
  }
});

Deno.test("profile save and use: the default becomes a marked copy; never when that loses a login kept nowhere else", async () => {
  const world = new World();
  const server = world.referenceServer();
  const mine = savedLogin(world, server, "default");
  const staging = savedLogin(world, server, "staging");
  const path = credsPath(world.home);
  const before = readBytes(path);
  assertEquals(await world.run(["profile", "use", "staging"]), 1);
  assertMatch(
    world.stderr,
    /exists nowhere else[\s\S]*Save it first: almyty-auth profile save <name>/,
  );
  assertEquals(readBytes(path), before);
  assertEquals(await world.run(["profile", "save", "work"]), 0, world.stderr);
  const work = JSON.parse(Deno.readTextFileSync(`${world.home}/.almyty/profiles/work.json`));
  assertEquals([work.version, work.token, work.keyId], [1, mine.token, mine.keyId]);
  assertEquals(
    await world.run(["profile", "save", "staging"]),
    1,
    "another login is not overwritten",
  );
  assertMatch(world.stderr, /already holds another login/);
  assertEquals(await world.run(["profile", "use", "staging"]), 0, world.stderr);
  const copy = JSON.parse(Deno.readTextFileSync(path));
  assertEquals([copy.token, copy.url, copy.profile, copy.version], [
    staging.token,
    server.url,
    "staging",
    undefined,
  ]);
  assertMatch(world.stderr, /Every process shares the default login[\s\S]*exec --profile staging/);
  assertEquals(await world.run(["profile", "list"]), 0);
  assertMatch(world.stdout, /^\* +default .* copy of staging/m);
  // Logging out of the copy keeps the key the profile still uses.
  const seen = capture(world);
  assertEquals(await world.run(["logout"]), 0, world.stderr);
  assertMatch(world.stderr, /not revoked: the login staging still uses it/);
  assertEquals(seen, []);
  assertEquals(await works(world, server, staging.token), true);
  assertEquals(await world.run(["profile", "use", "default"]), 2);
  assertEquals(await world.run(["profile", "use", "nope"]), 4);
  assertEquals(await world.run(["profile", "frob"]), 2);
});

Deno.test("profile trust, untrust, bind, unbind: what a folder may choose, recorded in ~/.almyty/directories.json", async () => {
  const world = new World();
  const server = world.referenceServer();
  savedLogin(world, server, "default");
  savedLogin(world, server, "staging");
  const repo = `${world.home}/repo`;
  Deno.mkdirSync(`${repo}/deep`, { recursive: true });
  Deno.writeTextFileSync(`${repo}/.almyty-profile`, '{"profile": "staging"}\n');
  world.cwd = `${repo}/deep`;
  assertEquals(await world.run(["whoami"]), 4);
  assertEquals(await world.run(["profile", "trust", repo]), 0, world.stderr);
  assertMatch(
    world.stderr,
    /Trusted \S+\/repo\/\.almyty-profile: commands in \S+ use the login staging/,
  );
  const record = `${world.home}/.almyty/directories.json`;
  assertEquals(Deno.statSync(record).mode! & 0o777, 0o600);
  assertEquals(await world.run(["whoami"]), 0, world.stderr);
  assertMatch(world.stdout, /Profile: staging \(from \S+\/repo\/\.almyty-profile\)/);
  Deno.writeTextFileSync(`${repo}/.almyty-profile`, '{"profile": "default"}\n');
  assertEquals(await world.run(["whoami"]), 4, "changed since trusted");
  assertEquals(await world.run(["profile", "untrust", repo]), 0);
  Deno.removeSync(`${repo}/.almyty-profile`);
  assertEquals(await world.run(["profile", "trust", repo]), 1);
  assertMatch(
    world.stderr,
    /There is no \.almyty-profile in \S+\. To choose a login for a folder without a file/,
  );
  // A binding, from inside the folder (no argument: here).
  world.cwd = repo;
  assertEquals(await world.run(["profile", "bind", "staging"]), 0, world.stderr);
  world.cwd = `${repo}/deep`;
  assertEquals(await world.run(["status", "--offline"]), 0, world.stderr);
  assertMatch(world.stdout, /Profile: +staging \(bound to \S+\/repo\)/);
  assertEquals(await world.run(["profile", "unbind"]), 0);
  assertMatch(world.stderr, /has no binding of its own; it uses staging through \S+\/repo/);
  assertEquals(await world.run(["profile", "unbind", repo]), 0);
  assertMatch(world.stderr, /Removed the binding of \S+\/repo \(it used staging\)/);
  assertEquals(await world.run(["status", "--offline"]), 0);
  assertEquals(world.stdout.endsWith("Profile:"), false);
  assertEquals(JSON.parse(Deno.readTextFileSync(record)).bindings, {});
  assertEquals(await world.run(["profile", "bind", "Bad!"]), 2);
  assertEquals(await world.run(["profile", "bind", "staging", `${repo}/nope`]), 2);
  // Trusting a file in a folder bound to another login says the binding wins, and how to undo it.
  Deno.writeTextFileSync(`${repo}/.almyty-profile`, '{"profile": "default"}\n');
  assertEquals(await world.run(["profile", "bind", "staging", repo]), 0);
  assertEquals(await world.run(["profile", "trust", repo]), 0);
  assertMatch(
    world.stderr,
    /Trusted \S+\/repo\/\.almyty-profile \(the login default\), but commands in \S+\/repo use the login staging: a binding of the same folder wins over its file\. To use the file, remove the binding: almyty-auth profile unbind \S+\/repo\n$/,
  );
  world.cwd = repo;
  assertEquals(await world.run(["whoami"]), 0);
  assertMatch(world.stdout, /Profile: staging \(bound to/);
});

Deno.test("exec and env hand over the whole login: --profile replaces an inherited ALMYTY_TOKEN; never an empty token or no URL", async () => {
  const world = new World({
    ALMYTY_TOKEN: "almyty_PRODUCTIONFROMTHESHELL00",
    ALMYTY_URL: "https://api.almyty.com",
  });
  const server = world.referenceServer();
  const staging = savedLogin(world, server, "staging");
  const seen = capture(world);
  assertEquals(await world.run(["exec", "--profile", "staging", "--", "tool", "--flag", "x"]), 0);
  assertEquals(world.foreground.at(-1), {
    command: "tool",
    args: ["--flag", "x"],
    env: {
      ALMYTY_TOKEN: staging.token,
      ALMYTY_URL: server.url,
      ALMYTY_FRONTEND_URL: server.url,
      ALMYTY_PROFILE: "staging",
    },
  });
  // Without --profile, the login that applies: here the inherited pair, passed on whole.
  assertEquals(await world.run(["exec", "tool", "--its-own-flag"]), 0);
  assertEquals(world.foreground.at(-1)!.args, ["--its-own-flag"]);
  assertEquals(world.foreground.at(-1)!.env, {
    ALMYTY_TOKEN: "almyty_PRODUCTIONFROMTHESHELL00",
    ALMYTY_URL: "https://api.almyty.com",
    ALMYTY_FRONTEND_URL: "https://app.almyty.com",
    ALMYTY_PROFILE: "",
  });
  world.onForeground = () => ({ code: 143 });
  assertEquals(await world.run(["exec", "--profile", "staging", "--", "tool"]), 143);
  world.onForeground = () => ({ failed: "not-found", message: "command not found" });
  assertEquals(await world.run(["exec", "--profile", "staging", "--", "nosuch"]), 127);
  assertMatch(world.stderr, /almyty-auth exec: nosuch: command not found/);
  world.onForeground = () => ({ failed: "not-executable", message: "permission denied" });
  assertEquals(await world.run(["exec", "--profile", "staging", "--", "./data.txt"]), 126);
  // A program file that exists but that the system reports "not found": what it needs is missing.
  world.onForeground = () => ({ failed: "not-found", message: "command not found" });
  const script = `${world.home}/tool.sh`;
  Deno.writeTextFileSync(script, "#!/opt/nowhere/python\nprint(1)\n", { mode: 0o755 });
  assertEquals(await world.run(["exec", "--profile", "staging", "--", script]), 126);
  assertMatch(
    world.stderr,
    /tool\.sh: the interpreter its first line names \(\/opt\/nowhere\/python\) does not exist: install it or fix that line\.\n$/,
  );
  const binary = `${world.home}/tool`;
  Deno.writeFileSync(binary, new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), { mode: 0o755 });
  assertEquals(await world.run(["exec", "--profile", "staging", "--", binary]), 126);
  assertMatch(
    world.stderr,
    /tool: the file exists, but the system cannot start it: the loader or libraries it needs are missing; is it built for another system\?\n$/,
  );
  // Refused, and nothing run: no program, a missing profile, no login at all.
  const ran = world.foreground.length;
  assertEquals(await world.run(["exec", "--profile", "staging"]), 2);
  assertMatch(
    world.stderr,
    /exec needs a program to run: almyty-auth exec --profile staging -- <program> \[args…\]\nRun `almyty-auth help exec` for usage\./,
  );
  assertEquals(await world.run(["exec", "--profile", "nope", "--", "tool"]), 4);
  assertEquals(await world.run(["env", "--profile", "nope"]), 4);
  const empty = new World({ ALMYTY_TOKEN: "" });
  assertEquals(await empty.run(["exec", "--", "tool"]), 4);
  assertMatch(empty.stderr, /Not authenticated/);
  assertEquals(await empty.run(["env"]), 4);
  assertEquals(empty.stdout, "");
  assertEquals([empty.foreground.length, world.foreground.length], [0, ran]);
  assertEquals(seen, [], "exec and env send nothing themselves");
  // env: the same set, as JSON and for each shell; --unset; a warning on a terminal.
  assertEquals(await world.run(["env", "--profile", "staging", "--shell", "json"]), 0);
  const json = JSON.parse(world.stdout.slice(world.stdout.lastIndexOf("\n{\n") + 1));
  assertEquals(json, world.foreground[0].env);
  assertEquals(await world.run(["env", "--shell", "tcsh"]), 2);
  assertEquals(await world.run(["env", "--unset", "--profile", "staging"]), 2);
  const shell = new World({}, world.home);
  assertEquals(await shell.run(["env", "--unset"]), 0);
  assertEquals(shell.stdout, "unset ALMYTY_TOKEN ALMYTY_URL ALMYTY_FRONTEND_URL ALMYTY_PROFILE\n");
  shell.terminal = true;
  assertEquals(await shell.run(["env", "--profile", "staging", "--shell", "fish"]), 0);
  assertMatch(shell.stderr, /this prints the login's key/);
  assertMatch(shell.stdout, /^set -gx ALMYTY_URL 'http:\/\/127\.0\.0\.1:\d+'$/m);
  // The way to feed it is that shell's own, with the login it printed.
  assertMatch(shell.stderr, /: almyty-auth env --profile staging --shell fish \| source$/m);
  const ps = shell.again();
  assertEquals(await ps.run(["env", "--profile", "staging", "--shell", "pwsh"]), 0);
  assertMatch(
    ps.stderr,
    /: almyty-auth env --profile staging --shell powershell \| Invoke-Expression$/m,
  );
  const sh = shell.again();
  assertEquals(await sh.run(["env", "--profile", "staging", "--shell", "zsh"]), 0);
  assertMatch(sh.stderr, /: eval "\$\(almyty-auth env --profile staging\)"$/m);
});

Deno.test("hints keep --profile: a rejected profile key says to log in to that profile; doctor checks the chosen login's file; a login a folder chooses must be at the API it asserts", async () => {
  const world = new World();
  const server = world.referenceServer();
  const staging = savedLogin(world, server, "staging");
  server.store.revokeKey(staging.token);
  assertEquals(await world.run(["whoami", "--profile", "staging"]), 4);
  assertMatch(
    world.stderr,
    new RegExp(`Log in again with: almyty-auth login --profile staging --api ${server.url}`),
  );
  // The revoked key is a problem doctor names (20.4), with the fix that keeps --profile.
  assertEquals(await world.run(["doctor", "--profile", "staging", "--json"]), 1, world.stdout);
  const checks = JSON.parse(world.stdout.slice(world.stdout.lastIndexOf("\n[\n") + 1));
  assertMatch(checks[0].name, /Credentials file of staging \(from --profile\)/);
  assertMatch(checks[0].detail, /profiles\/staging\.json parses and is private/);
  const token = checks.find((c: { name: string }) => c.name === "Token");
  assertEquals([token.level, token.fix], [
    "problem",
    `almyty-auth login --profile staging --api ${server.url}`,
  ]);
  const missing = new World({}, world.home);
  const seen = capture(missing);
  assertEquals(
    await missing.run(["doctor", "--profile", "nope", "--api", "http://127.0.0.1:9"]),
    1,
  );
  assertMatch(
    missing.stdout,
    /Credentials file of nope \(from --profile\): \S+nope\.json does not exist → almyty-auth login --profile nope/,
  );
  assertEquals(seen.filter((r) => r.auth !== null), [], "doctor sends no key of another login");
  // A folder asserts an API: a login there to another API is refused before anything is sent.
  const repo = `${world.home}/repo`;
  trustFile(world, repo, '{"profile": "fresh", "api": "https://api.staging.almyty.com"}');
  world.cwd = repo;
  const before = capture(world);
  world.stdinText = "almyty_SOMEKEY000000000000000000";
  assertEquals(await world.run(["login", "--with-token", "--api", server.url]), 4);
  assertMatch(
    world.stderr,
    /selects the login "fresh", but its API is http:\/\/127\.0\.0\.1:\d+, not https:\/\/api\.staging\.almyty\.com/,
  );
  assertEquals(before, []);
});

Deno.test("the precedence matrix through the CLI: each level with ALMYTY_TOKEN unset and set (status --offline --json)", async () => {
  const base = new World();
  const server = base.referenceServer();
  for (const name of ["default", "flagged", "envd", "dird", "bound"]) {
    savedLogin(base, server, name);
  }
  const repo = `${base.home}/repo`;
  const bound = `${base.home}/bound`;
  Deno.mkdirSync(bound);
  const file = `${repo}/.almyty-profile`;
  Deno.mkdirSync(repo);
  Deno.writeTextFileSync(file, '{"profile": "dird"}');
  writeDirectoryRecordWith({ fs: denoFs, home: base.home }, {
    trusted: { [file]: sha256Hex('{"profile": "dird"}') },
    bindings: { [bound]: "bound" },
  });
  const levels: [string, string[], Record<string, string>, string, string, string][] = [
    ["--profile", ["--profile", "flagged"], { ALMYTY_PROFILE: "envd" }, repo, "flagged", "flag"],
    ["ALMYTY_PROFILE", [], { ALMYTY_PROFILE: "envd" }, repo, "envd", "env"],
    [".almyty-profile", [], {}, repo, "dird", "directory"],
    ["binding", [], {}, bound, "bound", "binding"],
    ["default", [], {}, base.home, "default", "default"],
  ];
  for (const [level, flags, env, cwd, name, source] of levels) {
    for (const token of [undefined, "almyty_FROMTHEENVIRONMENT0000000"]) {
      const world = new World({ ...env, ...(token ? { ALMYTY_TOKEN: token } : {}) }, base.home);
      world.cwd = cwd;
      const code = await world.run(["status", "--offline", "--json", ...flags]);
      const where = `${level}, ALMYTY_TOKEN ${token ? "set" : "unset"}`;
      if (token && level === "--profile") {
        assertEquals(code, 2, where);
        assertMatch(world.stdout, /--profile \\"flagged\\" and ALMYTY_TOKEN are both set/);
        continue;
      }
      assertEquals(code, 0, `${where}: ${world.stderr}`);
      const report = JSON.parse(world.stdout);
      if (token) {
        assertEquals([report.profile, report.token.source, report.url.value], [
          null,
          "env",
          "https://api.almyty.com",
        ], where);
      } else {
        assertEquals([report.profile.name, report.profile.source, report.token.source], [
          name,
          source,
          "file",
        ], where);
        assertEquals(report.url.value, server.url, where);
      }
    }
  }
});

Deno.test("under exec --profile staging, a command asking for --profile staging again uses the handed-over pair; another profile is still a conflict", async () => {
  const world = new World({
    ALMYTY_TOKEN: "almyty_HANDEDOVERBYEXEC000000000",
    ALMYTY_URL: "https://api.staging.almyty.com",
    ALMYTY_PROFILE: "staging",
  });
  // What exec hands over is the profile's saved pair.
  writeProfile("staging", {
    url: "https://api.staging.almyty.com",
    token: "almyty_HANDEDOVERBYEXEC000000000",
  }, { home: world.home });
  assertEquals(await world.run(["status", "--offline", "--json", "--profile", "staging"]), 0);
  const report = JSON.parse(world.stdout);
  assertEquals([report.token.source, report.url.value], ["env", "https://api.staging.almyty.com"]);
  assertEquals(await world.run(["status", "--offline", "--profile", "prod"]), 2);
  assertMatch(world.stdout, /almyty-auth exec --profile prod -- <program>/);
});

Deno.test("a shell's ALMYTY_PROFILE next to another login's ALMYTY_TOKEN: --profile of that name is still a conflict, never the other key handed out as the profile's", async () => {
  const prodKey = `almyty_${"d".repeat(64)}`;
  const stagingKey = `almyty_${"5".repeat(64)}`;
  const cases: [string, Record<string, string>][] = [
    // `export ALMYTY_TOKEN=$(almyty-auth token)` (the default login's key) beside ALMYTY_PROFILE.
    ["another key", { ALMYTY_TOKEN: prodKey, ALMYTY_PROFILE: "staging" }],
    // The profile's key, but not for its API: `exec` never hands that pair over.
    ["another API", {
      ALMYTY_TOKEN: stagingKey,
      ALMYTY_URL: "https://api.almyty.com",
      ALMYTY_PROFILE: "staging",
    }],
    // No such profile saved: nothing was handed over.
    ["no profile", { ALMYTY_TOKEN: prodKey, ALMYTY_PROFILE: "nosuch" }],
  ];
  for (const [what, env] of cases) {
    const world = new World(env);
    writeProfile("staging", { url: "https://api.staging.almyty.com", token: stagingKey }, {
      home: world.home,
    });
    const name = env.ALMYTY_PROFILE;
    assertEquals(await world.run(["token", "--profile", name]), 2, what);
    assertMatch(
      world.stderr,
      new RegExp(`--profile "${name}" and ALMYTY_TOKEN are both set`),
      what,
    );
    assert(!world.stdout.includes(prodKey) && !world.stderr.includes(prodKey), what);
    assert(!world.stdout.includes(stagingKey) && !world.stderr.includes(stagingKey), what);
  }
});

Deno.test("a file error reads in words, with its code: a folder that does not exist, a file no one may read", async () => {
  const world = new World();
  const missing = `${world.home}/no-such-folder`;
  assertEquals(await world.run(["profile", "bind", "staging", missing]), 2);
  assertEquals(
    world.stderr.trim(),
    `Cannot use the folder ${missing}: it does not exist (ENOENT).`,
  );
  // A working folder that cannot be named (removed since, or not UTF-8): said, no stack trace.
  const lost = new World();
  lost.fs = {
    ...denoFs,
    cwd: () => {
      throw new Deno.errors.InvalidData('File name or path "/tmp/d\\xFF" is not valid UTF-8');
    },
  };
  for (const args of [["bind", "staging"], ["unbind"], ["trust"], ["untrust"]]) {
    assertEquals(await lost.again().run(["profile", ...args]), 1, args.join(" "));
    assertEquals(
      lost.stderr,
      'Cannot use the working folder: File name or path "/tmp/d\\xFF" is not valid UTF-8. ' +
        "Change to a folder that exists, or name the folder in the command.\n",
    );
  }
  // An empty folder argument (`"$DIR"` with DIR unset) is named as such, not as a disk error.
  for (const args of [["bind", "staging", ""], ["unbind", ""], ["trust", ""], ["untrust", ""]]) {
    const empty = new World();
    assertEquals(await empty.run(["profile", ...args]), 2, args.join(" "));
    assertEquals(
      empty.stderr,
      'The folder is "" (empty): name one, or leave it out for this folder.\n' +
        "Run `almyty-auth help profile` for usage.\n",
    );
  }
  const denied = world.again();
  denied.fs = {
    ...denoFs,
    readFile: () => {
      throw Object.assign(new Error("EACCES: permission denied, open"), { code: "EACCES" });
    },
  };
  Deno.mkdirSync(`${world.home}/.almyty`, { mode: 0o700 });
  Deno.writeTextFileSync(credsPath(world.home), "{}", { mode: 0o600 });
  assertEquals(await denied.run(["whoami"]), 1);
  assertMatch(denied.stderr, /^Cannot read \S+credentials\.json: permission denied \(EACCES\)\. /);
  // Another user's file we may not open (`sudo almyty-auth login` once): whose it is, not a chmod.
  const foreign = world.again();
  foreign.fs = {
    ...denied.fs,
    uid: () => 1000,
    stat: (path) => {
      const facts = denoFs.stat(path);
      return facts && { ...facts, uid: path === credsPath(world.home) ? 0 : 1000 };
    },
    lstat: (path) => {
      const facts = denoFs.lstat(path);
      return facts && { ...facts, uid: path === credsPath(world.home) ? 0 : 1000 };
    },
  };
  assertEquals(await foreign.run(["whoami"]), 1);
  assertMatch(
    foreign.stderr,
    /^\S+credentials\.json belongs to another user \(uid 0; you are uid 1000\), so it is not trusted/,
  );
});

/**
 * What a user (not root, whom modes do not stop) sees after `chmod 000 <folder>`: the folder
 * is theirs with mode 0, and nothing in it can be reached.
 */
function closedFolderFs(folder: string): CredentialsFs {
  const inside = (path: string) => path.startsWith(`${folder}/`);
  const refuse = (path: string) => {
    throw new FsError("EACCES", `EACCES: ${path}`);
  };
  const mine = (facts: FileFacts | null, path: string) =>
    facts && { ...facts, uid: 1000, mode: path === folder ? 0 : facts.mode };
  return {
    ...denoFs,
    uid: () => 1000,
    stat: (path) => inside(path) ? refuse(path) : mine(denoFs.stat(path), path),
    lstat: (path) => inside(path) ? refuse(path) : mine(denoFs.lstat(path), path),
    exists: (path) => !inside(path) && denoFs.exists(path),
    readFile: (path) => {
      if (inside(path)) refuse(path);
      const read = denoFs.readFile(path);
      return read && { ...read, facts: mine(read.facts, path)! };
    },
    list: (path) => inside(path) || path === folder ? refuse(path) : denoFs.list(path),
  };
}

Deno.test("a ~/.almyty closed to its owner (chmod 000) is named with chmod 700 by every command, no stack trace", async () => {
  const world = new World();
  const almyty = `${world.home}/.almyty`;
  Deno.mkdirSync(almyty, { mode: 0o700 });
  Deno.writeTextFileSync(
    credsPath(world.home),
    JSON.stringify({ url: "https://api.almyty.com", token: "almyty_" + "c".repeat(64) }),
    { mode: 0o600 },
  );
  world.fs = closedFolderFs(almyty);
  const fix = `its folder ${almyty} is closed to you (mode 0). Fix it with: chmod 700 ${almyty}\n`;
  for (
    const [args, code, file] of [
      [["whoami"], 1, "credentials.json"],
      [["env"], 1, "credentials.json"],
      [["profile", "list"], 1, "profiles"],
      [["logout"], 1, "pending/default.json"],
      [["logout", "--all"], 1, "profiles"],
      [["login", "--continue"], 1, "pending/default.json"],
    ] as const
  ) {
    assertEquals(await world.again().run([...args]), code, `${args.join(" ")}: ${world.stderr}`);
    assertEquals(world.stderr, `Cannot read ${almyty}/${file}: ${fix}`, args.join(" "));
  }
  await world.again().run(["doctor"]);
  assert(
    world.stdout.startsWith(
      `problem  Credentials file: Cannot read ${almyty}/credentials.json: ${fix}`,
    ),
    world.stdout,
  );
  // Refused for another reason (a sandbox, macOS privacy) in a folder whose mode is fine: no
  // chmod is advised, the refusal is said as it is.
  const sandboxed = new World({}, world.home);
  Deno.chmodSync(almyty, 0o700);
  sandboxed.fs = {
    ...denoFs,
    stat: (path) =>
      path === `${almyty}/profiles`
        ? (() => {
          throw new FsError("EPERM", `EPERM: ${path}`);
        })()
        : denoFs.stat(path),
  };
  assertEquals(await sandboxed.run(["profile", "list"]), 1);
  assertEquals(
    sandboxed.stderr,
    `Cannot open ${almyty}/profiles: permission denied (EPERM).\n`,
  );
});

Deno.test("a login folder that cannot be made (read-only HOME, closed ~/.almyty) names the folder it goes in", async () => {
  const world = new World();
  const api = scriptedDeviceApi(world, () => new Response("", { status: 500 }));
  world.fs = {
    ...denoFs,
    mkdirp: (path) => {
      throw new FsError("EACCES", `EACCES: ${path}`);
    },
  };
  world.stdinText = "almyty_" + "b".repeat(64);
  recordToken(world.stdinText);
  assertEquals(await world.run(["login", "--with-token", "--api", api.url]), 1, world.stderr);
  assertEquals(
    world.stderr,
    `Cannot create ${world.home}/.almyty: permission denied (EACCES). Check that ${world.home} ` +
      "is yours and writable.\n",
  );
  // A named login's folder inside an existing ~/.almyty: that ~/.almyty is the one to check.
  Deno.mkdirSync(`${world.home}/.almyty`, { mode: 0o700 });
  Deno.writeTextFileSync(
    credsPath(world.home),
    JSON.stringify({ url: api.url, token: world.stdinText }),
    { mode: 0o600 },
  );
  assertEquals(await world.again().run(["profile", "save", "p1"]), 1, world.stderr);
  assertEquals(
    world.stderr,
    `Cannot create ${world.home}/.almyty/profiles: permission denied (EACCES). Check that ` +
      `${world.home}/.almyty is yours and writable.\n`,
  );
});

Deno.test("a lock file another user left (a run with sudo) is named with the rm that frees it", async () => {
  const world = new World();
  const almyty = `${world.home}/.almyty`;
  Deno.mkdirSync(almyty, { mode: 0o700 });
  const token = "almyty_" + "a".repeat(64);
  recordToken(token);
  Deno.writeTextFileSync(
    credsPath(world.home),
    JSON.stringify({ url: "https://api.almyty.com", token }),
    { mode: 0o600 },
  );
  const lock = `${almyty}/.credentials.json.lock`;
  Deno.writeTextFileSync(lock, "", { mode: 0o600 });
  // Ours, as a user (not root) sees them, but the lock file root's, which the lock cannot open.
  const facts = (found: FileFacts | null, path: string) =>
    found && { ...found, uid: path === lock ? 0 : 1000 };
  world.fs = {
    ...denoFs,
    uid: () => 1000,
    stat: (path) => facts(denoFs.stat(path), path),
    lstat: (path) => facts(denoFs.lstat(path), path),
    readFile: (path) => {
      const file = denoFs.readFile(path);
      return file && { ...file, facts: facts(file.facts, path)! };
    },
  };
  world.locker = (path) => Promise.reject(new FsError("EACCES", `EACCES: ${path}`));
  const before = readBytes(credsPath(world.home));
  assertEquals(await world.run(["logout"]), 1, world.stderr);
  assertEquals(
    world.stderr,
    `Cannot lock ${almyty}/credentials.json: its lock file ${lock} belongs to another user ` +
      "(uid 0; you are uid 1000), perhaps left by a run with sudo. It holds nothing: remove it " +
      `(rm -f ${lock}) and try again.\n`,
  );
  assertEquals(readBytes(credsPath(world.home)), before);
});

Deno.test("status of a credentials.json that is a link (dotfiles) shows its target's mode, not the link's 0777", async () => {
  const world = new World();
  Deno.mkdirSync(`${world.home}/.almyty`, { mode: 0o700 });
  Deno.mkdirSync(`${world.home}/dotfiles`, { mode: 0o700 });
  const target = `${world.home}/dotfiles/credentials.json`;
  Deno.writeTextFileSync(
    target,
    JSON.stringify({ url: "https://api.almyty.com", token: "almyty_" + "f".repeat(64) }),
    { mode: 0o600 },
  );
  Deno.symlinkSync(target, credsPath(world.home));
  assertEquals(await world.run(["status", "--offline"]), 0, world.stderr);
  assertMatch(world.stdout, /^File: +\S+credentials\.json \(mode 0600, owner /m);
});

Deno.test("a ~/.almyty/profiles closed to its owner (chmod 000) is named with chmod 700 by the commands that read or write a profile, no stack trace", async () => {
  const world = new World();
  const server = world.referenceServer();
  const key = await mintedKey(world, server.url);
  world.stdinText = key;
  assertEquals(await world.run(["login", "--with-token", "--api", server.url]), 0);
  world.again().stdinText = key;
  assertEquals(
    await world.run(["login", "--with-token", "--profile", "ci", "--api", server.url]),
    0,
  );
  const profiles = `${world.home}/.almyty/profiles`;
  const before = readBytes(`${profiles}/ci.json`);
  world.fs = closedFolderFs(profiles);
  // The kernel refuses the lock file too (root's lock would be taken).
  world.locker = (path, options) =>
    path.startsWith(`${profiles}/`)
      ? Promise.reject(new Deno.errors.PermissionDenied(`Permission denied (os error 13)`))
      : denoLocker(path, options);
  const fix = `closed to you (mode 0). Fix it with: chmod 700 ${profiles}\n`;
  for (
    const [args, said] of [
      [["profile", "list"], `Cannot read ${profiles}: it is ${fix}`],
      [["logout", "--all"], `Cannot read ${profiles}: it is ${fix}`],
      [
        ["whoami", "--profile", "ci"],
        `Cannot read ${profiles}/ci.json: its folder ${profiles} is ${fix}`,
      ],
      [
        ["logout", "--profile", "ci"],
        `Cannot write ${profiles}/ci.json: its folder ${profiles} is ${fix}`,
      ],
      [
        ["profile", "save", "x"],
        `Cannot write ${profiles}/x.json: its folder ${profiles} is ${fix}`,
      ],
      [
        ["login", "--no-wait", "--profile", "ci", "--api", server.url],
        `Cannot write ${profiles}/ci.json: its folder ${profiles} is ${fix}` +
        "Nothing was started, so no key was created; fix this, then log in again.\n",
      ],
    ] as const
  ) {
    assertEquals(await world.again().run([...args]), 1, `${args.join(" ")}: ${world.stderr}`);
    assertEquals(world.stderr, said, args.join(" "));
  }
  world.again().stdinText = key;
  assertEquals(
    await world.run(["login", "--with-token", "--profile", "ci", "--api", server.url]),
    1,
  );
  assertMatch(world.stderr, new RegExp(`^Cannot write ${profiles}/ci\\.json: its folder`));
  assertEquals(readBytes(`${profiles}/ci.json`), before);
});

Deno.test("profile bind warns of a login that does not exist yet, not of one that exists but cannot be used now", async () => {
  const world = new World();
  const dir = `${world.home}/repo`;
  Deno.mkdirSync(dir);
  assertEquals(await world.run(["profile", "bind", "ci", dir]), 0, world.stderr);
  assertMatch(
    world.stderr,
    /^Warning: there is no login named ci yet: almyty-auth login --profile ci\n/,
  );
  Deno.mkdirSync(`${world.home}/.almyty/profiles`, { recursive: true, mode: 0o700 });
  Deno.writeTextFileSync(`${world.home}/.almyty/profiles/ci.json`, "{", { mode: 0o600 });
  assertEquals(await world.again().run(["profile", "bind", "ci", dir]), 0, world.stderr);
  assert(!world.stderr.includes("no login named"), world.stderr);
  assertMatch(world.stderr, /use the login ci/);
});

Deno.test("a file or folder another user owns: the command to remove it fits what it is (rm, rm -r)", async () => {
  const world = new World();
  Deno.mkdirSync(`${world.home}/.almyty`, { mode: 0o700 });
  Deno.writeTextFileSync(
    credsPath(world.home),
    JSON.stringify({ token: `almyty_${"a".repeat(64)}` }),
    {
      mode: 0o600,
    },
  );
  const me = denoFs.uid()!;
  const foreign = (facts: FileFacts | null) => facts && { ...facts, uid: me + 1 };
  // The file is another user's; the folder is ours.
  world.fs = {
    ...denoFs,
    cwd: () => world.home,
    readFile: (path) => {
      const file = denoFs.readFile(path);
      return file && { ...file, facts: foreign(file.facts)! };
    },
  };
  assertEquals(await world.run(["whoami"]), 1);
  assertMatch(world.stderr, new RegExp(`by its owner or root: rm ${credsPath(world.home)}\\)`));
  const folder = world.again();
  folder.fs = {
    ...denoFs,
    cwd: () => world.home,
    stat: (path) => path.endsWith("/.almyty") ? foreign(denoFs.stat(path)) : denoFs.stat(path),
  };
  assertEquals(await folder.run(["whoami"]), 1);
  assertMatch(folder.stderr, new RegExp(`by its owner or root: rm -r ${world.home}/\\.almyty\\)`));
});

Deno.test("~/.almyty is a file: profile list, logout and logout --all say so plainly (they ended in an unexpected FsError)", async () => {
  const world = new World();
  Deno.writeTextFileSync(`${world.home}/.almyty`, "not a folder");
  assertEquals(await world.run(["profile", "list"]), 0, world.stderr);
  assertMatch(world.stdout, /No saved logins/);
  assertEquals(await world.run(["logout", "--all"]), 0, world.stderr);
  assertMatch(world.stderr, /Not logged in/);
  assertEquals(await world.run(["logout"]), 1);
  assertMatch(world.stderr, /\.almyty is a file, not a folder\. Move it aside \(mv /);
  assert(!/Unexpected error/.test(world.stderr + world.stdout), world.stderr);
});
