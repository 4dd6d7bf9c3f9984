/**
 * What a local second user, a hostile file system and a flood get through:
 * each test reproduces the attack (tests run as root, so another user's
 * files are made with chown) and checks the defence.
 */
import { assert, assertEquals, assertMatch } from "./helpers/assert.ts";
import { CliProcess, credsPath, homeWithFile, readBytes, runCli, tempHome } from "./helpers/cli.ts";
import { recordToken } from "./helpers/leaks.ts";
import { mintKey, withServer } from "./helpers/server.ts";
import { denoFs } from "../src/platform/deno_fs.ts";
import { nodeFs } from "../src/credentials/node_fs.ts";
import type { CredentialsFs } from "../src/credentials/fs.ts";
import { FsError } from "../src/credentials/fs.ts";
import {
  type CredentialsError,
  deleteCredentials,
  readCredentials,
  readProfile,
  writeCredentials,
  writeProfile,
} from "../src/credentials/mod.ts";
import { STALE_TEMP_MS } from "../src/credentials/atomic.ts";
import { World } from "./helpers/world.ts";
import { shellWord } from "../src/credentials/fix_hints.ts";
import { runScript, srcUrl } from "./helpers/script.ts";
import { scratchDir } from "./helpers/scratch.ts";

const OTHER_UID = 4242;
const READING = [["whoami"], ["token"], ["status"], ["doctor", "--api", "http://127.0.0.1:9"]];

/** Runs the CLI with a deadline: a hang is a failure, never a stuck suite. */
async function runWithin(ms: number, args: string[], home: string) {
  const cli = new CliProcess(args, { home });
  const timer = setTimeout(() => cli.child.kill("SIGKILL"), ms);
  const result = await cli.done;
  clearTimeout(timer);
  return result;
}

/**
 * Reads the credentials with the library on Node's and on Deno's file system,
 * in a child process killed after `ms`: a read that blocks (a FIFO opened)
 * fails the test instead of hanging the suite. Each read's error code.
 */
async function libraryReadWithin(ms: number, home: string): Promise<string[] | "hung"> {
  const script = `
    import { readCredentials } from "${srcUrl("credentials/mod.ts")}";
    import { nodeFs } from "${srcUrl("credentials/node_fs.ts")}";
    import { denoFs } from "${srcUrl("platform/deno_fs.ts")}";
    const codes = [];
    for (const fs of [nodeFs, denoFs]) {
      try {
        readCredentials({ home: Deno.args[0], fs });
        codes.push("read");
      } catch (error) {
        codes.push(error.code ?? String(error));
      }
    }
    console.log(JSON.stringify(codes));`;
  const { hung, stdout } = await runScript(script, { ms, args: [home] });
  return hung ? "hung" : JSON.parse(stdout);
}

Deno.test("a FIFO, a socket or a device at the credentials path: refused at once, never opened", async () => {
  const makers: [string, (path: string) => void][] = [
    ["fifo", (path) => new Deno.Command("mkfifo", { args: [path] }).outputSync()],
    ["socket", (path) => Deno.listen({ transport: "unix", path })],
    ["device", (path) => Deno.symlinkSync("/dev/zero", path)],
  ];
  for (const [kind, make] of makers) {
    const home = tempHome();
    Deno.mkdirSync(`${home}/.almyty`, { mode: 0o700 });
    make(credsPath(home));
    // The library (both file systems) refuses as well, without blocking.
    assertEquals(await libraryReadWithin(10_000, home), ["not-a-file", "not-a-file"], kind);
    // logout last: it removes what it cannot use (nothing is opened or revoked).
    for (const args of [...READING, ["login", "--with-token"], ["logout"]]) {
      const result = await runWithin(10_000, args, home);
      assert(result.code !== 0 || args[0] === "logout", `${kind} ${args[0]}: ${result.stderr}`);
      assert(result.code !== 137, `${kind}: ${args[0]} hung`);
      assertMatch(result.stderr + result.stdout, /not a regular file/, `${kind} ${args[0]}`);
    }
  }
});

