/**
 * The release rehearsal: what a release does, end to end on this machine.
 * The project's own scripts build every npm package (this machine's platform
 * package holds a clearly labelled stand-in that runs the bundle that ships
 * with the binary's permission flags, since `deno compile` cannot fetch its
 * runtime here; the other platform packages are built empty), a real npm
 * registry (verdaccio, on 127.0.0.1, no uplinks) takes them in release order,
 * and a clean HOME, npm cache and prefix install and run them as users would.
 *
 * verdaccio and TypeScript are installed once into a cache outside the
 * checkout (`~/.cache/almyty-test-tools`), like the other test tools.
 */
import { assert, assertEquals, assertMatch } from "./helpers/assert.ts";
import { recordToken } from "./helpers/leaks.ts";
import { bsdtarPath, macosPath } from "./helpers/bsdtar.ts";
import { closedPort, withServer } from "./helpers/server.ts";
import { permissionFlags } from "../src/permissions.ts";
import { archiveName } from "../scripts/targets.ts";
import { bundleCli, bundleDir } from "../scripts/bundle.ts";
import { formula, parseSums } from "../scripts/homebrew.ts";
import { scratchDir, scratchFile } from "./helpers/scratch.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const VERSION = JSON.parse(Deno.readTextFileSync(`${ROOT}deno.json`)).version;
const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const DENO_DIR = Deno.env.get("DENO_DIR") ?? `${Deno.env.get("HOME")}/.cache/deno`;

/** verdaccio 6.8.0 (node-fetch pinned to 2.7.0 so it installs on Node 20) and TypeScript. */
const TOOLS = {
  name: "almyty-test-tools",
  private: true,
  dependencies: { verdaccio: "6.8.0", typescript: "5.9.3" },
  overrides: { "node-fetch": "2.7.0" },
};

