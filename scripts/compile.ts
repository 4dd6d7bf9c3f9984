/**
 * `deno task compile [--target T] [--dist DIR] [--pack-only]`: bundles the
 * CLI (scripts/bundle.ts) into DIR/bundle, builds the binaries from it with
 * the CLI's permission set (src/permissions.ts), packs one archive per
 * target into DIR (default dist/), and writes DIR/SHA256SUMS.
 *
 * `deno compile` downloads its runtime (denort) for each target. Where that is
 * impossible (air-gapped builds, this project's machines), set DENORT_BIN to a
 * denort binary for the target; without either, the build stops with one
 * message naming DENORT_BIN.
 * @module
 */
import { join } from "node:path";
import { permissionFlags } from "../src/permissions.ts";
import { BUNDLE_ENTRY, bundleCli, bundleDir } from "./bundle.ts";
import { buildTime, packTarGz, sha256sums, zipOne } from "./archive.ts";
import { archiveName, DEFAULT_DIST, executableName, targetOs, TARGETS } from "./targets.ts";
import { taskFlags } from "./task_args.ts";

/**
 * The `deno compile` argv for a target, building into `dist` from the bundle
 * there: every command's chunk is embedded (the bundle imports each by a
 * literal name), and no npm package (the bundle holds the one the CLI uses, so
 * none of deno.lock's test tools come along).
 */
export function compileArgs(target: string, dist = DEFAULT_DIST): string[] {
  return [
    "compile",
    "--quiet",
    "--target",
    target,
    "--output",
    join(dist, target, executableName(target)),
    ...permissionFlags(targetOs(target)),
    // What ships is the bundle (scripts/bundle.ts), built into `dist` first.
    join(bundleDir(dist), BUNDLE_ENTRY),
  ];
}

/**
 * Dates the bundle's files `mtime`: deno compile records each embedded file's
 * modification time in the binary, and every build writes the bundle afresh,
 * so without this no two builds of one commit would give the same bytes.
 */
export function dateBundle(dir: string, mtime: Date): void {
  for (const entry of Deno.readDirSync(dir)) Deno.utimeSync(join(dir, entry.name), mtime, mtime);
}

/** Why a compile failed, for people. */
export function explainCompileFailure(target: string, stderr: string, denortBin?: string): string {
  if (!denortBin && /denort|dl\.deno\.land|dns error|download/i.test(stderr)) {
    return `deno compile could not download its runtime (denort) for ${target}. ` +
      `Set DENORT_BIN to a denort binary for ${target} (from the Deno release's denort-${target}.zip) and run again.`;
  }
  return `deno compile failed for ${target}:\n${stderr}`;
}

/** Packs a target built in `dist` into its archive there, its entry dated `mtime`. */
export function pack(target: string, dist = DEFAULT_DIST, mtime = buildTime()): string {
  const name = archiveName(target);
  const exe = executableName(target);
  if (name.endsWith(".zip")) {
    const zip = zipOne(exe, Deno.readFileSync(join(dist, target, exe)), mtime);
    Deno.writeFileSync(join(dist, name), zip);
  } else {
    packTarGz(join(dist, target), exe, join(dist, name), mtime);
  }
  return name;
}

if (import.meta.main) {
  const values = taskFlags("usage: deno task compile [--target T] [--dist DIR] [--pack-only]", {
    target: { type: "string" },
    dist: { type: "string" },
    "pack-only": { type: "boolean" },
  });
  const DIST = values.dist ?? DEFAULT_DIST;
  const targets = values.target ? [values.target] : [...TARGETS];
  for (const target of targets) {
    if (!(TARGETS as readonly string[]).includes(target)) {
      console.error(`Unknown target ${target}; one of: ${TARGETS.join(", ")}`);
      Deno.exit(2);
    }
  }
  Deno.mkdirSync(DIST, { recursive: true });
  const archives: string[] = [];
  const mtime = buildTime(Deno.env.toObject());
  // One bundle for every target: it is JavaScript, the same on each.
  if (!values["pack-only"]) {
    try {
      await bundleCli(bundleDir(DIST));
    } catch (error) {
      console.error((error as Error).message);
      Deno.exit(1);
    }
    dateBundle(bundleDir(DIST), mtime);
  }
  for (const target of targets) {
    if (!values["pack-only"]) {
      // deno compile will not overwrite a file it did not make (e.g. a stand-in).
      try {
        Deno.removeSync(join(DIST, target), { recursive: true });
      } catch { /* nothing built yet */ }
      const { code, stderr } = await new Deno.Command(Deno.execPath(), {
        args: compileArgs(target, DIST),
      })
        .output();
      if (code !== 0) {
        console.error(
          explainCompileFailure(
            target,
            new TextDecoder().decode(stderr),
            Deno.env.get("DENORT_BIN"),
          ),
        );
        Deno.exit(1);
      }
    }
    try {
      Deno.statSync(join(DIST, target, executableName(target)));
    } catch {
      console.error(
        `No ${
          join(DIST, target, executableName(target))
        } to pack: build it first (without --pack-only).`,
      );
      Deno.exit(1);
    }
    archives.push(pack(target, DIST, mtime));
    console.log(join(DIST, archives.at(-1)!));
  }
  sha256sums(DIST, archives);
  console.log(join(DIST, "SHA256SUMS"));
}
