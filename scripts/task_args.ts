/**
 * The flags of a release task (`deno task compile`, `homebrew`, `npm`):
 * `--help` prints the usage (exit 0); an unknown or malformed flag prints
 * what is wrong and the usage (exit 2), never a stack trace.
 *
 * @example
 * ```ts
 * import { taskFlags } from "./task_args.ts";
 * const flags = taskFlags("usage: deno task x [--out DIR]", { out: { type: "string" } }, ["--out", "d"]);
 * flags.out; // "d"
 * ```
 * @module
 */
import { parseArgs } from "node:util";

/** One flag, as `node:util`'s parseArgs takes it. */
export type TaskFlag =
  | { type: "string"; default?: string }
  | { type: "boolean"; default?: boolean };

/** The values of `options` (a string or boolean per flag; absent when not given and no default). */
export type TaskFlagValues<O extends Record<string, TaskFlag>> = {
  [K in keyof O]: O[K] extends { type: "string"; default: string } ? string
    : O[K] extends { type: "string" } ? string | undefined
    : boolean | undefined;
};

/**
 * `args` parsed by `options`; exits on `--help` and on a bad flag.
 *
 * @example
 * ```ts
 * taskFlags("usage: deno task x [--pack-only]", { "pack-only": { type: "boolean" } }, ["--pack-only"]);
 * // { "pack-only": true }
 * ```
 */
export function taskFlags<const O extends Record<string, TaskFlag>>(
  usage: string,
  options: O,
  args: string[] = Deno.args,
): TaskFlagValues<O> {
  if (args.includes("--help") || args.includes("-h")) {
    console.log(usage);
    Deno.exit(0);
  }
  try {
    return parseArgs({ args, options }).values as unknown as TaskFlagValues<O>;
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage}`);
    Deno.exit(2);
  }
}
