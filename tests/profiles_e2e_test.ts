/**
 * Several logins as real processes (issue 17): many logins of one HOME at
 * once, and folders refused before anything reaches a real listener.
 */
import { assert, assertEquals, assertMatch } from "./helpers/assert.ts";
import {
  baseEnv,
  cliArgv,
  CliProcess,
  credsPath,
  driveTerminal,
  homeWithFile,
  readBytes,
  runCli,
} from "./helpers/cli.ts";
import { mintKey, withFakeServer, withServer } from "./helpers/server.ts";
import { writeProfile } from "../src/credentials/mod.ts";
import { writeDirectoryRecordWith } from "../src/credentials/write.ts";
import { denoFs } from "../src/platform/deno_fs.ts";
import { sha256Hex } from "../src/protocol/sha256.ts";
import { scratchDir } from "./helpers/scratch.ts";

/** A listener on 127.0.0.1 that records every request and answers 500. */
async function withCapturingListener<T>(
  fn: (url: string, seen: string[]) => Promise<T>,
): Promise<T> {
  const seen: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    seen.push(`${request.method} ${new URL(request.url).pathname}`);
    return new Response("captured", { status: 500 });
  });
  try {
    return await fn(`http://127.0.0.1:${server.addr.port}`, seen);
  } finally {
    await server.shutdown();
  }
}

Deno.test("20 concurrent `login --with-token --profile pN`: 20 complete files, the default unchanged", async () => {
  await withServer({ requestLimit: 1000, signInLimit: 1000 }, async (server) => {
    const { home, path, bytes } = homeWithFile();
    const keys = await Promise.all(
      Array.from({ length: 20 }, async () => (await mintKey(server.url)).apiKey),
    );
    const results = await Promise.all(
      keys.map((key, n) =>
        runCli(["login", "--with-token", "--profile", `p${n}`, "--api", server.url], {
          home,
          stdin: key,
        })
      ),
    );
    results.forEach((result, n) => assertEquals(result.code, 0, `p${n}: ${result.stderr}`));
    for (const [n, key] of keys.entries()) {
      const saved = JSON.parse(Deno.readTextFileSync(`${home}/.almyty/profiles/p${n}.json`));
      assertEquals(
        [saved.version, saved.token, saved.url, saved.email, saved.keyOrigin],
        [1, key, server.url, "alice@example.com", "supplied"],
        `p${n}`,
      );
    }
    assertEquals(readBytes(path), bytes, "the default login is byte-identical");
    const names = [...Deno.readDirSync(`${home}/.almyty/profiles`)]
      .map((entry) => entry.name).filter((name) => !name.startsWith("."));
    assertEquals(names.length, 20, names.join(" "));
    const list = await runCli(["whoami", "--profile", "p7", "--json"], { home });
    assertEquals(JSON.parse(list.stdout).profile, { name: "p7", source: "flag", origin: null });
  });
});

