/**
 * Reading one line from the person at the terminal, shown or hidden, on every
 * OS, in the way readpassphrase(3) does it:
 *
 * - the terminal stops echoing before the prompt is written; cbreak mode
 *   where the OS has it (Ctrl-C, Ctrl-Z and Ctrl-\ still reach us as
 *   signals), raw mode where it does not (Windows: Ctrl-C arrives as `\x03`
 *   and interrupts like SIGINT);
 * - SIGTERM, SIGHUP and SIGQUIT restore the terminal, then are raised again
 *   with their default action (a killed prompt never leaves the shell without
 *   echo); SIGCONT (after Ctrl-Z and `fg`, when the shell has turned echo back
 *   on) turns it off again and writes the prompt anew;
 * - only what can be typed reaches the line or the screen: control
 *   characters (C0, DEL, C1) and escape sequences (arrow keys) are dropped.
 *
 * I/O goes through a {@linkcode PromptTerminal}, so tests can give one with
 * another OS's facts.
 *
 * @example
 * ```ts
 * import { denoTerminal, promptLine } from "./prompt.ts";
 * if (Deno.stdin.isTerminal()) {
 *   const name = await promptLine(denoTerminal, { prompt: "Name: ", echo: true });
 * }
 * ```
 * @module
 */
import { stripControl } from "../protocol/text.ts";
import { FATAL_SIGNALS } from "./fatal_signals.ts";

/** What a prompt needs of the terminal (`Deno.stdin`, stderr, signals). */
export interface PromptTerminal {
  /** As `Deno.stdin.setRaw`: throws `Deno.errors.NotSupported` for cbreak on Windows. */
  setRaw(raw: boolean, options?: { cbreak: boolean }): void;
  /** As `Deno.stdin.read`. */
  read(buffer: Uint8Array): Promise<number | null>;
  /** Writes to the terminal (stderr, so stdout stays clean for pipes). */
  write(text: string): void;
  /** Calls `handler` on `signal` until the returned function is called; throws where the OS has no such signal. */
  listen(signal: Deno.Signal, handler: () => void): () => void;
  /** Sends `signal` to this process (its default action once nobody listens). */
  raise(signal: Deno.Signal): void;
}

/** What to ask. */
export interface PromptOptions {
  prompt: string;
  /** Show what is typed (false: nothing typed or pasted ever appears). */
  echo: boolean;
  /** Gives up the prompt: the read ends with null. */
  signal?: AbortSignal;
  /** What Ctrl-C does when it arrives as a character (raw mode): the process's SIGINT handling. */
  interrupt?: () => void;
}

/**
 * The terminal cannot stop echoing, so a hidden prompt cannot be asked.
 *
 * @example
 * ```ts
 * new TerminalModeError(new Error("not a terminal")).message;
 * // "this terminal cannot turn off echo (not a terminal)"
 * ```
 */
export class TerminalModeError extends Error {
  constructor(cause: unknown) {
    super(`this terminal cannot turn off echo (${(cause as Error)?.message ?? cause})`, { cause });
    this.name = "TerminalModeError";
  }
}

/** The terminal whose mode a prompt changed (one at a time: there is one stdin). */
let changed: PromptTerminal | null = null;

/**
 * Puts the terminal back in its normal mode if a prompt left it otherwise:
 * for every way out of the process.
 *
 * @example
 * ```ts
 * restoreTerminal(); // a no-op unless a prompt is running
 * ```
 */
export function restoreTerminal(): void {
  const terminal = changed;
  changed = null;
  try {
    terminal?.setRaw(false);
  } catch { /* not a terminal any more */ }
}

/** Turns echo off: cbreak where the OS has it, else raw; what went wrong when neither works. */
function hideInput(terminal: PromptTerminal): "cbreak" | "raw" | { failed: unknown } {
  try {
    terminal.setRaw(true, { cbreak: true });
    return "cbreak";
  } catch { /* Windows: no cbreak */ }
  try {
    terminal.setRaw(true);
    return "raw";
  } catch (error) {
    return { failed: error };
  }
}

/** Where in an escape sequence (skipped whole: arrow keys, or a hostile paste's OSC 52) we are. */
type Escape = "" | "esc" | "csi" | "ss3" | "string" | "string-esc";

/** What starts a sequence: ESC, and the C1 forms of CSI, OSC, DCS, SOS, PM and APC. */
const ESCAPE_STARTS: Record<string, Escape> = {
  "\x1b": "esc",
  "\x9b": "csi",
  "\x9d": "string",
  "\x90": "string",
  "\x98": "string",
  "\x9e": "string",
  "\x9f": "string",
};

/** The state after `char` (ECMA-48: CSI parameters up to a final byte; strings up to BEL or ST). */
function afterEscape(state: Escape, char: string): Escape {
  switch (state) {
    case "esc":
      return char === "[" ? "csi" : char === "O" ? "ss3" : "]PX^_".includes(char) ? "string" : "";
    case "csi":
      return /[\x20-\x3f]/.test(char) ? "csi" : "";
    case "string":
      return char === "\x07" || char === "\x9c" ? "" : char === "\x1b" ? "string-esc" : "string";
    default: // the one character after ESC O, or the "\\" of ESC \
      return "";
  }
}

