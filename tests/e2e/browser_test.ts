/**
 * End to end: the real CLI (compile-time permissions), the real reference
 * server, real headless Chromium clicking the real pages. 127.0.0.1 only.
 */
import type { Page } from "playwright-core";
import type { StartOptions } from "../../src/server/app.ts";
import { assert, assertEquals, assertMatch } from "../helpers/assert.ts";
import { browserHook, browserTests, signIn } from "../helpers/browser.ts";
import {
  CliProcess,
  credsPath,
  homeWithFile,
  pendingPath,
  readBytes,
  runCli,
  tempHome,
} from "../helpers/cli.ts";
import { assertNoLeaks, recordToken } from "../helpers/leaks.ts";
import { rawRequest } from "../helpers/server.ts";

const chromium = browserTests();

/** What each e2e test gets besides the server. */
interface Session {
  /** A fresh browser context's page, recorded for the leak scan. */
  page: Page;
  /** A second fresh page (another browser profile). */
  newPage(): Promise<Page>;
  /** The BROWSER hook the CLI opens URLs with. */
  hook: ReturnType<typeof browserHook>;
  home: string;
}

/** A test with a fresh reference server (`options`) and a fresh browser session. */
function e2e(
  name: string,
  options: StartOptions,
  fn: (server: { url: string }, session: Session) => Promise<void>,
): void {
  chromium.test(name, options, async (server, newPage) =>
    await fn(server, {
      page: await newPage(),
      newPage,
      hook: browserHook(),
      home: tempHome(),
    }));
}

function assertPortFree(url: string): void {
  const params = new URL(url).searchParams;
  const port = Number(new URL(params.get("redirect_uri") ?? params.get("callback")!).port);
  Deno.listen({ hostname: "127.0.0.1", port }).close();
}

e2e(
  "browser login from a signed-out browser; then signed in, no typing; whoami",
  {},
  async (server, { page, hook, home }) => {
    const cli = new CliProcess(["login", "--api", server.url], { home, env: hook.env });
    const url = await hook.nextUrl();
    assertMatch(
      url,
      /\/cli-auth\?response_type=code&client_id=almyty-cli&redirect_uri=http%3A%2F%2F127\.0\.0\.1%3A\d+%2Fcallback&state=[\w-]{43}&code_challenge=[\w-]{43}&code_challenge_method=S256&client_name=/,
    );
    // The CLI prints the URL before it launches the opener; its stderr may reach us later.
    await cli.waitFor(new RegExp(`^  ${url.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`, "m"));
    await page.goto(url);
    await signIn(page);
    await page.getByTestId("account").filter({ hasText: "alice@example.com" }).waitFor();
    assertEquals(await page.getByTestId("organization").textContent(), "acme");
    await page.getByRole("button", { name: "Approve" }).click();
    await page.getByText("Logged in", { exact: false }).first().waitFor();
    const result = await cli.done;
    assertEquals(result.code, 0, result.stderr);
    const saved = JSON.parse(Deno.readTextFileSync(credsPath(home)));
    assertEquals([saved.email, saved.url, saved.frontendUrl, saved.organization.name], [
      "alice@example.com",
      server.url,
      server.url,
      "acme",
    ]);
    assert(saved.keyId && /^almyty_[0-9a-f]{64}$/.test(saved.token));
    assertEquals(saved.keyOrigin, "minted");
    assertEquals(Deno.statSync(credsPath(home)).mode! & 0o777, 0o600);
    assertEquals(Deno.statSync(`${home}/.almyty`).mode! & 0o777, 0o700);
    assert(!(await page.content()).includes(saved.token), "success page has no token");
    assertPortFree(url);

    // (b) The same browser is signed in: straight to consent, one click. A re-login
    // (no --api: it stays in the saved environment) revokes the key it replaces.
    const again = new CliProcess(["login"], { home, env: hook.env });
    await page.goto(await hook.nextUrl());
    await page.getByRole("button", { name: "Approve" }).click();
    const second = await again.done;
    assertEquals(second.code, 0, second.stderr);
    // The CLI revokes the key it replaces (the server, like production, keeps every key).
    assertMatch(second.stderr, /Revoked the key of the previous login/);
    const first = await fetch(`${server.url}/auth/profile`, {
      headers: { authorization: `Bearer ${saved.token}` },
    });
    assertEquals(first.status, 401, "the replaced key no longer works");
    await first.body?.cancel();
    const whoami = await runCli(["whoami"], { home });
    assertMatch(whoami.stdout, /Logged in as alice@example.com\nOrganization: acme/);
  },
);

