/**
 * README's security table tells the truth: every row names at least one test
 * (`file` then "a piece of its name"), each named test exists, and each is
 * run by a mutant of scripts/mutants/ (so `deno task mutants` proves it fails
 * when its defence is removed).
 */
import { assert, assertEquals } from "../helpers/assert.ts";
import { loadMutants, selects } from "../../scripts/mutants.ts";
import type { Mutant } from "../../scripts/mutants/mutant.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

/** The table's rows: [threat, test cell]. */
function securityRows(readme: string): [string, string][] {
  const start = readme.indexOf("\n## Security");
  assert(start >= 0, "README has no security section");
  const end = readme.indexOf("\n## ", start + 1);
  return readme.slice(start, end).split("\n")
    .filter((line) => line.startsWith("| ") && !/^\| -/.test(line))
    .slice(1) // the header
    .map((line) => line.split(/(?<!\\)\|/).map((cell) => cell.trim()))
    .map((cells) => [cells[1], cells[3]]);
}

/** The tests a cell names: `file` followed by one or more "name" pieces. */
export function namedTests(cell: string): { file: string; name: string }[] {
  const named: { file: string; name: string }[] = [];
  let file: string | null = null;
  for (const match of cell.matchAll(/`([\w./-]+_test\.ts)`|"([^"]+)"/g)) {
    if (match[1]) file = match[1];
    else if (file) named.push({ file, name: match[2] });
  }
  return named;
}

/** The names of the tests in a test file. */
function testNames(text: string): string[] {
  return [...text.matchAll(/Deno\.test\(\s*(["'`])(.+?)\1|name: (["'`])(.+?)\3/g)]
    .map((m) => m[2] ?? m[4]);
}

/** Whether a mutant runs the test `name` of `file`. */
function runs(mutant: Mutant, file: string, name: string): boolean {
  return mutant.tests.includes(`tests/${file}`) && selects(mutant.filter, name);
}

Deno.test('namedTests reads `file` "name", "name"; `other` "name"', () => {
  assertEquals(namedTests('`a_test.ts` "x", "y"; `unit/b_test.ts` ("z"), e2e'), [
    { file: "a_test.ts", name: "x" },
    { file: "a_test.ts", name: "y" },
    { file: "unit/b_test.ts", name: "z" },
  ]);
});

Deno.test("security table: every row names a test that a mutant proves fails without its defence", async () => {
  const rows = securityRows(Deno.readTextFileSync(`${ROOT}README.md`));
  assert(rows.length >= 10, `only ${rows.length} rows found`);
  const mutants = await loadMutants();
  const problems: string[] = [];
  for (const [threat, cell] of rows) {
    const named = namedTests(cell);
    if (!named.length) problems.push(`${threat}: names no test (\`file_test.ts\` "name")`);
    for (const { file, name } of named) {
      let text: string;
      try {
        text = Deno.readTextFileSync(`${ROOT}tests/${file}`);
      } catch {
        problems.push(`${threat}: no tests/${file}`);
        continue;
      }
      const matching = testNames(text).filter((test) => test.includes(name));
      if (matching.length !== 1) {
        problems.push(`${threat}: "${name}" matches ${matching.length} tests of ${file}`);
        continue;
      }
      if (!mutants.some((m) => runs(m, file, matching[0]))) {
        problems.push(
          `${threat}: no mutant runs ${file} "${matching[0]}" (add one to scripts/mutants/)`,
        );
      }
    }
  }
  assertEquals(problems, []);
});
