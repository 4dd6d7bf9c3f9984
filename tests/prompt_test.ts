/**
 * The real prompt (src/platform/prompt.ts) in process, on a terminal with one
 * OS's facts (tests/helpers/terminal.ts): Windows, whose `setRaw` refuses
 * cbreak and which has no POSIX signals, and a POSIX terminal for the signal
 * paths. The same code runs on a real pseudo-terminal in terminal_test.ts.
 */
import { assert, assertEquals, assertMatch } from "./helpers/assert.ts";
import { FakeTerminal } from "./helpers/terminal.ts";
import { mintedKey, signInCookie, World } from "./helpers/world.ts";
import { openConsent } from "./helpers/consent.ts";
import { promptLine, TerminalModeError } from "../src/platform/prompt.ts";
import { stripControl } from "../src/protocol/text.ts";

/** A world whose terminal has Windows' facts. */
function windowsWorld() {
  const world = new World({ BROWSER: "test-browser" });
  world.stdinIsTerminal = true;
  const terminal = new FakeTerminal("windows", world.writeErr);
  world.device = terminal;
  return { world, terminal, server: world.referenceServer() };
}

Deno.test("Windows: login --with-token at a terminal asks in raw mode (no cbreak there), names the key page, asks again on an empty Enter, and logs in", async () => {
  const { world, terminal, server } = windowsWorld();
  const key = await mintedKey(world, server.url);
  world.task(async () => {
    await world.waitFor(/Paste your API key \(it is not shown\), then press Enter: $/);
    terminal.type("\r");
    await world.waitFor(/Nothing was entered[^\n]*\nPaste your API key/);
    // Typed with a slip, a Backspace (Windows sends \b) and an arrow key.
    terminal.type(key.slice(0, 10) + "x\b" + "\x1b[D" + key.slice(10) + "\r");
  });
  assertEquals(await world.run(["login", "--with-token", "--api", server.url]), 0, world.stderr);
  assertMatch(world.stderr, new RegExp(`Create an API key at ${server.url}/settings/api-keys`));
  assertEquals(terminal.modes.filter((mode) => mode !== "normal"), ["raw", "raw"]);
  assertEquals(terminal.mode, "normal", "the terminal is restored");
  assert(!world.stderr.includes(key.slice(8, 20)), "the key was shown");
  assertEquals(world.saved()!.token, key);
});

Deno.test("Windows: Ctrl-C at the token prompt (a \\x03 in raw mode) interrupts with 130 and saves nothing", async () => {
  const { world, terminal, server } = windowsWorld();
  world.task(async () => {
    await world.waitFor(/Paste your API key/);
    terminal.type("almyty_half\x03");
    terminal.end();
  });
  assertEquals(await world.run(["login", "--token", "-", "--api", server.url]), 130);
  assertMatch(world.stderr, /Interrupted\.\n$/);
  assert(!/Unexpected error|NotSupported/.test(world.stderr), world.stderr);
  assertEquals(terminal.mode, "normal");
  assertEquals(world.saved(), null);
});

Deno.test("Windows: the paste-back prompt appears; Ctrl-C there ends the whole login with 130", async () => {
  const { world, terminal, server } = windowsWorld();
  world.onLaunch = () => {
    world.task(async () => {
      await world.waitFor(/copy its address and paste it here:\n$/);
      terminal.type("\x03");
    });
    return true;
  };
  assertEquals(await world.run(["login", "--api", server.url]), 130, world.stderr);
  assertEquals(terminal.mode, "normal");
  assertEquals(world.saved(), null);
});

Deno.test("paste prompt: C1 controls (CSI U+009B) and escape sequences are neither echoed nor kept", async () => {
  const { world, terminal, server } = windowsWorld();
  world.onLaunch = (url) => {
    world.task(async () => {
      const cookie = await signInCookie(world.fetch, server.url);
      const decided = await (await openConsent(world.fetch, url, cookie)).submit("approve");
      await decided.body?.cancel();
      const landed = decided.headers.get("location")!;
      await world.waitFor(/paste it here:\n$/);
      const cut = landed.indexOf("?");
      terminal.type(
        `${landed.slice(0, cut)}\u009b2J\u0085\x1b]52;c;aGk=\x07${landed.slice(cut)}\u009b31m\r`,
      );
    });
    return true;
  };
  assertEquals(await world.run(["login", "--api", server.url]), 0, world.stderr);
  const shown = terminal.screen.replace(/\n/g, "");
  assertEquals(stripControl(shown), shown, "a control character was echoed");
  assert(!shown.includes("52;c;"), "an OSC sequence's text was echoed");
  assertEquals(world.saved()!.email, "alice@example.com");
});