e2e(
  "browser login: Deny ends with exit 1 and the old file byte-identical",
  { autoApprove: false },
  async (server, { page, hook }) => {
    const { home, bytes: before } = homeWithFile();
    const cli = new CliProcess(["login", "--api", server.url], { home, env: hook.env });
    const url = await hook.nextUrl();
    await page.goto(url);
    await signIn(page);
    await page.getByRole("button", { name: "Deny" }).click();
    await page.getByText("Login denied").waitFor();
    const result = await cli.done;
    assertEquals(result.code, 1);
    assertMatch(result.stderr, /Login denied in the browser/);
    assertEquals(readBytes(credsPath(home)), before);
    assertPortFree(url);
  },
);

e2e(
  "browser login: a forged callback with a wrong state first is refused; the real one wins",
  {},
  async (server, { page, hook, home }) => {
    const cli = new CliProcess(["login", "--api", server.url], { home, env: hook.env });
    const url = await hook.nextUrl();
    const callback = new URL(url).searchParams.get("redirect_uri")!;
    const forged = await fetch(`${callback}?code=forged&state=${"A".repeat(43)}`);
    assertEquals(forged.status, 400);
    assertMatch(await forged.text(), /state does not match/);
    const noState = await fetch(`${callback}?code=forged`);
    assertEquals(noState.status, 400);
    await noState.body?.cancel();
    // fetch would replace the Host header: a raw request sends exactly this one.
    const state = new URL(url).searchParams.get("state");
    const rebinding = await rawRequest(
      new URL(callback).origin,
      "GET",
      `/callback?code=x&state=${state}`,
      {
        Host: "evil.example:80",
      },
    );
    assertEquals([rebinding.status, rebinding.body], [400, "Bad Host header"]);
    const unknown = await fetch(new URL("/nope", callback));
    assertEquals(unknown.status, 404);
    await unknown.body?.cancel();
    await page.goto(url);
    await signIn(page);
    await page.getByRole("button", { name: "Approve" }).click();
    const result = await cli.done;
    assertEquals(result.code, 0, result.stderr);
    assertPortFree(url);
  },
);

e2e(
  "browser login: --timeout ends clearly, old file intact, port released",
  {},
  async (server, { hook, home }) => {
    const cli = new CliProcess(["login", "--timeout", "1", "--api", server.url], {
      home,
      env: hook.env,
    });
    const url = await hook.nextUrl();
    const result = await cli.done;
    assertEquals(result.code, 1);
    assertMatch(result.stderr, /Login timed out after 1 s/);
    assertEquals(readBytes(credsPath(home)), null);
    assertPortFree(url);
  },
);

e2e("headless login approved and denied in the browser; the page shows the same code", {
  deviceInterval: 1,
}, async (server, { newPage }) => {
  for (const decision of ["Approve", "Deny"] as const) {
    const page = await newPage();
    const home = tempHome();
    const cli = new CliProcess(["login", "--no-browser", "--api", server.url], { home });
    const [, url] = await cli.waitFor(/Open this URL in any browser:\n\s+(\S+)/);
    const [, code] = await cli.waitFor(/^\s+([B-Z]{4}-[B-Z]{4})$/m);
    await page.goto(url);
    await signIn(page);
    assertEquals(await page.getByTestId("user-code").textContent(), code);
    await page.getByRole("button", { name: decision }).click();
    const result = await cli.done;
    if (decision === "Approve") {
      assertEquals(result.code, 0, result.stderr);
      assertEquals(
        JSON.parse(Deno.readTextFileSync(credsPath(home))).email,
        "alice@example.com",
      );
    } else {
      assertEquals(result.code, 1);
      assertMatch(result.stderr, /Login denied/);
      assertEquals(readBytes(credsPath(home)), null);
    }
  }
});

