/**
 * The leak scan's records (tests/helpers/leaks.ts) belong to one run: every
 * test file of a run shares them, a run never reads an earlier one's (even
 * with the same process id), and the records of runs that are over are
 * removed. Each case runs `deno` in a scratch TMPDIR.
 */
import { assert, assertEquals } from "../helpers/assert.ts";
import { scratchDir } from "../helpers/scratch.ts";

const LEAKS = new URL("../helpers/leaks.ts", import.meta.url).href;
const TOKEN = "almyty_" + "t".repeat(40);

/** Runs `args` of deno with TMPDIR at `tmp` (and `run` as the run's name); its code and output. */
async function deno(tmp: string, args: string[], run = "") {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args,
    env: { TMPDIR: tmp, NO_COLOR: "1", LEAK_SCAN_RUN: run },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code, out: text(stdout), err: text(stderr) };
}

/** The folders of leak-scan records in `tmp`. */
function runFolders(tmp: string): string[] {
  return [...Deno.readDirSync(tmp)].map((e) => e.name).filter((n) =>
    n.startsWith("almyty-leak-scan-")
  ).sort();
}

Deno.test("leak scan: a run never reads the records an earlier run left under the same process id, and removes those of runs that are over", async () => {
  const tmp = scratchDir();
  // A run whose process is gone (a focused run that never reached the scan).
  Deno.mkdirSync(`${tmp}/almyty-leak-scan-999999999-finished`);
  // A run still going (this test's own process): its records stay.
  const live = `almyty-leak-scan-${Deno.pid}-live`;
  Deno.mkdirSync(`${tmp}/${live}`);
  const script = `${tmp}/run.ts`;
  // Before this run starts: what an earlier run with this very process id left behind.
  // (named as this version names runs, and as older versions did: by the pid alone).
  Deno.writeTextFileSync(
    script,
    `for (const name of [String(Deno.pid), Deno.pid + "-1"]) {
      const old = Deno.env.get("TMPDIR") + "/almyty-leak-scan-" + name;
      Deno.mkdirSync(old);
      Deno.writeTextFileSync(old + "/tokens.txt", ${JSON.stringify(TOKEN)} + "\\n");
      Deno.writeTextFileSync(old + "/recordings.jsonl", JSON.stringify({ label: "old", text: ${
      JSON.stringify(TOKEN)
    } }) + "\\n");
    }
    const leaks = await import(${JSON.stringify(LEAKS)});
    console.log(JSON.stringify({ scan: leaks.assertNoLeaks(), dir: leaks.LEAK_SCAN_DIR }));`,
  );
  const run = await deno(tmp, ["run", "-A", "--no-check", script]);
  assertEquals(run.code, 0, run.err);
  const { scan, dir } = JSON.parse(run.out);
  assertEquals(scan, { recordings: 0, tokens: 0 }, "the earlier run's records are not this run's");
  assert(dir.startsWith(`${tmp}/almyty-leak-scan-`), dir);
  assertEquals(
    runFolders(tmp),
    [dir.slice(tmp.length + 1), live].sort(),
    "the earlier runs' folders are gone; a live run's stays",
  );
});

Deno.test("leak scan: every test file of a run shares its records (one at a time, in parallel, or a named run over two processes), and the last scan removes them", async () => {
  const tmp = scratchDir();
  // The token is learnt in one file and shown in another: the scan sees the leak only when
  // both files' records are the run's.
  Deno.writeTextFileSync(
    `${tmp}/a_test.ts`,
    `import { recordToken } from ${JSON.stringify(LEAKS)};
    Deno.test("learns a token", () => recordToken(${JSON.stringify(TOKEN)}));`,
  );
  Deno.writeTextFileSync(
    `${tmp}/c_test.ts`,
    `import { recordOutput } from ${JSON.stringify(LEAKS)};
    Deno.test("shows it", () => recordOutput("a terminal", "it holds " + ${
      JSON.stringify(TOKEN)
    }));`,
  );
  Deno.writeTextFileSync(
    `${tmp}/scan_test.ts`,
    `import { assertNoLeaks, clearLeakRecords } from ${JSON.stringify(LEAKS)};
    Deno.test("scans", () => {
      let caught = "";
      try { assertNoLeaks(); } catch (error) { caught = error.message; }
      clearLeakRecords();
      if (!caught.includes("leaked in a terminal")) throw new Error("the scan missed the leak");
    });`,
  );
  const files = (...names: string[]) => names.map((name) => `${tmp}/${name}`);
  const oneAtATime = await deno(tmp, [
    "test",
    "-A",
    "--no-check",
    ...files("a_test.ts", "c_test.ts", "scan_test.ts"),
  ]);
  assertEquals(oneAtATime.code, 0, oneAtATime.out + oneAtATime.err);
  assertEquals(runFolders(tmp), [], "the run's records are removed when it ends");
  // As scripts/test.sh runs the suite: two files at a time, then the scan in another process.
  const run = `${Deno.pid}-suite`;
  const parallel = await deno(
    tmp,
    ["test", "-A", "--no-check", "--parallel", ...files("a_test.ts", "c_test.ts")],
    run,
  );
  assertEquals(parallel.code, 0, parallel.out + parallel.err);
  const scan = await deno(tmp, ["test", "-A", "--no-check", ...files("scan_test.ts")], run);
  assertEquals(scan.code, 0, scan.out + scan.err);
  assertEquals(runFolders(tmp), [], "the run's records are removed when it ends");
});
