import { assert, assertEquals } from "../helpers/assert.ts";
import { chooseOpener, splitCommand } from "../../src/login/browser.ts";

const URL_WITH_AMP = "http://127.0.0.1:8080/cli-auth?a=1&b=2";

function launches(env: Record<string, string>, platform: string, release = "6.1.0") {
  const choice = chooseOpener(env, platform, release);
  return "reason" in choice ? choice.reason : choice.launch(URL_WITH_AMP);
}

Deno.test("opener: BROWSER wins everywhere, split into words, URL last", () => {
  assertEquals(launches({ BROWSER: "firefox --new-window", SSH_CONNECTION: "x" }, "linux"), [
    { command: "firefox", args: ["--new-window", URL_WITH_AMP] },
  ]);
  assertEquals(splitCommand(`"/Applications/My Browser" --flag 'a b'`), [
    "/Applications/My Browser",
    "--flag",
    "a b",
  ]);
});

Deno.test("opener: SSH, CI and no display launch nothing and say why", () => {
  assertEquals(
    launches({ SSH_TTY: "/dev/pts/0", DISPLAY: ":0" }, "linux"),
    "this is an SSH session",
  );
  assertEquals(launches({ CI: "true" }, "darwin"), "this is a CI job (CI is set)");
  assertEquals(
    launches({}, "linux"),
    "there is no display (DISPLAY and WAYLAND_DISPLAY are unset)",
  );
});

Deno.test("opener: open on macOS, xdg-open with a display, cmd start on Windows, WSL", () => {
  assertEquals(launches({}, "darwin"), [{ command: "open", args: [URL_WITH_AMP] }]);
  assertEquals(launches({ WAYLAND_DISPLAY: "wayland-0" }, "linux"), [
    { command: "xdg-open", args: [URL_WITH_AMP] },
  ]);
  // The quotes keep cmd from reading `&` as a command separator; /d skips the user's AutoRun.
  assertEquals(launches({}, "win32"), [
    { command: "cmd", args: [`/d /c start "" "${URL_WITH_AMP}"`], raw: true },
  ]);
  const wsl = launches({}, "linux", "5.15.153.1-microsoft-standard-WSL2");
  assertEquals(wsl, [
    { command: "wslview", args: [URL_WITH_AMP] },
    { command: "rundll32.exe", args: ["url.dll,FileProtocolHandler", URL_WITH_AMP] },
  ]);
  // WSL's interop quotes each element again for Windows' command line: an element with a
  // space or a quote (`/c start "" "<url>"`) comes out unpredictably, and a raw command
  // line is a Windows-only notion. Every element must be a plain word.
  for (const spec of wsl as { args: string[]; raw?: boolean }[]) {
    assertEquals(spec.raw, undefined);
    for (const arg of spec.args) assert(!/[\s"]/.test(arg), arg);
  }
});
