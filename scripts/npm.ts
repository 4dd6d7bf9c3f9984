/**
 * `deno task npm [--out DIR] [--dist DIR] [--library-only] [--empty-missing]`:
 * builds the npm packages into DIR (default dist/npm), all at the version in
 * deno.json:
 *
 * - `credentials/`: `@almyty/credentials`, the credentials library as ES
 *   modules + .d.ts (compiled from src/ by TypeScript), no dependencies;
 * - `auth/`: `@almyty/auth`, the bin launcher (npm/auth/bin), re-exporting
 *   the library, with one optional dependency per platform;
 * - `auth-<os>-<cpu>/`: one package per binary found in the compile output
 *   (`--dist`, default dist/); `--empty-missing` builds the others without a
 *   binary (a rehearsal publishes every package the launcher names).
 *
 * @example
 * ```sh
 * deno task npm --out /tmp/npm --library-only
 * ```
 * @module
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { VERSION } from "../src/version.ts";
import { DEFAULT_DIST } from "./targets.ts";
import { taskFlags } from "./task_args.ts";

const ROOT = join(import.meta.dirname!, "..");
const NPM_SOURCES = join(ROOT, "npm");
/** Where packages go unless `--out` says otherwise. */
export const DEFAULT_OUT = join(DEFAULT_DIST, "npm");

/** The repository every package names (npm requires it for provenance). */
export const REPOSITORY = {
  type: "git",
  url: "git+https://github.com/almyty/almyty-auth.git",
};

/**
 * Node.js versions the packages support: ES modules only, and `require()` of
 * an ES module works unflagged from 20.19 and 22.12.
 */
export const NODE_ENGINES = "^20.19.0 || >=22.12.0";

/** Release target → npm os/cpu(/libc), as esbuild's and Deno's npm packages name them. */
export const NPM_PLATFORMS: Record<
  string,
  { os: string; cpu: string; exe: string; libc?: string; alsoCpu?: string }
> = {
  "x86_64-unknown-linux-gnu": { os: "linux", cpu: "x64", exe: "almyty-auth", libc: "glibc" },
  "aarch64-unknown-linux-gnu": { os: "linux", cpu: "arm64", exe: "almyty-auth", libc: "glibc" },
  "x86_64-apple-darwin": { os: "darwin", cpu: "x64", exe: "almyty-auth" },
  "aarch64-apple-darwin": { os: "darwin", cpu: "arm64", exe: "almyty-auth" },
  // Windows on ARM64 runs x64 programs under emulation; there is no arm64 build of Deno's
  // runtime for Windows, so npm installs the x64 package there too (`cpu`).
  "x86_64-pc-windows-msvc": {
    os: "win32",
    cpu: "x64",
    exe: "almyty-auth.exe",
    alsoCpu: "arm64",
  },
};

/** `@almyty/auth-<os>-<cpu>`. */
export function platformPackageName(p: { os: string; cpu: string }): string {
  return `@almyty/auth-${p.os}-${p.cpu}`;
}

function writeJson(path: string, value: unknown): void {
  writeFileSync(path, JSON.stringify(value, null, 2) + "\n");
}

function common(description: string) {
  return {
    version: VERSION,
    description,
    license: "MIT",
    repository: REPOSITORY,
    homepage: "https://github.com/almyty/almyty-auth#readme",
  };
}

function withDocs(dir: string, readme: string): void {
  copyFileSync(readme, join(dir, "README.md"));
  copyFileSync(join(ROOT, "LICENSE"), join(dir, "LICENSE"));
}

/** Declarations that import `./x.js` as the emitted JavaScript does (not `./x.ts`). */
function fixDeclarationImports(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith(".d.ts")) continue;
    const path = join(entry.parentPath, entry.name);
    const text = readFileSync(path, "utf8");
    writeFileSync(path, text.replace(/(from\s+["']\.{1,2}\/[^"']+)\.ts(["'])/g, "$1.js$2"));
  }
}

function buildLibrary(out: string): string {
  const dir = join(out, "credentials");
  mkdirSync(dir, { recursive: true });
  const program = ts.createProgram([join(ROOT, "src/credentials/mod.ts")], {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ES2022,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    rewriteRelativeImportExtensions: true,
    allowImportingTsExtensions: true,
    declaration: true,
    rootDir: join(ROOT, "src"),
    outDir: join(dir, "dist"),
    strict: true,
    skipLibCheck: true,
    types: ["node"],
    typeRoots: [],
  });
  const result = program.emit();
  const errors = result.diagnostics.filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length) {
    throw new Error(ts.formatDiagnostics(errors, {
      getCanonicalFileName: (f) => f,
      getCurrentDirectory: () => ROOT,
      getNewLine: () => "\n",
    }));
  }
  fixDeclarationImports(join(dir, "dist"));
  writeJson(join(dir, "package.json"), {
    name: "@almyty/credentials",
    ...common("The almyty credentials library: the token every almyty CLI uses."),
    type: "module",
    main: "./dist/credentials/mod.js",
    types: "./dist/credentials/mod.d.ts",
    exports: {
      ".": { types: "./dist/credentials/mod.d.ts", default: "./dist/credentials/mod.js" },
      "./package.json": "./package.json",
    },
    files: ["dist/", "README.md", "LICENSE"],
    sideEffects: false,
    engines: { node: NODE_ENGINES },
  });
  withDocs(dir, join(NPM_SOURCES, "credentials/README.md"));
  return dir;
}

