/**
 * Debian's Chromium, headless, driven by playwright-core; and the BROWSER
 * hook that hands the CLI's URL to the test.
 * @module
 */
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import type { StartOptions } from "../../src/server/app.ts";
import { recordOutput } from "./leaks.ts";
import { withServer } from "./server.ts";
import { readRedirect } from "./redirect.ts";
import { scratchDir } from "./scratch.ts";

const HOOK = new URL("./browser_hook.sh", import.meta.url).pathname;

/** The workplace's Chromium flags. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/** Launches Chromium with the workplace's flags. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium",
    args: CHROMIUM_ARGS,
  });
}

/** The reference server a {@link browserTests} test gets. */
export type TestServer = Parameters<Parameters<typeof withServer>[1]>[0];

/**
 * One Chromium for a test file: `test` registers a test with a fresh
 * reference server (`options`), and `newPage` opens a page in a fresh
 * context (another browser profile), watched for the leak scan and closed
 * when the test ends; `close` ends the browser (the file's last test).
 */
export function browserTests(): {
  test(
    name: string,
    options: StartOptions,
    fn: (server: TestServer, newPage: () => Promise<Page>) => Promise<void>,
  ): void;
  close(): Promise<void>;
} {
  const ready = launchChromium();
  return {
    test: (name, options, fn) =>
      Deno.test({
        name,
        sanitizeOps: false,
        sanitizeResources: false,
        fn: () =>
          withServer(options, async (server) => {
            const browser = await ready;
            const contexts: BrowserContext[] = [];
            const newPage = async () => {
              const context = await browser.newContext();
              contexts.push(context);
              const page = await context.newPage();
              watchPages(page);
              return page;
            };
            try {
              await fn(server, newPage);
            } finally {
              for (const context of contexts) await context.close();
            }
          }),
      }),
    close: async () => await (await ready).close(),
  };
}

/** A FIFO the BROWSER hook writes the URL to; `env` goes to the CLI. */
export function browserHook(): {
  env: Record<string, string>;
  nextUrl(): Promise<string>;
  nextOpen(): Promise<{ opened: string; path: string; url: string }>;
} {
  const dir = scratchDir("almyty-hook-");
  const fifo = `${dir}/url`;
  new Deno.Command("mkfifo", { args: [fifo] }).outputSync();
  const nextOpen = async () => {
    const opened = (await Deno.readTextFile(fifo)).trim();
    recordOutput("argv of the browser opener", opened);
    if (!/^file:\/\/\/\S+\.html$/.test(opened)) {
      throw new Error(`the opener's argv is not a private redirect file: ${opened}`);
    }
    return { opened, ...readRedirect(opened) };
  };
  return {
    env: { BROWSER: HOOK, TEST_BROWSER_FIFO: fifo },
    nextOpen,
    /**
     * The URL the CLI asked the browser to open, read from the private
     * redirect file it was given. The opener's argv holds only that file's
     * address: never the state or the PKCE challenge.
     */
    async nextUrl() {
      return (await nextOpen()).url;
    },
  };
}

/**
 * Records every page the browser shows (documents, and every URL it loads),
 * for the leak scan. API responses a page's script fetches are left out:
 * production's `POST /auth/api-keys` returns the new key by design.
 */
export function watchPages(page: Page): void {
  page.on("response", async (response) => {
    const isDocument = response.request().resourceType() === "document";
    try {
      recordOutput(
        `page ${response.url()}`,
        response.url() + (isDocument ? "\n" + await response.text() : ""),
      );
    } catch { /* redirects and aborted loads have no body */ }
  });
}

/** Fills the sign-in form as a person would. */
export async function signIn(
  page: Page,
  email = "alice@example.com",
  password = "alice-password",
): Promise<void> {
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}
