/**
 * The reference server's pages in real Chromium: cross-site attacks from a
 * page on another port of 127.0.0.1 (login CSRF, a text/plain key mint,
 * cookie tossing), accessibility with axe-core at desktop and phone sizes,
 * the device countdown, the /cli-login card's Cancel, and unknown pages.
 */
import axe from "axe-core";
import type { Page } from "playwright-core";
import type { StartOptions } from "../../src/server/app.ts";
import { assert, assertEquals, assertMatch } from "../helpers/assert.ts";
import { browserTests, signIn, type TestServer } from "../helpers/browser.ts";
import { authorizationRequest } from "../helpers/consent.ts";
import { withFakeServer } from "../helpers/server.ts";

const chromium = browserTests();

/** A test with a fresh reference server and a fresh browser profile. */
function pages(
  name: string,
  options: StartOptions,
  fn: (server: TestServer, page: Page) => Promise<void>,
): void {
  chromium.test(name, options, async (server, newPage) => await fn(server, await newPage()));
}

/** An authorization URL of the code flow, as the CLI builds it. */
function authorizationUrl(server: string, clientName = "laptop"): string {
  return authorizationRequest(server, { clientName }).url;
}

/** A session secret of the account, as the server's API hands it out. */
async function sessionOf(server: string, email: string, password: string): Promise<string> {
  const response = await fetch(`${server}/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password }),
  });
  await response.body?.cancel();
  return /access_token=([^;]+)/.exec(response.headers.get("set-cookie")!)![1];
}

/** Serves `html` as the attacker's page, on another port of 127.0.0.1. */
function withAttackerPage<T>(html: string, fn: (url: string) => Promise<T>): Promise<T> {
  return withFakeServer(
    () => new Response(html, { headers: { "content-type": "text/html" } }),
    fn,
  );
}

pages(
  "login CSRF: a page on another port cannot sign the browser in to the attacker's account",
  {},
  async (server, page) => {
    const form = `<form id="f" method="post" action="${server.url}/auth/login">
      <input name="email" value="carol@example.com"><input name="password" value="carol-password">
      <input name="return_to" value="/"></form><script>document.getElementById("f").submit()</script>`;
    await withAttackerPage(form, async (attacker) => {
      const refused = page.waitForResponse(`${server.url}/auth/login`);
      await page.goto(attacker);
      assertEquals((await refused).status(), 403);
    });
    await page.getByText("Nothing was done.").waitFor();
    await page.goto(authorizationUrl(server.url));
    await page.getByRole("heading", { name: "Sign in to almyty" }).waitFor();
    assert(!(await page.content()).includes("carol@example.com"), "not signed in as carol");
  },
);

pages(
  "cross-site writes: a page on another port of 127.0.0.1 mints no key in the signed-in account (text/plain, form)",
  {},
  async (server, page) => {
    await page.goto(authorizationUrl(server.url));
    await signIn(page);
    await page.getByRole("button", { name: "Approve" }).waitFor();
    // SameSite=Lax cookies go along: another port of the same host is the same site.
    const script = `<script>
      Promise.all([
        fetch("${server.url}/auth/api-keys", { method: "POST", mode: "no-cors", credentials: "include",
          headers: { "content-type": "text/plain" }, body: JSON.stringify({ name: "planted" }) }),
        fetch("${server.url}/auth/api-keys", { method: "POST", mode: "no-cors", credentials: "include",
          body: new URLSearchParams({ name: "planted" }) }),
      ]).finally(() => { document.title = "sent"; });
    </script>`;
    await withAttackerPage(script, async (attacker) => {
      await page.goto(attacker);
      await page.waitForFunction('document.title === "sent"');
    });
    assertEquals(server.store.keys.size, 0, "no key was minted");
  },
);

pages(
  "cookie tossing: a session cookie planted from another port never puts its account on the consent page",
  {},
  async (server, page) => {
    const url = authorizationUrl(server.url);
    await page.goto(url);
    await signIn(page);
    await page.getByTestId("account").filter({ hasText: "alice@example.com" }).waitFor();
    const carol = await sessionOf(server.url, "carol@example.com", "carol-password");
    // Cookies ignore ports: the attacker's page sets one for 127.0.0.1, more specific path first.
    await withAttackerPage(
      `<script>document.cookie = "access_token=${carol}; path=/cli-auth"; document.title = "set";</script>`,
      async (attacker) => {
        await page.goto(attacker);
        await page.waitForFunction('document.title === "set"');
      },
    );
    await page.goto(url);
    await page.getByText("Your browser sent two almyty sessions").waitFor();
    assert(!(await page.content()).includes("carol@example.com"));
    // Both were cleared: signing in again brings the person's own account back.
    await signIn(page);
    await page.getByTestId("account").filter({ hasText: "alice@example.com" }).waitFor();
    const cookies = (await page.context().cookies()).filter((c) => c.name === "access_token");
    assertEquals(cookies.length, 1, JSON.stringify(cookies.map((c) => c.path)));
  },
);

/** WCAG 2.1 A and AA, and axe's best practices. */
const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"];

/** The computed colour of the top border of each element `selector` names. */
function borderColors(page: Page, selector: string): Promise<string[]> {
  return page.evaluate(
    `[...document.querySelectorAll(${
      JSON.stringify(selector)
    })].map((el) => getComputedStyle(el).borderTopColor)`,
  ) as Promise<string[]>;
}

/** axe-core's violations on the page as it is now. */
async function axeViolations(page: Page): Promise<string[]> {
  await page.evaluate(axe.source);
  const result = await page.evaluate(
    `axe.run(document, { runOnly: { type: "tag", values: ${JSON.stringify(AXE_TAGS)} } })`,
  ) as { violations: { id: string; nodes: { target: string[] }[] }[] };
  return result.violations.map((v) =>
    `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`
  );
}

/** WCAG 2.x contrast ratio of two CSS colours as getComputedStyle gives them (rgb/rgba). */
function contrast(a: string, b: string): number {
  const luminance = (color: string) => {
    const [r, g, b] = color.match(/[\d.]+/g)!.slice(0, 3).map((v) => {
      const c = Number(v) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [dark, light] = [luminance(a), luminance(b)].sort((x, y) => x - y);
  return (light + 0.05) / (dark + 0.05);
}

const SIZES = [
  { name: "desktop", width: 1280, height: 800 },
  { name: "phone", width: 390, height: 844 },
];

pages(
  "consent and sign-in pages: no axe-core violations at desktop and phone sizes; Approve/Deny above the fold; radios in a fieldset with a legend; borders ≥ 3:1",
  {},
  async (server, page) => {
    // The device consent that has the most on it: requested from elsewhere, so a code to type.
    const { deviceCode: _, grant } = server.store.createDeviceGrant("build-box", "203.0.113.7");
    const typedCode = `${grant.userCode.slice(0, 4)}-${grant.userCode.slice(4)}`;
    const screens: [string, () => Promise<void>][] = [
      ["sign-in", () => page.goto(authorizationUrl(server.url)).then(() => {})],
      [
        "device sign-in",
        () => page.goto(`${server.url}/cli-auth?code=${typedCode}`).then(() => {}),
      ],
      ["code entry", () => page.goto(`${server.url}/cli-auth`).then(() => {})],
      ["consent, several organizations", async () => {
        await page.goto(authorizationUrl(server.url, "a-very-long-host-name.corp.example.com"));
        if (await page.getByLabel("Email").count()) {
          await signIn(page, "carol@example.com", "carol-password");
        }
        await page.getByRole("button", { name: "Approve" }).waitFor();
      }],
      ["device consent, code typed", async () => {
        await page.goto(`${server.url}/cli-auth?code=${typedCode}`);
        await page.getByLabel(/type the code shown in your terminal/).waitFor();
      }],
      // Where the CLI's hints send a person for a key (signed in by the consent screen above).
      ["API keys, a new key and the list", async () => {
        await page.goto(`${server.url}/settings/api-keys`);
        await page.getByLabel("Name of the new key").fill("CI");
        await page.getByRole("button", { name: "Create a key" }).click();
        await page.getByTestId("new-key").waitFor();
      }],
    ];
    for (const size of SIZES) {
      await page.setViewportSize(size);
      await page.context().clearCookies();
      for (const [screen, open] of screens) {
        await open();
        const where = `${screen} at ${size.name}`;
        assertEquals(await axeViolations(page), [], where);
        for (const border of await borderColors(page, "input:not([type=hidden]), fieldset")) {
          assert(contrast(border, "rgb(255, 255, 255)") >= 3, `${where}: a border ${border}`);
        }
        if (!screen.includes("consent")) continue;
        const [edge] = await borderColors(page, "button.secondary");
        assert(contrast(edge, "rgb(255, 255, 255)") >= 3, `${where}: Deny's edge ${edge}`);
        if (size.name === "desktop") {
          for (const name of ["Approve", "Deny"]) {
            const box = (await page.getByRole("button", { name }).boundingBox())!;
            assert(
              box.y + box.height <= size.height,
              `${where}: ${name} below the fold (${box.y})`,
            );
          }
        }
        if (screen === "consent, several organizations") {
          assertEquals(await page.locator("fieldset legend").textContent(), "Tie the new key to");
          for (const name of ["acme", "globex", "no organization"]) {
            const radio = page.getByRole("radio", { name });
            const box = (await radio.boundingBox())!;
            assert(box.width <= 24, `${where}: the ${name} radio is ${box.width}px wide`);
            const label = (await page.getByText(name, { exact: true }).boundingBox())!;
            assert(
              Math.abs(label.y - box.y) < 16,
              `${where}: ${name}'s radio sits beside its label`,
            );
          }
        }
      }
    }
  },
);