Deno.test("files owned by someone else are not trusted: the file, the folder, a folder others can write", async () => {
  await withServer({}, async (server) => {
    const { apiKey } = await mintKey(server.url);
    recordToken(apiKey);
    const planted = JSON.stringify({ url: server.url, token: apiKey });
    // (a) the file belongs to another user
    const a = homeWithFile(planted);
    Deno.chownSync(a.path, OTHER_UID, OTHER_UID);
    // (b) ~/.almyty belongs to another user
    const b = homeWithFile(planted);
    Deno.chownSync(`${b.home}/.almyty`, OTHER_UID, OTHER_UID);
    // (c) ~/.almyty is writable by everyone
    const c = homeWithFile(planted);
    Deno.chmodSync(`${c.home}/.almyty`, 0o777);
    const cases: [string, RegExp][] = [
      [a.home, new RegExp(`belongs to another user \\(uid ${OTHER_UID}; you are uid 0\\)`)],
      [b.home, /\.almyty belongs to another user/],
      [c.home, /\.almyty is writable by other users \(mode 777\)[\s\S]*chmod 700/],
    ];
    for (const [home, message] of cases) {
      const whoami = await runCli(["whoami"], { home });
      assertEquals(whoami.code, 1, whoami.stderr);
      assertMatch(whoami.stderr, message);
      assert(!whoami.stdout.includes("Logged in as"), "never acts as the planted account");
      const doctor = await runCli(["doctor", "--api", server.url], { home });
      assertMatch(doctor.stdout, message);
      assert(
        !/chmod 600/.test(doctor.stdout),
        "never advises chmod on a file the user does not own",
      );
      const login = await runCli(["login", "--with-token", "--api", server.url], {
        home,
        stdin: apiKey,
      });
      assertEquals(login.code, 1, "login refuses before saving anything");
      assertMatch(login.stderr, message);
    }
    assertEquals(readBytes(a.path), a.bytes);
  });
});

/** The library (on both file systems) refuses the login file under `home` as not trusted. */
function assertUntrusted(home: string, what: string): void {
  for (const fs of [nodeFs, denoFs]) {
    let error: unknown;
    try {
      readCredentials({ home, fs });
    } catch (e) {
      error = e;
    }
    assertEquals((error as CredentialsError).code, "untrusted", what);
  }
}

Deno.test("a login file its group or others can write (0666, 0620) in a ~/.almyty they can enter (0711) is not trusted: they could have put their key, or their API for your key, in it", async () => {
  const token = "almyty_" + "6".repeat(64);
  recordToken(token);
  for (const mode of [0o666, 0o620, 0o602]) {
    const octal = mode.toString(8);
    const { home, path, bytes } = homeWithFile(
      JSON.stringify({ url: "http://127.0.0.1:9", token }),
    );
    Deno.chmodSync(`${home}/.almyty`, 0o711);
    Deno.chmodSync(path, mode);
    assertUntrusted(home, octal);
    const message = new RegExp(
      `credentials\\.json is writable by other users \\(mode ${octal}\\)[\\s\\S]*chmod 600`,
    );
    // It was used, with only "readable by other users" said: the key sent to whatever url it held.
    const whoami = new World({}, home);
    assertEquals(await whoami.run(["whoami"]), 1, octal);
    assertMatch(whoami.stderr, message);
    assertEquals(whoami.requests, [], octal);
    const login = new World({}, home);
    login.stdinText = "almyty_" + "8".repeat(64);
    assertEquals(await login.run(["login", "--with-token", "--api", "http://127.0.0.1:9"]), 1);
    assertMatch(login.stderr, message);
    assertEquals(readBytes(path), bytes, `${octal}: the file is untouched`);
  }
  // A pending two-step login too: its API and token endpoint are where --continue goes.
  const world = new World();
  Deno.mkdirSync(`${world.home}/.almyty/pending`, { recursive: true, mode: 0o700 });
  const pending = `${world.home}/.almyty/pending/default.json`;
  Deno.writeTextFileSync(pending, "{}", { mode: 0o600 });
  Deno.chmodSync(pending, 0o622);
  assertEquals(await world.run(["login", "--continue"]), 1, world.stderr);
  assertMatch(world.stderr, /default\.json is writable by other users \(mode 622\)/);
  assertEquals(world.requests, []);
});

