/**
 * Windows and macOS facts the CLI depends on, simulated on Linux: a file
 * system with Windows' facts (tests/helpers/windows_fs.ts: Windows paths, no
 * owner uid, mode 0666, renames refused while another program holds the
 * file, reparse points), and macOS's lack of getent for `status`.
 */
import { assert, assertEquals, assertMatch } from "./helpers/assert.ts";
import { credsPath, homeWithFile, runCli } from "./helpers/cli.ts";
import { WindowsFs } from "./helpers/windows_fs.ts";
import { mintedKey, World } from "./helpers/world.ts";
import { denoLocker } from "../src/platform/lock.ts";
import { REPLACE_BACKOFF_MS } from "../src/credentials/atomic.ts";
import { FsError } from "../src/credentials/fs.ts";
import { CredentialsError } from "../src/credentials/types.ts";
import { writeCredentialsWith, writeProfileWith } from "../src/credentials/write.ts";
import { denoFs } from "../src/platform/deno_fs.ts";
import {
  type ForegroundSystem,
  REPEAT_KEY_MS,
  runForeground,
  signalForwarder,
} from "../src/platform/foreground.ts";
import { scratchDir } from "./helpers/scratch.ts";

const PROFILE = "C:\\Users\\alice";
const FILE = `${PROFILE}\\.almyty\\credentials.json`;

/** A world on Windows: USERPROFILE, Windows' file facts, the lock taken where the file really is. */
function windowsWorld() {
  const fs = new WindowsFs();
  const world = new World({ USERPROFILE: PROFILE });
  world.fs = fs;
  world.locker = (path, options) => denoLocker(fs.real(path), options);
  return { world, fs, server: world.referenceServer() };
}

Deno.test("Windows: a folder typed in another case (`cd c:\\users\\alice\\work\\app`) is still the folder bound to a login, and its trusted .almyty-profile still trusted: never the default login's key there", async () => {
  const work = `${PROFILE}\\Work`;
  for (const choose of ["bind", "trust"]) {
    const fs = new WindowsFs("c:\\users\\alice\\work\\app");
    fs.mkdirp(`${work}\\app`, 0o700);
    const world = new World({ USERPROFILE: PROFILE });
    world.fs = fs;
    world.locker = (path, options) => denoLocker(fs.real(path), options);
    const io = { fs, env: world.env };
    const login = (token: string) => ({ url: "https://api.almyty.com", token });
    writeProfileWith(io, "default", login("almyty_DEFAULTLOGIN0000000000000"));
    writeProfileWith(io, "staging", login("almyty_STAGINGLOGIN0000000000000"));
    if (choose === "trust") {
      fs.writeNew(`${work}\\.almyty-profile`, '{"profile": "staging"}', 0o600);
    }
    assertEquals(
      await world.run(["profile", choose, ...(choose === "bind" ? ["staging"] : []), work]),
      0,
      world.stderr,
    );
    world.mayPrintToken = true;
    const token = world.again();
    token.mayPrintToken = true;
    // The binding applied to C:\\Users\\alice\\Work only: here the default login's key was
    // printed (and the trusted file was "not trusted", exit 4).
    assertEquals(await token.run(["token"]), 0, `${choose}: ${token.stderr}`);
    assertEquals(token.stdout, "almyty_STAGINGLOGIN0000000000000\n", choose);
  }
});

Deno.test("Windows: a credentials file another program holds open is replaced after a short retry (EPERM once)", async () => {
  const { world, fs, server } = windowsWorld();
  world.stdinText = await mintedKey(world, server.url);
  fs.renameRefusals = ["EPERM"];
  assertEquals(await world.run(["login", "--with-token", "--api", server.url]), 0, world.stderr);
  assertEquals(fs.pauses, [REPLACE_BACKOFF_MS[0]]);
  assertEquals(JSON.parse(Deno.readTextFileSync(fs.real(FILE))).email, "alice@example.com");
});

