/**
 * Scratch folders (tests/helpers/scratch.ts) go when their process ends,
 * however it ends: test files that pass, fail or throw from a timer, two at a
 * time; scripts that exit or throw. Each case runs `deno` in a TMPDIR of its
 * own and looks at what is left there.
 */
import { assertEquals } from "../helpers/assert.ts";
import { scratchDir } from "../helpers/scratch.ts";

const SCRATCH = new URL("../helpers/scratch.ts", import.meta.url).href;

/** What `deno args` (run in `dir`, TMPDIR `dir/tmp`) left in its TMPDIR, and its exit code. */
async function leftBy(dir: string, args: string[]): Promise<{ code: number; left: string[] }> {
  Deno.mkdirSync(`${dir}/tmp`);
  const { code } = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: dir,
    env: { TMPDIR: `${dir}/tmp`, NO_COLOR: "1" },
    stdout: "null",
    stderr: "null",
  }).output();
  return { code, left: [...Deno.readDirSync(`${dir}/tmp`)].map((entry) => entry.name) };
}

/** A module that makes a scratch folder (with a file in it, read-only) and a scratch file, then does `then`. */
function making(then: string): string {
  return `import { scratchDir, scratchFile } from ${JSON.stringify(SCRATCH)};
const dir = scratchDir("almyty-home-");
Deno.writeTextFileSync(dir + "/credentials.json", "{}");
Deno.chmodSync(dir, 0o500);
scratchFile({ suffix: ".ts" });
${then}`;
}

Deno.test("scratch: test files that pass, fail, or throw from a timer, two at a time, leave nothing in TMPDIR", async () => {
  const dir = scratchDir();
  Deno.writeTextFileSync(`${dir}/pass_test.ts`, making(`Deno.test("passes", () => {});`));
  Deno.writeTextFileSync(
    `${dir}/fail_test.ts`,
    making(`Deno.test("fails", () => { throw new Error("no"); });`),
  );
  Deno.writeTextFileSync(
    `${dir}/late_test.ts`,
    making(`Deno.test("throws later", () => { setTimeout(() => { throw new Error("late"); }); });`),
  );
  const run = await leftBy(dir, ["test", "--no-check", "-A", "--parallel", "."]);
  assertEquals(run.code, 1, "two of the files failed");
  assertEquals(run.left, []);
});

Deno.test("scratch: a script that ends, exits or throws leaves nothing in TMPDIR", async () => {
  for (const ending of ["", "Deno.exit(3);", 'throw new Error("no");']) {
    const dir = scratchDir();
    Deno.writeTextFileSync(`${dir}/script.ts`, making(ending));
    const run = await leftBy(dir, ["run", "--no-check", "-A", "script.ts"]);
    assertEquals(run.code, ending ? (ending.startsWith("Deno") ? 3 : 1) : 0, ending);
    assertEquals(run.left, [], ending || "ends");
  }
});

Deno.test("scratch: every temporary folder or file of the tests and scripts comes from tests/helpers/scratch.ts (node's tests: their own after())", () => {
  const root = new URL("../../", import.meta.url).pathname;
  const made = /\bDeno\.makeTemp(Dir|File)(Sync)?\(|\bmkdtemp(Sync)?\(/;
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of Deno.readDirSync(`${root}${dir}`)) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory) walk(path);
      else if (/\.(ts|mjs|js)$/.test(entry.name)) {
        Deno.readTextFileSync(`${root}${path}`).split("\n").forEach((line, i) => {
          // Code only: JSDoc examples and comments may show the API.
          if (made.test(line) && !/^\s*(\*|\/\/)/.test(line)) found.push(`${path}:${i + 1}`);
        });
      }
    }
  };
  walk("tests");
  walk("scripts");
  assertEquals(
    found.filter((place) => !place.startsWith("tests/helpers/scratch.ts:")).map((place) =>
      place.replace(/:\d+$/, "")
    ),
    ["tests/node/credentials.test.mjs"], // its scratchDir, removed by after()
    `make them with scratchDir()/scratchFile() (tests/helpers/scratch.ts):\n${found.join("\n")}`,
  );
});
