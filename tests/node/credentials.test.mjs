// The credentials library as Node.js CLIs use it: `import … from "@almyty/credentials"`
// (the npm build of src/credentials, built by scripts/test.sh into ALMYTY_NPM_OUT), on Node.js 20.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import * as nodeFs from "node:fs";

const out = process.env.ALMYTY_NPM_OUT;
if (!out) throw new Error("Set ALMYTY_NPM_OUT to the output of: deno task npm --out DIR");
const pkg = join(out, "credentials");
const lib = await import(join(pkg, "dist/credentials/mod.js"));

// Every scratch folder goes when the file's tests end, pass or fail: some hold test tokens.
const scratch = [];
after(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});
/** A new folder in the system's temp folder (TMPDIR), removed after the tests. */
function scratchDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  scratch.push(dir);
  return dir;
}

test("write/read round trip with 0600 file and 0700 dir", () => {
  const home = scratchDir("almyty-node-");
  lib.writeCredentials({
    url: "https://api.almyty.com",
    token: "almyty_nodenodenodenode",
    extra: 1,
  }, { home });
  const path = lib.credentialsPath({ home });
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.equal(statSync(join(home, ".almyty")).mode & 0o777, 0o700);
  assert.deepEqual(lib.readCredentials({ home }), {
    url: "https://api.almyty.com",
    token: "almyty_nodenodenodenode",
    extra: 1,
  });
});

test("resolveCredentials: ALMYTY_TOKEN wins and the file is not opened", () => {
  const home = scratchDir("almyty-node-");
  mkdirSync(join(home, ".almyty"));
  execFileSync("mkfifo", [join(home, ".almyty", "credentials.json")]);
  const r = lib.resolveCredentials({ home, env: { ALMYTY_TOKEN: "envtoken" } });
  assert.equal(r.token, "envtoken");
  assert.deepEqual(r.source, { token: "env", url: "default", frontendUrl: "derived" });
  assert.equal(r.frontendUrl, "https://app.almyty.com");
});

test("resolveCredentials: ALMYTY_TOKEN works with HOME unset (no file is needed)", () => {
  const saved = process.env.HOME;
  delete process.env.HOME;
  try {
    const r = lib.resolveCredentials({ env: { ALMYTY_TOKEN: "envtoken" } });
    assert.deepEqual([r.token, r.url, r.path], ["envtoken", "https://api.almyty.com", ""]);
    assert.throws(() => lib.resolveCredentials({ env: {} }), { code: "no-home" });
  } finally {
    process.env.HOME = saved;
  }
});

test("resolveCredentials: an ALMYTY_TOKEN of only whitespace throws blank-token", () => {
  const home = scratchDir("almyty-node-");
  assert.throws(() => lib.resolveCredentials({ home, env: { ALMYTY_TOKEN: " \n" } }), {
    name: "CredentialsError",
    code: "blank-token",
  });
});

test("resolveCredentials: ALMYTY_URL does not re-point a saved key (almyty's reader rule)", () => {
  const home = scratchDir("almyty-node-");
  lib.writeCredentials({ url: "https://api.staging.almyty.com", token: "almyty_x" }, { home });
  const r = lib.resolveCredentials({ home, env: { ALMYTY_URL: "https://elsewhere.example" } });
  assert.equal(r.url, "https://api.staging.almyty.com");
  assert.equal(r.ignoredEnvUrl, "https://elsewhere.example");
  assert.equal(r.frontendUrl, "https://app.staging.almyty.com");
});

test("a BOM and a null email are tolerated with warnings, as almyty's readers do", () => {
  const home = scratchDir("almyty-node-");
  mkdirSync(join(home, ".almyty"));
  writeFileSync(
    join(home, ".almyty", "credentials.json"),
    '\ufeff{"url":"https://api.almyty.com","token":"almyty_x","email":null}',
    { mode: 0o600 },
  );
  const warnings = [];
  const c = lib.readCredentials({ home, onWarning: (w) => warnings.push(w) });
  assert.equal(c.token, "almyty_x");
  assert.equal(warnings.length, 2);
});

test("malformed file: CredentialsError naming the path", () => {
  const home = scratchDir("almyty-node-");
  mkdirSync(join(home, ".almyty"));
  writeFileSync(join(home, ".almyty", "credentials.json"), "{bad", { mode: 0o600 });
  assert.throws(
    () => lib.resolveCredentials({ home, env: {} }),
    (e) => e instanceof lib.CredentialsError && e.code === "malformed" && e.message.includes(home),
  );
});

