/**
 * One login attempt at a loopback listener: the first valid delivery claims
 * it, it settles once, and `ended` aborts when the login is over (success,
 * failure, timeout, Ctrl-C), so a completion still under way saves nothing.
 *
 * @example
 * ```ts
 * import { LoginAttempt } from "./attempt.ts";
 * const attempt = new LoginAttempt<string>();
 * if (attempt.claim()) attempt.succeed("alice@example.com");
 * await attempt.outcome; // { kind: "success", value: "alice@example.com" }
 * ```
 * @module
 */

/** How an attempt ended at the listener. */
export type AttemptOutcome<T> =
  | { kind: "success"; value: T }
  | { kind: "denied" }
  | { kind: "failed"; error: Error };

/**
 * The state of one login at the listener.
 *
 * @example
 * ```ts
 * const attempt = new LoginAttempt<string>();
 * attempt.claim(); // true
 * attempt.claim(); // false: one delivery only
 * ```
 */
export class LoginAttempt<T> {
  /** Settles once. */
  readonly outcome: Promise<AttemptOutcome<T>>;
  #settle!: (outcome: AttemptOutcome<T>) => void;
  #claimed = false;
  #settled = false;
  #ended = new AbortController();

  constructor() {
    this.outcome = new Promise((resolve) => {
      this.#settle = (outcome) => {
        this.#settled = true;
        resolve(outcome);
      };
    });
  }

  /** Aborted once the login is over. */
  get ended(): AbortSignal {
    return this.#ended.signal;
  }

  /** True once a delivery claimed the attempt (or it ended). */
  get taken(): boolean {
    return this.#claimed || this.ended.aborted;
  }

  /** True while a delivery that claimed the attempt is still under way (it has not settled it). */
  get delivering(): boolean {
    return this.#claimed && !this.#settled;
  }

  /** Claims the attempt for one delivery; false when one already did or it ended. */
  claim(): boolean {
    if (this.taken) return false;
    this.#claimed = true;
    return true;
  }

  /** Success, with what the flow learned. */
  succeed(value: T): void {
    this.#settle({ kind: "success", value });
  }

  /** The user denied the request in the browser. */
  deny(): void {
    this.#claimed = true;
    this.#settle({ kind: "denied" });
  }

  /** The login failed. */
  fail(error: Error): void {
    this.#claimed = true;
    this.#settle({ kind: "failed", error });
  }

  /** Ends the attempt: a completion still under way must not save. */
  end(): void {
    this.#ended.abort(new DOMException("The login has ended", "AbortError"));
  }
}
