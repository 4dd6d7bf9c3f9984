/**
 * The CLI as real processes under odd conditions a person, a CI job or an
 * agent runs it in: stdin a folder or endless, stdout on a full disk, a variable that is not
 * UTF-8, https to a plain-http server. Each case: a message
 * that names the problem and the fix, the right exit code, nothing sent, the
 * credentials untouched.
 */
import { assertEquals, assertMatch } from "./helpers/assert.ts";
import { baseEnv, cliArgv, homeWithFile, noteRun, readBytes } from "./helpers/cli.ts";
import { scratchFile } from "./helpers/scratch.ts";
import { withFakeServer } from "./helpers/server.ts";

/**
 * Runs the CLI through `sh -c '<script> exec "$@"'`: what Deno.Command cannot
 * set up itself (stdin or stdout redirected to a folder, /dev/zero or
 * /dev/full; a variable that is not UTF-8).
 */
async function runThroughShell(
  script: string,
  args: string[],
  home: string,
  env: Record<string, string> = {},
) {
  const out = await new Deno.Command("sh", {
    args: ["-c", script, "sh", Deno.execPath(), ...cliArgv(args)],
    env: { ...baseEnv(home), ...env },
    clearEnv: true,
    stdin: "null",
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

/** Runs the CLI with stdin or stdout redirected to `path`. */
function runRedirected(redirect: "<" | ">", path: string, args: string[], home: string) {
  return runThroughShell(`exec "$@" ${redirect} "$REDIRECT_PATH"`, args, home, {
    REDIRECT_PATH: path,
  });
}

/** Runs the CLI with stdin read from `path`. */
function runWithStdinFrom(path: string, args: string[], home: string) {
  return runRedirected("<", path, args, home);
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
    const login = ["login", "--profile", "ci", "--with-token", "--api", url];
    const folder = await runWithStdinFrom("/", login, home);
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
    const endless = await runWithStdinFrom("/dev/zero", login, home);
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

Deno.test("stdout on a full disk (env > .envrc, token > file): named with exit 1, no stack trace", async () => {
  const { home } = homeWithFile();
  for (const args of [["env"], ["token"], ["--version"], ["completions", "bash"]]) {
    const full = await runRedirected(">", "/dev/full", args, home);
    assertEquals(full.code, 1, args.join(" ") + ": " + full.stderr);
    assertMatch(
      full.stderr,
      /(^|\n)Cannot write the output to stdout: no space left on the device \(ENOSPC\)\.\n$/,
    );
  }
});

Deno.test("a variable choosing the login that is not UTF-8 (ALMYTY_TOKEN, HOME) is named, its value never quoted, exit 2", async () => {
  const { home, path, bytes } = homeWithFile();
  for (const name of ["ALMYTY_TOKEN", "HOME", "ALMYTY_PROFILE"]) {
    // A key with a stray Latin-1 byte (copied from a file in another encoding): Deno's own
    // error quoted it in its stack trace.
    const run = await runThroughShell(
      `${name}="$(printf 'almyty_secretsecret\\377')" exec "$@"`,
      ["whoami"],
      home,
    );
    assertEquals(run.code, 2, `${name}: ${run.stderr}`);
    assertEquals(
      run.stderr,
      `${name} is not valid UTF-8 text, so almyty-auth cannot use it; nothing was read or sent. ` +
        "Set it to UTF-8 text, or unset it.\n",
    );
  }
  // One that only tunes (TERM, BROWSER) is as if unset: the command runs.
  const tuning = await runThroughShell(
    `TERM="$(printf 'xterm\\377')" BROWSER="$(printf 'fire\\377fox')" exec "$@"`,
    ["--version"],
    home,
  );
  assertEquals(tuning.code, 0, tuning.stderr);
  assertEquals(readBytes(path), bytes);
});

Deno.test("https:// to a server that speaks plain http (a local reference server) says so, not a TLS record error", async () => {
  await withFakeServer(() => Response.json({}), async (url) => {
    const { home, path, bytes } = homeWithFile();
    const https = url.replace("http://", "https://");
    const run = await runThroughShell('exec "$@" < /dev/null', ["whoami"], home, {
      ALMYTY_TOKEN: "almyty_" + "9".repeat(64),
      ALMYTY_URL: https,
    });
    assertEquals(run.code, 1, run.stderr);
    assertMatch(
      run.stderr,
      new RegExp(
        `^Could not verify the token: Cannot reach ${https}/auth/profile: the server there does not speak https \\(it answered in plain http; on this machine, use http://\\)\\. `,
      ),
    );
    assertEquals(readBytes(path), bytes);
  });
});