pages(
  "the device consent's countdown ends with the code: Approve is disabled and the page says to start again",
  {},
  async (server, page) => {
    let skew = 0;
    const clock = server.store as unknown as { now: () => number };
    Object.defineProperty(clock, "now", { value: () => Date.now() + skew });
    const { grant } = server.store.createDeviceGrant("box", "127.0.0.1");
    await page.goto(`${server.url}/cli-auth?code=${grant.userCode}`);
    await signIn(page);
    // Signed in first (slow under load: the consent page must be there, or the reload races the
    // sign-in's own navigation), then the page again with 5 s of the code's life left.
    await page.getByRole("button", { name: "Approve" }).waitFor();
    skew = 595_000;
    await page.reload();
    const shown = Number(await page.locator("#expires").getAttribute("data-seconds"));
    assert(shown <= 5 && shown >= 1, `the page promised ${shown} s`);
    await page.getByText("expired: start the login again in your terminal").waitFor({
      timeout: 15_000,
    });
    assert(await page.getByRole("button", { name: "Approve" }).isDisabled());
  },
);

pages(
  "/cli-login: the card's Cancel sends nothing, mints nothing, and says how to stop the terminal",
  { legacy: true },
  async (server, page) => {
    const callback = encodeURIComponent("http://127.0.0.1:9/cb");
    await page.goto(`${server.url}/cli-login?callback=${callback}&state=${"a".repeat(64)}`);
    await signIn(page);
    await page.getByRole("button", { name: "Cancel" }).click();
    await page.getByText("Cancelled: no key was created").waitFor();
    assertMatch(await page.locator("#status").textContent() ?? "", /press Ctrl-C/);
    assert(await page.getByRole("button", { name: "Connect CLI" }).isDisabled());
    assertEquals(server.store.keys.size, 0);
    assertEquals(new URL(page.url()).port, new URL(server.url).port, "the browser stayed here");
  },
);

