/**
 * `deno task mutants`: proves that the tests guard the rules. Each mutant (in
 * `scripts/mutants/*.ts`) breaks one rule by replacing an exact piece of text
 * in one file; the script applies it to a scratch copy of the tree (never the
 * checkout), runs only the fast tests named to kill it, with a time bound, and
 * reports:
 *
 * - killed: a named test failed;
 * - survived: every named test passed, or the run hung past its bound (a rule
 *   whose test hangs instead of failing is not guarded);
 * - stale: the text is no longer in the file (or is there more than once):
 *   update the entry to the new text, never drop it;
 * - broken: the run failed without a test failing (the mutant does not load,
 *   or the tests fail without it too: each test file first runs once on the
 *   unchanged tree, with every test a mutant selects in it).
 *
 * Exits 1 unless every mutant is killed.
 *
 * ```sh
 * deno task mutants                  # all, two at a time
 * deno task mutants --only logout    # those whose rule, file or tests mention "logout" (/regex/ too)
 * deno task mutants --jobs 1 --list  # --list: print the mutants, run nothing
 * ```
 * @module
 */
import type { Mutant } from "./mutants/mutant.ts";
import { scratchDir } from "../tests/helpers/scratch.ts";

const CHECKOUT = new URL("../", import.meta.url).pathname.replace(/\/$/, "");
const MIN_TIMEOUT_MS = 30_000;

/** What became of one mutant. */
export type Outcome = "killed" | "survived" | "stale" | "broken";

/** One `deno test` invocation: files and an optional --filter. */
interface Selection {
  tests: string[];
  filter?: string;
}

/** The result of one test run. */
interface Run {
  code: number | "timeout";
  ms: number;
  output: string;
}

/** All mutants, from every file of scripts/mutants/ except the type's. */
export async function loadMutants(root = CHECKOUT): Promise<Mutant[]> {
  const names = [...Deno.readDirSync(`${root}/scripts/mutants`)]
    .map((entry) => entry.name)
    .filter((name) => name.endsWith(".ts") && name !== "mutant.ts")
    .sort();
  const all: Mutant[] = [];
  for (const name of names) {
    const module = await import(`${root}/scripts/mutants/${name}`);
    if (!Array.isArray(module.mutants)) {
      throw new Error(`scripts/mutants/${name} must export \`mutants: Mutant[]\``);
    }
    all.push(...module.mutants);
  }
  return all;
}

/**
 * The mutated text, or why it cannot be made: the text must occur exactly
 * once (else the entry is stale).
 */
export function mutate(text: string, mutant: Mutant): { text: string } | { stale: string } {
  const first = text.indexOf(mutant.find);
  if (first < 0) return { stale: "text not found" };
  if (text.indexOf(mutant.find, first + 1) >= 0) {
    return { stale: "text found more than once: quote more of it" };
  }
  if (mutant.find === mutant.replace) return { stale: "the replacement is the same text" };
  return {
    text: text.slice(0, first) + mutant.replace + text.slice(first + mutant.find.length),
  };
}

/** Reads `deno test`'s closing line. */
export function summary(output: string): { passed: number; failed: number } | null {
  const match = /^(?:ok|FAILED) \| (\d+) passed(?: \(\d+ steps?\))? \| (\d+) failed/m.exec(
    output, // NO_COLOR is set: no escapes to strip
  );
  return match ? { passed: Number(match[1]), failed: Number(match[2]) } : null;
}

/** Classifies a mutant's test run (the baseline passed). */
export function classify(run: Run): { outcome: Outcome; why: string } {
  if (run.code === "timeout") {
    return { outcome: "survived", why: `the tests hung (stopped after ${run.ms} ms)` };
  }
  const counts = summary(run.output);
  if (run.code !== 0 && counts && counts.failed > 0) {
    const names = [...testResults(run.output)].filter(([, r]) => !r.ok).map(([n]) => `"${n}"`);
    return { outcome: "killed", why: `failed: ${names.join(", ") || counts.failed}` };
  }
  if (run.code === 0 && counts && counts.passed > 0) {
    return { outcome: "survived", why: `${counts.passed} passed` };
  }
  return {
    outcome: "broken",
    why: counts ? "no test ran" : "the tests did not run (does the mutated code load?)",
  };
}

