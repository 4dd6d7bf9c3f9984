/**
 * An in-process world for the CLI: a `Context` whose fetch goes to handlers
 * in this process (the reference server's, a scripted API's, and the CLI's
 * own loopback listeners), a manual clock, captured stdout/stderr, a fake
 * launcher (the "browser") and Ctrl-C. The CLI runs through `runCli`, the
 * same function the real process runs, so tests see its real surface in
 * milliseconds, with no sockets and no sleeping.
 * @module
 */
import { runCli } from "../../src/cli/main.ts";
import type { Context, HttpHandler, LaunchSpec } from "../../src/runtime/context.ts";
import type { CredentialsFs } from "../../src/credentials/fs.ts";
import { denoFs } from "../../src/platform/deno_fs.ts";
import { denoLocker, type Locker } from "../../src/platform/lock.ts";
import type { ForegroundResult, ForegroundSpec } from "../../src/platform/foreground.ts";
import { promptLine, type PromptTerminal } from "../../src/platform/prompt.ts";
import { createHandler } from "../../src/server/app.ts";
import type { ServerOptions } from "../../src/server/context.ts";
import { Store } from "../../src/server/store.ts";
import { DEMO_USERS } from "../../src/server/app.ts";
import { recordOutput, recordToken } from "./leaks.ts";
import { credsPath, tempHome } from "./cli.ts";
import { openConsent } from "./consent.ts";
import { readRedirect } from "./redirect.ts";

/** Virtual time: sleeps wait for `advance`, which fires timers in order. */
export class ManualClock {
  #now: number;
  #timers: { at: number; fire: () => void; every?: number; id: number }[] = [];
  #ids = 0;

  constructor(start = Date.UTC(2026, 10, 27, 12)) {
    this.#now = start;
  }

  now = (): number => this.#now;

  sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const id = this.#add(ms, () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      });
      const onAbort = () => {
        this.#remove(id);
        reject(signal!.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
    });

  every = (ms: number, fn: () => void): () => void => {
    const id = this.#add(ms, fn, ms);
    return () => this.#remove(id);
  };

  /** True when a timer is waiting. */
  get pending(): boolean {
    return this.#timers.length > 0;
  }

  /** Moves time to the next timer and fires every timer due then. */
  advanceToNext(): void {
    const next = Math.min(...this.#timers.map((t) => t.at));
    this.advance(Math.max(0, next - this.#now));
  }

  /** Moves time forward by `ms`, firing due timers in order. */
  advance(ms: number): void {
    const until = this.#now + ms;
    for (;;) {
      const due = this.#timers.filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.#now = Math.max(this.#now, due.at);
      if (due.every) due.at += due.every;
      else this.#remove(due.id);
      due.fire();
    }
    this.#now = until;
  }

  #add(ms: number, fire: () => void, every?: number): number {
    const id = ++this.#ids;
    this.#timers.push({ at: this.#now + Math.max(0, ms), fire, every, id });
    return id;
  }

  #remove(id: number): void {
    this.#timers = this.#timers.filter((t) => t.id !== id);
  }
}

/** A fetch that refuses like a closed port. */
function refused(url: string): never {
  throw new TypeError(`error sending request for url (${url}): Connection refused (os error 111)`);
}

/** The in-process world. */
export class World {
  readonly clock = new ManualClock();
  readonly home: string;
  readonly env: Record<string, string | undefined>;
  readonly launched: LaunchSpec[] = [];
  /**
   * What the fake browser does with a launched URL (after reading the
   * private redirect file it was given, as a browser would); return false
   * to fail the launch, or a number for the browser command's exit code.
   */
  onLaunch: (url: string, spec: LaunchSpec) => boolean | number | Promise<boolean | number> = () =>
    true;
  /**
   * The terminal's device, when a test gives one (tests/helpers/terminal.ts): prompts then
   * run the real prompt code on it (its writes must reach stderr: pass `world.writeErr`).
   */
  device: PromptTerminal | undefined;
  /** Writes to the captured stderr, as the terminal would show it. */
  writeErr = (text: string): void => this.#write("err", text);
  /** What each terminal prompt asked: echo on (true) or off. */
  readonly prompts: boolean[] = [];
  #typed: (string | null)[] = [];
  #reading: ((line: string | null) => void) | null = null;