test("a symlink at the target is refused", () => {
  const home = scratchDir("almyty-node-");
  mkdirSync(join(home, ".almyty"));
  symlinkSync(join(home, "elsewhere"), join(home, ".almyty", "credentials.json"));
  assert.throws(
    () => lib.writeCredentials({ url: "u", token: "t" }, { home }),
    (e) => e.code === "symlink",
  );
});

test("the package exports resolve by name, with types", () => {
  const app = scratchDir("almyty-app-");
  mkdirSync(join(app, "node_modules", "@almyty"), { recursive: true });
  // Copies, as npm installs them (a symlink would resolve from its real path).
  cpSync(pkg, join(app, "node_modules", "@almyty", "credentials"), { recursive: true });
  cpSync(join(out, "auth"), join(app, "node_modules", "@almyty", "auth"), { recursive: true });
  for (const name of ["@almyty/credentials", "@almyty/auth"]) {
    writeFileSync(
      join(app, "main.mjs"),
      `import { resolveCredentials } from "${name}";\nconsole.log(resolveCredentials({ env: { ALMYTY_TOKEN: "x".repeat(20) } }).source.token);\n`,
    );
    assert.equal(
      execFileSync(process.execPath, [join(app, "main.mjs")], { encoding: "utf8" }).trim(),
      "env",
      name,
    );
  }
  // require() of the ES module works on the Node.js versions `engines` names.
  writeFileSync(
    join(app, "main.cjs"),
    `const { credentialsPath } = require("@almyty/credentials");\nconsole.log(credentialsPath({ home: "/h" }));\n`,
  );
  assert.equal(
    execFileSync(process.execPath, [join(app, "main.cjs")], { encoding: "utf8" }).trim(),
    "/h/.almyty/credentials.json",
  );
  statSync(join(pkg, "dist/credentials/mod.d.ts"));
});

// ---- the bin launcher, with stand-in binaries ----------------------------------------
function installedLauncher(platforms) {
  const root = scratchDir("almyty-npx-");
  cpSync(join(out, "auth", "bin"), join(root, "node_modules/@almyty/auth/bin"), {
    recursive: true,
  });
  writeFileSync(
    join(root, "node_modules/@almyty/auth/package.json"),
    JSON.stringify({ name: "@almyty/auth", type: "module" }),
  );
  for (const p of platforms) {
    const dir = join(root, `node_modules/@almyty/auth-${p}/bin`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, p.startsWith("win32") ? "almyty-auth.exe" : "almyty-auth"),
      [
        "#!/bin/sh",
        // Like the CLI on Ctrl-C: cleans up (a moment), says so, exits 130.
        '[ "$1" = login ] && { trap \'sleep 0.3; echo cleaned >"$MARKER"; exit 130\' INT; ' +
        "echo ready; while :; do sleep 0.05; done; }",
        `echo "${p} $*"`,
        '[ "$1" = sleep ] && exec sleep 30',
        "exit ${EXIT:-0}",
        "",
      ].join("\n"),
      { mode: 0o755 },
    );
  }
  return join(root, "node_modules/@almyty/auth/bin/almyty-auth.js");
}

function run(launcher, args, env = {}) {
  try {
    return {
      code: 0,
      out: execFileSync(process.execPath, [launcher, ...args], {
        encoding: "utf8",
        env: { ...process.env, ...env },
        stdio: "pipe",
      }),
    };
  } catch (e) {
    return { code: e.status, signal: e.signal, out: e.stdout, err: e.stderr };
  }
}

test("launcher picks the platform's package and forwards argv and exit code", () => {
  const launcher = installedLauncher(["linux-x64", "linux-arm64"]);
  assert.equal(
    run(launcher, ["whoami", "--json"], { ALMYTY_AUTH_PLATFORM: "linux-arm64" }).out.trim(),
    "linux-arm64 whoami --json",
  );
  assert.equal(
    run(launcher, ["a b"], { ALMYTY_AUTH_PLATFORM: "linux-x64" }).out.trim(),
    "linux-x64 a b",
  );
  assert.equal(run(launcher, [], { ALMYTY_AUTH_PLATFORM: "linux-x64", EXIT: "4" }).code, 4);
});

