/**
 * The suite-wide leak scan. Test files run in one process, in name order,
 * so this file (named to sort last) sees every recording the suite made:
 * CLI stdout/stderr, the browser opener's argv, every page the browser
 * loaded and every page the listener served under fuzzing.
 */
import { assert } from "./helpers/assert.ts";
import { assertNoLeaks, clearLeakRecords } from "./helpers/leaks.ts";

Deno.test("leak scan: no token anywhere in the whole suite's recordings", () => {
  const { recordings, tokens } = assertNoLeaks();
  console.log(`scanned ${recordings} recordings for ${tokens} tokens`);
  // Run alone this file has nothing to scan; as part of the suite it must have seen plenty.
  if (recordings > 0) {
    assert(recordings > 100 && tokens > 10, `${recordings} recordings, ${tokens} tokens`);
  }
  clearLeakRecords();
});