Deno.test("a folder's .almyty-profile that is untrusted, changed or asserts another API: exit 4, and a capturing listener at the login's API sees nothing", async () => {
  await withCapturingListener(async (url, seen) => {
    const { home } = homeWithFile(
      JSON.stringify({ url, token: "almyty_DEFAULTKEY00000000000001" }),
    );
    writeProfile("staging", { url, token: "almyty_STAGINGKEY00000000000002" }, {
      home,
      fs: denoFs,
    });
    const repo = `${home}/repo`;
    Deno.mkdirSync(`${repo}/src`, { recursive: true });
    const file = `${repo}/.almyty-profile`;
    const trust = (text: string) =>
      writeDirectoryRecordWith({ fs: denoFs, home }, {
        trusted: { [file]: sha256Hex(text) },
        bindings: {},
      });
    const cases: [string, () => void, RegExp][] = [
      ["untrusted", () => Deno.writeTextFileSync(file, '{"profile": "staging"}'), /not trusted/],
      ["a symlink", () => {
        Deno.removeSync(file);
        Deno.writeTextFileSync(`${home}/elsewhere`, '{"profile": "staging"}');
        Deno.symlinkSync(`${home}/elsewhere`, file);
        trust('{"profile": "staging"}');
      }, /symbolic link/],
      ["another owner's", () => {
        Deno.removeSync(file);
        Deno.writeTextFileSync(file, '{"profile": "staging"}');
        trust('{"profile": "staging"}');
        Deno.chownSync(file, 4242, 4242);
      }, /belongs to another user/],
      ["oversize", () => {
        Deno.removeSync(file);
        const text = `{"profile": "staging", "organization": "${"x".repeat(5000)}"}`;
        Deno.writeTextFileSync(file, text);
        trust(text);
      }, /larger than 4096 bytes/],
      ["nested, untrusted", () => {
        const text = '{"profile": "staging"}';
        Deno.writeTextFileSync(file, text);
        trust(text); // the outer one is trusted; the nearer one is not
        Deno.writeTextFileSync(`${repo}/src/.almyty-profile`, '{"profile": "default"}');
      }, /src\/\.almyty-profile selects the login "default"/],
      ["changed", () => {
        Deno.removeSync(`${repo}/src/.almyty-profile`);
        trust('{"profile": "staging"}');
        Deno.writeTextFileSync(file, '{"profile": "default"}');
      }, /changed since you trusted it/],
      ["mismatch", () => {
        const text = '{"profile": "staging", "api": "https://api.staging.almyty.com"}';
        Deno.writeTextFileSync(file, text);
        trust(text);
      }, /not https:\/\/api\.staging\.almyty\.com/],
    ];
    for (const [label, make, message] of cases) {
      make();
      const every = label === "untrusted" || label === "mismatch";
      for (
        const argv of every
          ? [["whoami"], ["status"], ["token"], ["logout"]]
          : [["whoami"], ["logout"]]
      ) {
        const result = await runCli(argv, { home, cwd: `${repo}/src` });
        assertEquals(result.code, 4, `${label} ${argv[0]}: ${result.stderr}`);
        assertMatch(result.stdout + result.stderr, message, `${label} ${argv[0]}`);
      }
    }
    assertEquals(seen, [], "no request reached the listener");
    assert(Deno.statSync(credsPath(home)).isFile, "logout removed nothing");
  });
});

const READER = new URL("./helpers/almyty_reader.mjs", import.meta.url).pathname;
const PRODUCTION_IN_THE_SHELL = {
  ALMYTY_TOKEN: "almyty_PRODUCTIONKEYFROMTHESHELL0",
  ALMYTY_URL: "https://api.almyty.com",
};
/** A key with every character a shell could misread (all sendable in a header). */
const AWKWARD_KEY = `almyty_q'u"o$t\`e\\s;&|<>(){}!*?~#%`;

/** A HOME with a staging profile (a key with quotes in it) and no default login. */
function stagingHome(url = "https://api.staging.almyty.com") {
  const home = scratchDir("almyty-home-");
  writeProfile("staging", { url, token: AWKWARD_KEY, email: "alice@example.com" }, {
    home,
    fs: denoFs,
  });
  return home;
}

/** The command line that runs the CLI, quoted for a POSIX shell or fish. */
function cliCommand(args: string[]): string {
  const quote = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;
  return [Deno.execPath(), ...cliArgv(args)].map(quote).join(" ");
}

Deno.test("exec --profile staging -- node <almyty's reader rule>: staging's url and token, even with a production ALMYTY_TOKEN in the parent", async () => {
  const home = stagingHome();
  const reader = await runCli(["exec", "--profile", "staging", "--", "node", READER], {
    home,
    env: PRODUCTION_IN_THE_SHELL,
    mayPrintToken: true,
  });
  assertEquals(reader.code, 0, reader.stderr);
  assertEquals(JSON.parse(reader.stdout), {
    url: "https://api.staging.almyty.com",
    token: AWKWARD_KEY,
  });
  // ALMYTY_PROFILE chooses the same way; the program's own flags pass untouched.
  const echo = await runCli(
    ["exec", "sh", "-c", 'printf "%s %s\\n" "$ALMYTY_PROFILE" "$1"', "sh", "--x"],
    { home, env: { ALMYTY_PROFILE: "staging" }, mayPrintToken: true },
  );
  assertEquals([echo.code, echo.stdout], [0, "staging --x\n"]);
});

