/**
 * Which module runs each command, loaded on demand so a command's start-up
 * pays only for itself. The flags and help are in `spec.ts`.
 *
 * `deno run` reads, before the program starts, every module that a literal
 * `import("…")` names, and all they import: cheap to import later, but paid
 * on every start. So only the commands that scripts and agents run over and
 * over are named literally; the others (the login engine and its flows, the
 * doctor, the profile editor, completions) are imported by a computed name,
 * which `deno run` reads only when the command runs. `deno compile` cannot
 * see those either: scripts/compile.ts embeds `ON_DEMAND_MODULES` with
 * `--include`.
 *
 * @example
 * ```ts
 * import { loadCommand } from "./commands.ts";
 * const whoami = await loadCommand("whoami");
 * ```
 * @module
 */
import type { Command } from "../runtime/command.ts";

/** The commands read ahead at start-up: the ones scripts call in loops. */
const READ_AHEAD: Record<string, () => Promise<Command>> = {
  whoami: () => import("./whoami.ts"),
  token: () => import("./token.ts"),
  status: () => import("./status.ts"),
  exec: () => import("./exec.ts"),
  env: () => import("./env.ts"),
};

/**
 * The other commands' modules (in this folder), imported by a computed name.
 *
 * @example
 * ```ts
 * ON_DEMAND_MODULES.login; // "login.ts"
 * ```
 */
export const ON_DEMAND_MODULES: Record<string, string> = {
  login: "login.ts",
  logout: "logout.ts",
  doctor: "doctor.ts",
  profile: "profile.ts",
  completions: "completions.ts",
};

/**
 * The module of a command named in `COMMANDS` (spec.ts).
 *
 * @example
 * ```ts
 * const token = await loadCommand("token");
 * typeof token.run; // "function"
 * ```
 */
export function loadCommand(name: string): Promise<Command> {
  const file = ON_DEMAND_MODULES[name];
  if (file === undefined) return READ_AHEAD[name]();
  // A name held in a variable: neither `deno run` nor `deno compile` reads ahead from it.
  const specifier = new URL(file, import.meta.url).href;
  return import(specifier);
}
