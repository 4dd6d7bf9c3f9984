/** The dependency-free SHA-256 against node:crypto, on every length around the block edges. */
import { createHash } from "node:crypto";
import { assertEquals } from "../helpers/assert.ts";
import { sha256Hex } from "../../src/protocol/sha256.ts";

Deno.test("sha256Hex equals node:crypto for every length 0–300 and for text with multi-byte characters", () => {
  for (let length = 0; length <= 300; length++) {
    const bytes = crypto.getRandomValues(new Uint8Array(length));
    assertEquals(sha256Hex(bytes), createHash("sha256").update(bytes).digest("hex"), `${length}`);
  }
  for (const text of ["", "abc", '{"profile": "acme-staging"}\n', "é✓😀".repeat(50)]) {
    assertEquals(sha256Hex(text), createHash("sha256").update(text).digest("hex"));
  }
});
