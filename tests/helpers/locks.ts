/**
 * Another process holding a login file's lock (`hold_lock.ts`), as a
 * concurrent almyty-auth would, until the test kills it.
 * @module
 */
import { assertEquals } from "./assert.ts";

const HOLDER = new URL("./hold_lock.ts", import.meta.url).pathname;

/** Starts a process that holds `file`'s lock (its folder created 0700); resolves once it does. */
export async function holdLock(file: string): Promise<Deno.ChildProcess> {
  Deno.mkdirSync(file.slice(0, file.lastIndexOf("/")), { recursive: true, mode: 0o700 });
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", "--allow-read", "--allow-write", HOLDER, file],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  assertEquals((await reader.read()).value?.trim(), "held");
  reader.releaseLock();
  return child;
}
