/**
 * A terminal for in-process tests of the real prompt (src/platform/prompt.ts),
 * with one OS's facts: Windows' `setRaw` refuses cbreak (Deno throws
 * NotSupported) and has no POSIX signals; a POSIX terminal accepts both.
 * @module
 */
import type { PromptTerminal } from "../../src/platform/prompt.ts";

/** A scripted terminal: what the person types, what the screen shows, the mode it is in. */
export class FakeTerminal implements PromptTerminal {
  /** Every setRaw call, as "cbreak", "raw" or "normal". */
  readonly modes: string[] = [];
  /** Everything written to the terminal. */
  screen = "";
  /** Signals raised against the process. */
  readonly raised: Deno.Signal[] = [];
  readonly #listeners = new Map<Deno.Signal, Set<() => void>>();
  #typed: Uint8Array[] = [];
  #waiting: ((bytes: Uint8Array | null) => void) | null = null;
  #ended = false;

  constructor(
    readonly os: "windows" | "posix",
    /** Called for each write (e.g. to copy it into a World's stderr). */
    readonly onWrite: (text: string) => void = () => {},
  ) {}

  /** The mode the terminal is in now. */
  get mode(): string {
    return this.modes.at(-1) ?? "normal";
  }

  setRaw(raw: boolean, options?: { cbreak: boolean }): void {
    if (raw && options?.cbreak && this.os === "windows") {
      throw new Deno.errors.NotSupported("The operation is not supported");
    }
    this.modes.push(!raw ? "normal" : options?.cbreak ? "cbreak" : "raw");
  }

  read(buffer: Uint8Array): Promise<number | null> {
    const take = (bytes: Uint8Array | null) => {
      if (bytes === null) return null;
      buffer.set(bytes);
      return bytes.length;
    };
    if (this.#typed.length) return Promise.resolve(take(this.#typed.shift()!));
    if (this.#ended) return Promise.resolve(null);
    return new Promise((resolve) => (this.#waiting = (bytes) => resolve(take(bytes))));
  }

  write(text: string): void {
    this.screen += text;
    this.onWrite(text);
  }

  listen(signal: Deno.Signal, handler: () => void): () => void {
    if (this.os === "windows") {
      throw new TypeError(`Windows only supports ctrl-c (SIGINT) and ctrl-break, not ${signal}`);
    }
    const set = this.#listeners.get(signal) ?? new Set();
    this.#listeners.set(signal, set.add(handler));
    return () => set.delete(handler);
  }

  raise(signal: Deno.Signal): void {
    this.raised.push(signal);
  }

  /** The person types `text` (one read's worth). */
  type(text: string): void {
    const bytes = new TextEncoder().encode(text);
    const waiting = this.#waiting;
    this.#waiting = null;
    if (waiting) waiting(bytes);
    else this.#typed.push(bytes);
  }

  /** The terminal is closed: reads after what was typed end (so a test cannot hang on it). */
  end(): void {
    this.#ended = true;
    const waiting = this.#waiting;
    this.#waiting = null;
    waiting?.(null);
  }

  /** The OS delivers `signal` to the process's listeners. */
  deliver(signal: Deno.Signal): void {
    for (const handler of [...(this.#listeners.get(signal) ?? [])]) handler();
  }

  /** How many listeners are installed for `signal`. */
  listening(signal: Deno.Signal): number {
    return this.#listeners.get(signal)?.size ?? 0;
  }
}