/**
 * The result of each top-level test in `deno test` output (NO_COLOR):
 * passed or not, and how long it took.
 */
export function testResults(output: string): Map<string, { ok: boolean; ms: number }> {
  const results = new Map<string, { ok: boolean; ms: number }>();
  const line = /^(\S.*?) \.\.\. (ok|FAILED)(?: \((?:(\d+)m)?([\d.]+)(ms|s|µs)\))?$/gm;
  for (const [, name, status, minutes, amount, unit] of output.matchAll(line)) {
    const ms = Number(minutes ?? 0) * 60_000 +
      Number(amount ?? 0) * (unit === "s" ? 1000 : unit === "ms" ? 1 : 0.001);
    results.set(name, { ok: status === "ok", ms });
  }
  return results;
}

/** Whether `deno test --filter` runs the test `name`: a piece of the name, or /regex/. */
export function selects(filter: string | undefined, name: string): boolean {
  if (filter === undefined) return true;
  if (/^\/.+\/$/.test(filter)) return new RegExp(filter.slice(1, -1)).test(name);
  return name.includes(filter);
}

/** One filter that runs every test any of `filters` runs (undefined: all of them). */
export function unionFilter(filters: (string | undefined)[]): string | undefined {
  if (filters.some((f) => f === undefined)) return undefined;
  const sources = [...new Set(filters as string[])].map((f) =>
    /^\/.+\/$/.test(f) ? f.slice(1, -1) : f.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")
  );
  return `/${sources.map((source) => `(?:${source})`).join("|")}/`;
}

/** What the unchanged tree says about a selection: it must pass before a mutant can fail it. */
interface Baseline {
  /** Why no mutant of this selection can be judged, if so. */
  broken?: string;
  /** The selection's run time (its tests' times, plus a second to start). */
  ms: number;
  output: string;
}

/** A selection's baseline from the per-file runs (each file once, for every selection). */
function baselineOf(selection: Selection, files: Map<string, Run>): Baseline {
  let ms = 1000;
  let count = 0;
  let output = "";
  for (const file of selection.tests) {
    const run = files.get(file)!;
    output += run.output;
    if (run.code === "timeout") return { broken: "the tests hang without the mutant", ms, output };
    for (const [name, result] of testResults(run.output)) {
      if (!selects(selection.filter, name)) continue;
      if (!result.ok) return { broken: "the tests fail without the mutant", ms, output };
      count++;
      ms += result.ms;
    }
  }
  if (count === 0) {
    const ran = selection.tests.every((file) => summary(files.get(file)!.output));
    return { broken: ran ? "no test matches" : "the tests did not run", ms, output };
  }
  return { ms, output };
}

function selectionOf(mutant: Mutant): Selection {
  return { tests: mutant.tests, filter: mutant.filter };
}

function keyOf(selection: Selection): string {
  return JSON.stringify([selection.tests, selection.filter ?? null]);
}

/** The command line of a selection, to rerun by hand. */
export function commandOf(selection: Selection): string[] {
  return [
    "test",
    "-A",
    "--no-check",
    ...(selection.filter !== undefined ? ["--filter", selection.filter] : []),
    ...selection.tests,
  ];
}

/** Copies the tracked and untracked (not ignored) files of the tree at `root` to `dir`. */
function copyTree(root: string, dir: string): void {
  const listed = new Deno.Command("git", {
    args: ["ls-files", "-z", "--cached", "--others", "--exclude-standard"],
    cwd: root,
    stdout: "piped",
  }).outputSync();
  if (!listed.success) throw new Error("git ls-files failed: run this in the git checkout");
  for (const path of new TextDecoder().decode(listed.stdout).split("\0").filter(Boolean)) {
    let info;
    try {
      info = Deno.lstatSync(`${root}/${path}`);
    } catch {
      continue; // deleted in the working tree
    }
    if (!info.isFile) continue;
    const to = `${dir}/${path}`;
    Deno.mkdirSync(to.slice(0, to.lastIndexOf("/")), { recursive: true });
    Deno.copyFileSync(`${root}/${path}`, to);
    if (info.mode !== null) Deno.chmodSync(to, info.mode & 0o777);
  }
}

