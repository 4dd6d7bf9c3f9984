/**
 * Spawns the real CLI (`deno run` with exactly the compile-time permission
 * flags) with HOME in a temp dir and a clean environment.
 * @module
 */
import { permissionFlags } from "../../src/permissions.ts";
import { recordOutput, recordToken } from "./leaks.ts";
import { scratchDir, tmpdirEnv } from "./scratch.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

/** A fresh temp HOME. */
export function tempHome(): string {
  return scratchDir("almyty-home-");
}

/** The credentials path under a HOME. */
export function credsPath(home: string): string {
  return `${home}/.almyty/credentials.json`;
}

/** A pending two-step login's path under a HOME (`default` or a profile's name). */
export function pendingPath(home: string, name = "default"): string {
  return `${home}/.almyty/pending/${name}.json`;
}

/** Reads the credentials file's bytes, or null. */
export function readBytes(path: string): Uint8Array | null {
  try {
    return Deno.readFileSync(path);
  } catch {
    return null;
  }
}

/** Options of a CLI run. */
export interface CliOptions {
  home: string;
  env?: Record<string, string>;
  stdin?: string;
  /** Output of this run may contain the token (the `token` command). */
  mayPrintToken?: boolean;
  /** The working folder (default: the test's). */
  cwd?: string;
  /** The program: main.ts (the sources) unless a test gives another (the bundle that ships). */
  entry?: string;
}

// The CLI's module cache: with HOME in a temp dir, Deno would otherwise start
// from an empty cache (and fetch npm metadata) on every run, unlike the binary.
const DENO_DIR = Deno.env.get("DENO_DIR") ?? `${Deno.env.get("HOME")}/.cache/deno`;

/** The base environment: nothing from the developer's shell leaks in. An empty `home` sets no HOME. */
export function baseEnv(home: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...(home ? { HOME: home } : {}),
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
    NO_COLOR: "1",
    DENO_DIR,
    // `deno run` (unlike the compiled binary) asks dl.deno.land for a newer Deno,
    // through HTTPS_PROXY when a test sets one: not a request of the CLI's.
    DENO_NO_UPDATE_CHECK: "1",
    ...tmpdirEnv(),
    ...extra,
  };
}

/** The argv of a CLI process: `entry` (the sources' main.ts unless given) run with the binary's flags. */
export function cliArgv(args: string[], entry = MAIN): string[] {
  return ["run", "--quiet", ...permissionFlags(), entry, ...args];
}

/** A finished CLI run. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI to completion. */
export async function runCli(args: string[], options: CliOptions): Promise<CliResult> {
  const child = new Deno.Command(Deno.execPath(), {
    args: cliArgv(args, options.entry),
    env: baseEnv(options.home, options.env),
    clearEnv: true,
    cwd: options.cwd,
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(options.stdin));
    await writer.close();
  }
  const out = await child.output();
  const result = {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
  noteRun(args, result, options);
  return result;
}

/** Records a run for the leak scan, and learns the token it saved. */
export function noteRun(args: string[], result: CliResult, options: CliOptions): void {
  recordOutput(`stderr of ${args.join(" ")}`, result.stderr);
  if (!options.mayPrintToken) recordOutput(`stdout of ${args.join(" ")}`, result.stdout);
  try {
    // Only a regular file: some tests put a FIFO there to prove it is never opened.
    if (options.home && Deno.lstatSync(credsPath(options.home)).isFile) {
      recordToken(JSON.parse(Deno.readTextFileSync(credsPath(options.home))).token);
    }
  } catch { /* no file, or not JSON */ }
}

/** How long a CLI's output may stay open after it exited (longer: something it started outlives it). */
const ORPHAN_MS = 20_000;

/** A CLI process left running (logins): read its stderr as it comes. */
export class CliProcess {
  readonly child: Deno.ChildProcess;
  stderr = "";
  stdout = "";
  readonly done: Promise<CliResult>;
  #waiters: { pattern: RegExp; resolve: (m: RegExpMatchArray) => void }[] = [];

  constructor(args: string[], readonly options: CliOptions) {
    this.child = new Deno.Command(Deno.execPath(), {
      args: cliArgv(args),
      env: baseEnv(options.home, options.env),
      clearEnv: true,
      stdin: options.stdin === undefined ? "null" : "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    if (options.stdin !== undefined) {
      const writer = this.child.stdin.getWriter();
      writer.write(new TextEncoder().encode(options.stdin)).then(() => writer.close());
    }
    const pump = async (stream: ReadableStream<Uint8Array>, key: "stdout" | "stderr") => {
      for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
        this[key] += chunk;
        this.#check();
      }
    };
    const pumps = Promise.all([
      pump(this.child.stdout, "stdout"),
      pump(this.child.stderr, "stderr"),
    ]);
    this.done = this.child.status.then(async (status) => {
      // A program the CLI started that outlives it keeps the pipes open: fail, don't hang.
      let timer: ReturnType<typeof setTimeout> | undefined;
      const drained = await Promise.race([
        pumps.then(() => true),
        new Promise<false>((resolve) => timer = setTimeout(() => resolve(false), ORPHAN_MS)),
      ]);
      clearTimeout(timer);
      if (!drained) {
        throw new Error(
          `the CLI exited (code ${status.code}) but its output was still open ${
            ORPHAN_MS / 1000
          } s later: ` +
            `a program it started outlives it\n${this.stderr}`,
        );
      }
      const result = { code: status.code, stdout: this.stdout, stderr: this.stderr };
      noteRun(args, result, options);
      for (const w of this.#waiters) w.resolve(null as unknown as RegExpMatchArray);
      return result;
    });
  }

  #check() {
    this.#waiters = this.#waiters.filter((w) => {
      const match = this.stderr.match(w.pattern);
      if (match) w.resolve(match);
      return !match;
    });
  }

  /** Resolves when stderr matches (or rejects if the process ends first). */
  async waitFor(pattern: RegExp): Promise<RegExpMatchArray> {
    const match = this.stderr.match(pattern) ??
      await new Promise<RegExpMatchArray>((resolve) => {
        this.#waiters.push({ pattern, resolve });
        this.#check();
      });
    if (!match) throw new Error(`CLI ended before printing ${pattern}:\n${this.stderr}`);
    return match;
  }
}

