/**
 * Running a program in the foreground, as `almyty-auth exec` does: no shell,
 * the terminal (stdin, stdout, stderr) handed over, the environment ours plus
 * what is given. Signals that reach almyty-auth while it runs (SIGINT,
 * SIGTERM, SIGHUP, SIGQUIT) are passed on and never end almyty-auth first, so
 * the program is never orphaned and its exit status is the one reported.
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

/**
 * Runs `spec` and resolves when it ends.
 *
 * @example
 * ```ts
 * (await runForeground({ command: "sh", args: ["-c", "exit 3"], env: {} })); // { code: 3 }
 * ```
 */
export async function runForeground(spec: ForegroundSpec): Promise<ForegroundResult> {
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(spec.command, {
      args: spec.args,
      env: spec.env,
      stdin: "inherit",
      stdout: "inherit",
      stderr: "inherit",
    }).spawn();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      return { failed: "not-found", message: "command not found" };
    }
    if (error instanceof Deno.errors.PermissionDenied) {
      return { failed: "not-executable", message: "permission denied (not an executable file)" };
    }
    throw error;
  }
  running++;
  const listeners: [Deno.Signal, () => void][] = [];
  for (const signal of FORWARDED) {
    const forward = () => {
      try {
        child.kill(signal);
      } catch { /* it has just ended */ }
    };
    try {
      Deno.addSignalListener(signal, forward);
      listeners.push([signal, forward]);
    } catch { /* not a signal this platform delivers */ }
  }
  try {
    return { code: (await child.status).code };
  } finally {
    for (const [signal, forward] of listeners) Deno.removeSignalListener(signal, forward);
    running--;
  }
}
