/**
 * almyty-auth's process entry: the real context, Ctrl-C, and the exit code.
 * Everything else is `src/cli/main.ts`.
 *
 * @example
 * ```sh
 * deno task cli whoami --json
 * ```
 * @module
 */
import { runCli } from "./src/cli/main.ts";
import { denoContext, inForeground, restoreTerminal } from "./src/runtime/deno_context.ts";
import { EXIT, exitCodeFor, messageFor } from "./src/runtime/errors.ts";

if (import.meta.main) {
  const interrupt = new AbortController();
  const onInterrupt = () => {
    if (inForeground()) return; // `exec`: the program gets Ctrl-C and decides; we report its status
    if (interrupt.signal.aborted) { // a second Ctrl-C
      restoreTerminal();
      Deno.exit(EXIT.interrupted);
    }
    interrupt.abort(new DOMException("Interrupted", "AbortError"));
  };
  Deno.addSignalListener("SIGINT", onInterrupt);
  let ctx;
  try {
    ctx = denoContext(interrupt.signal, onInterrupt);
  } catch (error) {
    // An environment it cannot read (a variable that is not UTF-8): said, never a stack trace.
    console.error(messageFor(error, false));
    Deno.exit(exitCodeFor(error, false));
  }
  const code = await runCli(ctx, Deno.args);
  restoreTerminal();
  Deno.exit(code);
}
