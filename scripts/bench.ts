/**
 * `deno task bench`: medians over repeated runs, printed as a table.
 *
 * - whoami as it ships (the bundle of scripts/bundle.ts, which `deno compile`
 *   embeds; run by `deno run` with the binary's permission flags, since no
 *   binary can be built here) against the reference server on 127.0.0.1,
 *   paired and interleaved with the floor (scripts/bench_floor.ts: read the
 *   file, one GET, print) and with `gh auth status` (Debian's gh): median
 *   ratio with its spread, wall time and peak RSS, and whoami's CPU time over
 *   the floor's (which a machine shared with other work disturbs less than
 *   the wall time); the same whoami run from the sources (`deno run main.ts`,
 *   as `deno task cli` and the tests do) rides along, to show what
 *   per-module loading costs;
 * - `--version` (bare start-up) for scale;
 * - resolveCredentials() per call (file and env paths);
 * - browser login with an already-running, signed-in Chromium: CLI start →
 *   credentials written (BROWSER hook → Playwright clicks Approve);
 * - headless login: approval → CLI exit.
 *
 * Not a test: it asserts nothing. Quote what it prints.
 * @module
 */
import { join } from "node:path";
import { resolveCredentials, writeCredentials } from "../src/credentials/mod.ts";
import { startServer } from "../src/server/app.ts";
import { browserHook, launchChromium, signIn } from "../tests/helpers/browser.ts";
import { permissionFlags } from "../src/permissions.ts";
import { bundleCli } from "./bundle.ts";
import { baseEnv, cliArgv, CliProcess, credsPath, tempHome } from "../tests/helpers/cli.ts";
import { openConsent } from "../tests/helpers/consent.ts";
import { LEAK_SCAN_DIR } from "../tests/helpers/leaks.ts";
import { removeAtEnd, scratchDir, scratchFile } from "../tests/helpers/scratch.ts";
import { browserSession, mintKey } from "../tests/helpers/server.ts";

const RUNS = Number(Deno.env.get("BENCH_RUNS") ?? 15);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Runs a command; returns wall ms, CPU ms (user + system, all threads: what
 * the command itself spent, which a busy machine stretches less than the wall
 * time) and peak RSS in MiB.
 */
async function measure(cmd: string[], env: Record<string, string>) {
  // bash's `time` gives wall and CPU time in milliseconds (GNU time's CPU is in hundredths
  // of a second); GNU time the peak RSS, in a file of its own.
  const rssFile = scratchFile({ prefix: "almyty-bench-rss-" });
  const out = await new Deno.Command("/bin/bash", {
    args: [
      "-c",
      'TIMEFORMAT="%3R %3U %3S"; { time /usr/bin/time -q -o "$0" -f %M "$@" >/dev/null 2>&1; } 2>&1',
      rssFile,
      ...cmd,
    ],
    env,
    clearEnv: true,
    stdout: "piped",
    stderr: "null",
  }).output();
  const [real, user, system] = new TextDecoder().decode(out.stdout).trim().split(" ").map(Number);
  const rssKb = Number(Deno.readTextFileSync(rssFile).trim().split("\n").at(-1));
  Deno.removeSync(rssFile);
  return { wall: real * 1000, cpu: (user + system) * 1000, rss: rssKb / 1024, code: out.code };
}

const rows: [string, string, string][] = [];
const row = (name: string, value: string, note = "") => {
  rows.push([name, value, note]);
  console.error(`${name}: ${value} ${note}`);
};

// The CLI helpers record every run for the test suite's leak scan; a bench run is no part of one.
removeAtEnd(LEAK_SCAN_DIR);

// Limits lifted: the bench makes more requests than a person would.
const server = await startServer({
  port: 0,
  deviceInterval: 1,
  requestLimit: 1_000_000,
  signInLimit: 1_000_000,
  deviceLimit: 1_000_000,
  userCodeLimit: 1_000_000,
});
const { apiKey } = await mintKey(server.url);
const home = tempHome();
writeCredentials({ url: server.url, token: apiKey }, { home });

// 1. whoami, paired and interleaved with the floor script and gh: each round
//    runs all three, in a rotating order, so they share the machine's state;
//    the ratio of each round is whoami's time over the other's.
const deno = Deno.execPath();
const ghHome = tempHome();
const ghPath = new Deno.Command("sh", { args: ["-c", "command -v gh"], stdout: "piped" })
  .outputSync();
