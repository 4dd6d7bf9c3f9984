/**
 * The browser and the terminal during login, as real processes: another
 * local user (a second uid) against the opener's argv and the redirect file,
 * the environment a launched browser inherits, a closed stdout for every
 * command, the headless login on 80×24 and larger terminals, a cold Deno
 * cache, and the paste prompt's place on a real terminal.
 */
import { assert, assertEquals, assertMatch } from "./helpers/assert.ts";
import {
  baseEnv,
  cliArgv,
  CliProcess,
  driveTerminal,
  homeWithFile,
  runCli,
  tempHome,
} from "./helpers/cli.ts";
import { recordOutput, recordToken } from "./helpers/leaks.ts";
import { readRedirect } from "./helpers/redirect.ts";
import { render } from "./helpers/screen.ts";
import { closedPort, mintKey, withServer } from "./helpers/server.ts";
import { scratchDir } from "./helpers/scratch.ts";

const OTHER_UID = 4242;

/** Runs `argv` as another local user (tests run as root). */
async function asOtherUser(
  argv: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command("setpriv", {
    args: [`--reuid=${OTHER_UID}`, `--regid=${OTHER_UID}`, "--clear-groups", ...argv],
    env: { PATH: "/usr/bin:/bin" },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

/** Waits (bounded) until `path` has content; returns it. */
async function whenWritten(path: string, ms = 15_000): Promise<string> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    try {
      const text = Deno.readTextFileSync(path);
      if (text) return text;
    } catch { /* not yet */ }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`${path} was never written`);
}

/** A BROWSER command that records its argument and holds while `${dir}/hold` exists. */
function holdingBrowser(): { dir: string; hook: string } {
  const dir = scratchDir("almyty-opener-");
  Deno.chmodSync(dir, 0o755);
  const hook = `${dir}/browser.sh`;
  Deno.writeTextFileSync(
    hook,
    `#!/bin/sh\nprintf '%s' "$1" > "${dir}/opened"\nwhile [ -e "${dir}/hold" ]; do sleep 0.05; done\n`,
    { mode: 0o755 },
  );
  Deno.writeTextFileSync(`${dir}/hold`, "");
  return { dir, hook };
}

Deno.test("another local user can neither read the redirect file nor learn the state from any argv", async () => {
  await withServer({}, async (server) => {
    const home = tempHome();
    Deno.chmodSync(home, 0o755); // a home others may list, as on many systems: ~/.almyty alone protects
    const { dir, hook } = holdingBrowser();
    const cli = new CliProcess(["login", "--api", server.url], { home, env: { BROWSER: hook } });
    try {
      const opened = await whenWritten(`${dir}/opened`);
      const { path, url } = readRedirect(opened);
      const state = new URL(url).searchParams.get("state")!;
      const challenge = new URL(url).searchParams.get("code_challenge")!;
      // What the attack of issue 19 did: read every process's argv while the browser starts.
      const scan = await asOtherUser([
        "sh",
        "-c",
        "for f in /proc/[0-9]*/cmdline; do tr '\\0' ' ' < \"$f\"; echo; done 2>/dev/null",
      ]);
      assert(scan.stdout.includes(path), "the scan saw the opener's argv (the file's path)");
      assert(!scan.stdout.includes(state), "the state is in some process's argv");
      assert(!scan.stdout.includes(challenge), "the PKCE challenge is in some process's argv");
      // This login's listener in no argv (not just no "/start/": another test's process may hold one).
      const listener = new URL(new URL(url).searchParams.get("redirect_uri")!).host;
      assert(
        !scan.stdout.includes(listener),
        "the login's listener address is in some process's argv",
      );
      const read = await asOtherUser(["cat", path]);
      assertEquals(read.code, 1);
      assertMatch(read.stderr, /Permission denied/);
      const list = await asOtherUser(["ls", `${home}/.almyty/login`]);
      assertMatch(list.stderr, /Permission denied/);
    } finally {
      Deno.removeSync(`${dir}/hold`);
      cli.child.kill("SIGINT");
    }
    assertEquals((await cli.done).code, 130);
    assertEquals(
      [...Deno.readDirSync(`${home}/.almyty/login`)],
      [],
      "removed when the login ended",
    );
  });
});

/** The redirect files under `home` (~/.almyty/login). */
function redirectFiles(home: string): string[] {
  return [...Deno.readDirSync(`${home}/.almyty/login`)].map((entry) => entry.name);
}

Deno.test("SIGTERM, SIGHUP or SIGQUIT during a browser login: the redirect file is removed, and the process still ends by that signal", async () => {
  await withServer({}, async (server) => {
    for (const [signal, number] of [["SIGTERM", 15], ["SIGHUP", 1], ["SIGQUIT", 3]] as const) {
      const home = tempHome();
      const dir = scratchDir("almyty-opener-");
      const hook = `${dir}/browser.sh`;
      Deno.writeTextFileSync(hook, `#!/bin/sh\nprintf '%s' "$1" > "${dir}/opened"\n`, {
        mode: 0o755,
      });
      const cli = new CliProcess(["login", "--api", server.url], { home, env: { BROWSER: hook } });
      await whenWritten(`${dir}/opened`);
      await cli.waitFor(/Waiting for the browser/);
      assertEquals(redirectFiles(home).length, 1, "the login's file is there while it waits");
      cli.child.kill(signal);
      const { code } = await cli.done;
      assertEquals(code, 128 + number, `${signal}: ${cli.stderr}`);
      assertEquals(redirectFiles(home), [], `${signal} left the redirect file behind`);
    }
  });
});

Deno.test("SIGTERM at the paste prompt of a browser login on a terminal: the terminal echoes again, the redirect file is gone, the process ends by SIGTERM", async () => {
  await withServer({}, async (server) => {
    const home = tempHome();
    const run = await driveTerminal(
      ["login", "--timeout", "30", "--api", server.url],
      home,
      [[/paste it here:\r?\n/, "@signal:SIGTERM"]],
      { BROWSER: "/bin/true" },
      { size: [100, 30] },
    );
    assertEquals(run.code, -15, run.screen);
    assertEquals(run.echo, true, "SIGTERM left the terminal without echo");
    assertEquals(redirectFiles(home), [], "SIGTERM left the redirect file behind");
  });
});

Deno.test("a launched browser inherits no ALMYTY_* variable (the token least of all)", async () => {
  await withServer({}, async (server) => {
    const dir = scratchDir("almyty-opener-");
    const hook = `${dir}/browser.sh`;
    Deno.writeTextFileSync(hook, `#!/bin/sh\nenv > "${dir}/env"\n`, { mode: 0o755 });
    const token = "almyty_" + "7".repeat(64);
    recordToken(token);
    const cli = new CliProcess(["login", "--api", server.url], {
      home: tempHome(),
      env: {
        BROWSER: hook,
        ALMYTY_TOKEN: token,
        ALMYTY_URL: server.url,
        ALMYTY_SOMETHING_NEW: "x",
        NOT_ALMYTY: "kept",
      },
    });
    const env = await whenWritten(`${dir}/env`);
    cli.child.kill("SIGINT");
    await cli.done;
    assertEquals(env.split("\n").filter((line) => /^ALMYTY_/.test(line)), []);
    assertMatch(env, /^NOT_ALMYTY=kept$/m, "the rest of the environment is the browser's");
    assertMatch(env, /^PATH=/m);
  });
});

Deno.test("on WSL, a browser that fails is named as what ran: rundll32.exe when wslview is not installed (it said 'The browser command wslview failed'), both when neither starts", async () => {
  await withServer({}, async (server) => {
    const bin = scratchDir("almyty-wsl-bin-");
    // WSL without wslu (no wslview), where Windows' rundll32.exe fails.
    Deno.writeTextFileSync(`${bin}/rundll32.exe`, "#!/bin/sh\nexit 1\n", { mode: 0o755 });
    const env = { WSL_DISTRO_NAME: "Ubuntu", PATH: `${bin}:/usr/bin:/bin` };
    const failed = new CliProcess(["login", "--api", server.url], { home: tempHome(), env });
    await failed.waitFor(/Warning: [^\n]*\n/);
    failed.child.kill("SIGINT");
    await failed.done;
    assertMatch(failed.stderr, /Warning: The browser command rundll32\.exe failed \(exit 1\)\./);
    Deno.removeSync(`${bin}/rundll32.exe`);
    const none = new CliProcess(["login", "--api", server.url], { home: tempHome(), env });
    await none.waitFor(/Warning: [^\n]*\n/);
    none.child.kill("SIGINT");
    await none.done;
    assertMatch(none.stderr, /Warning: Could not start wslview or rundll32\.exe\./);
  });
});

/** Runs the CLI with its stdout a pipe nobody reads any more (`almyty-auth … | head -0`). */
async function withClosedStdout(args: string[], env: Record<string, string>) {
  const script = `
import json, os, subprocess, sys
r, w = os.pipe()
os.close(r)
p = subprocess.run(sys.argv[1:], stdout=w, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=json.loads(os.environ["CLI_ENV"]))
print(json.dumps({"code": p.returncode, "stderr": p.stderr.decode("utf-8", "replace")}))`;
  const out = await new Deno.Command("python3", {
    args: ["-c", script, Deno.execPath(), ...cliArgv(args)],
    env: { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", CLI_ENV: JSON.stringify(env) },
    clearEnv: true,
    stdout: "piped",
  }).output();
  return JSON.parse(new TextDecoder().decode(out.stdout)) as { code: number; stderr: string };
}

Deno.test("a closed stdout ends every command quietly, with the exit code it would have had", async () => {
  await withServer({}, async (server) => {
    const { apiKey } = await mintKey(server.url);
    recordToken(apiKey);
    const { home } = homeWithFile(JSON.stringify({ url: server.url, token: apiKey }));
    const commands = [
      ["--version"],
      ["--help"],
      ["help", "login"],
      ["whoami"],
      ["whoami", "--json"],
      ["token"],
      ["status"],
      ["status", "--json"],
      ["doctor", "--json"],
      ["completions", "bash"],
    ];
    for (const args of commands) {
      const open = await runCli(args, { home, mayPrintToken: args[0] === "token" });
      const closed = await withClosedStdout(args, baseEnv(home));
      recordOutput(`stderr of ${args.join(" ")} with stdout closed`, closed.stderr);
      assertEquals(closed.code, open.code, `${args.join(" ")}: ${closed.stderr}`);
      assert(
        !/BrokenPipe|Broken pipe|Unexpected error/.test(closed.stderr),
        `${args.join(" ")}: ${closed.stderr}`,
      );
    }
    // Without a login, whoami still says so on stderr and exits 4.
    const none = await withClosedStdout(["whoami"], baseEnv(tempHome()));
    assertEquals(none.code, 4);
    assertMatch(none.stderr, /Not authenticated/);
  });
});

/** The headless login's screen on a terminal of `size`, at the moment it waits (then Ctrl-C). */
async function headlessScreen(size: [number, number], extra: string[] = [], env = {}) {
  return await withServer({ deviceInterval: 1 }, async (server) => {
    // A short --timeout keeps the long-poll the Ctrl-C leaves behind at the server short.
    const run = await driveTerminal(
      ["login", ...extra, "--timeout", "5", "--api", server.url],
      tempHome(),
      [[/Waiting for approval/, "\u0003"]],
      env,
      { size, timeout: 40 },
    );
    // The screen as it stood at the first draw of the countdown.
    const drawn = run.screen.indexOf(
      "(Ctrl-C to cancel)",
      run.screen.indexOf("Waiting for approval"),
    );
    const shown = render(run.screen.slice(0, drawn + "(Ctrl-C to cancel)".length), ...size);
    return { run, shown, server };
  });
}

Deno.test("headless login at 80×24: every essential on screen, the code and the short URL last, no QR", async () => {
  const { run, shown, server } = await headlessScreen([80, 24]);
  assertEquals(run.code, 130, run.screen);
  const screen = shown.join("\n");
  assert(!/[█▀▄]/.test(screen), `a QR code on an 80×24 terminal:\n${screen}`);
  assertMatch(screen, /Not opening a browser because there is no display/);
  assertMatch(screen, /needs a larger terminal; --qr shows it anyway/);
  assertMatch(screen, new RegExp(`^  ${server.url}/cli-auth\\?code=[B-Z]{4}-[B-Z]{4}$`, "m"));
  assertEquals(shown.length <= 24, true);
  const rows = shown.filter((row) => row !== "");
  assertMatch(rows.at(-1)!, /^Waiting for approval: giving up in 0:0[45] \(Ctrl-C to cancel\)$/);
  assertMatch(rows.at(-2)!, /^ {2}[B-Z]{4}-[B-Z]{4}$/);
  assertMatch(
    rows.at(-4)!,
    new RegExp(`^Or go to ${server.url}/cli-auth and enter the code there\\.$`),
  );
});

Deno.test("headless login: the QR code when the terminal is tall enough, or on request", async () => {
  const tall = await headlessScreen([120, 40]);
  assertMatch(
    tall.shown.join("\n"),
    /(█▀|▄█)[\s\S]*Open this URL in any browser:[\s\S]*[B-Z]{4}-[B-Z]{4}/,
  );
  const asked = await headlessScreen([80, 24], ["--qr"]);
  assertMatch(asked.run.screen, /(█▀|▄█)/);
  assert(!/needs a larger terminal/.test(asked.run.screen));
  // NO_COLOR: drawn for a dark background, and said so; COLORFGBG naming a light one draws it for that.
  assertMatch(tall.run.screen, /Drawn for a dark background: on a light one it is inverted/);
  const light = await headlessScreen([120, 40], [], { COLORFGBG: "0;15" });
  assert(!/Drawn for a dark background/.test(light.run.screen), light.run.screen);
  // In colour (the usual terminal), the code's escape sequences take no room on screen: it fits too.
  const coloured = await headlessScreen([120, 40], [], { NO_COLOR: "" });
  assert(!/needs a larger terminal/.test(coloured.run.screen), coloured.shown.join("\n"));
  assertMatch(coloured.shown.join("\n"), /▀{20}[\s\S]*Open this URL in any browser:/);
  assert(coloured.shown.length <= 40);
});

Deno.test("from source with a cold Deno cache and no npm registry: the headless login goes on without its QR code", async () => {
  const cold = scratchDir("almyty-cold-deno-");
  const { run } = await headlessScreen([120, 40], [], {
    DENO_DIR: cold,
    NPM_CONFIG_REGISTRY: `http://127.0.0.1:${closedPort()}/`,
  });
  assertEquals(run.code, 130, run.screen);
  assertMatch(
    run.screen,
    /No QR code: its library is not in Deno's cache and could not be downloaded/,
  );
  assertMatch(run.screen, /[B-Z]{4}-[B-Z]{4}/);
  assert(!/Unexpected error/.test(run.screen), run.screen);
});

Deno.test("on a real terminal, a failed browser's warning comes before the paste prompt, which is last", async () => {
  await withServer({}, async (server) => {
    const run = await driveTerminal(
      ["login", "--timeout", "30", "--api", server.url],
      tempHome(),
      [[/paste it here:\r?\n/, "\u0003"]],
      { BROWSER: "/bin/false" },
      { size: [100, 30] },
    );
    assertEquals(run.code, 130, run.screen);
    const shown = render(run.screen.slice(0, run.screen.indexOf("paste it here:") + 16), 100, 30)
      .filter((row) => row !== "");
    assertMatch(shown.at(-1)!, /copy its address and paste it here:$/);
    assertMatch(shown.at(-2)!, /^Waiting for the browser/);
    assertMatch(shown.join("\n"), /The browser command BROWSER=\/bin\/false failed \(exit 1\)/);
  });
});
