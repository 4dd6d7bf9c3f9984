/**
 * Several logins as real processes (issue 17): many logins of one HOME at
 * once, and folders refused before anything reaches a real listener.
 */
import { assert, assertEquals, assertMatch } from "./helpers/assert.ts";
import { credsPath, homeWithFile, readBytes, runCli } from "./helpers/cli.ts";
import { mintKey, withServer } from "./helpers/server.ts";
import { writeProfile } from "../src/credentials/mod.ts";
import { writeDirectoryRecordWith } from "../src/credentials/directory.ts";
import { denoFs } from "../src/platform/deno_fs.ts";
import { sha256Hex } from "../src/protocol/sha256.ts";

/** A listener on 127.0.0.1 that records every request and answers 500. */
async function withCapturingListener<T>(
  fn: (url: string, seen: string[]) => Promise<T>,
): Promise<T> {
  const seen: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    seen.push(`${request.method} ${new URL(request.url).pathname}`);
    return new Response("captured", { status: 500 });
  });
  try {
    return await fn(`http://127.0.0.1:${server.addr.port}`, seen);
  } finally {
    await server.shutdown();
  }
}

Deno.test("20 concurrent `login --with-token --profile pN`: 20 complete files, the default unchanged", async () => {
  await withServer({ requestLimit: 1000, signInLimit: 1000 }, async (server) => {
    const { home, path, bytes } = homeWithFile();
    const keys = await Promise.all(
      Array.from({ length: 20 }, async () => (await mintKey(server.url)).apiKey),
    );
    const results = await Promise.all(
      keys.map((key, n) =>
        runCli(["login", "--with-token", "--profile", `p${n}`, "--api", server.url], {
          home,
          stdin: key,
        })
      ),
    );
    results.forEach((result, n) => assertEquals(result.code, 0, `p${n}: ${result.stderr}`));
    for (const [n, key] of keys.entries()) {
      const saved = JSON.parse(Deno.readTextFileSync(`${home}/.almyty/profiles/p${n}.json`));
      assertEquals(
        [saved.version, saved.token, saved.url, saved.email, saved.keyOrigin],
        [1, key, server.url, "alice@example.com", "supplied"],
        `p${n}`,
      );
    }
    assertEquals(readBytes(path), bytes, "the default login is byte-identical");
    const names = [...Deno.readDirSync(`${home}/.almyty/profiles`)]
      .map((entry) => entry.name).filter((name) => !name.startsWith("."));
    assertEquals(names.length, 20, names.join(" "));
    const list = await runCli(["whoami", "--profile", "p7", "--json"], { home });
    assertEquals(JSON.parse(list.stdout).profile, { name: "p7", source: "flag", origin: null });
  });
});

Deno.test("a folder's .almyty-profile that is untrusted, changed or asserts another API: exit 4, and a capturing listener at the login's API sees nothing", async () => {
  await withCapturingListener(async (url, seen) => {
    const { home } = homeWithFile(
      JSON.stringify({ url, token: "almyty_DEFAULTKEY00000000000001" }),
    );
    writeProfile("staging", { url, token: "almyty_STAGINGKEY00000000000002" }, {
      home,
      fs: denoFs,
    });
    const repo = `${home}/repo`;
    Deno.mkdirSync(`${repo}/src`, { recursive: true });
    const file = `${repo}/.almyty-profile`;
    const trust = (text: string) =>
      writeDirectoryRecordWith({ fs: denoFs, home }, {
        trusted: { [file]: sha256Hex(text) },
        bindings: {},
      });
    const cases: [string, () => void, RegExp][] = [
      ["untrusted", () => Deno.writeTextFileSync(file, '{"profile": "staging"}'), /not trusted/],
      ["changed", () => {
        trust('{"profile": "staging"}');
        Deno.writeTextFileSync(file, '{"profile": "default"}');
      }, /changed since you trusted it/],
      ["mismatch", () => {
        const text = '{"profile": "staging", "api": "https://api.staging.almyty.com"}';
        Deno.writeTextFileSync(file, text);
        trust(text);
      }, /not https:\/\/api\.staging\.almyty\.com/],
    ];
    for (const [label, make, message] of cases) {
      make();
      for (const argv of [["whoami"], ["status"], ["token"], ["logout"]]) {
        const result = await runCli(argv, { home, cwd: `${repo}/src` });
        assertEquals(result.code, 4, `${label} ${argv[0]}: ${result.stderr}`);
        assertMatch(result.stdout + result.stderr, message, `${label} ${argv[0]}`);
      }
    }
    assertEquals(seen, [], "no request reached the listener");
    assert(Deno.statSync(credsPath(home)).isFile, "logout removed nothing");
  });
});