Deno.test("a ~/.almyty its group can write (0770, 0775) is not trusted either", async () => {
  const token = "almyty_" + "7".repeat(64);
  recordToken(token);
  for (const mode of [0o770, 0o775, 0o720]) {
    const octal = mode.toString(8);
    const { home, path, bytes } = homeWithFile(
      JSON.stringify({ url: "http://127.0.0.1:9", token }),
    );
    Deno.chmodSync(`${home}/.almyty`, mode);
    assertUntrusted(home, octal);
    const message = new RegExp(
      `\\.almyty is writable by other users \\(mode ${octal}\\)[\\s\\S]*chmod 700`,
    );
    const whoami = new World({}, home);
    assertEquals(await whoami.run(["whoami"]), 1, octal);
    assertMatch(whoami.stderr, message);
    const login = new World({}, home);
    login.stdinText = "almyty_" + "8".repeat(64);
    assertEquals(await login.run(["login", "--with-token", "--api", "http://127.0.0.1:9"]), 1);
    assertMatch(login.stderr, message);
    assertEquals(readBytes(path), bytes, `${octal}: the file is untouched`);
  }
});

Deno.test("a profile is not trusted in a ~/.almyty that others or its group may write (0777, 0775, 0770)", async () => {
  const token = "almyty_" + "6".repeat(64);
  recordToken(token);
  for (const mode of [0o777, 0o775, 0o770]) {
    const octal = mode.toString(8);
    const home = tempHome();
    const path = writeProfile("staging", { url: "http://127.0.0.1:9", token }, {
      home,
      fs: denoFs,
    });
    const bytes = readBytes(path);
    Deno.chmodSync(`${home}/.almyty`, mode);
    for (const fs of [nodeFs, denoFs]) {
      let error: unknown;
      try {
        readProfile("staging", { home, fs });
      } catch (e) {
        error = e;
      }
      assertEquals((error as CredentialsError).code, "untrusted", octal);
    }
    const message = new RegExp(
      `\\.almyty is writable by other users \\(mode ${octal}\\)[\\s\\S]*chmod 700`,
    );
    const token_ = new World({}, home);
    assertEquals(await token_.run(["token", "--profile", "staging"]), 1, octal);
    assertMatch(token_.stderr, message);
    assertEquals(token_.stdout, "", "no token printed");
    const login = new World({}, home);
    login.stdinText = "almyty_" + "5".repeat(64);
    const relogin = [
      "login",
      "--with-token",
      "--profile",
      "staging",
      "--api",
      "http://127.0.0.1:9",
    ];
    assertEquals(await login.run(relogin), 1, octal);
    assertMatch(login.stderr, message);
    assertEquals(readBytes(path), bytes, `${octal}: the profile is untouched`);
  }
});

/** A file system whose `writeNew` writes part of the file, then fails like a full disk or EIO. */
function failingFs(code: "EIO" | "ENOSPC"): CredentialsFs {
  return {
    ...denoFs,
    writeNew: (path, text, mode) => {
      denoFs.writeNew(path, text.slice(0, text.length / 2), mode); // part of the token reached disk
      throw new FsError(code, `${code}: ${path}`);
    },
  };
}

function leftovers(home: string): string[] {
  return [...Deno.readDirSync(`${home}/.almyty`)].map((e) => e.name).filter((n) =>
    n.endsWith(".tmp")
  );
}

Deno.test("temp files never keep the token: EIO and ENOSPC while writing remove it", () => {
  for (const code of ["EIO", "ENOSPC"] as const) {
    const home = tempHome();
    writeCredentials({ url: "https://api.almyty.com", token: "almyty_old" }, { home });
    let error: unknown;
    try {
      writeCredentials({ url: "https://api.almyty.com", token: "almyty_" + "n".repeat(64) }, {
        home,
        fs: failingFs(code),
      });
    } catch (e) {
      error = e;
    }
    assertEquals((error as CredentialsError).code, "write-failed", code);
    assertMatch((error as Error).message, new RegExp(code));
    assertEquals(leftovers(home), [], `${code} left a temp file`);
    assertEquals(readCredentials({ home })!.token, "almyty_old", "the old file is intact");
  }
});