test("launcher: each failure names what works on that platform", () => {
  const launcher = installedLauncher([]);
  const missing = run(launcher, [], { ALMYTY_AUTH_PLATFORM: "darwin-arm64" });
  assert.equal(missing.code, 1);
  assert.match(missing.err, /@almyty\/auth-darwin-arm64, which holds the binary, is not installed/);
  assert.match(missing.err, /npm install --include=optional @almyty\/auth[\s\S]*install\.sh/);
  // Windows: the curl installer does not work there, so it is not offered.
  const windows = run(launcher, [], { ALMYTY_AUTH_PLATFORM: "win32-x64" });
  assert.match(windows.err, /--include=optional/);
  assert.doesNotMatch(windows.err, /install\.sh/);
  // Unsupported platforms: said plainly, with the release page, no installer that fails too.
  for (const platform of ["freebsd-x64", "win32-ia32", "aix-ppc64"]) {
    const odd = run(launcher, [], { ALMYTY_AUTH_PLATFORM: platform });
    assert.match(odd.err, new RegExp(`no almyty-auth build for ${platform}[\\s\\S]*releases`));
    assert.doesNotMatch(odd.err, /install\.sh/);
  }
  // musl: plainly unsupported by this build, and what works instead.
  const musl = run(installedLauncher(["linux-x64"]), [], {
    ALMYTY_AUTH_PLATFORM: "linux-x64",
    ALMYTY_AUTH_LIBC: "musl",
  });
  assert.equal(musl.code, 1);
  assert.match(musl.err, /musl libc[\s\S]*needs glibc[\s\S]*glibc-based system or image/);
});

test("launcher forwards SIGTERM to the binary and exits by it", async () => {
  const { spawn } = await import("node:child_process");
  const launcher = installedLauncher(["linux-x64"]);
  const child = spawn(process.execPath, [launcher, "sleep"], {
    env: { ...process.env, ALMYTY_AUTH_PLATFORM: "linux-x64" },
  });
  await new Promise((resolve) => child.stdout.once("data", resolve));
  child.kill("SIGTERM");
  const [code, signal] = await new Promise((resolve) =>
    child.on("exit", (c, s) => resolve([c, s]))
  );
  assert.equal(signal ?? code, signal ? "SIGTERM" : 143);
});

/**
 * Runs the launcher as Node would on another OS: `process.platform`/`process.arch` faked
 * before it loads, and on win32 libuv's kill, which is TerminateProcess whatever the signal.
 */
function fakedPlatform(platform, arch) {
  const preload = join(scratchDir("almyty-os-"), "os.mjs");
  writeFileSync(
    preload,
    [
      'import { ChildProcess } from "node:child_process";',
      `Object.defineProperty(process, "platform", { value: ${JSON.stringify(platform)} });`,
      `Object.defineProperty(process, "arch", { value: ${JSON.stringify(arch)} });`,
      platform === "win32"
        ? "const kill = ChildProcess.prototype.kill;\n" +
          'ChildProcess.prototype.kill = function () { return kill.call(this, "SIGKILL"); };'
        : "",
    ].join("\n"),
  );
  return ["--import", preload];
}

test("launcher on Windows on ARM64 runs the x64 build (emulated), not 'no build'", () => {
  const launcher = installedLauncher(["win32-x64"]);
  const out = execFileSync(
    process.execPath,
    [...fakedPlatform("win32", "arm64"), launcher, "whoami"],
    { encoding: "utf8", env: { ...process.env, ALMYTY_AUTH_PLATFORM: "" } },
  );
  assert.equal(out.trim(), "win32-x64 whoami");
});

test("launcher on Windows: Ctrl-C reaches the binary from the console, is not forwarded (TerminateProcess), and npx exits with its 130", async () => {
  const { spawn } = await import("node:child_process");
  const launcher = installedLauncher(["win32-x64"]);
  const marker = join(scratchDir("almyty-ctrlc-"), "cleaned");
  // setsid: the launcher and the binary in a group of their own, as a console's processes are.
  const child = spawn("setsid", [
    process.execPath,
    ...fakedPlatform("win32", "x64"),
    launcher,
    "login",
  ], {
    env: { ...process.env, ALMYTY_AUTH_PLATFORM: "", MARKER: marker },
  });
  await new Promise((resolve) => child.stdout.once("data", resolve));
  process.kill(-child.pid, "SIGINT"); // the console's Ctrl-C: every process attached to it
  const [code, signal] = await new Promise((resolve) =>
    child.on("exit", (c, s) => resolve([c, s]))
  );
  assert.deepEqual([code, signal], [130, null]);
  assert.equal(readFileSync(marker, "utf8").trim(), "cleaned", "the binary finished its cleanup");
});