Deno.test("POSIX: SIGTERM, SIGHUP, SIGQUIT restore the terminal, then are raised again with nobody listening", async () => {
  for (const signal of ["SIGTERM", "SIGHUP", "SIGQUIT"] as const) {
    const terminal = new FakeTerminal("posix");
    const asked = promptLine(terminal, { prompt: "Key: ", echo: false });
    terminal.type("almyty_half");
    await Promise.resolve();
    assertEquals(terminal.mode, "cbreak");
    let modeWhenRaised = "";
    terminal.raise = (raised) => {
      assertEquals(raised, signal);
      modeWhenRaised = terminal.mode;
      assertEquals(terminal.listening(signal), 0, "raised with its default action");
    };
    terminal.deliver(signal);
    assertEquals(modeWhenRaised, "normal", `${signal}: restored before it is raised`);
    terminal.type("\r"); // (a real process is gone by now)
    await asked;
  }
});

Deno.test("POSIX: SIGCONT (after Ctrl-Z and fg) turns echo off again and asks anew; no listener outlives the prompt", async () => {
  const terminal = new FakeTerminal("posix");
  const asked = promptLine(terminal, { prompt: "Key: ", echo: false });
  terminal.type("almyty_");
  await Promise.resolve();
  terminal.setRaw(false); // the shell, when it got the terminal back
  terminal.deliver("SIGCONT");
  assertEquals(terminal.mode, "cbreak");
  assertEquals(terminal.screen, "Key: \nKey: ");
  terminal.type("rest\r");
  assertEquals(await asked, "almyty_rest");
  assertEquals(terminal.mode, "normal");
  for (const signal of ["SIGCONT", "SIGTERM", "SIGHUP", "SIGQUIT"] as const) {
    assertEquals(terminal.listening(signal), 0, signal);
  }
});

Deno.test("a terminal that cannot turn echo off: a hidden prompt refuses (never shows the key), a shown one reads the terminal's own line", async () => {
  const terminal = new FakeTerminal("windows");
  terminal.setRaw = () => {
    throw new Error("The handle is invalid. (os error 6)");
  };
  const hidden = await promptLine(terminal, { prompt: "Key: ", echo: false }).catch((e) => e);
  assert(hidden instanceof TerminalModeError);
  assertMatch(hidden.message, /cannot turn off echo \(The handle is invalid/);
  const shown = promptLine(terminal, { prompt: "Address: ", echo: true });
  terminal.type("http://127.0.0.1/x\r\n");
  assertEquals(await shown, "http://127.0.0.1/x");
  assertEquals(terminal.screen, "Address: ", "the terminal echoes by itself");
});

Deno.test("a terminal that cannot turn echo off: the token prompt says to pipe the key (keeping --api); the hand-off's hidden paste says to finish in the browser", async () => {
  const broken = (world: World) => {
    const terminal = new FakeTerminal("posix", world.writeErr);
    terminal.setRaw = () => {
      throw new Error("Inappropriate ioctl for device (os error 25)");
    };
    world.stdinIsTerminal = true;
    world.device = terminal;
    terminal.end(); // nothing is typed: a prompt that reads anyway ends instead of hanging
  };
  const world = new World();
  const server = world.referenceServer();
  broken(world);
  assertEquals(await world.run(["login", "--with-token", "--api", server.url]), 2);
  assertMatch(
    world.stderr,
    new RegExp(
      `cannot turn off echo \\(Inappropriate ioctl[^\\n]*Pipe it instead: almyty-auth login --with-token --api ${server.url} < key\\.txt`,
    ),
  );
  const handoff = new World({ BROWSER: "test-browser" });
  const legacy = handoff.referenceServer({ legacy: true });
  broken(handoff);
  const said = /The address cannot be pasted here: this terminal cannot turn off echo/;
  handoff.onLaunch = () => {
    handoff.task(async () => {
      let guard: ReturnType<typeof setTimeout> | undefined; // only so that a regression fails instead of hanging
      await Promise.race([
        handoff.waitFor(said),
        new Promise((resolve) => guard = setTimeout(resolve, 10_000)),
      ]);
      clearTimeout(guard);
      handoff.interrupt();
    });
    return true;
  };
  assertEquals(await handoff.run(["login", "--api", legacy.url]), 130, handoff.stderr);
  assertMatch(handoff.stderr, said);
  assert(!/Unexpected error/.test(handoff.stderr), handoff.stderr);
});