/** The credentials file every "loses nothing" test starts from. */
export const ORIGINAL_CREDENTIALS = JSON.stringify({
  url: "https://api.almyty.com",
  token: "ak_live_ORIGINALORIGINALORIGINAL",
});

/** A HOME whose credentials file holds `text`; returns its path and bytes. */
export function homeWithFile(
  text = ORIGINAL_CREDENTIALS,
): { home: string; path: string; bytes: Uint8Array } {
  const home = tempHome();
  Deno.mkdirSync(`${home}/.almyty`, { mode: 0o700 });
  Deno.writeTextFileSync(credsPath(home), text, { mode: 0o600 });
  return { home, path: credsPath(home), bytes: Deno.readFileSync(credsPath(home)) };
}

/** Runs the CLI with a pseudo-terminal (util-linux `script`); returns exit code and screen text. */
export async function runInTerminal(
  args: string[],
  home: string,
): Promise<{ code: number; text: string }> {
  const command = [Deno.execPath(), ...cliArgv(args)].map((a) => `'${a}'`).join(" ");
  const out = await new Deno.Command("script", {
    args: ["-qec", command, "/dev/null"],
    env: baseEnv(home),
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  recordOutput(`terminal of ${args.join(" ")}`, text);
  return { code: out.code, text };
}

/** What a person saw at a terminal. */
export interface TerminalRun {
  code: number;
  screen: string;
  /** Whether the terminal echoes again after the CLI ended (a prompt must restore it). */
  echo: boolean | null;
}

/**
 * Runs the CLI on a pseudo-terminal (Python's pty module), typing `text`
 * each time the screen matches `pattern` ("\u0003" is Ctrl-C).
 */
export async function driveTerminal(
  args: string[],
  home: string,
  steps: [RegExp, string][],
  env: Record<string, string> = {},
  terminal: { size?: [columns: number, rows: number]; timeout?: number } = {},
): Promise<TerminalRun> {
  const child = new Deno.Command("python3", {
    args: [new URL("./pty_drive.py", import.meta.url).pathname],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const plan = {
    argv: [Deno.execPath(), ...cliArgv(args)],
    env: { ...baseEnv(home, env), TERM: "xterm" },
    steps: steps.map(([pattern, text]) => [pattern.source, text]),
    timeout: terminal.timeout ?? 20,
    ...(terminal.size ? { size: terminal.size } : {}),
  };
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(JSON.stringify(plan)));
  await writer.close();
  const out = await child.output();
  const stdout = new TextDecoder().decode(out.stdout);
  if (!stdout.trim()) {
    throw new Error(`the terminal driver failed:\n${new TextDecoder().decode(out.stderr)}`);
  }
  const run = JSON.parse(stdout) as TerminalRun;
  recordOutput(`terminal of ${args.join(" ")}`, run.screen);
  return run;
}
