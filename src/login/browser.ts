/**
 * Whether and how to open a browser here. Printing the URL always comes
 * first; opening it is a convenience that must never hide it. An opener is
 * given the private redirect file (`redirect_file.ts`), never the login's
 * URL: whatever is in a launcher's argv, every local user can read.
 *
 * @example
 * ```ts
 * import { chooseOpener } from "./browser.ts";
 * chooseOpener({ SSH_CONNECTION: "1 2 3 4" }, "linux", "6.1.0"); // { kind: "headless", reason: "this is an SSH session" }
 * ```
 * @module
 */
import { switchedOn } from "../protocol/text.ts";
import type { Launched, LaunchSpec } from "../runtime/context.ts";

/** The redirect file an opener is given: its path and its `file://` URL. */
export interface OpenTarget {
  path: string;
  url: string;
}

/**
 * How to open the login here:
 * - `launch`: a command that opens a local file in a browser on this machine;
 * - `print`: a forwarder would hand the URL to another machine's browser (a
 *   dev container's or Codespaces' `BROWSER` helper): nothing is launched,
 *   the URL is printed for the person to click, and paste-back finishes;
 * - `headless`: no browser here at all (SSH, CI, no display): the headless login runs.
 */
export type OpenerChoice =
  | { kind: "launch"; name: string; launch: (file: OpenTarget) => LaunchSpec[] }
  | { kind: "print"; forwarder: string }
  | { kind: "headless"; reason: string };

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

/** VS Code's (and Codespaces') helper that hands a URL to the browser of the machine running VS Code. */
const VSCODE_HELPER = /[\\/]\.?vscode-(server|remote)[\\/]|[\\/]helpers[\\/]browser\.sh$/i;

/**
 * Why a BROWSER command hands URLs to another machine, or null.
 *
 * @example
 * ```ts
 * forwarderOf("/home/me/.vscode-server/bin/abc/bin/helpers/browser.sh", {});
 * // "BROWSER is VS Code's browser helper, which hands URLs to the machine running VS Code"
 * ```
 */
export function forwarderOf(
  command: string,
  env: Readonly<Record<string, string | undefined>>,
): string | null {
  if (VSCODE_HELPER.test(command)) {
    return "BROWSER is VS Code's browser helper, which hands URLs to the machine running VS Code";
  }
  if (switchedOn(env.CODESPACES)) {
    return "this is a Codespace, whose BROWSER hands URLs to the browser on your computer";
  }
  if (switchedOn(env.REMOTE_CONTAINERS)) {
    return "this is a dev container, whose BROWSER hands URLs to the browser outside it";
  }
  return null;
}

/**
 * The opener for this environment. BROWSER wins when set (unless it is a
 * forwarder); otherwise SSH, CI and the lack of a display mean nothing is
 * launched (the headless flow runs). On WSL, wslview is tried before
 * Windows' rundll32.exe. `platform` is `process.platform` style ("darwin", "win32",
 * "linux"), as `CredentialsFs.platform` gives it.
 *
 * @example
 * ```ts
 * chooseOpener({ DISPLAY: ":0" }, "linux", "6.1.0"); // { kind: "launch", name: "xdg-open", launch: … }
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
    const forwarder = forwarderOf(command, env);
    if (forwarder) return { kind: "print", forwarder };
    return {
      kind: "launch",
      name: `BROWSER=${command}`,
      launch: (
        file,
      ) => [{ command, args: [...args, browserArgument(command, file, env, osRelease)] }],
    };
  }
  if (env.SSH_CONNECTION || env.SSH_TTY) {
    return { kind: "headless", reason: "this is an SSH session" };
  }
  if (switchedOn(env.CI)) return { kind: "headless", reason: "this is a CI job (CI is set)" };
  if (platform === "darwin") {
    return {
      kind: "launch",
      name: "open",
      launch: (file) => [{ command: "open", args: [file.path] }],
    };
  }
  if (platform === "win32") {
    // `start` is a cmd built-in; the empty title and the quotes keep the path whole.
    // /d: without it cmd first runs the user's AutoRun (conda, clink), which may print,
    // prompt or fail.
    return {
      kind: "launch",
      name: "cmd /d /c start",
      launch: (file) => [{ command: "cmd", args: [`/d /c start "" "${file.path}"`], raw: true }],
    };
  }
  if (isWsl(env, osRelease)) {
    return {
      kind: "launch",
      name: "wslview",
      launch: (file) => {
        // wslview turns a Linux path into one Windows can open; rundll32 needs it done here.
        // WSL's interop re-quotes each argv element for Windows, so nothing may depend on
        // quotes or spaces, and no shell may read the path: rundll32's FileProtocolHandler
        // opens it as one plain element, as Go's pkg/browser does.
        const windows = windowsPathOf(file.path, env.WSL_DISTRO_NAME);
        return [
          { command: "wslview", args: [file.path] },
          ...(windows
            ? [{ command: "rundll32.exe", args: ["url.dll,FileProtocolHandler", windows] }]
            : []),
        ];
      },
    };
  }
  if (env.DISPLAY || env.WAYLAND_DISPLAY) {
    return {
      kind: "launch",
      name: "xdg-open",
      launch: (file) => [{ command: "xdg-open", args: [file.path] }],
    };
  }
  return {
    kind: "headless",
    reason: "there is no display (DISPLAY and WAYLAND_DISPLAY are unset)",
  };
}

/**
 * What a BROWSER command is given: a `file://` URL (the convention of
 * Python's webbrowser, gh and git is that BROWSER takes a URL). On WSL, a
 * Windows program (`….exe`, or under `/mnt/`) gets the path Windows opens,
 * and wslview the Linux path, which it converts itself.
 *
 * @example
 * ```ts
 * const file = { path: "/home/a/.almyty/login/x.html", url: "file:///home/a/.almyty/login/x.html" };
 * browserArgument("firefox", file, {}, "6.1.0"); // "file:///home/a/.almyty/login/x.html"
 * browserArgument("wslview", file, { WSL_DISTRO_NAME: "Ubuntu" }, "6.1.0"); // "/home/a/.almyty/login/x.html"
 * ```
 */
