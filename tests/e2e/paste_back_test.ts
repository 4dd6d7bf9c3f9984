/**
 * End to end in a real Chromium: the browser opens the CLI's private
 * redirect file and reaches almyty directly, so a browser that cannot reach
 * the listener (WSL 2, containers, remote desktops) still finishes the login
 * by paste-back on a real terminal; and the listener's own pages (its root,
 * the hand-off page on a bad state) say what to do.
 */
import { type Browser, chromium, type Page } from "playwright-core";
import { assert, assertEquals, assertMatch } from "../helpers/assert.ts";
import {
  browserHook,
  CHROMIUM_ARGS,
  launchChromium,
  signIn,
  watchPages,
} from "../helpers/browser.ts";
import { CliProcess, credsPath, driveTerminal, tempHome } from "../helpers/cli.ts";
import { assertNoLeaks } from "../helpers/leaks.ts";
import { closedPort, withServer } from "../helpers/server.ts";
import type { StartOptions } from "../../src/server/app.ts";

let browser: Browser;
const ready = launchChromium().then((b) => (browser = b));

function e2e(name: string, options: StartOptions, fn: (url: string, page: Page) => Promise<void>) {
  Deno.test({
    name,
    sanitizeOps: false,
    sanitizeResources: false,
    fn: () =>
      withServer(options, async (server) => {
        await ready;
        const context = await browser.newContext();
        try {
          const page = await context.newPage();
          watchPages(page);
          await fn(server.url, page);
        } finally {
          await context.close();
        }
      }),
  });
}

Deno.test({
  name:
    "paste-back in Chromium: the redirect file reaches almyty, the listener is unreachable, the pasted address logs in",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () =>
    withServer({}, async (server) => {
      // A browser that reaches almyty but not this machine's listener (WSL 2, a container):
      // every loopback address but the server's goes to a proxy that is not there.
      const isolated = await chromium.launch({
        executablePath: Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium",
        args: [
          ...CHROMIUM_ARGS,
          `--proxy-server=http://127.0.0.1:${closedPort()}`,
          `--proxy-bypass-list=<-loopback>;${new URL(server.url).host}`,
        ],
      });
      try {
        const page = await isolated.newPage();
        watchPages(page);
        const home = tempHome();
        const hook = browserHook();
        const paste = `${Deno.makeTempDirSync()}/paste`;
        const terminal = driveTerminal(
          ["login", "--api", server.url],
          home,
          [[/copy its address and paste it here:/, `@file:${paste}`]],
          hook.env,
          { timeout: 60 },
        );
        const { opened, url } = await hook.nextOpen();
        const listener = new URL(new URL(url).searchParams.get("redirect_uri")!);
        const failed = new Promise<string>((resolve) =>
          page.on("requestfailed", (request) => {
            if (request.url().startsWith(listener.origin)) resolve(request.url());
          })
        );
        await page.goto(opened); // the private file: straight on to almyty, never via the listener
        await signIn(page);
        await page.getByRole("button", { name: "Approve" }).click();
        const landed = await failed; // the address the person copies from the error page
        assertMatch(landed, new RegExp(`^${listener.origin}/callback\\?code=`));
        Deno.writeTextFileSync(paste, landed);
        const run = await terminal;
        assertEquals(run.code, 0, run.screen);
        assertMatch(run.screen, /Logged in as alice@example\.com/);
        assertEquals(
          JSON.parse(Deno.readTextFileSync(credsPath(home))).email,
          "alice@example.com",
        );
      } finally {
        await isolated.close();
      }
    }),
});

e2e(
  "the listener's root is a page with a title that says there is nothing to do",
  {},
  async (serverUrl, page) => {
    const hook = browserHook();
    const cli = new CliProcess(["login", "--api", serverUrl], { home: tempHome(), env: hook.env });
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
  async (serverUrl, page) => {
    const hook = browserHook();
    const cli = new CliProcess(["login", "--api", serverUrl], { home: tempHome(), env: hook.env });
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
  name: "leak scan: no token in the pages or terminals of this file",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    assertNoLeaks();
    await ready;
    await browser.close();
  },
});
