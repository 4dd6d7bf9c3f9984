/**
 * Start-up pays only for what a command uses (the founders' rule): what a
 * reading command loads, from the real module graph. A module counts as
 * loaded when a static import reaches it, or a dynamic one outside the
 * places that load on demand (the command loaders, help, the real context's
 * prompt, lock and foreground run, and the pending-login reader, which
 * `pendingNote` loads only when a file is there: tests/two_step_test.ts
 * checks that); every other `import()` is taken as if it ran on every start.
 */
import { assert, assertEquals } from "../helpers/assert.ts";
import { moduleGraph, relative, ROOT } from "../helpers/module_graph.ts";

/** Modules whose dynamic imports load only on demand. */
const ON_DEMAND = [
  "src/cli/commands.ts",
  "src/cli/main.ts",
  "src/runtime/deno_context.ts",
  "src/cli/pending_note.ts",
];

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
  "src/login/pending.ts",
  // The version (and deno.json it comes from) is for --version; the deadline for the listener.
  "src/version.ts",
  "deno.json",
  "src/platform/deadline.ts",
];

/**
 * What bare start-up (`--version`, `--help`, usage errors) must not load: the
 * credentials reader and the login selection with all they import.
 */
const NOT_AT_START = [
  "src/runtime/target.ts",
  "src/credentials/read.ts",
  "src/credentials/resolve.ts",
  "src/credentials/select.ts",
  "src/credentials/directory.ts",
  "src/credentials/profiles.ts",
  "src/protocol/sha256.ts",
];

/**
 * The most modules `whoami` may load (today's count). Each one costs start-up
 * under `deno run`; a new one on the path is a choice to make here, not an accident.
 */
const WHOAMI_MODULES = 38;

Deno.test("start-up: whoami, token, status, env and exec load no writer, lock, prompt, login engine, help or node: module; whoami keeps to its module budget; --version loads no credentials reader", async () => {
  const graph = await moduleGraph(["main.ts"]);
  const onDemand = new Set(ON_DEMAND.map((path) => new URL(path, ROOT).href));
  /** What `main.ts` loads, with the module of `command` when one is named. */
  const loads = (command: string | null): string[] =>
    reach(["main.ts", ...(command ? [`src/cli/${command}.ts`] : [])]);
  /** What loading `starts` loads. */
  const reach = (starts: string[]): string[] => {
    const seen = new Set<string>();
    const pending = starts.map((path) => new URL(path, ROOT).href);
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
    // Deno's Node layer costs 14–15 ms to start, and npm packages their own loading.
    assertEquals(loaded.filter((m) => /^(node|npm):/.test(m)), [], `${command} loads`);
  }
  const whoami = loads("whoami");
  assert(
    whoami.length <= WHOAMI_MODULES,
    `whoami loads ${whoami.length} modules, more than ${WHOAMI_MODULES}:\n${whoami.join("\n")}`,
  );
  // Reading a pending login (pendingNote loads the reader when a file is there): still no writer.
  const reader = reach(["src/login/pending.ts"]);
  assertEquals(
    reader.filter((m) => NOT_FOR_READING.includes(m) && m !== "src/login/pending.ts"),
    [],
    "the pending-login reader loads",
  );
  const bare = loads(null);
  assertEquals(bare.filter((m) => NOT_AT_START.includes(m) || /^(node|npm):/.test(m)), []);
  // The check sees what a writing command loads.
  assertEquals(loads("logout").includes("src/credentials/write.ts"), true);
});
