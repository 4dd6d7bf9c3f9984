import { assertEquals, assertThrows } from "../helpers/assert.ts";
import { checkServiceUrl, isLoopbackHost, UrlRuleError } from "../../src/protocol/urls.ts";

Deno.test("https anywhere; http only on 127.0.0.0/8, [::1] and localhost", () => {
  for (
    const ok of [
      "https://api.almyty.com",
      "http://127.0.0.1:8080",
      "http://127.9.9.9",
      "http://[::1]:1",
      "http://localhost:3000",
      "http://app.localhost",
    ]
  ) {
    assertEquals(checkServiceUrl(ok, "--api").href.startsWith(ok.split(":")[0]), true, ok);
  }
  for (
    const bad of [
      "http://api.almyty.com",
      "http://10.0.0.1",
      "http://127.0.0.1.evil.com",
      "ftp://127.0.0.1",
      "not a url",
      "https://user:pw@api.almyty.com",
    ]
  ) {
    assertThrows(() => checkServiceUrl(bad, "--api"), UrlRuleError);
  }
  assertEquals(isLoopbackHost("[::1]"), true);
  assertEquals(isLoopbackHost("128.0.0.1"), false);
});
