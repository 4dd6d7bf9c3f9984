/**
 * JSON parsing whose error messages never quote the input. V8's messages do
 * (`Unexpected token 'a', "almyty_…" is not valid JSON`), and the input here
 * is a credentials file or a request body: a token must not reach stderr or a
 * page that way.
 *
 * @example
 * ```ts
 * import { parseJson } from "./json.ts";
 * parseJson("almyty_secret"); // { ok: false, error: "not valid JSON at position 0" }
 * ```
 * @module
 */

/** The parsed value, or a description of where parsing failed. */
export type JsonResult = { ok: true; value: unknown } | { ok: false; error: string };

/**
 * Parses `text`; the error names a position, never the text.
 *
 * @example
 * ```ts
 * parseJson("{\"a\":1}"); // { ok: true, value: { a: 1 } }
 * ```
 */
export function parseJson(text: string): JsonResult {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    const position = /position (\d+)/.exec((error as Error).message)?.[1] ?? "0";
    const what = text.trim() === "" ? "empty" : `not valid JSON at position ${position}`;
    return { ok: false, error: what };
  }
}