test("a FIFO at the credentials path is refused at once, never opened (the read would block)", () => {
  const home = scratchDir("almyty-node-");
  mkdirSync(join(home, ".almyty"), { mode: 0o700 });
  execFileSync("mkfifo", [join(home, ".almyty", "credentials.json")]);
  assert.throws(
    () => lib.resolveCredentials({ home, env: {} }),
    (e) => e instanceof lib.CredentialsError && e.code === "not-a-file",
  );
});

/**
 * A CredentialsFs with Windows' facts over this disk (C:\… mapped under a temp folder; no
 * owner uid, mode 0666), whose renames are refused with `refusals` first, as MoveFileExW is
 * while another program has the target open. No `pause`: the library's own wait runs.
 */
function windowsFs(refusals) {
  const fs = nodeFs;
  const root = scratchDir("almyty-win-");
  const real = (p) => join(root, p[0], p.slice(3).replaceAll("\\", "/"));
  const facts = (s) => ({
    isFile: s.isFile(),
    isDirectory: s.isDirectory(),
    isSymlink: s.isSymbolicLink(),
    mode: 0o666,
    uid: null,
    mtimeMs: s.mtimeMs,
  });
  const absent = (f) => {
    try {
      return f();
    } catch (e) {
      if (e.code === "ENOENT") return null;
      throw new lib.FsError(e.code, e.message);
    }
  };
  return {
    root,
    real,
    platform: "win32",
    env: () => ({}),
    uid: () => null,
    readFile: (p) =>
      absent(() => ({
        facts: facts(fs.statSync(real(p))),
        text: fs.readFileSync(real(p), "utf8"),
      })),
    lstat: (p) => absent(() => facts(fs.lstatSync(real(p)))),
    stat: (p) => absent(() => facts(fs.statSync(real(p)))),
    mkdirp: (p, mode) => fs.mkdirSync(real(p), { recursive: true, mode }),
    chmod: (p, mode) => fs.chmodSync(real(p), mode),
    writeNew: (p, text, mode) => fs.writeFileSync(real(p), text, { flag: "wx", mode }),
    rename(from, to) {
      const code = refusals.shift();
      if (code) throw new lib.FsError(code, `${code}: operation not permitted, rename`);
      fs.renameSync(real(from), real(to));
    },
    remove: (p) => absent(() => (fs.unlinkSync(real(p)), true)) ?? false,
    list: (p) => absent(() => fs.readdirSync(real(p))) ?? [],
    syncDirectory: () => {},
  };
}

test("Windows: replacing the file while another program has it open is retried (EPERM once), then saved", () => {
  const fs = windowsFs(["EPERM"]);
  const started = Date.now();
  const path = lib.writeCredentials({ url: "https://api.almyty.com", token: "almyty_win" }, {
    fs,
    home: "C:\\Users\\alice",
  });
  assert.equal(path, "C:\\Users\\alice\\.almyty\\credentials.json");
  assert.equal(JSON.parse(readFileSync(fs.real(path), "utf8")).token, "almyty_win");
  assert.ok(Date.now() - started < 1000, "one short backoff, not the whole 2 s");
});

test("Windows: still held open after about 2 s: a clear error naming what to close, no temp file left", () => {
  const fs = windowsFs(Array(20).fill("EBUSY"));
  const started = Date.now();
  assert.throws(
    () =>
      lib.writeCredentials({ url: "https://api.almyty.com", token: "almyty_win" }, {
        fs,
        home: "C:\\Users\\alice",
      }),
    (e) =>
      e instanceof lib.CredentialsError && e.code === "write-failed" &&
      /another program keeps it open \(EBUSY\)[\s\S]*Close it and try again/.test(e.message),
  );
  const waited = Date.now() - started;
  assert.ok(waited >= 1900 && waited < 5000, `waited ${waited} ms`);
  assert.deepEqual(readdirSync(fs.real("C:\\Users\\alice\\.almyty")), []);
});

// ---- several logins (issue 17), as other almyty CLIs on Node.js would use them ----

import { createHash } from "node:crypto";

