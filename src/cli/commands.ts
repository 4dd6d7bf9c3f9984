/**
 * Which module runs each command, loaded on demand so a command's start-up
 * pays only for itself. The flags and help are in `spec.ts`.
 *
 * @example
 * ```ts
 * import { loadCommand } from "./commands.ts";
 * const whoami = await loadCommand("whoami");
 * ```
 * @module
 */
import type { Command } from "../runtime/command.ts";

const LOADERS: Record<string, () => Promise<Command>> = {
  login: () => import("./login.ts"),
  logout: () => import("./logout.ts"),
  whoami: () => import("./whoami.ts"),
  token: () => import("./token.ts"),
  status: () => import("./status.ts"),
  doctor: () => import("./doctor.ts"),
  profile: () => import("./profile.ts"),
  exec: () => import("./exec.ts"),
  env: () => import("./env.ts"),
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
  return LOADERS[name]();
}