Deno.test("profile use of a login without a url: credentials.json gets the url almyty's readers need (they crashed on undefined)", async () => {
  const home = scratchDir("almyty-home-");
  Deno.mkdirSync(`${home}/.almyty/profiles`, { recursive: true, mode: 0o700 });
  const key = "almyty_NOURLPROFILE000000000000";
  Deno.writeTextFileSync(
    `${home}/.almyty/profiles/old.json`,
    JSON.stringify({ version: 1, token: key }),
    { mode: 0o600 },
  );
  const use = await runCli(["profile", "use", "old"], { home });
  assertEquals(use.code, 0, use.stderr);
  const reader = new Deno.Command("node", { args: [READER], env: { HOME: home }, clearEnv: true })
    .outputSync();
  assertEquals(reader.code, 0);
  assertEquals(JSON.parse(new TextDecoder().decode(reader.stdout)), {
    url: "https://api.almyty.com",
    token: key,
  });
});

Deno.test("exec: the program's exit code, 127 not found, 126 not executable; a missing profile or no login runs nothing", async () => {
  const home = stagingHome();
  const run = (args: string[], env: Record<string, string> = {}) =>
    runCli(["exec", ...args], { home, env, mayPrintToken: true });
  assertEquals((await run(["--profile", "staging", "--", "sh", "-c", "exit 7"])).code, 7);
  const missing = await run(["--profile", "staging", "--", "no-such-program-xyz"]);
  assertEquals(missing.code, 127);
  assertMatch(missing.stderr, /almyty-auth exec: no-such-program-xyz: command not found/);
  const data = `${home}/data.txt`;
  Deno.writeTextFileSync(data, "not a program", { mode: 0o644 });
  assertEquals((await run(["--profile", "staging", "--", data])).code, 126);
  // A script that exists but whose #! line ends in a Windows line break: the system reports it
  // "not found"; it is named as what it is, with the fix (126, as shells do).
  // In a folder whose name a shell would split and expand: the command to paste is one word.
  Deno.mkdirSync(`${home}/my $scripts`);
  const script = `${home}/my $scripts/crlf.sh`;
  Deno.writeTextFileSync(script, "#!/bin/sh\r\necho ran\r\n", { mode: 0o755 });
  const crlf = await run(["--profile", "staging", "--", script]);
  assertEquals(crlf.code, 126, crlf.stderr);
  assertEquals(
    crlf.stderr,
    `almyty-auth exec: ${script}: its first line (#!/bin/sh) ends in a Windows line break (\\r), ` +
      `so the system looks for an interpreter named "/bin/sh\\r", which does not exist. Convert ` +
      `its line endings (dos2unix '${script}') and run it again.\n`,
  );
  const marker = `${home}/ran`;
  const never = ["sh", "-c", `touch ${marker}`];
  assertEquals((await run(["--profile", "prod", "--", ...never])).code, 4);
  assertEquals((await run(["--", ...never], { ALMYTY_TOKEN: "" })).code, 4);
  let ran = true;
  try {
    Deno.statSync(marker);
  } catch {
    ran = false;
  }
  assertEquals(ran, false, "the program never ran");
});

Deno.test("exec: SIGTERM and SIGINT reach the program; almyty-auth waits for it and exits with its status", async () => {
  const home = stagingHome();
  // A program that traps SIGTERM and takes its time to exit 42 (the CLI must wait for it).
  const trapping = new CliProcess([
    "exec",
    "--profile",
    "staging",
    "--",
    "sh",
    "-c",
    'trap "sleep 0.3; exit 42" TERM; echo ready >&2; while :; do sleep 0.05; done',
  ], { home, mayPrintToken: true });
  await trapping.waitFor(/ready/);
  trapping.child.kill("SIGTERM");
  assertEquals((await trapping.done).code, 42);
  for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
    const sleeping = new CliProcess(
      ["exec", "--profile", "staging", "--", "sh", "-c", "echo ready >&2; exec sleep 30"],
      { home, mayPrintToken: true },
    );
    await sleeping.waitFor(/ready/);
    sleeping.child.kill(signal);
    assertEquals((await sleeping.done).code, code, signal);
  }
});