/** Runs a selection's tests in `cwd`, in their own process group, killed after `timeoutMs`. */
async function runTests(cwd: string, selection: Selection, timeoutMs: number): Promise<Run> {
  const started = performance.now();
  const child = new Deno.Command("setsid", {
    args: [Deno.execPath(), ...commandOf(selection)],
    cwd,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      Deno.kill(-child.pid, "SIGKILL"); // the tests and every process they started
    } catch { /* already gone */ }
  }, timeoutMs);
  const [status, stdout, stderr] = await Promise.all([
    child.status,
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
  ]);
  clearTimeout(timer);
  // What a failed test left running (a server it would have stopped at its end) goes too.
  try {
    Deno.kill(-child.pid, "SIGKILL");
  } catch { /* nothing left */ }
  return {
    code: timedOut ? "timeout" : status.code,
    ms: Math.round(performance.now() - started),
    output: stdout + stderr,
  };
}

/** Runs `jobs` at a time, each with a worker index (its scratch tree). */
async function pool<T>(items: T[], jobs: number, work: (item: T, worker: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(jobs, items.length) }, async (_, worker) => {
      while (next < items.length) await work(items[next++], worker);
    }),
  );
}

function tail(text: string, lines = 25): string {
  return text.trimEnd().split("\n").slice(-lines).map((l) => `    | ${l}`).join("\n");
}

interface Options {
  jobs: number;
  only?: string;
  list: boolean;
  /** The tree mutated (a copy of it); the checkout this script is in by default. */
  root: string;
}

function parseArgs(args: string[]): Options | null {
  const options: Options = { jobs: 2, list: false, root: CHECKOUT };
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--jobs") options.jobs = Math.max(1, Number(args[++i]) || 1);
    else if (args[i] === "--only") options.only = args[++i];
    else if (args[i] === "--list") options.list = true;
    else if (args[i] === "--root") options.root = args[++i].replace(/\/$/, "");
    else return null;
  }
  return options;
}

/** Checks an entry's fields; returns what is wrong. */
function problems(root: string, mutant: Mutant): string[] {
  const out: string[] = [];
  for (const field of ["rule", "file", "find"] as const) {
    if (typeof mutant[field] !== "string" || !mutant[field]) out.push(`${field} is missing`);
  }
  if (typeof mutant.replace !== "string") out.push("replace is missing");
  if (!Array.isArray(mutant.tests) || mutant.tests.length === 0) out.push("tests is missing");
  for (const test of mutant.tests ?? []) {
    try {
      Deno.statSync(`${root}/${test}`);
    } catch {
      out.push(`no test file ${test}`);
    }
  }
  return out;
}

