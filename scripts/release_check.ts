/**
 * `deno run --allow-read scripts/release_check.ts v0.1.1`: the first step of
 * a release. The tag must name the version in deno.json, from which the npm
 * packages and the Homebrew formula take theirs; otherwise a tag v0.1.1 on
 * 0.1.0 sources would ship a formula pointing at v0.1.0's assets.
 *
 * @example
 * ```sh
 * deno run --allow-read scripts/release_check.ts v0.1.0
 * ```
 * @module
 */
import { VERSION } from "../src/version.ts";

/**
 * Why `tag` cannot be released from these sources, or null when it can.
 *
 * @example
 * ```ts
 * releaseProblem("v9.9.9", "0.1.0"); // "tag v9.9.9 does not match the version in deno.json (0.1.0) …"
 * ```
 */
export function releaseProblem(tag: string, version = VERSION): string | null {
  if (!/^v\d+\.\d+\.\d+(-[\w.]+)?$/.test(tag)) {
    return `tag ${tag} is not a version tag (v<major>.<minor>.<patch>)`;
  }
  if (tag.slice(1) !== version) {
    return `tag ${tag} does not match the version in deno.json (${version}), from which the npm ` +
      `packages and the formula take theirs: set "version": "${
        tag.slice(1)
      }" in deno.json, or tag v${version}`;
  }
  return null;
}

if (import.meta.main) {
  const problem = releaseProblem(Deno.args[0] ?? "");
  if (problem) {
    console.error(`release: ${problem}`);
    Deno.exit(1);
  }
  console.log(`release: ${Deno.args[0]} matches deno.json`);
}
