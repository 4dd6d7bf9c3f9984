/**
 * The layers point one way: commands → login engine → runtime → library and
 * protocol; the reference server stands beside them. Checked on the real
 * module graph (`deno info --json`, dynamic and type-only imports included),
 * with no cycles at all.
 */
import { assertEquals } from "../helpers/assert.ts";
import { moduleGraph, ROOT } from "../helpers/module_graph.ts";

/** What each layer (a folder of src/, or main.ts) may import. */
const MAY_IMPORT: Record<string, string[]> = {
  "main.ts": ["cli", "runtime"],
  cli: ["cli", "login", "runtime", "platform", "credentials", "protocol", "permissions", "version"],
  login: ["login", "runtime", "credentials", "protocol"],
  runtime: ["runtime", "platform", "credentials", "protocol", "permissions"],
  platform: ["platform", "credentials", "protocol"],
  credentials: ["credentials", "protocol"],
  protocol: ["protocol"],
  server: ["server", "platform", "credentials", "protocol"],
  permissions: [],
  version: [],
};

function layerOf(specifier: string): string | null {
  if (!specifier.startsWith(ROOT.href)) return null; // npm: and node: modules
  const path = specifier.slice(ROOT.href.length);
  if (path === "main.ts") return "main.ts";
  const match = /^src\/([^/.]+)/.exec(path);
  return match ? match[1] : null;
}

async function layerGraph(): Promise<Map<string, string[]>> {
  const graph = await moduleGraph(["main.ts", "src/server/main.ts", "src/credentials/mod.ts"]);
  return new Map([...graph].map(([module, imports]) => [module, imports.map((i) => i.specifier)]));
}

Deno.test("layering: no import points up, and there are no import cycles", async () => {
  const graph = await layerGraph();
  const upward: string[] = [];
  for (const [from, deps] of graph) {
    const layer = layerOf(from);
    if (!layer) continue;
    for (const to of deps) {
      const target = layerOf(to);
      if (target && !MAY_IMPORT[layer]?.includes(target)) {
        upward.push(`${from.slice(ROOT.href.length)} → ${to.slice(ROOT.href.length)}`);
      }
    }
  }
  assertEquals(upward, [], "imports against the layering");

  const cycles: string[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (node: string, path: string[]) => {
    if (state.get(node) === "done" || layerOf(node) === null) return;
    if (state.get(node) === "visiting") {
      cycles.push(
        [...path.slice(path.indexOf(node)), node].map((s) => s.slice(ROOT.href.length)).join(" → "),
      );
      return;
    }
    state.set(node, "visiting");
    for (const dep of graph.get(node) ?? []) visit(dep, [...path, node]);
    state.set(node, "done");
  };
  for (const node of graph.keys()) visit(node, []);
  assertEquals(cycles, [], "import cycles");
  // The check itself saw the graph: every layer is present.
  const layers = new Set([...graph.keys()].map(layerOf));
  for (const layer of ["cli", "login", "runtime", "credentials", "protocol", "server"]) {
    assertEquals(layers.has(layer), true, `no module of ${layer} in the graph`);
  }
});
