/**
 * The version, from deno.json (a module import, so the binary carries it).
 *
 * @example
 * ```ts
 * import { VERSION } from "./version.ts";
 * console.log(VERSION); // "0.1.0"
 * ```
 * @module
 */
import config from "../deno.json" with { type: "json" };

/** The package version. */
export const VERSION: string = config.version;