e2e(
  "two-step login: --no-wait --json, approved in Chromium, then --continue saves a minted key",
  { deviceInterval: 1 },
  async (server, { page, home }) => {
    const started = await runCli(["login", "--no-wait", "--json", "--api", server.url], { home });
    assertEquals(started.code, 0, started.stderr);
    const json = JSON.parse(started.stdout);
    const pending = JSON.parse(Deno.readTextFileSync(pendingPath(home)));
    recordToken(pending.deviceCode); // the leak scan looks for it in every page and output
    await page.goto(json.verification_uri_complete);
    await signIn(page);
    assertEquals(await page.getByTestId("user-code").textContent(), json.user_code);
    await page.getByRole("button", { name: "Approve" }).click();
    await page.getByText("Device approved").first().waitFor();
    const done = await runCli(["login", "--continue", "--json"], { home });
    assertEquals(done.code, 0, done.stderr);
    assertEquals(JSON.parse(done.stdout).status, "approved");
    const saved = JSON.parse(Deno.readTextFileSync(credsPath(home)));
    assertEquals([saved.email, saved.keyOrigin], ["alice@example.com", "minted"]);
  },
);

e2e(
  "headless: a code typed by hand on /cli-auth works, case-insensitively",
  { deviceInterval: 1 },
  async (server, { page, home }) => {
    const cli = new CliProcess(["login", "--no-browser", "--api", server.url], { home });
    const [, code] = await cli.waitFor(/^\s+([B-Z]{4}-[B-Z]{4})$/m);
    await page.goto(`${server.url}/cli-auth`);
    await page.getByLabel("Code").fill(code.toLowerCase().replace("-", ""));
    await page.getByRole("button", { name: "Continue" }).click();
    await signIn(page);
    await page.getByRole("button", { name: "Approve" }).click();
    assertEquals((await cli.done).code, 0);
  },
);

e2e(
  "compatibility flow against today's production (--legacy): fragment hand-off",
  { legacy: true },
  async (server, { page, hook, home }) => {
    const cli = new CliProcess(["login", "--api", server.url], { home, env: hook.env });
    const url = await hook.nextUrl();
    assertMatch(
      url,
      /\/cli-login\?callback=http%3A%2F%2F127\.0\.0\.1%3A\d+%2Fcb&state=[0-9a-f]{64}&client_name=/,
    );
    // On a phone-sized screen, as a person approving from their phone would see it.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(url);
    await signIn(page);
    await page.getByTestId("destination").filter({ hasText: "http://127.0.0.1:" }).waitFor();
    assert((await page.getByTestId("device").textContent())?.length, "the device is named");
    const box = (await page.locator("main").boundingBox())!;
    assert(
      box.x >= 8 && box.x + box.width <= 390 - 8,
      `no margin on a phone: ${JSON.stringify(box)}`,
    );
    await page.getByRole("button", { name: "Connect CLI" }).click();
    await page.getByText("Logged in").first().waitFor();
    assertEquals(new URL(page.url()).hash, "", "the key is gone from the address bar");
    const result = await cli.done;
    assertEquals(result.code, 0, result.stderr);
    const saved = JSON.parse(Deno.readTextFileSync(credsPath(home)));
    assertEquals([saved.email, saved.keyOrigin], ["alice@example.com", "minted"]);
    assertMatch(saved.token, /^almyty_[0-9a-f]{64}$/);
    assert(saved.keyId, "the key's id was found with GET /auth/api-keys");
    assert(!(await page.content()).includes(saved.token));
    assertPortFree(url);
    // The key the page minted carries production's name, with the browser's platform.
    const keys = (await (await fetch(`${server.url}/auth/api-keys`, {
      headers: { authorization: `Bearer ${saved.token}` },
    })).json()).data.apiKeys;
    assertMatch(
      keys.find((k: { id: string }) => k.id === saved.keyId).name,
      /^CLI login \(.+\) \d{4}-\d{2}-\d{2}$/,
    );

    // logout revokes it: the key that sat in the browser's history now gets 401.
    const logout = await runCli(["logout"], { home });
    assertEquals(logout.code, 0, logout.stderr);
    assertMatch(logout.stderr, /Revoked the API key/);
    const after = await fetch(`${server.url}/auth/profile`, {
      headers: { authorization: `Bearer ${saved.token}` },
    });
    assertEquals(after.status, 401);
    await after.body?.cancel();

    // --no-browser against production: explains, offers --token and the ssh -L line.
    const headless = new CliProcess([
      "login",
      "--no-browser",
      "--timeout",
      "1",
      "--api",
      server.url,
    ], { home: tempHome() });
    const done = await headless.done;
    assertMatch(
      done.stderr,
      /no headless login[\s\S]*--token[\s\S]*ssh -L (\d+):127\.0\.0\.1:\1 /,
    );
  },
);