  /** A person types a line at the terminal (null: Ctrl-D). */
  type(line: string | null): void {
    if (this.#reading) {
      const reading = this.#reading;
      this.#reading = null;
      reading(line);
    } else this.#typed.push(line);
  }
  /** The next run's stdout may hold the token (the `token` command): the leak scan skips it. */
  mayPrintToken = false;
  /** Set to make every loopback listen fail (a sandbox without local ports). */
  listenError: Error | undefined;
  /** The address the reference server sees requests come from (a test may move it). */
  remoteAddress = "127.0.0.1";
  /** The CLI's working folder (where a `.almyty-profile` is looked for); HOME unless a test moves it. */
  cwd: string;
  /** Programs `exec` ran, and what each returns (a test may script it). */
  readonly foreground: ForegroundSpec[] = [];
  onForeground: (spec: ForegroundSpec) => ForegroundResult = () => ({ code: 0 });
  /** The locks the CLI takes (the real, kernel-released one unless a test records them). */
  locker: Locker = denoLocker;
  /** The file system the CLI sees (tests/helpers/windows_fs.ts gives Windows' facts). */
  fs: CredentialsFs = denoFs;
  /** Requests every handler saw, as "METHOD url". */
  readonly requests: string[] = [];
  stdinText: string | undefined;
  stdinIsTerminal = false;
  terminal = false;
  /** The terminal's width in columns, when a test sets one (and `terminal`). */
  columns?: number;
  #out = "";
  #err = "";
  #servers = new Map<string, HttpHandler>();
  #ports = 40000;
  #interrupt = new AbortController();
  #active = 0;
  #waiters: { pattern: RegExp; resolve: (m: RegExpMatchArray) => void }[] = [];

  constructor(env: Record<string, string | undefined> = {}, home = tempHome()) {
    this.home = home;
    this.cwd = home;
    this.env = { HOME: home, NO_COLOR: "1", ...env };
  }

  /** Everything the CLI wrote to stdout. */
  get stdout(): string {
    return this.#out;
  }

  /** Everything the CLI wrote to stderr. */
  get stderr(): string {
    return this.#err;
  }

  /** The credentials file, parsed, or null. */
  saved(): Record<string, unknown> | null {
    try {
      return JSON.parse(Deno.readTextFileSync(credsPath(this.home)));
    } catch {
      return null;
    }
  }

  /** Serves `handler` at a new origin; returns it. */
  route(handler: HttpHandler, origin = `http://127.0.0.1:${++this.#ports}`): string {
    this.#servers.set(origin, handler);
    return origin;
  }

  /**
   * The reference server, in process, on the world's clock; returns its URL and
   * store. `before` is awaited before each request is handled (to hold one).
   */
  referenceServer(
    options: ServerOptions & {
      deviceInterval?: number;
      keyLifetimeSeconds?: number;
      before?: (request: Request) => Promise<void> | void;
    } = {},
  ) {
    const store = new Store({
      now: this.clock.now,
      sleep: this.clock.sleep, // a held long-poll waits on the world's clock too
      deviceInterval: options.deviceInterval,
      keyLifetimeSeconds: options.keyLifetimeSeconds,
    });
    for (const demo of DEMO_USERS) store.addUser(demo.email, demo.password, [...demo.orgs]);
    let origin = "";
    const handler = createHandler(store, options, () => origin);
    origin = this.route(async (request) => {
      await options.before?.(request);
      return handler(request, this.remoteAddress);
    });
    return { url: origin, store };
  }

  /** Fetch through the world (the CLI's, and a test's "browser"). */
  fetch: typeof fetch = async (input, init) => {
    let request = new Request(input, init);
    const url = new URL(request.url);
    if (!request.headers.has("host")) {
      // What a real client sends, and what the listener checks.
      const headers = new Headers(request.headers);
      headers.set("host", url.host);
      request = new Request(request, { headers });
    }
    // As a real fetch: a request whose signal is already aborted is never sent.
    if (request.signal?.aborted) throw request.signal.reason;
    const handler = this.#servers.get(url.origin);
    this.requests.push(`${request.method} ${request.url}`);
    if (!handler) refused(request.url);
    this.#active++;
    try {
      const answer = Promise.resolve(handler(request)).then((response) => this.#dated(response));
      if (!request.signal) return await answer;
      return await Promise.race([
        answer,
        new Promise<never>((_, reject) => {
          if (request.signal.aborted) reject(request.signal.reason);
          request.signal.addEventListener("abort", () => reject(request.signal.reason), {
            once: true,
          });
        }),
      ]);
    } finally {
      this.#active--;
    }
  };

  /**
   * A real HTTP server sends a Date header (whole seconds); handlers in this
   * process answer without one, so the world adds it from its clock.
   */
  #dated(response: Response): Response {
    if (response.headers.has("date") || response.type === "error") return response;
    const headers = new Headers(response.headers);
    headers.set("date", new Date(this.clock.now()).toUTCString());
    return new Response(response.body, {
      status: response.status,
      statusText: response.statusText,
      headers,
    });
  }

