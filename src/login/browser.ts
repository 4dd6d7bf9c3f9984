/**
 * Whether and how to open a browser here. Printing the URL always comes
 * first; opening it is a convenience that must never hide it.
 *
 * @example
 * ```ts
 * import { chooseOpener } from "./browser.ts";
 * chooseOpener({ SSH_CONNECTION: "1 2 3 4" }, "linux", "6.1.0"); // { reason: "this is an SSH session" }
 * ```
 * @module
 */
import type { Launched, LaunchSpec } from "../runtime/context.ts";

/** How to open a URL, or why it cannot be opened here. */
export type OpenerChoice =
  | { launch: (url: string) => LaunchSpec[]; name: string }
  | { reason: string };

/**
 * Splits a BROWSER value into words (double or single quotes group).
 *
 * @example
 * ```ts
 * splitCommand('firefox --new-window "my profile"'); // ["firefox", "--new-window", "my profile"]
 * ```
 */
export function splitCommand(value: string): string[] {
  return [...value.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]);
}

/**
 * The opener for this environment. BROWSER wins when set; otherwise SSH, CI
 * and the lack of a display mean nothing is launched (the headless flow runs).
 * On WSL, wslview is tried before Windows' rundll32.exe. `platform` is `process.platform`
 * style ("darwin", "win32", "linux"), as `CredentialsFs.platform` gives it.
 *
 * @example
 * ```ts
 * chooseOpener({ DISPLAY: ":0" }, "linux", "6.1.0"); // { name: "xdg-open", launch: … }
 * ```
 */
export function chooseOpener(
  env: Readonly<Record<string, string | undefined>>,
  platform: string,
  osRelease: string,
): OpenerChoice {
  const browser = env.BROWSER?.trim();
  if (browser) {
    const [command, ...args] = splitCommand(browser);
    return { name: `BROWSER (${command})`, launch: (url) => [{ command, args: [...args, url] }] };
  }
  if (env.SSH_CONNECTION || env.SSH_TTY) return { reason: "this is an SSH session" };
  if (env.CI && env.CI !== "false" && env.CI !== "0") {
    return { reason: "this is a CI job (CI is set)" };
  }
  if (platform === "darwin") {
    return { name: "open", launch: (url) => [{ command: "open", args: [url] }] };
  }
  if (platform === "win32") {
    // `start` is a cmd built-in; the empty title and quotes keep `&` in the URL intact.
    // /d: without it cmd first runs the user's AutoRun (conda, clink), which may print,
    // prompt or fail.
    return {
      name: "cmd /d /c start",
      launch: (url) => [{ command: "cmd", args: [`/d /c start "" "${url}"`], raw: true }],
    };
  }
  if (isWsl(env, osRelease)) {
    return {
      name: "wslview",
      launch: (url) => [
        { command: "wslview", args: [url] },
        // WSL's interop re-quotes each argv element for Windows, so nothing may depend on
        // quotes or spaces, and no shell may read the URL (cmd's `&`): rundll32's
        // FileProtocolHandler opens it as one plain element, as Go's pkg/browser does.
        { command: "rundll32.exe", args: ["url.dll,FileProtocolHandler", url] },
      ],
    };
  }
  if (env.DISPLAY || env.WAYLAND_DISPLAY) {
    return { name: "xdg-open", launch: (url) => [{ command: "xdg-open", args: [url] }] };
  }
  return { reason: "there is no display (DISPLAY and WAYLAND_DISPLAY are unset)" };
}

/**
 * Tries each launch in turn; the first that started, with its exit status.
 *
 * @example
 * ```ts
 * const choice = chooseOpener({ BROWSER: "true" }, "linux", "6.1.0");
 * if ("launch" in choice) {
 *   const launched = await openUrl(choice, "https://example.com", () =>
 *     Promise.resolve({ started: true, status: Promise.resolve(0) }));
 *   launched.started; // true
 * }
 * ```
 */
export async function openUrl(
  choice: Extract<OpenerChoice, { launch: unknown }>,
  url: string,
  launch: (spec: LaunchSpec) => Promise<Launched>,
): Promise<Launched & { command?: string }> {
  for (const spec of choice.launch(url)) {
    const launched = await launch(spec);
    if (launched.started) return { ...launched, command: spec.command };
  }
  return { started: false };
}

/**
 * True on WSL, where Windows' browser often cannot reach WSL's 127.0.0.1.
 *
 * @example
 * ```ts
 * isWsl({ WSL_DISTRO_NAME: "Ubuntu" }, "6.1.0"); // true
 * ```
 */
export function isWsl(
  env: Readonly<Record<string, string | undefined>>,
  osRelease: string,
): boolean {
  return Boolean(env.WSL_DISTRO_NAME) || /microsoft/i.test(osRelease);
}