Deno.test("exec at a terminal: almyty-auth passes on no first SIGINT, since the terminal's Ctrl-C reaches the program itself (it got two)", async () => {
  const home = stagingHome();
  // Counts its SIGINTs and says how many when asked (a moment later: a SIGINT passed on has
  // arrived by then). A real Ctrl-C reaches both processes at once, and the kernel may merge
  // the program's two into one; a SIGINT sent to almyty-auth alone is what it would pass on.
  const program = `${home}/count-interrupts.cjs`;
  Deno.writeTextFileSync(
    program,
    `let n = 0;
process.on("SIGINT", () => console.log("got " + ++n));
console.log("ready");
process.stdin.on("data", (chunk) => {
  if (String(chunk).includes("count")) setTimeout(() => console.log("count " + n), 1500);
  if (String(chunk).includes("end")) process.exit(7);
});`,
  );
  const run = await driveTerminal(
    ["exec", "--profile", "staging", "--", "node", program],
    home,
    [[/ready/, "@signal:SIGINT"], [/ready/, "count\r"], [/count \d/, "end\r"]],
    {},
    { timeout: 30 },
  );
  assertEquals(run.code, 7, run.screen);
  assertMatch(run.screen, /count 0\b/, "the SIGINT was passed on");
  assert(!/got/.test(run.screen), run.screen);
});

for (const shell of ["sh", "bash", "zsh", "fish"]) {
  Deno.test(`env under ${shell}: eval of its output gives almyty's reader staging's url and key; --unset removes them`, async () => {
    const home = stagingHome();
    const fish = shell === "fish";
    const env = cliCommand(["env", "--profile", "staging", ...(fish ? ["--shell", "fish"] : [])]);
    const unset = cliCommand(["env", "--unset", ...(fish ? ["--shell", "fish"] : [])]);
    const script = fish
      ? `${env} | source; and node ${READER}; and ${unset} | source; and node ${READER}`
      : `eval "$(${env})" && node ${READER} && eval "$(${unset})" && node ${READER}`;
    const out = await new Deno.Command(shell, {
      args: ["-c", script],
      env: baseEnv(home, PRODUCTION_IN_THE_SHELL),
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const [stdout, stderr] = [out.stdout, out.stderr].map((b) => new TextDecoder().decode(b));
    // The second reader runs with nothing set and no default login: not authenticated.
    assertEquals(out.code, 1, stderr);
    assertEquals(JSON.parse(stdout.trim()), {
      url: "https://api.staging.almyty.com",
      token: AWKWARD_KEY,
    });
    assertMatch(stderr, /^Not authenticated$/m);
  });
}

Deno.test("two reference servers on two ports as two environments: logout --profile a sends one DELETE, to A with A's key, and nothing to B", async () => {
  await withServer({}, async (a) => {
    await withServer({}, async (b) => {
      // Each server behind a recorder of what reaches it (method, path, key).
      const seen: Record<string, string[]> = { a: [], b: [] };
      const recorder = (name: "a" | "b", upstream: string) => async (request: Request) => {
        const url = new URL(request.url);
        seen[name].push(
          `${request.method} ${url.pathname} ${request.headers.get("authorization")}`,
        );
        const headers = new Headers(request.headers);
        headers.delete("host");
        const response = await fetch(upstream + url.pathname + url.search, {
          method: request.method,
          headers,
          body: request.body,
        });
        return new Response(await response.text(), response);
      };
      await withFakeServer(recorder("a", a.url), async (apiA) => {
        await withFakeServer(recorder("b", b.url), async (apiB) => {
          const home = scratchDir("almyty-home-");
          const keyA = await mintKey(a.url);
          const keyB = await mintKey(b.url);
          for (const [name, api, key] of [["a", apiA, keyA], ["b", apiB, keyB]] as const) {
            writeProfile(name, {
              url: api,
              token: key.apiKey,
              keyId: key.keyId,
              keyOrigin: "minted",
            }, { home, fs: denoFs });
          }
          const result = await runCli(["logout", "--profile", "a"], { home });
          assertEquals(result.code, 0, result.stderr);
          assertEquals(seen.b, [], "nothing reached B");
          assertEquals(seen.a.filter((r) => r.startsWith("DELETE")), [
            `DELETE /auth/api-keys/${keyA.keyId} Bearer ${keyA.apiKey}`,
          ]);
          assertEquals(seen.a.filter((r) => !r.endsWith(`Bearer ${keyA.apiKey}`)), []);
          const whoamiB = await runCli(["whoami", "--profile", "b"], { home });
          assertEquals(whoamiB.code, 0, whoamiB.stderr);
          assertEquals(seen.b, [`GET /auth/profile Bearer ${keyB.apiKey}`]);
          assertEquals((await runCli(["whoami", "--profile", "a"], { home })).code, 4);
        });
      });
    });
  });
});