/**
 * Asks for one line: writes `prompt` once the terminal no longer echoes (so
 * nothing typed early is shown), then reads until Enter, showing it only when
 * `echo`. Backspace deletes, Ctrl-U clears the line, Ctrl-D on an empty line
 * or `signal` gives null, Ctrl-C interrupts (throws an AbortError). The
 * terminal is restored on every path. A hidden prompt on a terminal that
 * cannot stop echoing throws {@linkcode TerminalModeError}; a shown one reads
 * the line the terminal edits itself.
 *
 * @example
 * ```ts
 * const typed = new TextEncoder().encode("secret\r");
 * const terminal = {
 *   setRaw() {},
 *   read: (buffer: Uint8Array) => (buffer.set(typed), Promise.resolve(typed.length)),
 *   write() {},
 *   listen: () => () => {},
 *   raise() {},
 * };
 * await promptLine(terminal, { prompt: "Key: ", echo: false }); // "secret"
 * ```
 */
export async function promptLine(
  terminal: PromptTerminal,
  { prompt, echo, signal, interrupt }: PromptOptions,
): Promise<string | null> {
  const hidden = hideInput(terminal);
  if (typeof hidden === "object" && !echo) throw new TerminalModeError(hidden.failed);
  // Where echo cannot be turned off, a shown prompt reads the line the terminal edits.
  const mode = typeof hidden === "object" ? "cooked" : hidden;
  if (mode !== "cooked") changed = terminal;
  const show = (text: string) => echo && mode !== "cooked" && terminal.write(text);
  let line = "";
  const stops: (() => void)[] = [];
  const stopListening = () => stops.splice(0).forEach((stop) => stop());
  const listen = (name: Deno.Signal, handler: () => void) => {
    try {
      stops.push(terminal.listen(name, handler));
    } catch { /* the OS has no such signal (Windows) */ }
  };
  if (mode !== "cooked") {
    for (const name of FATAL_SIGNALS) {
      listen(name, () => {
        restoreTerminal();
        terminal.write("\n");
        stopListening(); // so that raising it again has its default action
        terminal.raise(name);
      });
    }
    listen("SIGCONT", () => {
      // Ctrl-Z, then `fg`: the shell turned echo back on while we were stopped.
      if (typeof hideInput(terminal) === "object") return;
      changed = terminal;
      terminal.write(`\n${prompt}${echo ? line : ""}`);
    });
  }
  terminal.write(prompt);
  const aborted = new Promise<null>((resolve) => {
    if (signal?.aborted) resolve(null);
    signal?.addEventListener("abort", () => resolve(null), { once: true });
  });
  try {
    const buffer = new Uint8Array(4096);
    const decoder = new TextDecoder();
    let escape: Escape = "";
    for (;;) {
      const read = await Promise.race([terminal.read(buffer), aborted]);
      if (read === null) return signal?.aborted || line === "" ? null : line;
      for (const char of decoder.decode(buffer.subarray(0, read), { stream: true })) {
        if (escape) {
          escape = afterEscape(escape, char);
          continue;
        }
        if (char === "\r" || char === "\n") {
          if (mode !== "cooked") terminal.write("\n");
          return line;
        }
        if (char === "\x03" && mode !== "cooked") { // Ctrl-C in raw mode (Windows)
          restoreTerminal();
          terminal.write("\n");
          interrupt?.();
          throw new DOMException("Interrupted", "AbortError");
        }
        if (char === "\x04" && line === "") return null;
        if (char === "\x7f" || char === "\b") {
          const chars = [...line];
          if (chars.length) show("\b \b");
          line = chars.slice(0, -1).join("");
        } else if (char === "\x15") { // Ctrl-U
          show("\b \b".repeat([...line].length));
          line = "";
        } else if (ESCAPE_STARTS[char] !== undefined) {
          escape = ESCAPE_STARTS[char];
        } else if (stripControl(char) === char) { // C0, DEL and C1 never reach the line
          line += char;
          show(char);
        }
      }
    }
  } finally {
    stopListening();
    restoreTerminal();
  }
}

/**
 * The process's terminal: stdin for reading and the mode, stderr for the
 * prompt, `Deno.addSignalListener` and `Deno.kill` for signals.
 *
 * @example
 * ```ts
 * denoTerminal.write(""); // writes nothing
 * ```
 */
export const denoTerminal: PromptTerminal = {
  setRaw: (raw, options) => Deno.stdin.setRaw(raw, options),
  read: (buffer) => Deno.stdin.read(buffer),
  write(text) {
    const bytes = new TextEncoder().encode(text);
    let written = 0;
    while (written < bytes.length) written += Deno.stderr.writeSync(bytes.subarray(written));
  },
  listen(signal, handler) {
    Deno.addSignalListener(signal, handler);
    return () => Deno.removeSignalListener(signal, handler);
  },
  raise: (signal) => Deno.kill(Deno.pid, signal),
};
