/**
 * macOS's tar for tests on Linux: Debian's libarchive-tools gives bsdtar 3.6,
 * like macOS's /usr/bin/tar (scripts/test.sh installs it when missing).
 * @module
 */
import { scratchDir } from "./scratch.ts";

/** Where bsdtar is; throws (never skips) when it is not installed. */
export function bsdtarPath(): string {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    try {
      if (Deno.statSync(`${dir}/bsdtar`).isFile) return `${dir}/bsdtar`;
    } catch { /* not here */ }
  }
  throw new Error(
    "bsdtar is not installed: apt-get install libarchive-tools (scripts/test.sh does)",
  );
}

/** A PATH on which `tar` is bsdtar, as on macOS. */
export function macosPath(): string {
  const shims = scratchDir("almyty-macos-path-");
  Deno.symlinkSync(bsdtarPath(), `${shims}/tar`);
  return `${shims}:${Deno.env.get("PATH") ?? "/usr/bin:/bin"}`;
}
