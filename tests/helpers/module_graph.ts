/**
 * The real module graph of an entry point (`deno info --json`): dynamic and
 * type-only imports included, each marked. For the layering and start-up tests.
 * @module
 */

/** The repository's root, as module specifiers start. */
export const ROOT = new URL("../../", import.meta.url);

/** One import of a module. */
export interface Import {
  /** What is imported (a file:, npm: or node: specifier). */
  specifier: string;
  /** `import()`: loaded only when that line runs. */
  dynamic: boolean;
  /** `import type`: never loaded at run time. */
  typeOnly: boolean;
}

/** Every module reachable from `roots` (paths from the root) → its imports. */
export async function moduleGraph(roots: string[]): Promise<Map<string, Import[]>> {
  const graph = new Map<string, Import[]>();
  for (const root of roots) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", root],
      cwd: ROOT,
      stdout: "piped",
    }).output();
    const info = JSON.parse(new TextDecoder().decode(out.stdout)) as {
      modules: {
        specifier: string;
        dependencies?: {
          code?: { specifier: string };
          type?: { specifier: string };
          isDynamic?: boolean;
        }[];
      }[];
    };
    for (const module of info.modules) {
      const imports = (module.dependencies ?? []).flatMap((d): Import[] => [
        ...(d.code
          ? [{ specifier: d.code.specifier, dynamic: Boolean(d.isDynamic), typeOnly: false }]
          : []),
        ...(d.type
          ? [{ specifier: d.type.specifier, dynamic: Boolean(d.isDynamic), typeOnly: true }]
          : []),
      ]);
      graph.set(module.specifier, imports);
    }
  }
  return graph;
}

/** `specifier` as a path from the root (unchanged when it is not a file of the repository). */
export function relative(specifier: string): string {
  return specifier.startsWith(ROOT.href) ? specifier.slice(ROOT.href.length) : specifier;
}