async function run(
  cmd: string,
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
) {
  const out = await new Deno.Command(cmd, {
    args,
    cwd: options.cwd,
    env: options.env,
    clearEnv: options.env !== undefined,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

/** The cached tools folder, installed on first use. */
async function tools(): Promise<string> {
  const dir = `${
    Deno.env.get("XDG_CACHE_HOME") ?? `${Deno.env.get("HOME")}/.cache`
  }/almyty-test-tools/npm-tools`;
  const manifest = JSON.stringify(TOOLS, null, 2);
  let current = "";
  try {
    current = Deno.readTextFileSync(`${dir}/package.json`);
    Deno.statSync(`${dir}/node_modules/.bin/verdaccio`);
  } catch {
    current = "";
  }
  if (current !== manifest) {
    Deno.mkdirSync(dir, { recursive: true });
    Deno.writeTextFileSync(`${dir}/package.json`, manifest);
    const install = await run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error"], {
      cwd: dir,
    });
    assertEquals(install.code, 0, `installing verdaccio failed:\n${install.stderr}`);
  }
  return dir;
}

/** A verdaccio on 127.0.0.1 with anonymous publish and no uplinks (nothing leaves the machine). */
async function withRegistry<T>(toolsDir: string, fn: (url: string) => Promise<T>): Promise<T> {
  const dir = scratchDir("almyty-registry-");
  Deno.writeTextFileSync(
    `${dir}/config.yaml`,
    [
      `storage: ${dir}/storage`,
      "auth:",
      `  htpasswd: { file: ${dir}/htpasswd, max_users: -1 }`,
      "uplinks: {}",
      "packages:",
      '  "**": { access: $all, publish: $all, unpublish: $all }',
      "log: { type: stdout, format: pretty, level: error }",
    ].join("\n"),
  );
  const port = closedPort();
  const url = `http://127.0.0.1:${port}`;
  const child = new Deno.Command(`${toolsDir}/node_modules/.bin/verdaccio`, {
    args: ["--config", `${dir}/config.yaml`, "--listen", `127.0.0.1:${port}`],
    stdout: "null",
    stderr: "null",
  }).spawn();
  try {
    for (let i = 0;; i++) {
      const ping = await fetch(`${url}/-/ping`).catch(() => null);
      await ping?.body?.cancel();
      if (ping?.ok) break;
      if (i > 300) throw new Error("verdaccio did not start");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return await fn(url);
  } finally {
    child.kill("SIGTERM");
    await child.status;
  }
}

/** This machine's release target and npm platform. */
function thisPlatform() {
  const arch = Deno.build.arch === "x86_64" ? "x86_64" : "aarch64";
  return {
    target: `${arch}-unknown-linux-gnu`,
    npm: `linux-${arch === "x86_64" ? "x64" : "arm64"}`,
  };
}

/** Compile output with a labelled stand-in binary for this machine, running the bundle that ships. */
async function standInDist(): Promise<string> {
  const dist = scratchDir("almyty-dist-");
  const shipped = await bundleCli(bundleDir(dist));
  const { target } = thisPlatform();
  Deno.mkdirSync(`${dist}/${target}`, { recursive: true });
  const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;
  Deno.writeTextFileSync(
    `${dist}/${target}/almyty-auth`,
    [
      "#!/bin/sh",
      "# STAND-IN for the compiled almyty-auth, for the release rehearsal only: deno compile",
      "# cannot fetch its runtime on this machine, so this runs the bundle the binary embeds",
      "# (scripts/bundle.ts) with exactly the binary's permission flags.",
      `DENO_DIR=${quote(DENO_DIR)} exec ${quote(Deno.execPath())} run --quiet ${
        permissionFlags().map(quote).join(" ")
      } ${quote(shipped)} "$@"`,
      "",
    ].join("\n"),
    { mode: 0o755 },
  );
  return dist;
}

/** A clean npm user: HOME, cache, prefix and config of their own, and the registry. */
function cleanNpmEnv(registry: string, extra: Record<string, string> = {}) {
  const home = scratchDir("almyty-npm-home-");
  Deno.writeTextFileSync(`${home}/.npmrc`, "");
  return {
    HOME: home,
    PATH: Deno.env.get("PATH")!,
    npm_config_registry: `${registry}/`,
    npm_config_cache: `${home}/.npm-cache`,
    npm_config_prefix: `${home}/.npm-prefix`,
    npm_config_userconfig: `${home}/.npmrc`,
    npm_config_update_notifier: "false",
    npm_config_fund: "false",
    npm_config_audit: "false",
    NO_COLOR: "1",
    ...extra,
  };
}

Deno.test({
  name:
    "release rehearsal: build, publish to a real registry in release order, install and run as users do",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const toolsDir = await tools();
    const dist = await standInDist();
    const out = scratchDir("almyty-npm-");
    const built = await run(Deno.execPath(), [
      "run",
      "-A",
      `${ROOT}scripts/npm.ts`,
      "--dist",
      dist,
      "--out",
      out,
      "--empty-missing",
    ]);
    assertEquals(built.code, 0, built.stderr);
    // Release order: the library, the platform packages, then @almyty/auth that needs them.
    const order = built.stdout.trim().split("\n").map((line) => line.split(/\s+/)[1]);
    assertEquals(order[0], `${out}/credentials`);
    assertEquals(order.at(-1), `${out}/auth`);

    await withRegistry(toolsDir, async (registry) => {
      // Publishing authenticates the way the workflow's setup-node arranges it: an .npmrc
      // line that reads NODE_AUTH_TOKEN. Without that line npm refuses (ENEEDAUTH).
      const host = registry.replace(/^http:/, "");
      const publisher = cleanNpmEnv(registry, { NODE_AUTH_TOKEN: "rehearsal" });
      const unauthenticated = await run("npm", ["publish", order[0]], { env: publisher });
      assertEquals(unauthenticated.code, 1);
      assertMatch(unauthenticated.stderr, /ENEEDAUTH|need auth/);
      Deno.writeTextFileSync(
        publisher.npm_config_userconfig,
        `${host}/:_authToken=\${NODE_AUTH_TOKEN}\n`,
      );
      for (const dir of order) {
        const published = await run("npm", ["publish", "--access", "public", dir], {
          env: publisher,
        });
        assertEquals(published.code, 0, `${dir}: ${published.stderr}`);
      }

      // npx, from nothing.
      const user = cleanNpmEnv(registry);
      const npx = (args: string[], env = user) =>
        run("npx", ["--yes", "@almyty/auth", ...args], { env });
      const version = await npx(["--version"]);
      assertEquals(version.code, 0, version.stderr);
      assertEquals(version.stdout.trim(), `almyty-auth ${VERSION}`);

      // A headless login through the launcher, against the reference server; then whoami.
      await withServer({ autoApprove: true, deviceInterval: 0 }, async (server) => {
        const login = await npx(["login", "--no-browser", "--api", server.url]);
        assertEquals(login.code, 0, login.stderr);
        const token =
          JSON.parse(Deno.readTextFileSync(`${user.HOME}/.almyty/credentials.json`)).token;
        recordToken(token);
        const whoami = await npx(["whoami"]);
        assertEquals(whoami.code, 0, whoami.stderr);
        assertMatch(whoami.stdout, /Logged in as alice@example\.com/);
      });

      // Installed in a project: exit codes and Ctrl-C pass through the launcher.
      const project = scratchDir("almyty-project-");
      Deno.writeTextFileSync(
        `${project}/package.json`,
        '{"name":"app","private":true,"type":"module"}',
      );
      const installed = await run("npm", ["install", "@almyty/auth"], { cwd: project, env: user });
      assertEquals(installed.code, 0, installed.stderr);
      const bin = `${project}/node_modules/.bin/almyty-auth`;
      const fresh = { ...user, HOME: scratchDir() };
      const none = await run(bin, ["whoami"], { env: fresh });
      assertEquals(none.code, 4);
      assertMatch(none.stderr, /Not authenticated/);
      await withServer({}, async (server) => {
        const child = new Deno.Command("setsid", {
          args: [bin, "login", "--no-browser", "--api", server.url],
          env: fresh,
          clearEnv: true,
          stdout: "null",
          stderr: "piped",
        }).spawn();
        const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
        let seen = "";
        while (!/Waiting for approval/.test(seen)) {
          const { value, done } = await reader.read();
          if (done) break;
          seen += value;
        }
        Deno.kill(-child.pid, "SIGINT"); // Ctrl-C at a terminal reaches the whole job
        const status = await child.status;
        reader.releaseLock();
        await child.stderr.cancel().catch(() => {});
        assertEquals(status.code, 130, seen);
      });

      // --omit=optional: the launcher says what happened and how to fix it.
      const omitted = scratchDir("almyty-omit-");
      Deno.writeTextFileSync(`${omitted}/package.json`, '{"name":"app","private":true}');
      const omit = await run("npm", ["install", "--omit=optional", "@almyty/auth"], {
        cwd: omitted,
        env: user,
      });
      assertEquals(omit.code, 0, omit.stderr);
      const missing = await run(`${omitted}/node_modules/.bin/almyty-auth`, ["whoami"], {
        env: user,
      });
      assertEquals(missing.code, 1);
      assertMatch(
        missing.stderr,
        /is not installed[\s\S]*npm install --include=optional @almyty\/auth/,
      );

      // A Node 20 CLI that needs only the token: the small library package, ESM and CJS.
      const app = scratchDir("almyty-consumer-");
      Deno.writeTextFileSync(
        `${app}/package.json`,
        '{"name":"consumer","private":true,"type":"module"}',
      );
      const lib = await run("npm", ["install", "@almyty/credentials"], { cwd: app, env: user });
      assertEquals(lib.code, 0, lib.stderr);
      assertEquals(
        [...Deno.readDirSync(`${app}/node_modules/@almyty`)].map((e) => e.name),
        ["credentials"],
        "no binaries, no dependencies",
      );
      Deno.writeTextFileSync(
        `${app}/esm.js`,
        'import { resolveCredentials } from "@almyty/credentials";\nconsole.log(resolveCredentials()?.source.token);\n',
      );
      Deno.writeTextFileSync(
        `${app}/cjs.cjs`,
        'const { resolveCredentials } = require("@almyty/credentials");\nconsole.log(resolveCredentials()?.url);\n',
      );
      const env = {
        ...user,
        ALMYTY_TOKEN: "almyty_consumer",
        ALMYTY_URL: "https://api.example.com",
      };
      assertEquals((await run("node", ["esm.js"], { cwd: app, env })).stdout.trim(), "env");
      assertEquals(
        (await run("node", ["cjs.cjs"], { cwd: app, env })).stdout.trim(),
        "https://api.example.com",
      );
      // TypeScript consumers, node16 and bundler resolution: real types, not any.
      Deno.writeTextFileSync(
        `${app}/index.ts`,
        [
          'import { resolveCredentials, type ResolvedCredentials } from "@almyty/credentials";',
          "const creds: ResolvedCredentials | null = resolveCredentials();",
          "const token: string | undefined = creds?.token;",
          "// @ts-expect-error: a typo must be an error (it would not be if the types were any)",
          "creds?.tokenn;",
          "export { token };",
          "",
        ].join("\n"),
      );
      for (const resolution of ["node16", "bundler"]) {
        Deno.writeTextFileSync(
          `${app}/tsconfig.json`,
          JSON.stringify({
            compilerOptions: {
              module: resolution === "node16" ? "node16" : "esnext",
              moduleResolution: resolution,
              strict: true,
              noEmit: true,
              types: [],
            },
            files: ["index.ts"],
          }),
        );
        const tsc = await run(`${toolsDir}/node_modules/.bin/tsc`, ["-p", app], { env: user });
        assertEquals(tsc.code, 0, `${resolution}: ${tsc.stdout}`);
      }
    });

    // The GitHub release's assets from the same build: archives, SHA256SUMS, and the formula,
    // packed where `tar` is macOS's bsdtar (the build jobs pack on macOS runners too), then
    // unpacked with bsdtar as install.sh and Homebrew do there, and run.
    const packed = await run(Deno.execPath(), [
      "run",
      "-A",
      `${ROOT}scripts/compile.ts`,
      "--pack-only",
      "--target",
      thisPlatform().target,
      "--dist",
      dist,
    ], { env: { PATH: macosPath(), DENO_DIR } });
    assertEquals(packed.code, 0, packed.stderr);
    const sums = parseSums(Deno.readTextFileSync(`${dist}/SHA256SUMS`));
    assert(sums.has(archiveName(thisPlatform().target)));
    const unpacked = scratchDir();
    const untar = await run(bsdtarPath(), [
      "-xzf",
      `${dist}/${archiveName(thisPlatform().target)}`,
      "-C",
      unpacked,
    ]);
    assertEquals(untar.code, 0, untar.stderr);
    const version = await run(`${unpacked}/almyty-auth`, ["--version"]);
    assertEquals(version.stdout, `almyty-auth ${VERSION}\n`, version.stderr);
    const allSums = new Map([
      ...["x86_64", "aarch64"].flatMap((arch) =>
        [`${arch}-unknown-linux-gnu`, `${arch}-apple-darwin`].map((t) =>
          [archiveName(t), "0".repeat(64)] as [string, string]
        )
      ),
      ...sums,
    ]);
    const rb = scratchFile({ suffix: ".rb" });
    Deno.writeTextFileSync(rb, formula(allSums, VERSION, "https://example.invalid"));
    const ruby = await run("ruby", ["-c", rb]);
    assertEquals(ruby.code, 0, ruby.stderr);
  },
});
