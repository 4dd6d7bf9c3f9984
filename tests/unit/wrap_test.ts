/**
 * How a message is laid out for a terminal (runtime/output.ts
 * wrapForTerminal; the real stderr uses it, tests/terminal_width_test.ts).
 */
import { assertEquals } from "../helpers/assert.ts";
import { wrapForTerminal } from "../../src/runtime/output.ts";

Deno.test("wrapForTerminal: between words, keeping a line's indent; a line that fits is untouched", () => {
  assertEquals(wrapForTerminal("one two three four", 9), "one two\nthree\nfour");
  assertEquals(wrapForTerminal("  one two three", 9), "  one two\n  three");
  assertEquals(wrapForTerminal("a  b   c", 8), "a  b   c");
  assertEquals(wrapForTerminal("one two\nthree", 7), "one two\nthree");
});

Deno.test("wrapForTerminal: a command, a quoted span and a URL are never broken; one too long stands alone", () => {
  assertEquals(
    wrapForTerminal("Fix it: almyty-auth login --profile work, then retry.", 24),
    "Fix it:\nalmyty-auth login --profile work,\nthen retry.",
  );
  assertEquals(
    wrapForTerminal("Log in first (almyty-auth login --api http://x), or not", 30),
    "Log in first\n(almyty-auth login --api http://x),\nor not",
  );
  assertEquals(wrapForTerminal("Run `rm -r the folder` now", 14), "Run\n`rm -r the folder`\nnow");
  assertEquals(
    wrapForTerminal("Open https://app.almyty.com/cli-login?code=ABCD then", 20),
    "Open\nhttps://app.almyty.com/cli-login?code=ABCD\nthen",
  );
  assertEquals(wrapForTerminal("remove it: rm /a/b", 12), "remove it:\nrm /a/b");
  const qr = "█▀▀▀▀▀█ ▄▀ █ █▀▀▀▀▀█";
  assertEquals(wrapForTerminal(qr, 10), qr, "a QR code's row is drawn whole");
});

Deno.test("wrapForTerminal: under a label's text with hang", () => {
  assertEquals(
    wrapForTerminal("Pending:   one two three", 16, { hang: 11 }),
    "Pending:   one\n           two\n           three",
  );
  // A command too long to stand under the label starts its line; a word stays under it.
  assertEquals(
    wrapForTerminal("Pending:   run almyty-auth login --continue", 30, { hang: 11 }),
    "Pending:   run\nalmyty-auth login --continue",
  );
  assertEquals(
    wrapForTerminal("Pending:   at /a/long/path/to/some/file.json", 30, { hang: 11 }),
    "Pending:   at\n           /a/long/path/to/some/file.json",
  );
});

Deno.test("wrapForTerminal: the first line continues where the cursor is; colours take no room", () => {
  assertEquals(wrapForTerminal("one two", 9, { column: 4 }), "one\ntwo");
  assertEquals(
    wrapForTerminal("\x1b[33mWarning:\x1b[39m one two", 15),
    "\x1b[33mWarning:\x1b[39m one\ntwo",
  );
});