export function browserArgument(
  command: string,
  file: OpenTarget,
  env: Readonly<Record<string, string | undefined>>,
  osRelease: string,
): string {
  if (!isWsl(env, osRelease)) return file.url;
  if (/(^|\/)wslview$/.test(command)) return file.path;
  if (/\.exe$/i.test(command) || command.startsWith("/mnt/")) {
    return windowsPathOf(file.path, env.WSL_DISTRO_NAME) ?? file.url;
  }
  return file.url; // a Linux browser (WSLg)
}

/**
 * The path Windows opens for a file of a WSL distribution: `C:\…` for
 * `/mnt/c/…`, else `\\wsl$\<distro>\…` (which every WSL 2 Windows serves);
 * null when the distribution's name is unknown.
 *
 * @example
 * ```ts
 * windowsPathOf("/home/a/.almyty/login/x.html", "Ubuntu"); // "\\\\wsl$\\Ubuntu\\home\\a\\.almyty\\login\\x.html"
 * windowsPathOf("/mnt/c/Users/a/x.html", "Ubuntu"); // "C:\\Users\\a\\x.html"
 * ```
 */
export function windowsPathOf(path: string, distro: string | undefined): string | null {
  const drive = /^\/mnt\/([a-z])(\/.*)?$/i.exec(path);
  if (drive) return `${drive[1].toUpperCase()}:${(drive[2] ?? "/").replaceAll("/", "\\")}`;
  if (!distro || /[\\/"]/.test(distro)) return null;
  return `\\\\wsl$\\${distro}${path.replaceAll("/", "\\")}`;
}

/**
 * Tries each launch in turn; the first that started, with its exit status.
 * `opener` names what was run for a message: the choice's name, or, where
 * there was more than one way (wslview, then rundll32.exe), the one that
 * started, or all that were tried.
 *
 * @example
 * ```ts
 * const choice = chooseOpener({ BROWSER: "true" }, "linux", "6.1.0");
 * if (choice.kind === "launch") {
 *   const launched = await openFile(choice, { path: "/tmp/x.html", url: "file:///tmp/x.html" }, () =>
 *     Promise.resolve({ started: true, status: Promise.resolve(0) }));
 *   launched.started; // true
 * }
 * ```
 */
export async function openFile(
  choice: Extract<OpenerChoice, { kind: "launch" }>,
  file: OpenTarget,
  launch: (spec: LaunchSpec) => Promise<Launched>,
): Promise<Launched & { opener: string }> {
  const specs = choice.launch(file);
  const name = (command: string) => specs.length > 1 ? command : choice.name;
  for (const spec of specs) {
    const launched = await launch(spec);
    if (launched.started) return { ...launched, opener: name(spec.command) };
  }
  return { started: false, opener: name(specs.map((spec) => spec.command).join(" or ")) };
}

/**
 * A CI job without a terminal: no one there can open a page on this machine or
 * paste an address back, so a browser login whose answer must come to this
 * machine's 127.0.0.1 (today's production: no headless login) cannot finish.
 *
 * @example
 * ```ts
 * unattendedCi({ CI: "true" }, false); // true
 * unattendedCi({ CI: "true" }, true); // false: a person can paste the address back
 * ```
 */
export function unattendedCi(
  env: Readonly<Record<string, string | undefined>>,
  terminal: boolean,
): boolean {
  return switchedOn(env.CI) && !terminal;
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
