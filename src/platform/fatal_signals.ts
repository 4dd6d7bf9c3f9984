/**
 * Clean-ups that must run even when a signal ends the process: SIGTERM (a
 * supervisor, `timeout`, `kill`), SIGHUP (the SSH session or terminal
 * closed), SIGQUIT. Ctrl-C (SIGINT) is not one of them: it stops the command,
 * which unwinds and cleans up as it goes. A fatal signal runs every
 * registered clean-up, then is raised again with nobody listening, so the
 * process still ends by that signal (exit status 128+n), as it would have.
 * The process listens only while a clean-up is registered: at every other
 * moment these signals keep their default action. Windows has no such
 * signals to catch; there, registering does nothing.
 *
 * @example
 * ```ts
 * import { onFatalSignal } from "./fatal_signals.ts";
 * const forget = onFatalSignal(() => console.log("removing the file"));
 * forget(); // done: no longer listening
 * ```
 * @module
 */

/** The signals after which the process must end, cleaned up (prompt.ts restores the terminal on them too). */
export const FATAL_SIGNALS: Deno.Signal[] = ["SIGTERM", "SIGHUP", "SIGQUIT"];

const cleanups = new Set<() => void>();
const handlers = new Map<Deno.Signal, () => void>();

function listen(): void {
  for (const signal of FATAL_SIGNALS) {
    const handler = () => {
      for (const cleanup of [...cleanups]) {
        try {
          cleanup();
        } catch { /* the others still run */ }
      }
      cleanups.clear();
      stopListening();
      Deno.kill(Deno.pid, signal);
    };
    handlers.set(signal, handler);
    Deno.addSignalListener(signal, handler);
  }
}

function stopListening(): void {
  for (const [signal, handler] of handlers) Deno.removeSignalListener(signal, handler);
  handlers.clear();
}

/**
 * Runs `cleanup` (synchronous, never throwing for long) if a fatal signal
 * arrives before the returned function is called; calling that function
 * forgets it (and stops listening when nothing else is registered).
 *
 * @example
 * ```ts
 * const forget = onFatalSignal(() => {});
 * forget();
 * forget(); // harmless
 * ```
 */
export function onFatalSignal(cleanup: () => void): () => void {
  if (Deno.build.os === "windows") return () => {};
  const registered = () => cleanup(); // its own identity: the same function may be registered twice
  cleanups.add(registered);
  if (handlers.size === 0) listen();
  return () => {
    cleanups.delete(registered);
    if (cleanups.size === 0) stopListening();
  };
}
