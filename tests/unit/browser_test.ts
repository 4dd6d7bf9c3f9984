import { assert, assertEquals } from "../helpers/assert.ts";
import { chooseOpener, splitCommand } from "../../src/login/browser.ts";

/** The redirect file an opener is given (never the login's URL). */
const FILE = {
  path: "/home/a b/.almyty/login/1-0123456789abcdef.html",
  url: "file:///home/a%20b/.almyty/login/1-0123456789abcdef.html",
};
const WSL2 = "5.15.153.1-microsoft-standard-WSL2";

function launches(env: Record<string, string>, platform: string, release = "6.1.0") {
  const choice = chooseOpener(env, platform, release);
  if (choice.kind === "headless") return choice.reason;
  if (choice.kind === "print") return `print: ${choice.forwarder}`;
  return choice.launch(FILE);
}

Deno.test("opener: BROWSER wins everywhere, split into words, the file's URL last", () => {
  assertEquals(launches({ BROWSER: "firefox --new-window", SSH_CONNECTION: "x" }, "linux"), [
    { command: "firefox", args: ["--new-window", FILE.url] },
  ]);
  assertEquals(splitCommand(`"/Applications/My Browser" --flag 'a b'`), [
    "/Applications/My Browser",
    "--flag",
    "a b",
  ]);
  const choice = chooseOpener({ BROWSER: "/usr/bin/firefox" }, "linux", "6.1.0");
  assertEquals(choice.kind === "launch" && choice.name, "BROWSER=/usr/bin/firefox");
});

Deno.test("opener: forwarders (VS Code, dev containers, Codespaces) are never handed the login", () => {
  for (
    const env of <Record<string, string>[]> [
      { BROWSER: "/home/me/.vscode-server/bin/0123abcd/bin/helpers/browser.sh" },
      { BROWSER: "/vscode/vscode-server/bin/linux-x64/0123abcd/bin/helpers/browser.sh" },
      { BROWSER: "/root/.vscode-remote/bin/x/bin/helpers/browser.sh" },
      { BROWSER: "some-helper", REMOTE_CONTAINERS: "true" },
      { BROWSER: "some-helper", CODESPACES: "true" },
    ]
  ) {
    const shown = launches(env, "linux");
    assertEquals(typeof shown === "string" && shown.startsWith("print: "), true, env.BROWSER);
  }
  // Without BROWSER there is nothing to forward to: the usual rules apply.
  assertEquals(
    launches({ REMOTE_CONTAINERS: "true" }, "linux"),
    "there is no display (DISPLAY and WAYLAND_DISPLAY are unset)",
  );
});

Deno.test("opener: SSH, CI and no display launch nothing and say why", () => {
  assertEquals(
    launches({ SSH_TTY: "/dev/pts/0", DISPLAY: ":0" }, "linux"),
    "this is an SSH session",
  );
  assertEquals(launches({ CI: "true" }, "darwin"), "this is a CI job (CI is set)");
  // CI switched off, however it is spelled, is no CI job (as an agent's marker is read).
  for (const off of ["false", "FALSE", " 0 ", ""]) {
    assertEquals(launches({ CI: off }, "darwin"), [{ command: "open", args: [FILE.path] }], off);
  }
  assertEquals(
    launches({}, "linux"),
    "there is no display (DISPLAY and WAYLAND_DISPLAY are unset)",
  );
});

Deno.test("opener: open on macOS, xdg-open with a display, cmd start on Windows: the file", () => {
  assertEquals(launches({}, "darwin"), [{ command: "open", args: [FILE.path] }]);
  assertEquals(launches({ WAYLAND_DISPLAY: "wayland-0" }, "linux"), [
    { command: "xdg-open", args: [FILE.path] },
  ]);
  const windows = {
    path: "C:\\Users\\a b\\.almyty\\login\\1-0123456789abcdef.html",
    url: "file:///C:/Users/a%20b/.almyty/login/1-0123456789abcdef.html",
  };
  // The quotes keep the path whole; /d skips the user's AutoRun.
  const choice = chooseOpener({}, "win32", "10.0.22631");
  assertEquals(choice.kind === "launch" && choice.launch(windows), [
    { command: "cmd", args: [`/d /c start "" "${windows.path}"`], raw: true },
  ]);
});

Deno.test("opener on WSL: wslview gets the Linux path, rundll32 and Windows programs a Windows one", () => {
  const file = {
    path: "/home/alice/.almyty/login/1-0123456789abcdef.html",
    url: "file:///home/alice/.almyty/login/1-0123456789abcdef.html",
  };
  const windowsPath = "\\\\wsl$\\Ubuntu\\home\\alice\\.almyty\\login\\1-0123456789abcdef.html";
  const on = (env: Record<string, string>) => {
    const choice = chooseOpener(env, "linux", WSL2);
    return choice.kind === "launch" ? choice.launch(file) : choice;
  };
  const wsl = on({ WSL_DISTRO_NAME: "Ubuntu" });
  assertEquals(wsl, [
    { command: "wslview", args: [file.path] },
    { command: "rundll32.exe", args: ["url.dll,FileProtocolHandler", windowsPath] },
  ]);
  // WSL's interop quotes each element again for Windows' command line: an element with a
  // space or a quote (`/c start "" "<url>"`) comes out unpredictably, and a raw command
  // line is a Windows-only notion. Every element must be a plain word.
  for (const spec of wsl as { args: string[]; raw?: boolean }[]) {
    assertEquals(spec.raw, undefined);
    for (const arg of spec.args) assert(!/[\s"]/.test(arg), arg);
  }
  // Without the distribution's name no Windows path can be made: wslview alone.
  assertEquals(on({}), [{ command: "wslview", args: [file.path] }]);
  // Nor from a name that would lead the path elsewhere (up and out to another server's share).
  for (const distro of ["x\\..\\..\\evil.example\\share", 'Ub"untu', "a/../b"]) {
    assertEquals(
      on({ WSL_DISTRO_NAME: distro }),
      [{ command: "wslview", args: [file.path] }],
      distro,
    );
  }
  const chrome = "/mnt/c/Program Files/Google/Chrome/Application/chrome.exe";
  assertEquals(on({ BROWSER: `"${chrome}"`, WSL_DISTRO_NAME: "Ubuntu" }), [
    { command: chrome, args: [windowsPath] },
  ]);
  assertEquals(on({ BROWSER: "wslview", WSL_DISTRO_NAME: "Ubuntu" }), [
    { command: "wslview", args: [file.path] },
  ]);
  // A Linux browser under WSLg opens the file's own URL.
  assertEquals(on({ BROWSER: "firefox", WSL_DISTRO_NAME: "Ubuntu" }), [
    { command: "firefox", args: [file.url] },
  ]);
});
