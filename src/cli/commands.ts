/**
 * Which module runs each command, imported only when that command runs, so
 * a command's start-up pays only for itself. The flags and help are in
 * `spec.ts`.
 *
 * The imports are literal so that `deno bundle` (scripts/bundle.ts, what
 * ships) gives each command a chunk of its own, and `deno compile` embeds
 * every chunk without being told.
 *
 * @example
 * ```ts
 * import { loadCommand } from "./commands.ts";
 * const whoami = await loadCommand("whoami");
 * ```
 * @module
 */
import type { Command } from "../runtime/command.ts";

/** Each command's module, by the command's name in `COMMANDS` (spec.ts). */
const MODULES: Record<string, () => Promise<Command>> = {
  whoami: () => import("./whoami.ts"),
  token: () => import("./token.ts"),
  status: () => import("./status.ts"),
  exec: () => import("./exec.ts"),
  env: () => import("./env.ts"),
  login: () => import("./login.ts"),
  logout: () => import("./logout.ts"),
  doctor: () => import("./doctor.ts"),
  profile: () => import("./profile.ts"),
  completions: () => import("./completions.ts"),
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
  return MODULES[name]();
}