const hasGh = ghPath.success;
if (!hasGh) {
  console.error("gh is not installed (apt-get install gh): comparing with the floor only");
}
// What ships: the bundle `deno compile` embeds (scripts/bundle.ts).
const shipped = await bundleCli(scratchDir("almyty-bench-bundle-"));
const shippedArgv = (args: string[]) => ["run", "--quiet", ...permissionFlags(), shipped, ...args];
const contenders: Record<string, { cmd: string[]; env: Record<string, string> }> = {
  whoami: { cmd: [deno, ...shippedArgv(["whoami"])], env: baseEnv(home) },
  sources: { cmd: [deno, ...cliArgv(["whoami"])], env: baseEnv(home) },
  floor: {
    cmd: [
      deno,
      "run",
      "--quiet",
      "--allow-read",
      "--allow-env=HOME",
      "--allow-net",
      join(import.meta.dirname!, "bench_floor.ts"),
    ],
    env: baseEnv(home),
  },
  ...(hasGh
    ? {
      gh: {
        cmd: ["gh", "auth", "status"],
        env: { HOME: ghHome, GH_CONFIG_DIR: ghHome, PATH: Deno.env.get("PATH") ?? "/usr/bin" },
      },
    }
    : {}),
};
const names = Object.keys(contenders);
const wall: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
const rss: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
const cpu: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
for (let round = 0; round < RUNS; round++) {
  for (let k = 0; k < names.length; k++) {
    const name = names[(round + k) % names.length];
    const { cmd, env } = contenders[name];
    const m = await measure(cmd, env);
    if (name !== "gh" && m.code !== 0) throw new Error(`${name} failed`);
    wall[name].push(m.wall);
    cpu[name].push(m.cpu);
    rss[name].push(m.rss);
  }
}
const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1) + 0.5))];
};
const ratioRow = (other: string, label: string, subject = "whoami") => {
  const ratios = wall[subject].map((w, i) => w / wall[other][i]);
  row(
    `${subject === "whoami" ? "whoami" : `whoami (${subject})`} / ${label}`,
    `${median(ratios).toFixed(2)}× (p10–p90 ${quantile(ratios, 0.1).toFixed(2)}–${
      quantile(ratios, 0.9).toFixed(2)
    })`,
    `${RUNS} paired rounds; ${subject} ${median(wall[subject]).toFixed(1)} ms vs ${
      median(wall[other]).toFixed(1)
    } ms`,
  );
};
row(
  "whoami (verified on 127.0.0.1)",
  `${median(wall.whoami).toFixed(1)} ms, peak RSS ${median(rss.whoami).toFixed(1)} MiB`,
  `median of ${RUNS}`,
);
row(
  "floor script (read file, one GET, print)",
  `${median(wall.floor).toFixed(1)} ms, peak RSS ${median(rss.floor).toFixed(1)} MiB`,
  `median of ${RUNS}`,
);
ratioRow("floor", "floor script");
const cpuRatios = cpu.whoami.map((c, i) => c / cpu.floor[i]);
row(
  "whoami / floor script, CPU time (user + system)",
  `${median(cpuRatios).toFixed(2)}× (p10–p90 ${quantile(cpuRatios, 0.1).toFixed(2)}–${
    quantile(cpuRatios, 0.9).toFixed(2)
  })`,
  `${RUNS} paired rounds; whoami ${median(cpu.whoami).toFixed(1)} ms vs ${
    median(cpu.floor).toFixed(1)
  } ms`,
);
row(
  "whoami from the sources (deno run main.ts)",
  `${median(wall.sources).toFixed(1)} ms, peak RSS ${median(rss.sources).toFixed(1)} MiB`,
  `median of ${RUNS}`,
);
ratioRow("floor", "floor script", "sources");
if (hasGh) {
  row(
    "gh auth status (no host configured, no network)",
    `${median(wall.gh).toFixed(1)} ms, peak RSS ${median(rss.gh).toFixed(1)} MiB`,
    `median of ${RUNS}`,
  );
  ratioRow("gh", "gh auth status");
}
const version: number[] = [];
for (let i = 0; i < RUNS; i++) {
  version.push((await measure([deno, ...shippedArgv(["--version"])], baseEnv(home))).wall);
}
row("almyty-auth --version (start-up)", `${median(version).toFixed(1)} ms`, `median of ${RUNS}`);

// 2. resolveCredentials per call.
for (const [label, env] of [["file", {}], ["ALMYTY_TOKEN", { ALMYTY_TOKEN: apiKey }]] as const) {
  const batches: number[] = [];
  for (let b = 0; b < 20; b++) {
    const n = 2000;
    const start = performance.now();
    for (let i = 0; i < n; i++) resolveCredentials({ home, env });
    batches.push((performance.now() - start) / n);
  }
  row(
    `resolveCredentials() from ${label}`,
    `${(median(batches) * 1000).toFixed(1)} µs/call`,
    "median of 20×2000",
  );
}

// 3. Browser login, browser already running and signed in.
const browser = await launchChromium();
const page = await (await browser.newContext()).newPage();
const hook = browserHook();
const browserTimes: number[] = [];
let signedIn = false;
for (let i = 0; i < RUNS; i++) {
  const h = tempHome();
  const start = performance.now();
  const cli = new CliProcess(["login", "--api", server.url], { home: h, env: hook.env });
  await page.goto(await hook.nextUrl());
  if (!signedIn) {
    await signIn(page); // the first run signs in; the timed runs below are already signed in
    signedIn = true;
  }
  await page.getByRole("button", { name: "Approve" }).click();
  const result = await cli.done;
  if (result.code !== 0) throw new Error(result.stderr);
  const written = Deno.statSync(credsPath(h)).mtime!.getTime();
  if (i > 0) browserTimes.push(written - (performance.timeOrigin + start));
}
row(
  "browser login, signed-in browser: CLI start → credentials written",
  `${median(browserTimes).toFixed(0)} ms`,
  `median of ${RUNS - 1}`,
);
await browser.close();

// 4. Headless: approval → CLI exit.
const headless: number[] = [];
for (let i = 0; i < RUNS; i++) {
  const cli = new CliProcess(["login", "--no-browser", "--api", server.url], { home: tempHome() });
  const [, code] = await cli.waitFor(/^\s+([B-Z]{4}-[B-Z]{4})$/m);
  await cli.waitFor(/Waiting for approval/);
  // Sign in and load the consent page first; time only the click → exit.
  const cookie = await browserSession(server.url);
  const consent = await openConsent(fetch, `${server.url}/cli-auth?code=${code}`, cookie);
  const start = performance.now();
  await (await consent.submit("approve")).body?.cancel();
  const result = await cli.done;
  if (result.code !== 0) throw new Error(result.stderr);
  headless.push(performance.now() - start);
}
row("headless login: Approve → CLI exit", `${median(headless).toFixed(0)} ms`, `median of ${RUNS}`);
await server.close();

console.log("\n| measurement | median | runs |\n| --- | --- | --- |");
for (const [name, value, note] of rows) console.log(`| ${name} | ${value} | ${note} |`);