Deno.test("temp files a crash left (SIGKILL mid-save) are swept by the next write and by logout", async () => {
  const home = tempHome();
  writeCredentials({ url: "https://api.almyty.com", token: "almyty_old" }, { home });
  // A writer killed between writing its temp file and the rename.
  const script = `
    import { writeCredentials } from "${
    new URL("../src/credentials/mod.ts", import.meta.url).href
  }";
    import { denoFs } from "${new URL("../src/platform/deno_fs.ts", import.meta.url).href}";
    const fs = { ...denoFs, rename: () => { console.log("written"); for (;;) {} } };
    writeCredentials({ url: "u", token: "almyty_${"k".repeat(64)}" }, { home: Deno.args[0], fs });`;
  const file = `${home}/crashing-writer.ts`;
  Deno.writeTextFileSync(file, script);
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", file, home],
    stdout: "piped",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  assertMatch((await reader.read()).value ?? "", /written/);
  child.kill("SIGKILL");
  await child.status;
  reader.releaseLock();
  await child.stdout.cancel().catch(() => {});
  const [temp] = leftovers(home);
  assert(temp, "the crash left a temp file holding the token");
  // A fresh temp file may be a concurrent writer's: left alone. An old one is a leftover.
  writeCredentials({ url: "https://api.almyty.com", token: "almyty_new" }, { home });
  assertEquals(leftovers(home), [temp], "a fresh temp file is never swept");
  const old = new Date(Date.now() - STALE_TEMP_MS - 5000);
  Deno.utimeSync(`${home}/.almyty/${temp}`, old, old);
  writeCredentials({ url: "https://api.almyty.com", token: "almyty_newer" }, { home });
  assertEquals(leftovers(home), [], "the next write swept it");
  // And logout (the CLI) sweeps one too.
  Deno.writeTextFileSync(`${home}/.almyty/.credentials.json.0123456789ab.tmp`, "almyty_secret", {
    mode: 0o600,
  });
  Deno.utimeSync(`${home}/.almyty/.credentials.json.0123456789ab.tmp`, old, old);
  const logout = await runCli(["logout"], { home });
  assertEquals(logout.code, 0);
  assertEquals(leftovers(home), []);
  assertEquals(deleteCredentials({ home }), false);
  // A first save of a profile, or of a pending login, killed: no login file beside its temp
  // file, so nothing for logout --all to log out of; it sweeps them too (they were left).
  const orphans = [`profiles/.ci.json.0123456789ab.tmp`, `pending/.ops.json.0123456789ab.tmp`];
  for (const orphan of orphans) {
    const path = `${home}/.almyty/${orphan}`;
    Deno.mkdirSync(path.slice(0, path.lastIndexOf("/")), { recursive: true, mode: 0o700 });
    Deno.writeTextFileSync(path, "almyty_secret", { mode: 0o600 });
    Deno.utimeSync(path, old, old);
  }
  const all = await runCli(["logout", "--all"], { home });
  assertEquals(all.code, 0, all.stderr);
  for (const orphan of orphans) {
    assertEquals(existsPath(`${home}/.almyty/${orphan}`), false, `${orphan} stayed`);
  }
});

