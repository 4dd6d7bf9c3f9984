/**
 * A few lines of TypeScript run in a child process with a deadline: for what
 * must happen in a process of its own (a read that could block, a crash at a
 * chosen moment), without ever hanging the test that asks.
 * @module
 */
import { scratchFile } from "./scratch.ts";

/** `src/<path>` as a URL a script in a temp folder can import. */
export function srcUrl(path: string): string {
  return new URL(`../../src/${path}`, import.meta.url).href;
}

/** How a script ended: its exit status, whether the deadline killed it, and its stdout. */
export interface ScriptResult {
  status: Deno.CommandStatus;
  /** True when it was still running at the deadline (and was killed). */
  hung: boolean;
  stdout: string;
}

/** Runs `source` with `deno run -A`, killed (SIGKILL) if still running after `ms`. */
export async function runScript(
  source: string,
  options: { ms: number; args?: string[]; env?: Record<string, string> },
): Promise<ScriptResult> {
  const file = scratchFile({ prefix: "almyty-script-", suffix: ".ts" });
  Deno.writeTextFileSync(file, source);
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--no-check", file, ...(options.args ?? [])],
    env: options.env,
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  let hung = false;
  const timer = setTimeout(() => {
    hung = true;
    child.kill("SIGKILL");
  }, options.ms);
  const [status, stdout] = await Promise.all([child.status, new Response(child.stdout).text()]);
  clearTimeout(timer);
  Deno.removeSync(file);
  return { status, hung, stdout };
}
