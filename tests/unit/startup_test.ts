/**
 * Start-up pays only for what a command uses (the founders' rule): what a
 * reading command loads, from the real module graph. A module counts as
 * loaded when a static import reaches it, or a dynamic one outside the three
 * places that load on demand (the command loaders, help, and the real
 * context's prompt, lock and foreground run); every other `import()` is
 * taken as if it ran on every start, as `pendingNote`'s does.
 */
import { assertEquals } from "../helpers/assert.ts";
import { moduleGraph, relative, ROOT } from "../helpers/module_graph.ts";

/** Modules whose dynamic imports load only on demand. */
const ON_DEMAND = ["src/cli/commands.ts", "src/cli/main.ts", "src/runtime/deno_context.ts"];

/** What no reading command needs: writers, locks, prompts, the login engine, help. */
const NOT_FOR_READING = [
  "src/credentials/write.ts",
  "src/credentials/atomic.ts",
  "src/login/pending_write.ts",
  "src/platform/lock.ts",
  "src/platform/prompt.ts",
  "src/platform/foreground.ts",
  "src/login/engine.ts",
  "src/login/two_step.ts",
  "src/cli/login_ui.ts",
  "src/cli/help.ts",
];

Deno.test("start-up: whoami, token, status, env and exec load no writer, lock, prompt, login engine or help", async () => {
  const graph = await moduleGraph(["main.ts"]);
  const onDemand = new Set(ON_DEMAND.map((path) => new URL(path, ROOT).href));
  const loads = (command: string): string[] => {
    const seen = new Set<string>();
    const pending = [new URL("main.ts", ROOT).href, new URL(`src/cli/${command}.ts`, ROOT).href];
    while (pending.length) {
      const module = pending.pop()!;
      if (seen.has(module)) continue;
      seen.add(module);
      for (const i of graph.get(module) ?? []) {
        if (i.typeOnly || (i.dynamic && onDemand.has(module))) continue;
        pending.push(i.specifier);
      }
    }
    return [...seen].map(relative);
  };
  for (const command of ["whoami", "token", "status", "env", "exec"]) {
    const loaded = loads(command);
    assertEquals(loaded.includes(`src/cli/${command}.ts`), true, `${command}: the graph was read`);
    assertEquals(loaded.filter((m) => NOT_FOR_READING.includes(m)), [], `${command} loads`);
  }
  // The check sees what a writing command loads.
  assertEquals(loads("logout").includes("src/credentials/write.ts"), true);
});