Deno.test("Windows: still held open after about 2 s: one clear error naming what to close; the old file intact, no temp file", async () => {
  const { world, fs, server } = windowsWorld();
  Deno.mkdirSync(fs.real(`${PROFILE}\\.almyty`), { recursive: true });
  Deno.writeTextFileSync(fs.real(FILE), '{"url":"https://api.almyty.com","token":"almyty_old"}');
  const before = Deno.readFileSync(fs.real(FILE));
  world.stdinText = await mintedKey(world, server.url);
  fs.renameRefusals = Array(REPLACE_BACKOFF_MS.length + 1).fill("EBUSY");
  assertEquals(await world.run(["login", "--with-token", "--api", server.url]), 1);
  assertMatch(
    world.stderr,
    /Cannot replace C:\\Users\\alice\\\.almyty\\credentials\.json: another program keeps it open \(EBUSY\)[^\n]*Close it and try again/,
  );
  assert(!/Unexpected error/.test(world.stderr), world.stderr);
  const waited = fs.pauses.reduce((a, b) => a + b, 0);
  assert(waited >= 1900 && waited <= 2100, `backoff ${waited} ms`);
  assertEquals(Deno.readFileSync(fs.real(FILE)), before);
  const left = Deno.readDirSync(fs.real(`${PROFILE}\\.almyty`)).map((e) => e.name).toArray();
  assert(!left.some((name) => name.endsWith(".tmp")), `a temp file is left: ${left}`);
});

Deno.test("Windows: status and doctor say what protects the file (the profile folder's ACL), never 'mode 0666, owner uid null'", async () => {
  const { world, fs } = windowsWorld();
  Deno.mkdirSync(fs.real(`${PROFILE}\\.almyty`), { recursive: true });
  Deno.writeTextFileSync(
    fs.real(FILE),
    JSON.stringify({ url: "https://api.almyty.com", token: "almyty_0123456789abcdef01234567" }),
  );
  await world.run(["status", "--offline"]);
  assertMatch(
    world.stderr + world.stdout,
    /File: +C:\\Users\\alice\\\.almyty\\credentials\.json \(protected by the ACL of your profile folder C:\\Users\\alice \(by default only you, SYSTEM and Administrators; not checked here: icacls "C:\\Users\\alice" shows it\)\)/,
  );
  assert(!/mode 0?666|uid null/.test(world.stderr + world.stdout), world.stdout);
  const doctor = new World({ USERPROFILE: PROFILE });
  doctor.fs = fs;
  await doctor.run(["doctor", "--json", "--api", "http://127.0.0.1:9"]);
  const checks = JSON.parse(doctor.stdout) as { name: string; detail: string }[];
  const file = checks.find((c) => c.name === "Credentials file")!;
  assertMatch(file.detail, /parses; protected by the ACL of your profile folder C:\\Users\\alice/);
  assert(!/private \(mode/.test(file.detail), file.detail);
});

Deno.test("Windows: hints give cmd/PowerShell commands; a reparse point (OneDrive online-only file) is named as such", async () => {
  const { world, fs, server } = windowsWorld();
  Deno.mkdirSync(fs.real(`${PROFILE}\\.almyty`), { recursive: true });
  Deno.writeTextFileSync(fs.real(FILE), "{}");
  fs.reparsePoints.add(FILE);
  world.stdinText = await mintedKey(world, server.url);
  assertEquals(await world.run(["login", "--with-token", "--api", server.url]), 1);
  assertMatch(
    world.stderr,
    /credentials\.json is a symbolic link or another reparse point \(a OneDrive online-only file, a junction\); refusing to write through it\. Remove it \(del "C:\\Users\\alice\\\.almyty\\credentials\.json"\)/,
  );
  // A folder where the file should be: `move`, not `mv`.
  Deno.removeSync(fs.real(FILE));
  Deno.mkdirSync(fs.real(FILE));
  const notAFile = new World({ USERPROFILE: PROFILE });
  notAFile.fs = fs;
  assertEquals(await notAFile.run(["whoami"]), 1);
  assertMatch(
    notAFile.stderr,
    /Move it aside \(move "C:\\Users\\alice\\\.almyty\\credentials\.json" "C:\\Users\\alice\\\.almyty\\credentials\.json\.bak"\)/,
  );
  assert(!/\b(mv|rm|chmod) /.test(world.stderr + notAFile.stderr));
});

Deno.test("macOS has no getent: status names the file's owner through id -nu", async () => {
  const { home } = homeWithFile();
  // A PATH with `id` but no getent, as on macOS.
  const bin = scratchDir();
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    try {
      Deno.symlinkSync(`${dir}/id`, `${bin}/id`);
      Deno.statSync(`${bin}/id`);
      break;
    } catch {
      try {
        Deno.removeSync(`${bin}/id`);
      } catch { /* nothing there */ }
    }
  }
  const me = new TextDecoder().decode(new Deno.Command("id", { args: ["-nu"] }).outputSync().stdout)
    .trim();
  const status = await runCli(["status", "--offline"], { home, env: { PATH: bin } });
  assertMatch(
    status.stdout + status.stderr,
    new RegExp(`File: +${credsPath(home)} \\(mode 0600, owner ${me} \\(uid ${Deno.uid()}\\)\\)`),
  );
});

