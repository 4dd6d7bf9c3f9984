/**
 * Debian's Chromium, headless, driven by playwright-core; and the BROWSER
 * hook that hands the CLI's URL to the test.
 * @module
 */
import { type Browser, chromium, type Page } from "playwright-core";
import { recordOutput } from "./leaks.ts";
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
