/**
 * `deno task mutants` itself: every entry still applies to today's code (so a
 * change that makes one stale fails here, in the fast tests, not only in the
 * mutation run), and the runner tells killed, survived, hung and stale apart
 * on a small repository of its own.
 */
import { assert, assertEquals, assertMatch } from "../helpers/assert.ts";
import {
  classify,
  loadMutants,
  mutate,
  selects,
  summary,
  testResults,
  unionFilter,
} from "../../scripts/mutants.ts";
import { scratchDir } from "../helpers/scratch.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

Deno.test("mutants: every entry applies to exactly one place and names tests that exist", async () => {
  const mutants = await loadMutants();
  assert(mutants.length > 0);
  const wrong: string[] = [];
  for (const m of mutants) {
    const text = Deno.readTextFileSync(ROOT + m.file);
    const result = mutate(text, m);
    if ("stale" in result) wrong.push(`${m.file} (${m.rule}): ${result.stale}`);
    for (const test of m.tests) {
      if (!Deno.statSync(ROOT + test).isFile) wrong.push(`${m.rule}: no test file ${test}`);
    }
  }
  assertEquals(wrong, [], "update the entry to the new text (scripts/mutants/)");
});

Deno.test("mutants: a mutant is replaced once, and only where the text is unique", () => {
  const m = { rule: "r", file: "f", find: "a < b", replace: "a <= b", tests: ["t"] };
  assertEquals(mutate("if (a < b) x();", m), { text: "if (a <= b) x();" });
  assertEquals(mutate("if (a > b) x();", m), { stale: "text not found" });
  assertMatch((mutate("a < b; a < b", m) as { stale: string }).stale, /more than once/);
});

Deno.test("mutants: deno test's closing line decides killed, survived or broken", () => {
  const run = (code: number | "timeout", output: string) => ({
    code,
    output,
    ms: 10,
  });
  assertEquals(summary("ok | 3 passed | 0 failed (1s)"), { passed: 3, failed: 0 });
  assertEquals(summary("FAILED | 1 passed (2 steps) | 2 failed (1s)"), { passed: 1, failed: 2 });
  assertEquals(classify(run(1, "FAILED | 0 passed | 1 failed (1s)")).outcome, "killed");
  assertEquals(classify(run(0, "ok | 1 passed | 0 failed (1s)")).outcome, "survived");
  assertEquals(classify(run("timeout", "")).outcome, "survived");
  assertEquals(
    classify(run(1, "error: The module's source code could not be parsed")).outcome,
    "broken",
  );
  assertEquals(
    classify(run(0, "ok | 0 passed | 0 failed | 3 filtered out (1s)")).outcome,
    "broken",
  );
});

Deno.test("mutants: one baseline run per test file: its results, and one filter for every selection", () => {
  const output = [
    "running 3 tests from ./tests/a_test.ts",
    "first (x) ... ok (81ms)",
    "second ...",
    "------- output -------",
    "noise ... ok (1ms)",
    "----- output end -----",
    "second ... FAILED (1m2s)",
    "  a step ... ok (3ms)",
    "third ... ok (293µs)",
  ].join("\n");
  const results = testResults(output);
  assertEquals(results.get("first (x)"), { ok: true, ms: 81 });
  assertEquals(results.get("second"), { ok: false, ms: 62_000 });
  assertEquals(results.has("a step"), false, "steps are not tests");
  assertEquals(selects("first (", "first (x)"), true);
  assertEquals(selects("/^sec|thi/", "third"), true);
  assertEquals(selects("/^sec/", "first (x)"), false);
  assertEquals(selects(undefined, "anything"), true);
  const union = unionFilter(["first (", "/^sec/"])!;
  assertEquals(["first (x)", "second", "third"].filter((n) => selects(union, n)), [
    "first (x)",
    "second",
  ]);
  assertEquals(unionFilter(["a", undefined]), undefined);
});

Deno.test("mutants: on a small repository, killed, survived, a hang and stale are each reported; a failed test leaves nothing running", async () => {
  const repo = scratchDir("almyty-mutants-repo-");
  const write = (path: string, text: string) => {
    Deno.mkdirSync(`${repo}/${path.slice(0, path.lastIndexOf("/"))}`, { recursive: true });
    Deno.writeTextFileSync(`${repo}/${path}`, text);
  };
  write(
    "src/rule.ts",
    "export const LIMIT = 3;\nexport function allowed(n: number) {\n  return n <= LIMIT;\n}\n",
  );
  write(
    "tests/rule_test.ts",
    `import { allowed } from "../src/rule.ts";\n` +
      `Deno.test("four is refused", () => { if (allowed(4)) throw new Error("4 allowed"); });\n`,
  );
  // A test that starts a server-like grandchild (as `deno task server` does) and stops it at
  // its end: failing halfway, it leaves it running.
  const mark = `${3000 + Math.floor(Math.random() * 1000)}.${Date.now() % 1000}`;
  write(
    "tests/leftover_test.ts",
    `import { allowed } from "../src/rule.ts";\n` +
      `Deno.test("three is allowed", async () => {\n` +
      `  const child = new Deno.Command("sh", { args: ["-c", "sleep ${mark} & wait"] }).spawn();\n` +
      `  if (!allowed(3)) throw new Error("3 refused");\n` +
      `  new Deno.Command("pkill", { args: ["-f", "sleep ${mark}"] }).outputSync();\n` +
      `  await child.status;\n});\n`,
  );
  const entry = (rule: string, find: string, replace: string, extra = "", test = "rule") =>
    `{ rule: "${rule}", file: "src/rule.ts", find: ${JSON.stringify(find)}, replace: ${
      JSON.stringify(replace)
    }, tests: ["tests/${test}_test.ts"]${extra} },`;
  write(
    "scripts/mutants/rule.ts",
    "export const mutants = [\n" +
      entry("caught", "return n <= LIMIT;", "return n <= 99;") +
      entry("uncaught", "LIMIT = 3", "LIMIT = 2") +
      entry("hangs", "return n <= LIMIT;", "for (;;);", ", timeoutSeconds: 3") +
      entry("gone", "return n < LIMIT;", "return true;") +
      entry("leaves", "return n <= LIMIT;", "return n < LIMIT;", "", "leftover") +
      "\n];\n",
  );
  new Deno.Command("git", { args: ["init", "-q"], cwd: repo }).outputSync();
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${ROOT}scripts/mutants.ts`, "--root", repo],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  assertEquals(out.code, 1, text);
  assertMatch(text, /^killed +src\/rule\.ts: caught/m);
  assertMatch(text, /^survived +src\/rule\.ts: uncaught \(1 passed/m);
  assertMatch(text, /^survived +src\/rule\.ts: hangs \(the tests hung/m);
  assertMatch(text, /^stale +src\/rule\.ts: gone \(text not found\)/m);
  assertMatch(text, /^killed +src\/rule\.ts: leaves/m);
  assertMatch(text, /mutants: 2 killed, 2 survived, 1 stale, 0 broken/);
  const left = new Deno.Command("pgrep", { args: ["-f", `sleep ${mark}`], stdout: "piped" })
    .outputSync();
  if (left.success) new Deno.Command("pkill", { args: ["-f", `sleep ${mark}`] }).outputSync();
  assertEquals(left.success, false, "a process the failed test started is still running");
  assertEquals(
    Deno.readTextFileSync(`${repo}/src/rule.ts`).includes("return n <= LIMIT;"),
    true,
    "the tree itself is never changed",
  );
  Deno.removeSync(repo, { recursive: true });
});
