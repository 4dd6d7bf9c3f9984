/**
 * Mutants of the rules the release review (review-ship) added: each one's
 * test must fail when the rule is gone.
 * @module
 */
import type { Mutant } from "./mutant.ts";

/** See scripts/mutants/mutant.ts for the fields. */
export const mutants: Mutant[] = [
  {
    rule: "two builds of one commit under one SOURCE_DATE_EPOCH give the same binary and archive",
    file: "scripts/compile.ts",
    find: "    dateBundle(bundleDir(DIST), mtime);\n",
    replace: "",
    tests: ["tests/packaging_test.ts"],
    filter: "two builds of one commit",
  },
  {
    rule: "deno task bundle that cannot bundle prints deno bundle's reason, exit 1, no stack trace",
    file: "scripts/bundle.ts",
    find: "    console.log(await bundleCli(values.outdir));\n  } catch (error) {\n",
    replace:
      "    console.log(await bundleCli(values.outdir));\n  } catch (error) {\n    throw error;\n",
    tests: ["tests/packaging_test.ts"],
    filter: "without esbuild",
  },
  {
    rule: "a bundle's --outdir holding anything a bundle does not write is refused, not emptied",
    file: "scripts/bundle.ts",
    find: "  if (foreign) {\n",
    replace: "  if (foreign) Deno.removeSync(outdir, { recursive: true });\n  if (false) {\n",
    tests: ["tests/packaging_test.ts"],
    filter: "empties only an earlier bundle",
  },
  {
    rule: "bundling again removes an earlier bundle's chunks first (none lingers)",
    file: "scripts/bundle.ts",
    find: "  for (const entry of earlier) Deno.removeSync(join(outdir, entry.name));\n",
    replace: "",
    tests: ["tests/packaging_test.ts"],
    filter: "empties only an earlier bundle",
  },
  {
    rule:
      "a bundle that cannot reach the npm registry names the ways on without it (a mirror, a filled DENO_DIR)",
    file: "scripts/bundle.ts",
    find:
      "  if (!/Failed loading https?:|error sending request|dns error/i.test(stderr)) return said;\n",
    replace: "  return said;\n",
    tests: ["tests/packaging_test.ts"],
    filter: "without esbuild",
  },
  {
    rule: "a bundle failing for another reason than the registry gets no registry advice",
    file: "scripts/bundle.ts",
    find:
      "  if (!/Failed loading https?:|error sending request|dns error/i.test(stderr)) return said;\n",
    replace: "",
    tests: ["tests/packaging_test.ts"],
    filter: "no registry advice",
  },
  {
    rule: "whoami's start-up in the bundle evaluates no QR code (a bare import counts)",
    file: "src/cli/whoami.ts",
    find: 'import { ApiError } from "../runtime/api_error.ts";\n',
    replace: 'import { ApiError } from "../runtime/api_error.ts";\nimport "./qr.ts";\n',
    tests: ["tests/bundle_test.ts"],
    filter: "chunk of its own",
  },
  {
    rule:
      "whoami's start-up in the bundle evaluates no login engine (moved into a shared chunk, not its own)",
    file: "src/cli/whoami.ts",
    find: 'import { ApiError } from "../runtime/api_error.ts";\n',
    replace:
      'import { ApiError } from "../runtime/api_error.ts";\nexport { login as lateLogin } from "../login/engine.ts";\n',
    tests: ["tests/bundle_test.ts"],
    filter: "chunk of its own",
  },
  {
    rule:
      "the release's build job dates the bundle and archives by the commit (a rerun builds the same bytes)",
    file: ".github/workflows/release.yml",
    find:
      '(signing aside).\n      - name: date the build by its commit\n        shell: bash\n        run: echo "SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)" >>"$GITHUB_ENV"\n',
    replace: "(signing aside).\n",
    tests: ["tests/packaging_test.ts"],
    filter: "release workflow is valid",
  },
  {
    rule: "the release's publish job packs the archives dated by the commit",
    file: ".github/workflows/release.yml",
    find:
      'as in the build job.\n      - name: date the build by its commit\n        shell: bash\n        run: echo "SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)" >>"$GITHUB_ENV"\n',
    replace: "as in the build job.\n",
    tests: ["tests/packaging_test.ts"],
    filter: "release workflow is valid",
  },
  {
    rule:
      "what ships is type-checked: a build of code that fails deno check stops before compiling",
    file: "scripts/bundle.ts",
    find: '    "--check",\n',
    replace: "",
    tests: ["tests/packaging_test.ts"],
    filter: "fails type-checking",
  },
];