e2e("legacy listener: bad state and missing token get 400 and the CLI keeps waiting", {
  legacy: true,
}, async (server, { hook, home }) => {
  const cli = new CliProcess(["login", "--api", server.url], {
    home,
    env: hook.env,
  });
  const url = await hook.nextUrl();
  const callback = new URL(new URL(url).searchParams.get("callback")!);
  const post = (body: unknown) =>
    fetch(new URL("/cb-complete", callback), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  const bad = await post({ token: "almyty_" + "0".repeat(64), state: "wrong" });
  assertEquals([bad.status, (await bad.json()).error], [400, "Invalid state"]);
  const state = new URL(url).searchParams.get("state");
  const missing = await post({ state });
  assertEquals([missing.status, (await missing.json()).error], [400, "Missing token"]);
  const garbled = await fetch(new URL("/cb-complete", callback), {
    method: "POST",
    body: "almyty_GARBLEDGARBLEDGARBLED",
  });
  const garbledText = await garbled.text();
  assertEquals(garbled.status, 400);
  assert(!garbledText.includes("GARBLED"), `the listener echoed the body: ${garbledText}`);
  const big = await fetch(new URL("/cb-complete", callback), {
    method: "POST",
    body: "x".repeat(70_000),
  });
  assertEquals(big.status, 413);
  await big.body?.cancel();
  // None of it ended the login: it still waits (for its 300 s), so Ctrl-C is what ends it (130).
  cli.child.kill("SIGINT");
  const result = await cli.done;
  assertEquals(result.code, 130, result.stderr);
  assert(!/Logged in/.test(result.stderr), result.stderr);
});

e2e(
  "the listener's root is a page with a title that says there is nothing to do",
  {},
  async (server, { page, hook, home }) => {
    const cli = new CliProcess(["login", "--api", server.url], { home, env: hook.env });
    const url = await hook.nextUrl();
    await page.goto(new URL(new URL(url).searchParams.get("redirect_uri")!).origin + "/");
    assertEquals(await page.title(), "almyty CLI login · almyty");
    assertMatch(await page.locator("main").innerText(), /nothing to do on this page/);
    cli.child.kill("SIGINT");
    assertEquals((await cli.done).code, 130);
  },
);

e2e(
  "the hand-off page on a bad state leaves 'Finishing login…' and says what to do",
  { legacy: true },
  async (server, { page, hook, home }) => {
    const cli = new CliProcess(["login", "--api", server.url], { home, env: hook.env });
    const url = await hook.nextUrl();
    const callback = new URL(url).searchParams.get("callback")!;
    await page.goto(`${callback}#token=almyty_${"0".repeat(64)}&state=${"f".repeat(64)}`);
    await page.getByRole("heading", { name: "Login not completed" }).waitFor();
    const text = await page.locator("main").innerText();
    assert(!text.includes("Finishing login"), text);
    assertMatch(text, /belongs to another login[\s\S]*almyty-auth login --api/);
    assertEquals(await page.title(), "Login not completed · almyty");
    assertEquals(new URL(page.url()).hash, "", "the key is gone from the address bar");
    cli.child.kill("SIGINT");
    assertEquals((await cli.done).code, 130);
  },
);

Deno.test({
  name: "leak scan: no token in CLI output, opener argv or any page",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const { recordings, tokens } = assertNoLeaks();
    assert(recordings > 20 && tokens >= 4, `scan saw ${recordings} recordings, ${tokens} tokens`);
    await chromium.close();
  },
});