function buildMain(out: string): string {
  const dir = join(out, "auth");
  mkdirSync(join(dir, "bin"), { recursive: true });
  copyFileSync(join(NPM_SOURCES, "auth/bin/almyty-auth.js"), join(dir, "bin/almyty-auth.js"));
  const reexport = `export * from "@almyty/credentials";\n`;
  writeFileSync(join(dir, "index.js"), reexport);
  writeFileSync(join(dir, "index.d.ts"), reexport);
  writeJson(join(dir, "package.json"), {
    name: "@almyty/auth",
    ...common("Log in to almyty from a terminal; re-exports the credentials library."),
    type: "module",
    bin: { "almyty-auth": "bin/almyty-auth.js" },
    main: "./index.js",
    types: "./index.d.ts",
    exports: {
      ".": { types: "./index.d.ts", default: "./index.js" },
      "./package.json": "./package.json",
    },
    files: ["bin/", "index.js", "index.d.ts", "README.md", "LICENSE"],
    engines: { node: NODE_ENGINES },
    dependencies: { "@almyty/credentials": VERSION },
    optionalDependencies: Object.fromEntries(
      Object.values(NPM_PLATFORMS).map((p) => [platformPackageName(p), VERSION]),
    ),
  });
  withDocs(dir, join(NPM_SOURCES, "auth/README.md"));
  return dir;
}

function buildPlatforms(out: string, dist: string, emptyMissing: boolean): string[] {
  const built: string[] = [];
  for (const [target, p] of Object.entries(NPM_PLATFORMS)) {
    const binary = join(dist, target, p.exe);
    let present = true;
    try {
      Deno.statSync(binary);
    } catch {
      present = false;
    }
    if (!present && !emptyMissing) continue;
    const name = platformPackageName(p);
    const dir = join(out, `auth-${p.os}-${p.cpu}`);
    mkdirSync(join(dir, "bin"), { recursive: true });
    if (present) {
      copyFileSync(binary, join(dir, "bin", p.exe));
      Deno.chmodSync(join(dir, "bin", p.exe), 0o755);
    }
    writeFileSync(
      join(dir, "README.md"),
      `# ${name}\n\nThe almyty-auth binary for ${p.os}-${p.cpu}${
        p.libc ? ` (${p.libc})` : ""
      }, installed by \`@almyty/auth\`.${
        present ? "" : "\n\nThis build has no binary for this platform."
      }\n\nLicense: MIT.\n`,
    );
    copyFileSync(join(ROOT, "LICENSE"), join(dir, "LICENSE"));
    writeJson(join(dir, "package.json"), {
      name,
      ...common(`The almyty-auth binary for ${p.os}-${p.cpu}.`),
      os: [p.os],
      cpu: p.alsoCpu ? [p.cpu, p.alsoCpu] : [p.cpu],
      ...(p.libc ? { libc: [p.libc] } : {}),
      files: ["bin/", "README.md", "LICENSE"],
      preferUnplugged: true,
    });
    built.push(dir);
  }
  return built;
}

/** Options of a build. */
export interface NpmBuildOptions {
  out?: string;
  dist?: string;
  libraryOnly?: boolean;
  emptyMissing?: boolean;
}

/**
 * Builds the packages; returns their directories in publish order (the
 * library, the platform packages, then `@almyty/auth`, which depends on them).
 */
export function buildNpmPackages(options: NpmBuildOptions = {}): string[] {
  const out = options.out ?? DEFAULT_OUT;
  const library = buildLibrary(out);
  if (options.libraryOnly) return [library];
  const platforms = buildPlatforms(
    out,
    options.dist ?? DEFAULT_DIST,
    options.emptyMissing ?? false,
  );
  return [library, ...platforms, buildMain(out)];
}

if (import.meta.main) {
  const values = taskFlags(
    "usage: deno task npm [--out DIR] [--dist DIR] [--library-only] [--empty-missing]",
    {
      out: { type: "string" },
      dist: { type: "string" },
      "library-only": { type: "boolean" },
      "empty-missing": { type: "boolean" },
    },
  );
  const dirs = buildNpmPackages({
    out: values.out,
    dist: values.dist,
    libraryOnly: values["library-only"],
    emptyMissing: values["empty-missing"],
  });
  for (const dir of dirs) {
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    console.log(`${pkg.name}@${pkg.version}  ${dir}`);
  }
}
