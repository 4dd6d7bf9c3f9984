/**
 * Scratch folders and files of a test file (and of the scripts tests run),
 * removed when its process ends, pass or fail: some hold credentials with
 * test tokens, and "tokens never appear in temp files left behind". Deno
 * fires `unload` at the end of each test file (also with `--parallel`, also
 * after a failure or an uncaught error; a script run by `deno run` ends by
 * `unload`, `Deno.exit` or an uncaught error), so every path made here, or handed
 * to `removeAtEnd` (folders a child process made), goes then. Children that
 * write into them are awaited by the tests first (the sanitizers see to it).
 * Everything is made in TMPDIR, so a run with a private TMPDIR (scripts/test.sh)
 * sees what a test leaves behind.
 * @module
 */

const made = new Set<string>();
let listening = false;

/** Removes `path` (a folder with all it holds, or a file) when this process ends; returns it. */
export function removeAtEnd(path: string): string {
  if (!listening) {
    listening = true;
    globalThis.addEventListener("unload", removeScratch);
    // A script (`deno run`) that ends by an uncaught error never unloads.
    globalThis.addEventListener("error", removeScratch);
    globalThis.addEventListener("unhandledrejection", removeScratch);
  }
  made.add(path);
  return path;
}

/** Removes every registered path now (what `unload` runs). */
function removeScratch(): void {
  for (const path of made) {
    try {
      Deno.removeSync(path, { recursive: true });
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) {
        // A folder a test made read-only (as a non-root user): open it up, then once more.
        try {
          openUp(path);
          Deno.removeSync(path, { recursive: true });
        } catch { /* what is left, a run with a private TMPDIR reports */ }
      }
    }
    made.delete(path);
  }
}

function openUp(path: string): void {
  if (!Deno.lstatSync(path).isDirectory) return;
  Deno.chmodSync(path, 0o700);
  for (const entry of Deno.readDirSync(path)) openUp(`${path}/${entry.name}`);
}

/** A new 0700 folder in TMPDIR, removed when this process ends. */
export function scratchDir(prefix = "almyty-"): string {
  return removeAtEnd(Deno.makeTempDirSync({ prefix }));
}

/** A new empty file in TMPDIR, removed when this process ends. */
export function scratchFile(options: { prefix?: string; suffix?: string } = {}): string {
  return removeAtEnd(Deno.makeTempFileSync({ prefix: "almyty-", ...options }));
}

/**
 * This process's TMPDIR, for a child started with a clean environment: what it
 * makes goes where scripts/test.sh looks for leftovers (empty when unset).
 */
export function tmpdirEnv(): Record<string, string> {
  const tmp = Deno.env.get("TMPDIR");
  return tmp ? { TMPDIR: tmp } : {};
}
