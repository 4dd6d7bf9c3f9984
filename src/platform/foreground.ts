/**
 * Running a program in the foreground, as `almyty-auth exec` does: no shell,
 * the terminal (stdin, stdout, stderr) handed over, the environment ours plus
 * what is given. Signals that reach almyty-auth while it runs (SIGINT,
 * SIGTERM, SIGHUP, SIGQUIT) never end almyty-auth first, so the program is
 * never orphaned and its exit status is the one reported; they are passed on
 * to it, except a terminal's Ctrl-C (or Ctrl-\) that already reached it
 * (`signalForwarder`).
 *
 * @example
 * ```ts
 * import { runForeground } from "./foreground.ts";
 * const result = await runForeground({ command: "true", args: [], env: {} });
 * // { code: 0 }
 * ```
 * @module
 */

/** The program to run. */
export interface ForegroundSpec {
  command: string;
  args: string[];
  /** Set (over the inherited environment) for the program. */
  env: Record<string, string>;
}

/** How it ended (exit code, 128+n for signal n), or why it never started. */
export type ForegroundResult =
  | { code: number }
  | { failed: "not-found" | "not-executable"; message: string };

let running = 0;

/**
 * True while a program runs in the foreground: the process's own Ctrl-C
 * handling stands aside (the program gets the signal and decides).
 *
 * @example
 * ```ts
 * inForeground(); // false
 * ```
 */
export function inForeground(): boolean {
  return running > 0;
}

const FORWARDED: Deno.Signal[] = Deno.build.os === "windows"
  ? ["SIGINT", "SIGBREAK"]
  : ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"];

/** What a terminal's keys send to every process of its foreground job (Ctrl-C, Ctrl-\, Ctrl-Break). */
const TERMINAL_KEYS: ReadonlySet<Deno.Signal> = new Set(["SIGINT", "SIGQUIT", "SIGBREAK"]);

/** A terminal key's signal that comes again this soon is passed on (the person pressed again). */
export const REPEAT_KEY_MS = 3000;

/**
 * Decides, for each signal that reaches almyty-auth, whether to pass it on.
 * Without a terminal, always. At a terminal, the program runs in the same
 * foreground job, so Ctrl-C reached it already: passing the SIGINT on would
 * hand it a second one, which many programs take as "force quit now" (and a
 * REPL as two interrupts). Such a signal is passed on only when it comes
 * again within `REPEAT_KEY_MS`: the person pressed again because nothing
 * happened (the program left the job, or the signal came from a `kill` of
 * almyty-auth alone). SIGTERM and SIGHUP are always passed on.
 *
 * @example
 * ```ts
 * const forward = signalForwarder(true, () => 0);
 * forward("SIGINT"); // false: the terminal gave the program its own
 * forward("SIGINT"); // true: pressed again at once
 * forward("SIGTERM"); // true
 * ```
 */
export function signalForwarder(
  atTerminal: boolean,
  now: () => number = Date.now,
): (signal: Deno.Signal) => boolean {
  let lastKey = -Infinity;
  return (signal) => {
    if (!atTerminal || !TERMINAL_KEYS.has(signal)) return true;
    const at = now();
    const again = at - lastKey <= REPEAT_KEY_MS;
    lastKey = at;
    return again;
  };
}

/** A started program, as `runForeground` needs it. */
export interface ForegroundChild {
  kill(signal: Deno.Signal): void;
  readonly status: Promise<{ code: number }>;
}

/** What `runForeground` uses of the system (Deno's; a test gives its own). */
export interface ForegroundSystem {
  /** Starts the program; throws `NotFound`/`PermissionDenied` as `Deno.Command` does. */
  spawn(spec: ForegroundSpec): ForegroundChild;
  addSignalListener(signal: Deno.Signal, handler: () => void): void;
  removeSignalListener(signal: Deno.Signal, handler: () => void): void;
  /** True when any of the standard streams is a terminal (the job a terminal's keys reach). */
  atTerminal(): boolean;
}

const DENO_SYSTEM: ForegroundSystem = {
  spawn: (spec) =>
    new Deno.Command(spec.command, {
      args: spec.args,
      env: spec.env,
      stdin: "inherit",
      stdout: "inherit",
      stderr: "inherit",
    }).spawn(),
  addSignalListener: (signal, handler) => Deno.addSignalListener(signal, handler),
  removeSignalListener: (signal, handler) => Deno.removeSignalListener(signal, handler),
  atTerminal: () => [Deno.stdin, Deno.stdout, Deno.stderr].some((stream) => stream.isTerminal()),
};

/**
 * Runs `spec` and resolves when it ends.
 *
 * @example
 * ```ts
 * (await runForeground({ command: "sh", args: ["-c", "exit 3"], env: {} })); // { code: 3 }
 * ```
 */
export async function runForeground(
  spec: ForegroundSpec,
  system: ForegroundSystem = DENO_SYSTEM,
): Promise<ForegroundResult> {
  // The listeners go in before the program starts: a signal between its start and them would end
  // almyty-auth by the default action and orphan the program. They run on the event loop, so none
  // runs before `child` is set (spawning is synchronous).
  let child: ForegroundChild | undefined;
  const listeners: [Deno.Signal, () => void][] = [];
  const passOn = signalForwarder(system.atTerminal());
  for (const signal of FORWARDED) {
    const forward = () => {
      if (!child || !passOn(signal)) return;
      try {
        child.kill(signal);
      } catch { /* it has just ended */ }
    };
    try {
      system.addSignalListener(signal, forward);
      listeners.push([signal, forward]);
    } catch { /* not a signal this platform delivers */ }
  }
  running++;
  try {
    try {
      child = system.spawn(spec);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) {
        return { failed: "not-found", message: "command not found" };
      }
      if (error instanceof Deno.errors.PermissionDenied) {
        return { failed: "not-executable", message: "permission denied (not an executable file)" };
      }
      throw error;
    }
    return { code: (await child.status).code };
  } finally {
    for (const [signal, forward] of listeners) system.removeSignalListener(signal, forward);
    running--;
  }
}
