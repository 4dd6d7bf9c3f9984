/**
 * The suite-wide leak scan. Test files run in one process, in name order,
 * so this file (named to sort last) sees every recording the suite made:
 * CLI stdout/stderr, the browser opener's argv, every page the browser
 * loaded and every page the listener served. It fails when it had nothing
 * to scan.
 */
import { assert } from "./helpers/assert.ts";
import { assertNoLeaks, clearLeakRecords } from "./helpers/leaks.ts";

Deno.test("leak scan: no token anywhere in the whole suite's recordings", () => {
  const { recordings, tokens } = assertNoLeaks();
  console.log(`scanned ${recordings} recordings for ${tokens} tokens`);
  clearLeakRecords();
  // A scan that saw nothing proves nothing: run with the suite, it must have seen plenty.
  assert(
    recordings > 100 && tokens > 10,
    `the scan saw only ${recordings} recordings and ${tokens} tokens; run it with the whole suite`,
  );
});