function profileHome() {
  const home = scratchDir("almyty-node-profiles-");
  lib.writeCredentials({ url: "https://api.almyty.com", token: "almyty_NODEDEFAULT000000000001" }, {
    home,
  });
  lib.writeProfile("staging", {
    url: "https://api.staging.almyty.com",
    token: "almyty_NODESTAGING000000000002",
    email: "alice@example.com",
  }, { home });
  return home;
}

test("profiles: writeProfile/readProfile/listProfiles/deleteProfile; version 1; never a token in the list", () => {
  const home = profileHome();
  const path = join(home, ".almyty", "profiles", "staging.json");
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.equal(JSON.parse(readFileSync(path, "utf8")).version, 1);
  assert.equal(lib.readProfile("staging", { home }).token, "almyty_NODESTAGING000000000002");
  assert.equal(lib.readProfile("staging", { home }).version, undefined);
  const list = lib.listProfiles({ home });
  assert.deepEqual(list.map((p) => [p.name, p.url]), [
    ["default", "https://api.almyty.com"],
    ["staging", "https://api.staging.almyty.com"],
  ]);
  assert.ok(!JSON.stringify(list).includes("almyty_NODE"));
  assert.throws(
    () => lib.readProfile("../etc", { home }),
    (e) => e.code === "invalid-profile-name",
  );
  writeFileSync(path, JSON.stringify({ version: 2, url: "u", token: "t" }));
  assert.throws(
    () => lib.readProfile("staging", { home }),
    (e) => e.code === "unsupported-version",
  );
  assert.equal(lib.deleteProfile("staging", { home }), true);
  assert.equal(lib.readProfile("default", { home }).token, "almyty_NODEDEFAULT000000000001");
});

test("resolveCredentials: profile option, ALMYTY_PROFILE, a trusted folder, the default; a missing profile throws, never falls back", () => {
  const home = profileHome();
  const repo = join(home, "repo");
  mkdirSync(join(repo, "src"), { recursive: true });
  const at = (options) => lib.resolveCredentials({ home, cwd: home, env: {}, ...options });
  assert.equal(at({}).profile, "default");
  assert.equal(at({}).source.profile, "default");
  const byOption = at({ profile: "staging" });
  assert.deepEqual([byOption.token, byOption.url, byOption.source.profile], [
    "almyty_NODESTAGING000000000002",
    "https://api.staging.almyty.com",
    "flag",
  ]);
  assert.equal(at({ env: { ALMYTY_PROFILE: "staging" } }).source.profile, "env");
  assert.throws(() => at({ profile: "nope" }), (e) => e.code === "profile-not-found");
  assert.throws(
    () => at({ profile: "staging", env: { ALMYTY_TOKEN: "almyty_x" } }),
    (e) => e.code === "profile-conflict",
  );
  // A folder's file: refused until trusted; trusted by its SHA-256 (computed here with node:crypto).
  const text = '{"profile": "staging"}\n';
  writeFileSync(join(repo, ".almyty-profile"), text);
  assert.throws(() => at({ cwd: join(repo, "src") }), (e) => e.code === "directory-untrusted");
  writeFileSync(
    join(home, ".almyty", "directories.json"),
    JSON.stringify({
      version: 1,
      trusted: { [join(repo, ".almyty-profile")]: createHash("sha256").update(text).digest("hex") },
      bindings: {},
    }),
    { mode: 0o600 },
  );
  const fromFolder = at({ cwd: join(repo, "src") });
  assert.deepEqual([fromFolder.profile, fromFolder.source.profile, fromFolder.profileOrigin], [
    "staging",
    "directory",
    join(repo, ".almyty-profile"),
  ]);
  assert.equal(at({ cwd: join(repo, "src"), directory: false }).profile, "default");
});

test("a credentials file over 1 MiB is refused unread (too-large), with the fix", () => {
  const home = scratchDir("almyty-node-");
  mkdirSync(join(home, ".almyty"), { mode: 0o700 });
  const path = join(home, ".almyty", "credentials.json");
  writeFileSync(path, "", { mode: 0o600 });
  nodeFs.truncateSync(path, 1024 ** 3); // sparse
  assert.throws(() => lib.readCredentials({ home }), (error) => {
    assert.equal(error.code, "too-large");
    assert.match(error.message, /larger than 1 MiB[\s\S]*Move it aside/);
    return true;
  });
  assert.equal(lib.resolveCredentials({ home, env: { ALMYTY_TOKEN: "t" } }).token, "t");
});