Deno.test("SIGTERM or SIGHUP in the middle of a save (under the login file's lock) waits for the write: the new file is whole, no temp file stays, and the process ends by the signal", async () => {
  for (const [signal, number] of [["SIGTERM", 15], ["SIGHUP", 1]] as const) {
    const home = tempHome();
    writeCredentials({ url: "https://api.almyty.com", token: "almyty_old" }, { home });
    const token = "almyty_" + "s".repeat(64);
    recordToken(token);
    // The CLI's save: under withLoginLock, through the real context. Its temp file is written;
    // the rename waits (a synchronous loop, as a slow disk would) until the test has signalled.
    const script = `
      import { writeCredentials } from "${srcUrl("credentials/mod.ts")}";
      import { denoFs } from "${srcUrl("platform/deno_fs.ts")}";
      import { denoContext } from "${srcUrl("runtime/deno_context.ts")}";
      import { withLoginLock } from "${srcUrl("runtime/login_lock.ts")}";
      const [home, signalled] = Deno.args;
      const fs = {
        ...denoFs,
        rename(from, to) {
          console.log("written");
          for (;;) {
            try { Deno.statSync(signalled); break; } catch { /* not yet */ }
          }
          denoFs.rename(from, to);
        },
      };
      const ctx = denoContext(new AbortController().signal);
      await withLoginLock(ctx, home + "/.almyty/credentials.json", async () => {
        writeCredentials({ url: "https://api.almyty.com", token: "${token}" }, { home, fs });
        // What a save does next (revoking the key it replaced) takes its time.
        await new Promise((resolve) => setTimeout(resolve, 60_000));
      });`;
    const file = `${home}/saving.js`;
    Deno.writeTextFileSync(file, script);
    const signalled = `${home}/signalled`;
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", file, home, signalled],
      stdout: "piped",
    }).spawn();
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    assertMatch((await reader.read()).value ?? "", /written/);
    child.kill(signal);
    Deno.writeTextFileSync(signalled, "");
    const status = await child.status;
    reader.releaseLock();
    await child.stdout.cancel().catch(() => {});
    assertEquals([status.signal, status.code], [signal, 128 + number]);
    assertEquals(leftovers(home), [], `${signal} left a temp file holding the token`);
    assertEquals(
      JSON.parse(Deno.readTextFileSync(credsPath(home))).token,
      token,
      "the save finished",
    );
  }
});

/** Opens a POST that announces 1000 bytes and sends 3; returns the open connection. */
async function stalledPost(port: number, path: string): Promise<Deno.TcpConn> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(
    new TextEncoder().encode(
      `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\n` +
        `Content-Length: 1000\r\n\r\n{"t`,
    ),
  );
  return conn;
}

Deno.test("a stalled upload to the listener holds neither --timeout nor Ctrl-C", async () => {
  await withServer({ legacy: true }, async (server) => {
    const hook = (await import("./helpers/browser.ts")).browserHook();
    for (const ending of ["timeout", "ctrl-c"] as const) {
      const { home, path, bytes } = homeWithFile();
      const cli = new CliProcess(["login", "--timeout", "3", "--api", server.url], {
        home,
        env: hook.env,
      });
      const url = new URL(await hook.nextUrl());
      const port = Number(new URL(url.searchParams.get("callback")!).port);
      const conn = await stalledPost(port, "/cb-complete");
      await cli.waitFor(/Waiting for the browser/);
      const started = performance.now();
      if (ending === "ctrl-c") cli.child.kill("SIGINT"); // once
      const killer = setTimeout(() => cli.child.kill("SIGKILL"), 15_000);
      const result = await cli.done;
      clearTimeout(killer);
      const took = performance.now() - started;
      conn.close();
      assertEquals(result.code, ending === "ctrl-c" ? 130 : 1, result.stderr);
      assert(took < 8000, `${ending}: the CLI took ${Math.round(took)} ms to stop`);
      assertEquals(readBytes(path), bytes);
    }
  });
});

Deno.test("the reference server stops on SIGTERM despite a stalled upload", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["task", "--quiet", "server", "--port", "0"],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const first = (await lines.read()).value ?? "";
  const port = Number(/:(\d+)/.exec(first)?.[1]);
  const conn = await stalledPost(port, "/auth/login");
  await new Promise((resolve) => setTimeout(resolve, 100)); // the request is in flight
  const started = performance.now();
  child.kill("SIGTERM");
  const killer = setTimeout(() => child.kill("SIGKILL"), 15_000);
  const status = await child.status;
  clearTimeout(killer);
  conn.close();
  lines.releaseLock();
  await child.stdout.cancel().catch(() => {});
  await child.stderr.cancel().catch(() => {});
  assertEquals(status.code, 0);
  assert(performance.now() - started < 5000, "it waited for the stalled request");
});

