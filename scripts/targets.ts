/**
 * Release targets and the names of their artifacts, shared by compile,
 * homebrew and the tests.
 *
 * @example
 * ```ts
 * import { archiveName } from "./targets.ts";
 * archiveName("x86_64-pc-windows-msvc"); // "almyty-auth-x86_64-pc-windows-msvc.zip"
 * ```
 * @module
 */
import { join } from "node:path";

/** Where builds go (the bundle, binaries, archives, npm packages) unless a task is told otherwise. */
export const DEFAULT_DIST = join(import.meta.dirname!, "..", "dist");

/** Every target `deno compile` builds for a release. */
export const TARGETS = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
  "x86_64-pc-windows-msvc",
] as const;

/** The OS a target runs on, as `Deno.build.os` names it. */
export function targetOs(target: string): "linux" | "darwin" | "windows" {
  return target.includes("windows") ? "windows" : target.includes("apple") ? "darwin" : "linux";
}

/** The executable's name inside the archive. */
export function executableName(target: string): string {
  return target.includes("windows") ? "almyty-auth.exe" : "almyty-auth";
}

/** `almyty-auth-<target>.tar.gz` (`.zip` for Windows); no version, so "latest" URLs work. */
export function archiveName(target: string): string {
  return `almyty-auth-${target}${target.includes("windows") ? ".zip" : ".tar.gz"}`;
}