Deno.test("on Linux and macOS a refused rename is a permission problem: no retry, no wait", () => {
  const pauses: number[] = [];
  const fs = {
    ...denoFs,
    rename: () => {
      throw new FsError("EACCES", "EACCES: permission denied, rename");
    },
    pause: (ms: number) => pauses.push(ms),
  };
  const home = scratchDir();
  let error: unknown;
  try {
    writeCredentialsWith({ url: "https://api.almyty.com", token: "almyty_x" }, { fs, home });
  } catch (e) {
    error = e;
  }
  assert(error instanceof CredentialsError && error.code === "write-failed", String(error));
  assertMatch(error.message, /Cannot write .*credentials\.json: permission denied \(EACCES\)\./);
  assertEquals(pauses, []);
});

Deno.test("exec's signals: at a terminal, Ctrl-C and Ctrl-\\ are passed on only when pressed again within 3 s; SIGTERM and SIGHUP always; without a terminal, everything", () => {
  let now = 0;
  const atTerminal = signalForwarder(true, () => now);
  assertEquals(atTerminal("SIGINT"), false, "the terminal gave the program its own");
  now += REPEAT_KEY_MS;
  assertEquals(atTerminal("SIGINT"), true, "pressed again: the program may not have had it");
  now += REPEAT_KEY_MS + 1;
  assertEquals(atTerminal("SIGINT"), false, "a later Ctrl-C (a REPL's next interrupt) is one");
  assertEquals(atTerminal("SIGQUIT"), true, "Ctrl-\\ right after Ctrl-C: pressed again");
  for (const signal of ["SIGTERM", "SIGHUP"] as const) assertEquals(atTerminal(signal), true);
  const scripted = signalForwarder(false, () => now);
  for (const signal of ["SIGINT", "SIGINT", "SIGQUIT", "SIGTERM", "SIGHUP"] as const) {
    assertEquals(scripted(signal), true, `${signal} without a terminal`);
  }
});

Deno.test("exec's signals: listening starts before the program does (a SIGTERM in between would end almyty-auth and orphan the program), and stops when it ends", async () => {
  const listening = new Map<Deno.Signal, () => void>();
  const killed: Deno.Signal[] = [];
  let listenedAtSpawn: Deno.Signal[] = [];
  let exit!: (status: { code: number }) => void;
  const system: ForegroundSystem = {
    spawn: () => {
      listenedAtSpawn = [...listening.keys()];
      return {
        kill: (signal) => killed.push(signal),
        status: new Promise((resolve) => exit = resolve),
      };
    },
    addSignalListener: (signal, handler) => listening.set(signal, handler),
    removeSignalListener: (signal) => listening.delete(signal),
    atTerminal: () => false,
  };
  const run = runForeground({ command: "program", args: [], env: {} }, system);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"] as const) {
    assert(listenedAtSpawn.includes(signal), `${signal} was heard before the program started`);
  }
  listening.get("SIGTERM")!();
  assertEquals(killed, ["SIGTERM"], "passed on to the program");
  exit({ code: 143 });
  assertEquals(await run, { code: 143 });
  assertEquals(listening.size, 0, "no listener left once the program ended");
});
