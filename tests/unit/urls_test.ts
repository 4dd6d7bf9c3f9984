import { assert, assertEquals, assertMatch, assertThrows } from "../helpers/assert.ts";
import { ApiClient } from "../../src/runtime/client.ts";
import { Target } from "../../src/runtime/target.ts";
import {
  checkServiceUrl,
  deriveFrontendUrl,
  isLoopbackHost,
  sameServiceUrl,
  UrlRuleError,
} from "../../src/protocol/urls.ts";

Deno.test("https anywhere; http only on 127.0.0.0/8, [::1] and localhost", () => {
  const accepted: [string, string][] = [
    ["https://api.almyty.com", "https://api.almyty.com/"],
    ["https://api.example.com:8443/base", "https://api.example.com:8443/base"],
    ["http://127.0.0.1:8080", "http://127.0.0.1:8080/"],
    ["http://127.9.9.9", "http://127.9.9.9/"],
    ["http://[::1]:1", "http://[::1]:1/"],
    ["http://localhost:3000", "http://localhost:3000/"],
  ];
  for (const [raw, href] of accepted) assertEquals(checkServiceUrl(raw, "--api").href, href, raw);
  for (
    const bad of [
      "http://api.almyty.com",
      "http://10.0.0.1",
      "http://127.0.0.1.evil.com",
      "http://app.localhost", // resolves through DNS: not loopback
      "http://localhost.evil.com",
      "ftp://127.0.0.1",
      "javascript:alert(1)",
      "file:///etc/passwd",
      "not a url",
      "https://user:pw@api.almyty.com",
    ]
  ) {
    assertThrows(() => checkServiceUrl(bad, "--api"), UrlRuleError);
  }
  assertEquals(isLoopbackHost("[::1]"), true);
  assertEquals(isLoopbackHost("128.0.0.1"), false);
  assertEquals(isLoopbackHost("x.localhost"), false);
});

Deno.test("a URL without a scheme gets the suggestion, never the default", () => {
  assertMatch(
    assertThrows(() => checkServiceUrl("127.0.0.1:8080", "--api"), UrlRuleError).message,
    /Did you mean http:\/\/127\.0\.0\.1:8080\?/,
  );
  assertMatch(
    assertThrows(() => checkServiceUrl("localhost:3000", "--api"), UrlRuleError).message,
    /Did you mean http:\/\/localhost:3000\?/,
  );
  assertMatch(
    assertThrows(() => checkServiceUrl("api.staging.almyty.com", "--api"), UrlRuleError).message,
    /Did you mean https:\/\/api\.staging\.almyty\.com\?/,
  );
});

Deno.test("frontend derivation follows almyty's deployments", () => {
  assertEquals(deriveFrontendUrl("https://api.almyty.com"), "https://app.almyty.com");
  assertEquals(
    deriveFrontendUrl("https://api.staging.almyty.com"),
    "https://app.staging.almyty.com",
  );
  assertEquals(
    deriveFrontendUrl("https://api.example.com:8443/v1"),
    "https://app.example.com:8443",
  );
  assertEquals(deriveFrontendUrl("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
  assertEquals(deriveFrontendUrl("https://almyty.internal/api"), "https://almyty.internal");
});

Deno.test("one API written two ways is the same API: trailing slash, host case, default port", () => {
  const same: [string, string][] = [
    ["https://api.almyty.com", "https://api.almyty.com/"],
    ["https://API.almyty.com", "https://api.almyty.com"],
    ["https://api.almyty.com:443/", "https://api.almyty.com"],
    ["http://127.0.0.1:8080/base//", "http://127.0.0.1:8080/base"],
    ["not a url/", "not a url"],
  ];
  for (const [a, b] of same) assert(sameServiceUrl(a, b), `${a} ~ ${b}`);
  const different: [string, string][] = [
    ["https://api.almyty.com", "https://api.staging.almyty.com"],
    ["https://api.almyty.com", "http://api.almyty.com"],
    ["http://127.0.0.1:8080", "http://127.0.0.1:8081"],
    ["http://127.0.0.1:8080/a", "http://127.0.0.1:8080/b"],
  ];
  for (const [a, b] of different) assert(!sameServiceUrl(a, b), `${a} ≁ ${b}`);
});

Deno.test("19.5: a refused URL value is never quoted: host and port at most", () => {
  const secret = "s3cr3t-Pa55";
  for (
    const raw of [
      `https://user:${secret}@api.almyty.com`,
      `https://user:${secret}@@api.almyty.com/x`,
      `user:${secret}@proxy.corp:3128`,
      `api.almyty.com/v1?token=${secret}`,
      `127.0.0.1:8080/x?token=${secret}`,
      `localhost:3000/?token=${secret}`,
      `https://exa mple.com/?token=${secret}`,
      `ftp://127.0.0.1/?token=${secret}`,
      `javascript:${secret}`,
      `http://example.com/?token=${secret}`,
    ]
  ) {
    const message = assertThrows(() => checkServiceUrl(raw, "ALMYTY_URL"), UrlRuleError).message;
    assertEquals(message.includes(secret), false, message);
    assertMatch(message, /^ALMYTY_URL/);
  }
  assertMatch(
    assertThrows(() => checkServiceUrl(`https://u:${secret}@api.almyty.com`, "--api"), UrlRuleError)
      .message,
    /credentials in them are refused \(host api\.almyty\.com\)/,
  );
  assertMatch(
    assertThrows(() => checkServiceUrl(`localhost:3000/?token=${secret}`, "--api"), UrlRuleError)
      .message,
    /has no scheme\. Did you mean http:\/\/localhost:3000\/…\?/,
  );
});

Deno.test("the API client re-checks every URL it is given before sending anything", async () => {
  const sent: string[] = [];
  const target = Target.build({
    api: ["https://api.almyty.com", "flag", "--api"],
    frontend: ["https://app.almyty.com", "derived", "--api"],
    path: "/nonexistent/credentials.json",
    file: null,
  });
  const api = new ApiClient(target, {
    fetch: (input) => {
      sent.push(String(input instanceof Request ? input.url : input));
      return Promise.resolve(Response.json({}));
    },
  });
  // An endpoint a server named (discovery, a device authorization) is a URL like any other.
  for (const url of ["http://evil.example/auth/cli/token", "https://user:pw@api.almyty.com/x"]) {
    const error = await api.request(url, { envelope: false }).catch((e) => e);
    assert(error instanceof UrlRuleError, `${url}: ${error}`);
  }
  assertEquals(sent, [], "nothing was sent");
  await api.request("/auth/profile", { envelope: false });
  assertEquals(sent, ["https://api.almyty.com/auth/profile"]);
});

Deno.test("what is not a URL gets an example of its own kind: the web app for a frontend, the API otherwise", () => {
  const message = (label: string) => {
    try {
      checkServiceUrl("not a url", label);
    } catch (error) {
      return (error as Error).message;
    }
    throw new Error(`${label}: accepted`);
  };
  for (const label of ["--frontend", "ALMYTY_FRONTEND_URL", "frontendUrl in /h/.almyty/p.json"]) {
    assertMatch(message(label), /Use a full URL such as https:\/\/app\.almyty\.com$/, label);
  }
  for (const label of ["--api", "ALMYTY_URL", "url in /h/.almyty/credentials.json"]) {
    assertMatch(message(label), /Use a full URL such as https:\/\/api\.almyty\.com$/, label);
  }
});
