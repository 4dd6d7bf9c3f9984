/**
 * Mutants of the platform rules: the terminal prompt (readpassphrase(3)'s
 * guarantees, Windows' raw mode, what may be echoed), and the release's
 * packing and smoke test on every OS.
 * @module
 */
import type { Mutant } from "./mutant.ts";

/** See scripts/mutants/mutant.ts for the fields. */
export const mutants: Mutant[] = [
  {
    rule: "SIGTERM/SIGHUP/SIGQUIT at a hidden prompt restore the terminal before re-raising",
    file: "src/platform/prompt.ts",
    find: '        restoreTerminal();\n        terminal.write("\\n");\n        stopListening();',
    replace: '        terminal.write("\\n");\n        stopListening();',
    tests: ["tests/prompt_test.ts"],
    filter: "POSIX: SIGTERM",
  },
  {
    rule: "SIGCONT (Ctrl-Z, fg) turns echo off again",
    file: "src/platform/prompt.ts",
    find: '      if (typeof hideInput(terminal) === "object") return;',
    replace: "",
    tests: ["tests/prompt_test.ts"],
    filter: "SIGCONT",
  },
  {
    rule: "where cbreak is refused (Windows), the prompt uses raw mode",
    file: "src/platform/prompt.ts",
    find: '    terminal.setRaw(true);\n    return "raw";',
    replace: '    throw new Deno.errors.NotSupported("cbreak");',
    tests: ["tests/prompt_test.ts"],
    filter: "Windows: login --with-token",
  },
  {
    rule: "Ctrl-C read as \\x03 in raw mode interrupts (130)",
    file: "src/platform/prompt.ts",
    find: '        if (char === "\\x03" && mode !== "cooked") {',
    replace: "        if (false) {",
    tests: ["tests/prompt_test.ts"],
    filter: "Ctrl-C",
  },
  {
    rule: "C0/C1 control characters are neither echoed nor kept by a prompt",
    file: "src/platform/prompt.ts",
    find: "} else if (stripControl(char) === char) {",
    replace: '} else if (char >= " ") {',
    tests: ["tests/prompt_test.ts"],
    filter: "C1",
  },
  {
    rule: "escape sequences (OSC, CSI) typed or pasted at a prompt are skipped whole",
    file: "src/platform/prompt.ts",
    find: "          escape = afterEscape(escape, char);",
    replace: '          escape = "";',
    tests: ["tests/prompt_test.ts"],
    filter: "C1",
  },
  {
    rule: "a hidden prompt never falls back to a terminal that echoes",
    file: "src/platform/prompt.ts",
    find: '  if (typeof hidden === "object" && !echo) throw new TerminalModeError(hidden.failed);',
    replace: "",
    tests: ["tests/prompt_test.ts"],
    filter: "a hidden prompt refuses",
  },
  {
    rule: "a hidden paste that cannot be asked says to finish in the browser",
    file: "src/cli/login_ui.ts",
    find: "            if (!(error instanceof TerminalModeError)) throw error;",
    replace: "            throw error;",
    tests: ["tests/prompt_test.ts"],
    filter: "hand-off's hidden paste",
  },
  {
    rule: "the token prompt asks again on an empty Enter",
    file: "src/cli/login.ts",
    find: "    if (key.trim()) return key.trim();",
    replace: "    return key.trim();",
    tests: ["tests/prompt_test.ts"],
    filter: "Windows: login --with-token",
  },
  {
    rule: "npm installs the x64 Windows package on Windows on ARM64 (emulated)",
    file: "scripts/npm.ts",
    find: "      cpu: p.alsoCpu ? [p.cpu, p.alsoCpu] : [p.cpu],",
    replace: "      cpu: [p.cpu],",
    tests: ["tests/packaging_test.ts"],
    filter: "npm: library",
  },
  {
    rule: "cmd is started with /d, so the user's AutoRun does not run first",
    file: "src/login/browser.ts",
    find: "[`/d /c start",
    replace: "[`/c start",
    tests: ["tests/unit/browser_test.ts"],
    filter: "opener: open on macOS",
  },
  {
    rule: "on WSL, Windows' opener gets plain argv words (interop re-quotes each element)",
    file: "src/login/browser.ts",
    find: '{ command: "rundll32.exe", args: ["url.dll,FileProtocolHandler", url] },',
    replace: '{ command: "cmd.exe", args: [`/c start "" "${url}"`], raw: true },',
    tests: ["tests/unit/browser_test.ts"],
    filter: "opener: open on macOS",
  },
  {
    rule: "install.sh creates ~/.almyty 0700 whatever the umask",
    file: "install.sh",
    find: '(umask 077 && mkdir -p "$HOME/.almyty")',
    replace: 'mkdir -p "$HOME/.almyty"',
    tests: ["tests/packaging_test.ts"],
    filter: "umask 002",
  },
  {
    rule: "the release archives hold the binary with mode 0755, whatever tar unpacks them",
    file: "scripts/archive.ts",
    find: "  put(100, octal(0o755, 8)); // mode",
    replace: "  put(100, octal(0o644, 8)); // mode",
    tests: ["tests/packaging_test.ts"],
    filter: "bsdtar",
  },
  {
    rule: "the Windows zip's entry is dated the build time, not 1980",
    file: "scripts/archive.ts",
    find: "    [10, time, 2],\n    [12, date, 2],",
    replace: "",
    tests: ["tests/packaging_test.ts"],
    filter: "bsdtar",
  },
  {
    rule: "the release smoke test isolates USERPROFILE (the CLI's home on Windows)",
    file: ".github/workflows/release.yml",
    find: 'set +e; HOME="$home" USERPROFILE="$home" "$bin" whoami;',
    replace: 'set +e; HOME="$home" "$bin" whoami;',
    tests: ["tests/packaging_test.ts"],
    filter: "release smoke",
  },
];
