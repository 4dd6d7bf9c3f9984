/**
 * The few assertions the suite needs (JSR's @std/assert is unreachable here),
 * built on node:assert.
 * @module
 */
import nodeAssert from "node:assert/strict";

/** Asserts truthiness. */
export function assert(value: unknown, message?: string): asserts value {
  nodeAssert.ok(value, message);
}

/** Deep equality. */
export function assertEquals<T>(actual: T, expected: T, message?: string): void {
  nodeAssert.deepStrictEqual(actual, expected, message);
}

/** `text` matches `pattern`. */
export function assertMatch(text: string, pattern: RegExp, message?: string): void {
  nodeAssert.match(text, pattern, message);
}

/** `fn` throws an instance of `type`; returns it. */
export function assertThrows<E extends Error>(
  fn: () => unknown,
  type: new (...a: never[]) => E,
): E {
  try {
    fn();
  } catch (error) {
    nodeAssert.ok(error instanceof type, `expected ${type.name}, got ${error}`);
    return error as E;
  }
  throw new Error(`expected ${type.name} to be thrown`);
}