  /** The CLI's context. */
  get ctx(): Context {
    const output = (write: (text: string) => void, isTerminal: () => boolean) => ({
      get isTerminal() {
        return isTerminal();
      },
      write,
      size: () => isTerminal() && this.columns ? { columns: this.columns, rows: 24 } : null,
    });
    return {
      env: this.env,
      // A test's own file system (Windows' facts) brings its own working folder.
      fs: this.fs === denoFs ? { ...denoFs, cwd: () => this.cwd } : this.fs,
      fetch: this.fetch,
      serve: (handler) => {
        if (this.listenError) throw this.listenError;
        const origin = this.route(async (request) => {
          const response = await handler(request);
          const copy = response.clone();
          recordOutput(`listener ${new URL(request.url).pathname}`, await copy.text());
          return response;
        });
        return {
          port: Number(new URL(origin).port),
          shutdown: () => {
            this.#servers.delete(origin);
            return Promise.resolve();
          },
        };
      },
      stdout: output((text) => this.#write("out", text), () => this.terminal),
      stderr: output((text) => this.#write("err", text), () => this.terminal),
      stdin: {
        isTerminal: this.stdinIsTerminal,
        readText: (maxBytes) => {
          const text = this.stdinText ?? "";
          return Promise.resolve(new TextEncoder().encode(text).length > maxBytes ? null : text);
        },
        readLine: ({ prompt, echo, signal }) => {
          this.prompts.push(echo);
          if (this.device) {
            return promptLine(this.device, {
              prompt,
              echo,
              signal,
              interrupt: () => this.interrupt(),
            });
          }
          this.#write("err", prompt);
          if (this.#typed.length) return Promise.resolve(this.#typed.shift()!);
          // Nothing typed yet: wait for `type`, or until the prompt is given up.
          return new Promise((resolve) => {
            this.#reading = resolve;
            if (signal?.aborted) resolve(null);
            signal?.addEventListener("abort", () => resolve(null), { once: true });
          });
        },
      },
      now: this.clock.now,
      sleep: this.clock.sleep,
      every: this.clock.every,
      hostname: () => "test-host",
      userName: (uid) => (uid === 0 ? "root" : null),
      osRelease: () => "6.1.0-test",
      launch: async (spec) => {
        this.launched.push(spec);
        recordOutput("argv of the browser opener", spec.args.join(" "));
        const { url } = readRedirect(spec.args[spec.args.length - 1]);
        const outcome = await this.onLaunch(url, spec);
        if (outcome === false) return { started: false };
        return { started: true, status: Promise.resolve(outcome === true ? 0 : outcome) };
      },
      signal: this.#interrupt.signal,
      // No process to end here: a fatal signal is tested on the real one (login_process_test.ts).
      onFatalSignal: () => () => {},
      lock: (path, options) => this.locker(path, options),
      runForeground: (spec) => {
        this.foreground.push(spec);
        return Promise.resolve(this.onForeground(spec));
      },
    };
  }

  #tasks: Promise<unknown>[] = [];

  /**
   * Runs what a person (a browser) does alongside the CLI; `run` waits for it
   * and fails with its errors.
   */
  task(work: () => Promise<unknown>): void {
    this.#tasks.push(work());
  }

  /**
   * Readies the world for the next command (as a person or an agent runs one
   * after another): the same HOME, servers and clock; fresh output, request
   * log and Ctrl-C.
   */
  again(): this {
    this.#out = "";
    this.#err = "";
    this.requests.length = 0;
    this.#interrupt = new AbortController();
    return this;
  }

  /** Ctrl-C. */
  interrupt(): void {
    this.#interrupt.abort(new DOMException("Interrupted", "AbortError"));
  }

  /** Resolves when stderr matches. */
  waitFor(pattern: RegExp): Promise<RegExpMatchArray> {
    const match = this.#err.match(pattern);
    if (match) return Promise.resolve(match);
    return new Promise((resolve) => this.#waiters.push({ pattern, resolve }));
  }

  /** A browser signed in as alice at the page's server opens a consent page and decides. */
  async decide(
    pageUrl: string,
    decision: "approve" | "deny",
  ): ReturnType<typeof browse> {
    const cookie = await signInCookie(this.fetch, new URL(pageUrl).origin);
    return await browse(this.fetch, pageUrl, decision, cookie);
  }

  /**
   * Runs the CLI with `argv` and drives the clock: whenever nothing else has
   * progressed for a while, time jumps to the next timer (a poll interval, a
   * backoff, a deadline). Returns the exit code.
   */
  async run(argv: string[]): Promise<number> {
    const outFrom = this.#out.length;
    let settled = false;
    const running = runCli(this.ctx, argv).finally(() => (settled = true));
    let idle = 0;
    for (let turns = 0; !settled; turns++) {
      if (turns > 200_000) throw new Error(`the CLI stalled:\n${this.#err}`);
      await new Promise((resolve) => setTimeout(resolve, 0));
      if (settled) break;
      // In-process handlers answer within a few turns; one still busy after
      // many is waiting on purpose (a long-poll, a hung endpoint).
      idle = this.#active > 0 && idle < 50 ? idle + 1 : idle + 10;
      if (idle >= 20 && this.clock.pending) {
        this.clock.advanceToNext();
        idle = 0;
      }
    }
    const code = await running;
    await Promise.all(this.#tasks.splice(0));
    // What this run printed (earlier runs recorded theirs); `token` and `env`
    // print a key on stdout by design, everything else is scanned.
    if (!this.mayPrintToken && !["token", "env"].includes(argv[0])) {
      recordOutput(`in-process stdout of ${argv.join(" ")}`, this.#out.slice(outFrom));
    }
    recordOutput(`in-process stderr of ${argv.join(" ")}`, this.#err);
    const token = this.saved()?.token;
    if (typeof token === "string") recordToken(token);
    return code;
  }

  #write(stream: "out" | "err", text: string): void {
    if (stream === "out") this.#out += text;
    else this.#err += text;
    this.#waiters = this.#waiters.filter((w) => {
      const match = this.#err.match(w.pattern);
      if (match) w.resolve(match);
      return !match;
    });
  }
}

/** Signs a browser in at an in-process server; returns its cookie. */
export async function signInCookie(
  fetcher: typeof fetch,
  url: string,
  email = "alice@example.com",
  password = "alice-password",
): Promise<string> {
  const response = await fetcher(`${url}/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ email, password, return_to: "/" }),
    redirect: "manual",
  });
  await response.body?.cancel();
  return response.headers.get("set-cookie")!.split(";")[0];
}

/** A new API key of alice's at an in-process server, made as the dashboard does. */
export async function mintedKey(world: World, serverUrl: string, name = "ci"): Promise<string> {
  const cookie = await signInCookie(world.fetch, serverUrl);
  const created = await (await world.fetch(`${serverUrl}/auth/api-keys`, {
    method: "POST",
    headers: { cookie, "content-type": "application/json" },
    body: JSON.stringify({ name }),
  })).json();
  return created.data.apiKey;
}

/**
 * What a signed-in browser does with a consent page: opens it, clicks
 * Approve or Deny, and follows the redirect (to the CLI's listener).
 * Returns the final response's status and text.
 */
export async function browse(
  fetcher: typeof fetch,
  pageUrl: string,
  decision: "approve" | "deny",
  cookie: string,
): Promise<{ status: number; text: string; location: string | null }> {
  const decided = await (await openConsent(fetcher, pageUrl, cookie)).submit(decision);
  const location = decided.headers.get("location");
  if (!location) return { status: decided.status, text: await decided.text(), location };
  await decided.body?.cancel();
  const landed = await fetcher(location);
  return { status: landed.status, text: await landed.text(), location };
}
