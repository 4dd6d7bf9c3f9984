/**
 * What ships: the CLI as a bundle (`deno bundle`, esbuild inside), which
 * `deno compile` turns into the binaries (scripts/compile.ts) and
 * `deno task bench` measures.
 *
 * Why a bundle: a program of many small modules pays for each at every start
 * (finding, reading and instantiating it, a larger heap), and whoami runs in
 * scripts' loops. The bundle joins the modules every command needs into one
 * file and gives each command its own chunk, imported only when that command
 * runs (`--code-splitting`, from the literal imports in src/cli/commands.ts),
 * so whoami's start-up carries neither the login engine nor the other
 * commands. tests/bundle_test.ts holds the bundle to the sources: the same
 * output and exit code for every command.
 *
 * @example
 * ```sh
 * deno task bundle   # prints dist/bundle/main.js
 * ```
 * @module
 */
import { join, resolve } from "node:path";
import { DEFAULT_DIST } from "./targets.ts";
import { taskFlags } from "./task_args.ts";

const ROOT = join(import.meta.dirname!, "..");

/**
 * Where the bundle goes in a build folder (`dist/`, or compile's `--dist`).
 *
 * @example
 * ```ts
 * import { bundleDir } from "./bundle.ts";
 * bundleDir("/tmp/dist"); // "/tmp/dist/bundle"
 * ```
 */
export function bundleDir(dist: string): string {
  return join(dist, "bundle");
}

/** The bundle's entry in `outdir`. */
export const BUNDLE_ENTRY = "main.js";

/**
 * `deno bundle`'s arguments for the CLI into `outdir`.
 *
 * @example
 * ```ts
 * import { bundleArgs } from "./bundle.ts";
 * bundleArgs("/tmp/out").includes("--code-splitting"); // true
 * ```
 */
export function bundleArgs(outdir: string): string[] {
  return [
    "bundle",
    "--quiet",
    // deno bundle does not type-check unless told, and compiling its JavaScript checks nothing:
    // what ships is checked as `deno compile main.ts` checked it.
    "--check",
    "--platform",
    "deno",
    "--code-splitting",
    "--outdir",
    outdir,
    join(ROOT, "main.ts"),
  ];
}

/** What `deno bundle` writes here: the entry and chunks named by their content (`name-HASH.js`). */
const BUNDLE_FILE = /^(main|[\w-]+-[A-Z0-9]{8})\.js$/;

/**
 * Why `deno bundle` failed, for people: its own words, and where it could not
 * reach the npm registry (for esbuild, or the CLI's npm package, on a first
 * build), the ways on without it.
 *
 * @example
 * ```ts
 * import { bundleFailure } from "./bundle.ts";
 * bundleFailure("error: Failed loading https://registry.npmjs.org/@esbuild%2flinux-x64");
 * // "deno bundle failed (…):\nerror: Failed loading …\nNo npm registry here: set NPM_CONFIG_REGISTRY …"
 * ```
 */
export function bundleFailure(stderr: string): string {
  const said =
    "deno bundle failed (it runs esbuild, which Deno fetches from the npm registry the " +
    `first time):\n${stderr.trim()}`;
  if (!/Failed loading https?:|error sending request|dns error/i.test(stderr)) return said;
  return `${said}\nNo npm registry here: set NPM_CONFIG_REGISTRY to a mirror of it, or bundle once ` +
    "where it can be reached (deno task bundle) and build with the same DENO_DIR: Deno keeps esbuild " +
    "in its cache.";
}

/**
 * Bundles the CLI into `outdir` (an earlier bundle there removed first) and
 * returns the entry's path; throws with `deno bundle`'s own words when it
 * fails, and before it runs when `outdir` holds anything a bundle does not
 * write (`dist/` after a build, the checkout).
 *
 * @example
 * ```ts ignore
 * import { bundleCli } from "./bundle.ts";
 * const entry = await bundleCli(Deno.makeTempDirSync()); // …/main.js
 * ```
 */
export async function bundleCli(given: string): Promise<string> {
  // deno bundle runs in the project's folder: a relative folder is the caller's, as compile's is.
  const outdir = resolve(given);
  // Chunks are named by their content: those of an older build would linger beside the new.
  let earlier: Deno.DirEntry[] = [];
  try {
    earlier = [...Deno.readDirSync(outdir)];
  } catch { /* nothing built yet (anything else, deno bundle says) */ }
  const foreign = earlier.find((entry) => !entry.isFile || !BUNDLE_FILE.test(entry.name));
  if (foreign) {
    throw new Error(
      `${outdir} holds ${foreign.name}, which deno bundle does not write, so it is not emptied: ` +
        "bundle into a folder of its own (new, or an earlier bundle's; the default is dist/bundle).",
    );
  }
  for (const entry of earlier) Deno.removeSync(join(outdir, entry.name));
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: bundleArgs(outdir),
    cwd: ROOT,
    stdout: "null",
    stderr: "piped",
  }).output();
  if (code !== 0) throw new Error(bundleFailure(new TextDecoder().decode(stderr)));
  return join(outdir, BUNDLE_ENTRY);
}

if (import.meta.main) {
  const values = taskFlags("usage: deno task bundle [--outdir DIR]", {
    outdir: { type: "string", default: bundleDir(DEFAULT_DIST) },
  });
  try {
    console.log(await bundleCli(values.outdir));
  } catch (error) {
    console.error((error as Error).message);
    Deno.exit(1);
  }
}
