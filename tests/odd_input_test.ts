/**
 * The CLI as real processes under odd conditions a person, a CI job or an
 * agent runs it in: stdin a folder or endless, no HOME. Each case: a message
 * that names the problem and the fix, the right exit code, nothing sent, the
 * credentials untouched.
 */
import { assertEquals, assertMatch } from "./helpers/assert.ts";
import { baseEnv, cliArgv, homeWithFile, noteRun, readBytes } from "./helpers/cli.ts";
import { scratchFile } from "./helpers/scratch.ts";
import { withFakeServer } from "./helpers/server.ts";

/** Runs the CLI with stdin redirected from `path` by a shell (a folder, /dev/zero). */
async function runWithStdinFrom(path: string, args: string[], home: string) {
  const out = await new Deno.Command("sh", {
    args: ["-c", 'exec "$@" < "$STDIN_PATH"', "sh", Deno.execPath(), ...cliArgv(args)],
    env: { ...baseEnv(home), STDIN_PATH: path },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const result = {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
  noteRun(args, result, { home });
  return result;
}

Deno.test("login --with-token: stdin a folder, or more than a key, is a usage error naming the fix; nothing sent", async () => {
  let requests = 0;
  await withFakeServer(() => {
    requests++;
    return new Response("{}", { status: 500 });
  }, async (url) => {
    const { home, path, bytes } = homeWithFile();
    const fix =
      `Pipe the key itself: almyty-auth login --with-token --profile ci --api ${url} < key\\.txt`;
    const folder = await runWithStdinFrom("/", [
      "login",
      "--profile",
      "ci",
      "--with-token",
      "--api",
      url,
    ], home);
    assertEquals(folder.code, 2, folder.stderr);
    assertMatch(
      folder.stderr,
      new RegExp(`^Cannot read the API key from stdin: it is a folder \\(EISDIR\\)\\. ${fix}\n$`),
    );
    // A file of a megabyte: a key pasted into a log, say; `--token -` reads stdin too.
    const file = scratchFile({ suffix: ".txt" });
    Deno.writeTextFileSync(file, "almyty_" + "a".repeat(1024 * 1024));
    const huge = await runWithStdinFrom(file, ["login", "--token", "-", "--api", url], home);
    assertEquals(huge.code, 2, huge.stderr);
    assertMatch(huge.stderr, /^stdin holds more than 64 KiB/);
    assertEquals(requests, 0);
    // Endless input ends: the read stops past the cap instead of filling memory.
    const endless = await runWithStdinFrom("/dev/zero", [
      "login",
      "--profile",
      "ci",
      "--with-token",
      "--api",
      url,
    ], home);
    assertEquals(endless.code, 2, endless.stderr);
    assertMatch(
      endless.stderr,
      new RegExp(
        `^stdin holds more than 64 KiB, which no API key is; nothing was sent\\. ${fix}\n$`,
      ),
    );
    assertEquals(requests, 0);
    assertEquals(readBytes(path), bytes);
  });
});