async function main(args: string[]): Promise<number> {
  const options = parseArgs(args);
  if (!options) {
    console.error("usage: deno task mutants [--jobs N] [--only TEXT] [--list] [--root DIR]");
    return 2;
  }
  const root = options.root;
  const wanted = (m: Mutant) =>
    [m.rule, m.file, m.filter ?? "", ...m.tests].some((s) => selects(options.only, s));
  const mutants = (await loadMutants(root)).filter(wanted);
  if (options.list) {
    for (const m of mutants) console.log(`${m.file}: ${m.rule}\n    ${commandOf(m).join(" ")}`);
    console.log(`${mutants.length} mutants`);
    return 0;
  }
  const started = performance.now();
  const results: { mutant: Mutant; outcome: Outcome; why: string; output?: string }[] = [];
  const report = (mutant: Mutant, outcome: Outcome, why: string, output?: string) => {
    results.push({ mutant, outcome, why, output });
    console.log(`${outcome.padEnd(8)} ${mutant.file}: ${mutant.rule} (${why})`);
    if (outcome !== "killed" && output) {
      console.log(`    deno ${commandOf(selectionOf(mutant)).join(" ")}\n${tail(output)}`);
    }
  };

  // Entries that cannot be applied are reported first, without running anything.
  const runnable: { mutant: Mutant; text: string }[] = [];
  for (const mutant of mutants) {
    const wrong = problems(root, mutant);
    if (wrong.length) {
      report(mutant, "broken", wrong.join("; "));
      continue;
    }
    let original: string;
    try {
      original = Deno.readTextFileSync(`${root}/${mutant.file}`);
    } catch {
      report(mutant, "stale", "the file is gone");
      continue;
    }
    const mutated = mutate(original, mutant);
    if ("stale" in mutated) report(mutant, "stale", mutated.stale);
    else runnable.push({ mutant, text: mutated.text });
  }

  const scratch = scratchDir("almyty-mutants-");
  const cleanUp = () => Deno.removeSync(scratch, { recursive: true });
  const onInterrupt = () => {
    cleanUp();
    Deno.exit(130);
  };
  Deno.addSignalListener("SIGINT", onInterrupt);
  try {
    const jobs = Math.min(options.jobs, Math.max(1, runnable.length));
    const trees = Array.from({ length: jobs }, (_, i) => `${scratch}/tree${i}`);
    for (const tree of trees) copyTree(root, tree);

    // Each selection first passes on the unchanged tree (each test file runs
    // once, with every test a mutant selects in it); its time sets the bound.
    const fileFilters = new Map<string, (string | undefined)[]>();
    for (const { mutant } of runnable) {
      for (const file of mutant.tests) {
        fileFilters.set(file, [...(fileFilters.get(file) ?? []), mutant.filter]);
      }
    }
    const files = new Map<string, Run>();
    await pool([...fileFilters], jobs, async ([file, filters], worker) => {
      const selection = { tests: [file], filter: unionFilter(filters) };
      files.set(file, await runTests(trees[worker], selection, 5 * 60_000));
    });
    const baselines = new Map<string, Baseline>();
    for (const { mutant } of runnable) {
      baselines.set(keyOf(mutant), baselineOf(selectionOf(mutant), files));
    }

    // The slowest first, so that two workers finish together.
    runnable.sort((a, b) =>
      baselines.get(keyOf(b.mutant))!.ms - baselines.get(keyOf(a.mutant))!.ms
    );
    await pool(runnable, jobs, async ({ mutant, text }, worker) => {
      const baseline = baselines.get(keyOf(mutant))!;
      if (baseline.broken) {
        report(mutant, "broken", baseline.broken, baseline.output);
        return;
      }
      const path = `${trees[worker]}/${mutant.file}`;
      const original = Deno.readTextFileSync(path);
      Deno.writeTextFileSync(path, text);
      try {
        const timeout = (mutant.timeoutSeconds ?? 0) * 1000 ||
          Math.max(MIN_TIMEOUT_MS, 4 * baseline.ms);
        const run = await runTests(trees[worker], selectionOf(mutant), timeout);
        const { outcome, why } = classify(run);
        report(mutant, outcome, `${why}, ${(run.ms / 1000).toFixed(1)} s`, run.output);
      } finally {
        Deno.writeTextFileSync(path, original);
      }
    });
  } finally {
    Deno.removeSignalListener("SIGINT", onInterrupt);
    cleanUp();
  }

  const count = (outcome: Outcome) => results.filter((r) => r.outcome === outcome).length;
  const seconds = Math.round((performance.now() - started) / 1000);
  console.log(
    `\nmutants: ${count("killed")} killed, ${count("survived")} survived, ${
      count("stale")
    } stale, ${count("broken")} broken (${results.length} in ${seconds} s)`,
  );
  return results.every((r) => r.outcome === "killed") ? 0 : 1;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
