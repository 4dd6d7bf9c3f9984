/**
 * What ships is the bundle (scripts/bundle.ts; `deno compile` embeds it), and
 * every other test runs the sources. So the bundle is held to the sources:
 * each case runs twice, from `main.ts` and from the bundle, with the binary's
 * permission flags, in the same HOME set up the same way, against the same
 * reference server; exit code, stdout and stderr must be the same. And each
 * command keeps a chunk of its own, so whoami's start-up carries neither the
 * login engine nor another command.
 */
import { assert, assertEquals } from "./helpers/assert.ts";
import { bundleCli } from "../scripts/bundle.ts";
import { COMMANDS } from "../src/cli/spec.ts";
import { writeCredentials } from "../src/credentials/mod.ts";
import { runCli } from "./helpers/cli.ts";
import { mintKey, withServer } from "./helpers/server.ts";
import { scratchDir } from "./helpers/scratch.ts";

const SOURCES = new URL("../main.ts", import.meta.url).pathname;
const bundleDir = scratchDir("almyty-bundle-");
const shipped = await bundleCli(bundleDir);

/** One CLI run: argv, its exit code, stdin, whether HOME holds a login before it. */
interface Case {
  args: string[];
  code: number;
  stdin?: string;
  loggedIn?: boolean;
  /** It prints the token (`token`, `env`): kept out of the leak scan's outputs. */
  printsToken?: boolean;
}

/** All that may differ between two runs: durations (the API's answer, the clock), a free port. */
const steady = (text: string) =>
  text.replace(/\b\d+ (m?s)\b/g, "N $1").replace(/port \d+/g, "port N");

Deno.test("the bundle answers every command as the sources do: same exit code, stdout and stderr", async () => {
  await withServer({}, async (server) => {
    const { apiKey } = await mintKey(server.url);
    const cases: Case[] = [
      { args: ["--version"], code: 0 },
      { args: ["--help"], code: 0 },
      ...Object.keys(COMMANDS).map((name) => ({ args: ["help", name], code: 0 })),
      { args: ["whoami"], code: 4 }, // no login: the way out
      { args: ["whoami"], code: 0, loggedIn: true },
      { args: ["whoami", "--json"], code: 0, loggedIn: true },
      { args: ["status"], code: 0, loggedIn: true },
      { args: ["status", "--json"], code: 0, loggedIn: true },
      { args: ["token"], code: 0, loggedIn: true, printsToken: true },
      { args: ["env", "--shell", "fish"], code: 0, loggedIn: true, printsToken: true },
      { args: ["exec", "--", "sh", "-c", 'echo "$ALMYTY_URL"'], code: 0, loggedIn: true },
      { args: ["doctor"], code: 0, loggedIn: true },
      { args: ["profile", "list"], code: 0, loggedIn: true },
      { args: ["completions", "zsh"], code: 0 },
      {
        args: ["login", "--with-token", "--profile", "ci", "--api", server.url],
        code: 0,
        stdin: apiKey,
      },
      { args: ["login", "--cancel"], code: 0 },
      { args: ["logout", "--all"], code: 0, loggedIn: true },
      { args: ["bogus"], code: 2 },
      { args: ["login", "--api", "http://example.com"], code: 2 },
    ];
    for (const c of cases) {
      const results = [];
      for (const entry of [SOURCES, shipped]) {
        // The same HOME, made afresh: paths in the output are the same for both.
        const home = `${bundleDir}-home`;
        Deno.mkdirSync(home);
        try {
          if (c.loggedIn) writeCredentials({ url: server.url, token: apiKey }, { home });
          const result = await runCli(c.args, {
            home,
            cwd: home,
            entry,
            stdin: c.stdin,
            mayPrintToken: c.printsToken,
          });
          results.push({ ...result, stdout: steady(result.stdout), stderr: steady(result.stderr) });
        } finally {
          Deno.removeSync(home, { recursive: true });
        }
      }
      const [sources, bundle] = results;
      const name = `almyty-auth ${c.args.join(" ")}`;
      assertEquals(sources.code, c.code, `${name}: ${sources.stderr}`);
      assertEquals(bundle, sources, name);
    }
  });
});

Deno.test("the bundle gives each command a chunk of its own: whoami's start-up loads no other command, no login engine, no QR code", () => {
  const files = [...Deno.readDirSync(bundleDir)].map((entry) => entry.name);
  const chunkOf = (name: string) =>
    files.find((file) => new RegExp(`^${name}-\\w+\\.js$`).test(file));
  for (const command of Object.keys(COMMANDS)) {
    assert(chunkOf(command), `${command} has no chunk of its own: ${files.join(", ")}`);
  }
  /** What loading `file` loads before it runs: its static imports (bare ones too), and theirs. */
  const staticClosure = (file: string, seen = new Set<string>()): Set<string> => {
    if (seen.has(file)) return seen;
    seen.add(file);
    const code = Deno.readTextFileSync(`${bundleDir}/${file}`);
    for (
      const [, imported] of code.matchAll(
        /^(?:import|export)\b[^;]*?(?:from\s*)?"\.\/([\w.-]+)"/gm,
      )
    ) {
      staticClosure(imported, seen);
    }
    return seen;
  };
  const whoami = new Set([...staticClosure("main.js"), ...staticClosure(chunkOf("whoami")!)]);
  // A module statically imported at start-up leaves its own chunk for a shared one (its own
  // becomes a facade), so what counts is the modules evaluated: esbuild heads each with its path.
  const modules = [...whoami].flatMap((file) =>
    [...Deno.readTextFileSync(`${bundleDir}/${file}`).matchAll(/^\/\/ (\S+)$/gm)].map((m) => m[1])
  );
  assert(modules.includes("src/cli/whoami.ts"), modules.join(", "));
  const late = [
    ...Object.keys(COMMANDS).filter((name) => name !== "whoami").map((name) =>
      `src/cli/${name}.ts`
    ),
    "src/login/engine.ts",
    "src/login/two_step.ts",
    "src/cli/qr.ts",
  ];
  assertEquals(
    modules.filter((module) => late.includes(module) || module.includes("qrcode-generator")),
    [],
    "loaded with whoami",
  );
});

Deno.test("the bundle is ASCII: V8 holds a file with one other character at two bytes a character, so whoami's start-up needed a garbage collection more", () => {
  // esbuild writes strings' other characters as \u escapes, but keeps the comments inside
  // functions as written: one "…" or "§" there doubled a 50 KB chunk on the heap.
  const others: string[] = [];
  for (const { name } of Deno.readDirSync(bundleDir)) {
    Deno.readTextFileSync(`${bundleDir}/${name}`).split("\n").forEach((text, i) => {
      // deno-lint-ignore no-control-regex
      if (/[^\x00-\x7f]/.test(text)) others.push(`${name}:${i + 1}: ${text.trim()}`);
    });
  }
  assertEquals(others, [], "write it in ASCII (a comment: ... for …, section for §)");
});