Deno.test("an ALMYTY_URL with credentials in it is never echoed, by any command's hints", async () => {
  const secret = "s3cret-in-the-url";
  const env = { ALMYTY_URL: `https://user:${secret}@api.example.com` };
  const none = new World(env);
  assertEquals(await none.run(["whoami"]), 4);
  assertMatch(none.stderr, /Not authenticated\. Run one of:\n {2}almyty-auth login\n/);
  const { home } = homeWithFile(
    JSON.stringify({ url: "http://127.0.0.1:9", token: "almyty_" + "1".repeat(64) }),
  );
  for (const args of [["status", "--offline"], ["status", "--offline", "--json"], ["doctor"]]) {
    const world = new World(env, home);
    await world.run(args);
    const shown = world.stdout + world.stderr;
    assertMatch(shown, /ALMYTY_URL/, `${args.join(" ")} mentions the variable`);
    assert(!shown.includes(secret), `${args.join(" ")} echoed it:\n${shown}`);
  }
});

Deno.test("a token reaches only token's stdout: never another command's output, nor token's stderr", async () => {
  const world = new World();
  const server = world.referenceServer();
  const { apiKey } = server.store.mintKey(server.store.userByEmail("alice@example.com")!, "CI");
  recordToken(apiKey);
  const commands = [
    ["login", "--with-token", "--api", server.url],
    ["whoami"],
    ["status"],
    ["status", "--json"],
    ["doctor"],
    ["token"],
    ["logout"],
  ];
  for (const argv of commands) {
    const run = world.again();
    run.stdinText = apiKey;
    run.mayPrintToken = argv[0] === "token"; // its stdout is the one place the token goes
    const code = await run.run(argv);
    if (argv[0] !== "doctor" && argv[0] !== "status") assertEquals(code, 0, run.stderr);
    const shown = argv[0] === "token" ? run.stderr : run.stdout + run.stderr;
    assert(!shown.includes(apiKey), `${argv.join(" ")} showed the token:\n${shown}`);
    if (argv[0] === "token") assertEquals(run.stdout, apiKey + "\n");
  }
});

/**
 * The words a POSIX shell makes of a hint pasted into it, its program replaced by one that
 * prints them; and whether anything else ran (a `touch pwned` in the hint's folder).
 */
async function pasted(hint: string): Promise<{ words: string[]; ran: boolean }> {
  const dir = scratchDir();
  const program = /^(almyty-auth|rm|chmod|mv) /.exec(hint);
  assert(program, `not a command: ${hint}`);
  const out = await new Deno.Command("sh", {
    args: [
      "-c",
      `w() { for a in "$@"; do printf '%s\\0' "$a"; done; }; w ${hint.slice(program[0].length)}`,
    ],
    cwd: dir,
    stdout: "piped",
    stderr: "null",
  }).output();
  const words = new TextDecoder().decode(out.stdout).split("\0").slice(0, -1);
  let ran = true;
  try {
    Deno.statSync(`${dir}/pwned`);
  } catch {
    ran = false;
  }
  return { words, ran };
}

