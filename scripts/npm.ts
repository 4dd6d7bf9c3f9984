/**
 * Builds the npm packages: `npm/` (`@almyty/auth`: the bin launcher plus the
 * credentials library as ESM JavaScript + .d.ts, compiled from src/ by
 * TypeScript) and, from dist/, one `@almyty/auth-<os>-<arch>` package per
 * binary, all at the version in deno.json.
 *
 *   deno task npm                 # library + platform packages from dist/
 *   deno task npm --library-only  # library only (the Node.js tests use this)
 * @module
 */
import ts from "typescript";
import { VERSION } from "../src/version.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const NPM = `${ROOT}npm/`;

/** Release target → npm os/cpu, as esbuild's and Deno's npm packages name them. */
export const NPM_PLATFORMS: Record<string, { os: string; cpu: string; exe: string }> = {
  "x86_64-unknown-linux-gnu": { os: "linux", cpu: "x64", exe: "almyty-auth" },
  "aarch64-unknown-linux-gnu": { os: "linux", cpu: "arm64", exe: "almyty-auth" },
  "x86_64-apple-darwin": { os: "darwin", cpu: "x64", exe: "almyty-auth" },
  "aarch64-apple-darwin": { os: "darwin", cpu: "arm64", exe: "almyty-auth" },
  "x86_64-pc-windows-msvc": { os: "win32", cpu: "x64", exe: "almyty-auth.exe" },
};

function buildLibrary(): void {
  const program = ts.createProgram([`${ROOT}src/credentials/mod.ts`], {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ES2022,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    rewriteRelativeImportExtensions: true,
    allowImportingTsExtensions: true,
    declaration: true,
    rootDir: `${ROOT}src`,
    outDir: `${NPM}dist`,
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
}

function writeJson(path: string, value: unknown): void {
  Deno.mkdirSync(path.replace(/\/[^/]+$/, ""), { recursive: true });
  Deno.writeTextFileSync(path, JSON.stringify(value, null, 2) + "\n");
}

function mainPackage(): void {
  writeJson(`${NPM}package.json`, {
    name: "@almyty/auth",
    version: VERSION,
    description: "Log in to almyty from a terminal; the credentials library every almyty CLI uses.",
    license: "MIT",
    type: "module",
    bin: { "almyty-auth": "bin/almyty-auth.js" },
    exports: {
      ".": { types: "./dist/credentials/mod.d.ts", default: "./dist/credentials/mod.js" },
      "./package.json": "./package.json",
    },
    files: ["bin/", "dist/"],
    engines: { node: ">=18" },
    optionalDependencies: Object.fromEntries(
      Object.values(NPM_PLATFORMS).map((p) => [`@almyty/auth-${p.os}-${p.cpu}`, VERSION]),
    ),
  });
}

function platformPackages(): number {
  let built = 0;
  for (const [target, p] of Object.entries(NPM_PLATFORMS)) {
    const binary = `${ROOT}dist/${target}/${p.exe}`;
    try {
      Deno.statSync(binary);
    } catch {
      continue;
    }
    const dir = `${NPM}platforms/auth-${p.os}-${p.cpu}`;
    Deno.mkdirSync(`${dir}/bin`, { recursive: true });
    Deno.copyFileSync(binary, `${dir}/bin/${p.exe}`);
    Deno.chmodSync(`${dir}/bin/${p.exe}`, 0o755);
    writeJson(`${dir}/package.json`, {
      name: `@almyty/auth-${p.os}-${p.cpu}`,
      version: VERSION,
      description: `The almyty-auth binary for ${p.os}-${p.cpu}.`,
      license: "MIT",
      os: [p.os],
      cpu: [p.cpu],
      files: ["bin/"],
      preferUnplugged: true,
    });
    built++;
  }
  return built;
}

if (import.meta.main) {
  buildLibrary();
  mainPackage();
  if (!Deno.args.includes("--library-only")) {
    console.log(`built ${platformPackages()} platform package(s) from dist/`);
  }
  console.log(`npm/: @almyty/auth ${VERSION}`);
}
