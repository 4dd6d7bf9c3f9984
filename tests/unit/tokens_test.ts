import { assertEquals } from "../helpers/assert.ts";
import { isSendableToken, jwtExpiry, relativeTime, tokenKind } from "../../src/protocol/tokens.ts";
import { redactToken, stripControl, truncate } from "../../src/protocol/text.ts";
import { fakeJwt } from "../helpers/tokens.ts";

Deno.test("token kinds: almyty_ keys, JWTs, anything else", () => {
  assertEquals(tokenKind("almyty_" + "ab".repeat(32)), "api-key");
  assertEquals(tokenKind(fakeJwt({ exp: 10 })), "jwt");
  assertEquals(tokenKind("ak_live_abcdef"), "other");
  assertEquals(tokenKind("a.b.c"), "other", "three parts without a JSON header are not a JWT");
  assertEquals(jwtExpiry(fakeJwt({ exp: 1700000000 })), 1700000000_000);
  assertEquals(jwtExpiry(fakeJwt({ sub: "x" })), null);
  assertEquals(jwtExpiry("almyty_x"), null);
});

Deno.test("only printable ASCII without spaces can be sent", () => {
  assertEquals(isSendableToken("almyty_0123"), true);
  for (const bad of ["a b", "a\tb", "a\r\nb", "a\0b", "", "ключ"]) {
    assertEquals(isSendableToken(bad), false, JSON.stringify(bad));
  }
});

Deno.test("relative times read naturally both ways", () => {
  const now = 1_000_000_000_000;
  assertEquals(relativeTime(now + 3 * 3600_000, now), "in 3 h");
  assertEquals(relativeTime(now - 2 * 86400_000, now), "2 days ago");
  assertEquals(relativeTime(now + 30_000, now), "in 30 s");
  assertEquals(relativeTime(now - 10 * 60_000, now), "10 min ago");
});

Deno.test("redaction removes every 8+ character piece of the token, before any truncation", () => {
  const token = "almyty_" + "0123456789abcdef".repeat(4);
  // Production keys are 71 characters; a body quoting the first 60 must not leak 46 hex digits.
  const quoted = `bad key ${token.slice(0, 60)}…`;
  const redacted = truncate(redactToken(quoted, token), 200);
  for (let i = 0; i + 8 <= token.length; i++) {
    assertEquals(redacted.includes(token.slice(i, i + 8)), false, `piece at ${i}`);
  }
  assertEquals(redacted, "bad key [token]…");
  assertEquals(redactToken(`x${token.slice(10, 18)}y`, token), "x[token]y");
  assertEquals(redactToken("short 0123456 ok", token), "short 0123456 ok", "7 characters stay");
});

Deno.test("control characters never reach the terminal", () => {
  assertEquals(stripControl("A\x1b[2JB\u009b31mC\x07D\r\nE"), "A[2JB31mCD  E");
});
