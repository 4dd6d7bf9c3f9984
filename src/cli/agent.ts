/**
 * Is a coding agent running this command? Agents' tool calls block until the
 * command exits and are killed at the harness's timeout, so a login that
 * waits for a person would never even show them the URL. Each agent marks
 * its shell with a variable of its own.
 *
 * @example
 * ```ts
 * import { detectAgent } from "./agent.ts";
 * detectAgent({ CLAUDECODE: "1" }); // "CLAUDECODE"
 * detectAgent({}); // null
 * ```
 * @module
 */
import { AGENT_VARIABLES } from "../permissions.ts";
import { switchedOn } from "../protocol/text.ts";

/**
 * The first agent variable set (not empty, not "0" or "false"), or null.
 *
 * @example
 * ```ts
 * detectAgent({ CURSOR_AGENT: "1", AI_AGENT: "" }); // "CURSOR_AGENT"
 * detectAgent({ CLAUDECODE: "0" }); // null
 * ```
 */
export function detectAgent(env: Readonly<Record<string, string | undefined>>): string | null {
  return AGENT_VARIABLES.find((name) => switchedOn(env[name])) ?? null;
}
