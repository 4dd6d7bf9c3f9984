/**
 * Reading what the CLI gives a browser opener: the private redirect file
 * (`src/login/redirect_file.ts`). Checks it is private (0600 in a 0700
 * folder) and returns where it leads, as a browser following its meta
 * refresh would.
 * @module
 */
import { assertEquals, assertMatch } from "./assert.ts";

/** The file an opener argument names (a `file://` URL or a path), and where it leads. */
export function readRedirect(arg: string): { path: string; url: string } {
  const path = arg.startsWith("file:") ? decodeURIComponent(new URL(arg).pathname) : arg;
  assertMatch(path, /\/\.almyty\/login\/\d+-[0-9a-f]{16}\.html$/, `opener argument ${arg}`);
  assertEquals(Deno.lstatSync(path).mode! & 0o777, 0o600, "the redirect file is private");
  assertEquals(
    Deno.lstatSync(path.slice(0, path.lastIndexOf("/"))).mode! & 0o777,
    0o700,
    "its folder is private",
  );
  const html = Deno.readTextFileSync(path);
  const refresh = /<meta http-equiv="refresh" content="0;url=([^"]*)">/.exec(html)?.[1];
  if (!refresh) throw new Error(`no redirect in ${path}:\n${html}`);
  const url = refresh.replace(/&#(\d+);/g, (_, code) => String.fromCharCode(Number(code)));
  return { path, url };
}