Deno.test("a hint pasted into a shell runs only itself: a folder, a home or an API named like a command stays one word", async () => {
  const hostile = "x;touch pwned;#$(touch pwned)`touch pwned` 'q'";
  const world = new World();
  const repo = `${world.home}/src/${hostile}`;
  Deno.mkdirSync(repo, { recursive: true });
  const file = `${repo}/.almyty-profile`;
  Deno.writeTextFileSync(file, '{"profile": "staging"}', { mode: 0o600 });
  world.cwd = repo;
  const cases: [string, RegExp, string[]][] = [];
  assertEquals(await world.run(["whoami"]), 4, world.stderr);
  cases.push([world.stderr, /trust it: (almyty-auth .*)\n/, ["profile", "trust", repo]]);
  Deno.chmodSync(file, 0o666);
  assertEquals(await world.again().run(["whoami"]), 4, world.stderr);
  cases.push([world.stderr, /Fix it with: (chmod .*?) Nothing was sent/, ["go-w", file]]);
  // A home folder whose name holds a space and worse; a file in it to remove.
  const home = `${scratchDir()}/John ${hostile}`;
  const odd = new World({}, home);
  Deno.mkdirSync(`${home}/.almyty`, { recursive: true, mode: 0o700 });
  Deno.writeTextFileSync(`${home}/.almyty/directories.json`, "[", { mode: 0o600 });
  assertEquals(await odd.run(["whoami"]), 1, odd.stderr);
  cases.push([odd.stderr, /remove it \((rm .*)\), then/, [`${home}/.almyty/directories.json`]]);
  // An API whose path holds a command substitution (what a URL's path may keep).
  const api = "http://127.0.0.1:9/x$(touch$IFS'pwned')";
  const agent = new World();
  assertEquals(await agent.run(["login", "--continue", "--api", api]), 1, agent.stderr);
  cases.push([agent.stderr, /Start one: (almyty-auth .*)\n/, ["login", "--no-wait", "--api", api]]);
  // On Windows, as its other hints: double quotes when needed (cmd and PowerShell).
  assertEquals(shellWord("C:\\Users\\al\\src", "win32"), "C:\\Users\\al\\src");
  assertEquals(shellWord("C:\\Users\\Al Smith\\src", "win32"), '"C:\\Users\\Al Smith\\src"');
  // PowerShell runs $(…) inside double quotes and ends them at a smart quote: its literal quotes
  // then, unless cmd.exe would run something in the bare word: no word at all.
  assertEquals(shellWord("C:\\src\\50%", "win32"), '"C:\\src\\50%"');
  assertEquals(shellWord("C:\\src\\$(calc)", "win32"), "'C:\\src\\$(calc)'");
  assertEquals(shellWord("C:\\src\\x\u201D;calc", "win32"), "'C:\\src\\x\u201D;calc'");
  assertEquals(shellWord("C:\\src\\it's \u2019$x", "win32"), "'C:\\src\\it''s \u2019\u2019$x'");
  assertEquals(shellWord("C:\\src\\a&calc&$(calc)", "win32"), "<path>");
  for (const [stderr, pattern, words] of cases) {
    const hint = stderr.match(pattern)?.[1];
    assert(hint, `${pattern}: no hint in\n${stderr}`);
    assertEquals(await pasted(hint), { words, ran: false }, hint);
  }
});

Deno.test("the demo's temporary HOME (where its login saves a key) goes when the demo is interrupted, not only when it ends", async () => {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    const tmp = scratchDir("almyty-demo-signal-");
    const demo = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", new URL("../scripts/demo.ts", import.meta.url).pathname],
      env: { TMPDIR: tmp },
      stdin: "null",
      stdout: "piped",
      stderr: "null",
    }).spawn();
    const reader = demo.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let out = "";
    let home: string | undefined;
    while (home === undefined) {
      const { value, done } = await reader.read();
      if (done) break;
      out += value;
      home = /HOME for this demo: (\S+)/.exec(out)?.[1];
    }
    assert(home !== undefined && home.startsWith(tmp), out);
    assert(Deno.statSync(home).isDirectory);
    demo.kill(signal);
    await reader.cancel();
    const status = await demo.status;
    assert(!status.success, signal);
    assert(!existsPath(home), `${signal}: ${home} is still there`);
  }
});

