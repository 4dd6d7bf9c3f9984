/**
 * Making server text safe to print: control characters out (a hostile server
 * could move the cursor or rewrite the screen), and any piece of our own
 * token out (a server or proxy may echo the Authorization header).
 *
 * @example
 * ```ts
 * import { redactToken, stripControl } from "./text.ts";
 * stripControl("ok\x1b[2Jgone"); // "ok[2Jgone"
 * redactToken("echo: almyty_0123456789abcdef", "almyty_0123456789abcdef"); // "echo: [token]"
 * ```
 * @module
 */

/**
 * What a terminal acts on: C0/C1 control characters (ESC starts CSI/OSC
 * sequences; OSC 52 rewrites the clipboard), DEL, and the bidirectional
 * overrides and isolates that reorder what is shown.
 */
// deno-lint-ignore no-control-regex -- matching control characters is the point
const CONTROL = /[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Removes control characters (C0, C1, DEL, bidi overrides); tabs and
 * newlines become spaces. For one value from outside (a name, a code).
 *
 * @example
 * ```ts
 * stripControl("a\tb\u009bc"); // "a bc"
 * ```
 */
export function stripControl(text: string): string {
  return text.replace(/[\t\n\r]/g, " ").replace(CONTROL, "");
}

/**
 * The same, keeping line breaks: for whole messages on their way to a
 * terminal, which may span lines but must never carry an escape sequence.
 *
 * @example
 * ```ts
 * terminalText("line 1\nline\x1b]52;c;aGk=\x07 2"); // "line 1\nline]52;c;aGk= 2"
 * ```
 */
export function terminalText(text: string): string {
  return text.replace(/\r\n?/g, "\n").replace(/\t/g, " ").replace(
    CONTROL,
    (c) => (c === "\n" ? c : ""),
  );
}

/**
 * True when an environment variable used as a switch (`CI`, `CODESPACES`,
 * an agent's marker) is on: set and not empty, "0" or "false" (any case,
 * spaces around ignored), so `CI=false` means off wherever it is read.
 *
 * @example
 * ```ts
 * switchedOn("true"); // true
 * switchedOn(" FALSE "); // false
 * switchedOn(undefined); // false
 * ```
 */
export function switchedOn(value: string | undefined): boolean {
  const word = value?.trim().toLowerCase();
  return word !== undefined && word !== "" && word !== "0" && word !== "false";
}

/** The shortest piece of a token that counts as leaking it. */
export const MIN_LEAK_LENGTH = 8;

/**
 * Replaces every run of `text` that shares `MIN_LEAK_LENGTH` or more
 * characters with `token` by `[token]`. Run it before truncating: a cut can
 * split the token so that an exact-match redaction no longer finds it.
 *
 * @example
 * ```ts
 * redactToken("key=almyty_0123456789 (truncated)", "almyty_0123456789abcdef");
 * // "key=[token] (truncated)"
 * ```
 */
export function redactToken(text: string, token: string | undefined): string {
  if (!token || token.length < MIN_LEAK_LENGTH) return text;
  const covered = new Uint8Array(text.length);
  for (let start = 0; start + MIN_LEAK_LENGTH <= token.length; start++) {
    const piece = token.slice(start, start + MIN_LEAK_LENGTH);
    for (let at = text.indexOf(piece); at !== -1; at = text.indexOf(piece, at + 1)) {
      covered.fill(1, at, at + MIN_LEAK_LENGTH);
    }
  }
  let out = "";
  for (let i = 0; i < text.length; i++) {
    if (!covered[i]) out += text[i];
    else if (i === 0 || !covered[i - 1]) out += "[token]";
  }
  return out;
}

/**
 * Cuts `text` to `max` characters with an ellipsis.
 *
 * @example
 * ```ts
 * truncate("abcdef", 4); // "abcd…"
 * ```
 */
export function truncate(text: string, max: number): string {
  return text.length > max ? text.slice(0, max) + "…" : text;
}