pages(
  "the server's own form posts carry its Origin (Referrer-Policy: same-origin), so a browser without Sec-Fetch-Site is not refused",
  {},
  async (server, page) => {
    // Each header is read as its request is seen (in order), and awaited before the check: an
    // async handler's push could land after it.
    const origins: Promise<string>[] = [];
    page.on("request", (request) => {
      if (request.method() === "POST") {
        origins.push(request.headerValue("origin").then((value) => value ?? "none"));
      }
    });
    await page.goto(authorizationUrl(server.url));
    await signIn(page);
    const approve = page.getByRole("button", { name: "Approve" });
    await approve.waitFor();
    await Promise.all([page.waitForRequest(/\/callback\?code=/).catch(() => {}), approve.click()]);
    assertEquals(
      await Promise.all(origins),
      [server.url, server.url],
      "the sign-in and the decision",
    );
  },
);

pages("an unknown address in a browser is a page, not raw JSON", {}, async (server, page) => {
  const response = await page.goto(`${server.url}/cli-auth/no-such-page`);
  assertEquals(response?.status(), 404);
  await page.getByRole("heading", { name: "Page not found" }).waitFor();
  await page.getByRole("link", { name: "Home" }).click();
  await page.getByRole("heading", { name: "almyty reference server" }).waitFor();
});

Deno.test({
  name: "server pages: the browser closes",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    await chromium.close();
  },
});
