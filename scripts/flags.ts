/**
 * Prints the CLI's permission flags, one per line, for shell use:
 * `deno run $(deno run scripts/flags.ts) main.ts`.
 * @module
 */
import { permissionFlags } from "../src/permissions.ts";

console.log(permissionFlags().join("\n"));
