/**
 * Mutants of what keeps the reading commands' start-up lean (phase 3,
 * speed): work a command must not do, and code it must not load, when there
 * is nothing for it.
 * @module
 */
import type { Mutant } from "./mutant.ts";

const STARTUP = ["tests/unit/startup_test.ts"];

/** See scripts/mutants/mutant.ts for the fields. */
export const mutants: Mutant[] = [
  {
    rule:
      "whoami and status with nothing pending look only at the pending file's path (the reader is not loaded)",
    file: "src/cli/pending_note.ts",
    find: "  if (certainlyNone(io, profile)) return null;\n",
    replace: "",
    tests: ["tests/two_step_test.ts"],
    filter: "with nothing pending look once",
  },
  {
    rule: "a declared length over 1 MiB is refused before the body is read",
    file: "src/runtime/client.ts",
    find: "      if (Number(declared) > MAX_RESPONSE_BYTES) {",
    replace: "      if (false) {",
    tests: ["tests/production_truth_test.ts"],
    filter: "however it is framed",
  },
  {
    rule: "a body with a Transfer-Encoding is never read whole on its declared length",
    file: "src/runtime/client.ts",
    find:
      '      !response.headers.has("transfer-encoding") && !response.headers.has("content-encoding")',
    replace: '      !response.headers.has("content-encoding")',
    tests: ["tests/production_truth_test.ts"],
    filter: "however it is framed",
  },
  {
    rule: "a compressed body is never read whole on its declared length",
    file: "src/runtime/client.ts",
    find:
      '      !response.headers.has("transfer-encoding") && !response.headers.has("content-encoding")',
    replace: '      !response.headers.has("transfer-encoding")',
    tests: ["tests/production_truth_test.ts"],
    filter: "however it is framed",
  },
  {
    rule: "bare start-up (--version, --help) loads no credentials reader or login selection",
    file: "src/runtime/errors.ts",
    find: 'import { TokenFormatError } from "../protocol/tokens.ts";\n',
    replace: 'import { TokenFormatError } from "../protocol/tokens.ts";\nimport "./target.ts";\n',
    tests: STARTUP,
    filter: "start-up:",
  },
  {
    rule: "no reading command loads a node: module (Deno's Node layer costs 14–15 ms to start)",
    file: "src/cli/whoami.ts",
    find: 'import { ApiError } from "../runtime/api_error.ts";\n',
    replace: 'import { ApiError } from "../runtime/api_error.ts";\nimport "node:os";\n',
    tests: STARTUP,
    filter: "start-up:",
  },
  {
    rule: "no command but --version loads the version (and deno.json it comes from)",
    file: "src/cli/main.ts",
    find: 'import { loadCommand } from "./commands.ts";\n',
    replace: 'import { loadCommand } from "./commands.ts";\nimport "../version.ts";\n',
    tests: STARTUP,
    filter: "start-up:",
  },
  {
    rule: "no command but a login with a listener loads the shutdown deadline",
    file: "src/runtime/deno_context.ts",
    find: 'import { denoFs } from "../platform/deno_fs.ts";\n',
    replace:
      'import { denoFs } from "../platform/deno_fs.ts";\nimport "../platform/deadline.ts";\n',
    tests: STARTUP,
    filter: "start-up:",
  },
  {
    rule: "whoami loads no more modules than its budget",
    file: "src/cli/whoami.ts",
    find: 'import { ApiError } from "../runtime/api_error.ts";\n',
    replace:
      'import { ApiError } from "../runtime/api_error.ts";\nimport "../protocol/random.ts";\n',
    tests: STARTUP,
    filter: "start-up:",
  },
  {
    rule: "what ships is the bundle: compile embeds it, not the sources",
    file: "scripts/compile.ts",
    find: "    join(bundleDir(dist), BUNDLE_ENTRY),\n",
    replace: '    join(import.meta.dirname!, "..", "main.ts"),\n',
    tests: ["tests/packaging_test.ts"],
    filter: "compile argv",
  },
  {
    rule: "the bundle gives each command a chunk of its own (whoami's start-up carries no other)",
    file: "scripts/bundle.ts",
    find: '    "--code-splitting",\n',
    replace: "",
    tests: ["tests/bundle_test.ts"],
    filter: "chunk of its own",
  },
  {
    rule:
      "every command is imported by a literal name, so the bundle that ships carries it (answers as the sources do)",
    file: "src/cli/commands.ts",
    find: '  doctor: () => import("./doctor.ts"),\n',
    replace: '  doctor: () => import(new URL("./doctor.ts", import.meta.url).href),\n',
    tests: ["tests/bundle_test.ts"],
    filter: "as the sources do",
  },
  {
    rule: "the bundle is ASCII (one other character doubles a chunk on V8's heap)",
    file: "src/credentials/resolve.ts",
    find: "a trailing newline from a file or `$(...)`",
    replace: "a trailing newline from a file or `$(\u2026)`",
    tests: ["tests/bundle_test.ts"],
    filter: "ASCII",
  },
  {
    rule: "a relative --outdir is the caller's folder, not the checkout's",
    file: "scripts/bundle.ts",
    find: "  const outdir = resolve(given);\n",
    replace: "  const outdir = given;\n",
    tests: ["tests/packaging_test.ts"],
    filter: "empties only",
  },
  {
    rule: "a bundle that cannot be built stops compile with deno bundle's reason, no stack trace",
    file: "scripts/compile.ts",
    find: "      console.error((error as Error).message);\n      Deno.exit(1);\n",
    replace: "      throw error;\n",
    tests: ["tests/packaging_test.ts"],
    filter: "without esbuild",
  },
  {
    rule: "the release smoke test runs every command (each a chunk of its own in the binary)",
    file: ".github/workflows/release.yml",
    find: '          "$bin" completions bash >/dev/null\n',
    replace: "",
    tests: ["tests/packaging_test.ts"],
    filter: "release smoke step",
  },
];
