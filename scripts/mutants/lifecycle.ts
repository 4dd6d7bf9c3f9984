/**
 * Mutants of where keys and logins go, and of a key's end of life:
 * revocation checked with the key itself, hand-off key ids, minted keys
 * that cannot be saved, the proxy and credential rules of the API client.
 * @module
 */
import type { Mutant } from "./mutant.ts";

/** See scripts/mutants/mutant.ts for the fields. */
export const mutants: Mutant[] = [
  {
    rule: "a revocation is checked with the key itself: after the DELETE it must get 401",
    file: "src/runtime/keys.ts",
    find: "  return await confirmDead(api);\n}",
    replace: '  return { kind: "revoked" };\n}',
    tests: ["tests/lifecycle_test.ts"],
    filter: "20.13",
  },
  {
    rule:
      '"API key not found" to a DELETE the key authenticated means the saved id is not this key',
    file: "src/runtime/keys.ts",
    find: '    ) return { kind: "not-this-key" };',
    replace: '    ) return { kind: "dead" };',
    tests: ["tests/lifecycle_test.ts"],
    filter: "20.13/20.14",
  },
  {
    rule: "loopback requests never go through a proxy (the real context's fetch)",
    file: "src/runtime/deno_context.ts",
    find: "fetch: directLoopbackFetch(),",
    replace: "fetch: globalThis.fetch,",
    tests: ["tests/lifecycle_test.ts"],
    filter: "19.2: loopback requests",
  },
  {
    rule: "an https loopback API is not reached through the proxy either",
    file: "src/platform/http.ts",
    find: "return withNoProxy(() => Deno.createHttpClient({}));",
    replace: "return Deno.createHttpClient({});",
    tests: ["tests/lifecycle_test.ts"],
    filter: "19.2: an https",
  },
  {
    rule: "the token goes to the API's own origin only",
    file: "src/runtime/client.ts",
    find: "!options.anonymous && requested.origin === this.#apiOrigin",
    replace: "!options.anonymous",
    tests: ["tests/lifecycle_test.ts"],
    filter: "19.3",
  },
  {
    rule: "doctor's reachability probes carry no token",
    file: "src/runtime/client.ts",
    find: "await this.#send(path, { anonymous: true });",
    replace: "await this.#send(path, {});",
    tests: ["tests/lifecycle_test.ts"],
    filter: "19.3",
  },
  {
    rule: "messages name the URL asked for, never a redirect's",
    file: "src/runtime/client.ts",
    find: "return { url: asked, response, text: await this.#readCapped(response, asked) };",
    replace:
      "return { url: url.href, response, text: await this.#readCapped(response, url.href) };",
    tests: ["tests/lifecycle_test.ts"],
    filter: "19.4",
  },
  {
    rule: "a refused URL value is never quoted: host and port at most",
    file: "src/protocol/urls.ts",
    find: 'throw new UrlRuleError(`${label} is not a URL${bare ? "" : about}.${suggestion}`);',
    replace: 'throw new UrlRuleError(`${label}: "${raw}" is not a URL.${suggestion}`);',
    tests: ["tests/unit/urls_test.ts"],
    filter: "19.5",
  },
  {
    rule: "doctor names a proxy by host and port only",
    file: "src/cli/doctor.ts",
    find: "const host = shownHost(ctx.env[name]!);",
    replace: "const host = ctx.env[name]!;",
    tests: ["tests/lifecycle_test.ts"],
    filter: "19.5",
  },
];
