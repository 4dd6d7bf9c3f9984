/**
 * End to end in a real Chromium: the browser opens the CLI's private
 * redirect file and reaches almyty directly, so a browser that cannot reach
 * the listener (WSL 2, containers, remote desktops) still finishes the login
 * by paste-back on a real terminal. (The listener's own pages are in
 * browser_test.ts.)
 */
import { chromium } from "playwright-core";
import { assertEquals, assertMatch } from "../helpers/assert.ts";
import { browserHook, CHROMIUM_ARGS, signIn, watchPages } from "../helpers/browser.ts";
import { credsPath, driveTerminal, tempHome } from "../helpers/cli.ts";
import { assertNoLeaks } from "../helpers/leaks.ts";
import { closedPort, withServer } from "../helpers/server.ts";
import { scratchDir } from "../helpers/scratch.ts";

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
        const paste = `${scratchDir()}/paste`;
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

Deno.test({
  name: "leak scan: no token in the pages or terminals of this file",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () => {
    assertNoLeaks();
  },
});