function existsPath(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

Deno.test("a key typed where an argument, a URL or a number belongs is never echoed: `login $KEY`, `login --with-token $KEY`, `login --api $KEY` (it was quoted, 60 of its 71 characters or whole)", async () => {
  const key = "almyty_" + "0123456789abcdef".repeat(4);
  const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlc2lnbmF0dXJl";
  for (const secret of [key, jwt]) {
    for (
      const argv of [
        ["login", secret],
        ["login", "--with-token", secret],
        ["logout", "--", secret],
        [secret],
        ["login", "--api", secret],
        ["login", "--profile", "ci", `--api=${secret}`],
        ["login", "--frontend", secret],
        ["login", "--timeout", secret],
        ["whoami", "--api", secret],
        ["profile", secret],
        ["exec", "--profile", secret],
        ["env", "--shell", secret],
        ["completions", secret],
        ["completions", "bash", secret],
        ["profile", "trust", secret],
        ["profile", "bind", "ci", secret],
        // One inside what was typed: as `env` takes it, or a header pasted whole.
        ["login", `ALMYTY_TOKEN=${secret}`],
        ["whoami", `Authorization: Bearer ${secret}`],
        ["env", `--shell=ALMYTY_TOKEN=${secret}`],
        // The URL forgotten before a flag holding the key: `login --api --token=$KEY`.
        ["login", "--api", `--token=${secret}`],
        // Where a URL's message would show the host, or a value holding the key.
        ["login", "--api", `http://${secret}:1/`],
        ["login", "--api", `ALMYTY_TOKEN=${secret}`],
      ]
    ) {
      const world = new World();
      const code = await world.run(argv);
      const shown = argv.map((word) => word.replace(secret, "<key>")).join(" ");
      assertEquals(code, 2, `${shown}: ${world.stderr}`);
      assert(
        !world.stderr.includes(secret.slice(0, 16)),
        `${shown} echoed the key: ${world.stderr}`,
      );
      assertEquals(world.stdout, "");
      assertEquals(world.requests, [], shown);
    }
  }
  const world = new World();
  assertEquals(await world.run(["login", key]), 2);
  assertMatch(world.stderr, /an API key or token \(not shown here\)\. A key is never an argument/);
  assertMatch(world.stderr, /pipe it to almyty-auth login --with-token, or set ALMYTY_TOKEN/);
  // The hint keeps the login and API typed: pasted, the key goes to that API and that profile.
  const staging = new World();
  assertEquals(
    await staging.run(["login", "--profile", "ci", "--api", "http://127.0.0.1:9", key]),
    2,
  );
  assertMatch(
    staging.stderr,
    /pipe it to almyty-auth login --with-token --profile ci --api http:\/\/127\.0\.0\.1:9, or set/,
  );
  assertEquals(staging.requests, []);
  const api = new World();
  assertEquals(await api.run(["login", "--api", key]), 2);
  assertMatch(api.stderr, /--api holds an API key or token, not a URL \(not shown here\)/);
  // An ordinary mistyped word is still quoted.
  const typo = new World();
  assertEquals(await typo.run(["login", "extra"]), 2);
  assertMatch(typo.stderr, /Unexpected argument "extra"\./);
  // The program exec cannot find is named as shells name it, unless it is a key (`exec -- $KEY`).
  const exec = new World({ ALMYTY_TOKEN: "almyty_" + "f".repeat(64) });
  exec.onForeground = () => ({ failed: "not-found", message: "command not found" });
  // Also `exec -- ALMYTY_TOKEN=$KEY prog`, as `env VAR=value prog` is typed.
  for (const secret of [key, jwt, `ALMYTY_TOKEN=${key}`]) {
    assertEquals(await exec.run(["exec", "--", secret]), 127);
    assert(!exec.stderr.includes(key.slice(0, 16)), `exec echoed the key: ${exec.stderr}`);
    assert(!exec.stderr.includes(jwt.slice(0, 16)), `exec echoed the key: ${exec.stderr}`);
    assertMatch(
      exec.stderr,
      /almyty-auth exec: an API key or token \(not shown here\): command not found/,
    );
  }
  // A folder that does not exist is still named whole (a path longer than a quote's 60 characters).
  const folder = `${new World().home}/${"long-folder-name/".repeat(4)}missing`;
  const trust = new World();
  assertEquals(await trust.run(["profile", "trust", folder]), 2);
  assertMatch(trust.stderr, new RegExp(`Cannot use the folder ${folder}: it does not exist`));
});
