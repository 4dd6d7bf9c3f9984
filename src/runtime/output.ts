/**
 * Small output helpers: masking tokens, colour, plain lines.
 *
 * @example
 * ```ts
 * import { maskToken } from "./output.ts";
 * maskToken("almyty_0123456789abcdef"); // "almyty_0…cdef"
 * ```
 * @module
 */
import { type Context, type Output, useColor } from "./context.ts";

/**
 * First 8 … last 4; short tokens are hidden entirely.
 *
 * @example
 * ```ts
 * maskToken("almyty_0123456789abcdef"); // "almyty_0…cdef"
 * ```
 */
export function maskToken(token: string): string {
  return token.length < 16 ? "****" : `${token.slice(0, 8)}…${token.slice(-4)}`;
}

/**
 * Writes a line.
 *
 * @example
 * ```ts
 * line({ isTerminal: false, write: (text) => console.log(text.trimEnd()) }, "hello");
 * ```
 */
export function line(out: Output, text = ""): void {
  out.write(text + "\n");
}

/**
 * Words laid out in lines of at most `columns` visible characters (colours
 * take none), the first line starting with `first`, the others indented by
 * `indent` spaces. A word is never split: one longer than a line (a URL, a
 * path) stands on a line of its own, where the terminal wraps it.
 *
 * @example
 * ```ts
 * wrapWords(["one", "two", "three"], "Words:", 2, 14); // ["Words: one two", "  three"]
 * ```
 */
export function wrapWords(
  words: string[],
  first: string,
  indent: number,
  columns: number,
): string[] {
  // deno-lint-ignore no-control-regex -- colours take no room on screen
  const width = (text: string) => text.replace(/\x1b\[[\d;]*m/g, "").length;
  const lines = [first];
  for (const word of words) {
    const last = lines[lines.length - 1];
    if (width(last) > indent && width(last) + 1 + width(word) > columns) {
      lines.push(" ".repeat(indent) + word);
    } else lines[lines.length - 1] = `${last} ${word}`;
  }
  return lines;
}

/** Words that start a command a person copies: kept on one line by {@link wrapForTerminal}. */
const COMMANDS = new Set(["almyty-auth", "rm", "mv", "chmod", "del", "export", "eval"]);

/**
 * How many columns `text` takes on a terminal (colours take none).
 *
 * @example
 * ```ts
 * visibleWidth("\x1b[32m✓\x1b[39m ok"); // 4
 * ```
 */
export function visibleWidth(text: string): number {
  // deno-lint-ignore no-control-regex -- colours take no room on screen
  return [...text.replace(/\x1b\[[\d;]*m/g, "")].length;
}

/**
 * `text` as a terminal `columns` wide shows it without cutting a word: each
 * line too long for it breaks between words (its continuation keeps the
 * line's indent), never inside a `quoted span` or a command (`almyty-auth`,
 * `rm`, … up to the word that ends its clause with `)`, `,`, `;`, `:` or
 * `.`, else the line's end), nor inside a URL or path (one word). A command
 * too long to stand indented starts its line; a piece longer than a line
 * stands on a line of its own, where the terminal wraps it. A drawing (block characters: the QR code) is never broken. `column`
 * is where the cursor already is on the first line; `hang`, how far the
 * continuation lines are indented (under a label's text, as doctor's and
 * status's); by default as far as the line itself.
 *
 * @example
 * ```ts
 * wrapForTerminal("Log in again: almyty-auth login --profile work", 30);
 * // "Log in again:\nalmyty-auth login --profile work"
 * ```
 */
export function wrapForTerminal(
  text: string,
  columns: number,
  { column = 0, hang }: { column?: number; hang?: number } = {},
): string {
  return text.split("\n").map((row, i) => {
    const start = i === 0 ? column : 0;
    // A line that fits, or a drawing (the QR code's blocks: spaces are part of it).
    if (start + visibleWidth(row) <= columns || /[\u2580-\u259f]/.test(row)) return row;
    const indent = /^ */.exec(row)![0];
    const under = hang === undefined ? indent : " ".repeat(hang);
    const lines = [indent];
    for (const piece of pieces(row.slice(indent.length))) {
      const last = lines[lines.length - 1];
      const used = (lines.length === 1 ? start : 0) + visibleWidth(last);
      if (last.trim() === "") lines[lines.length - 1] = last + piece;
      else if (used + 1 + visibleWidth(piece) > columns) {
        // A command too long to stand indented starts its line, to be seen (and copied) whole.
        const flush = piece.includes(" ") && under.length + visibleWidth(piece) > columns;
        lines.push(flush ? piece : under + piece);
      } else lines[lines.length - 1] = `${last} ${piece}`;
    }
    return lines.join("\n");
  }).join("\n");
}

/** The words of a line, a quoted span or a command as one piece. */
function pieces(row: string): string[] {
  const words = row.split(" ");
  const result: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    const quoted = word.startsWith("`") && (word.match(/`/g) ?? []).length % 2 === 1;
    const command = COMMANDS.has(word.replace(/^\(/, "")) && i + 1 < words.length;
    if (!quoted && !command) {
      result.push(word);
      continue;
    }
    const ends = quoted ? (w: string) => w.includes("`") : (w: string) => /[),;:.]$/.test(w);
    let j = i;
    while (j + 1 < words.length && !(j > i && ends(words[j])) && !(command && ends(word))) j++;
    result.push(words.slice(i, j + 1).join(" "));
    i = j;
  }
  return result;
}

/** A column of {@link columns}: its cells (header first) and how it may give way. */
export interface Column {
  cells: string[];
  /** Left out when the table is too wide (the lowest first). */
  dropOrder?: number;
  /** Once left out, each cell is a line of its own under its row instead. */
  below?: boolean;
  /** Cut with "…" when the table is still too wide (never a name or URL to copy). */
  shrinks?: boolean;
}

/**
 * Lines of a table, its columns two spaces apart, fitted to `width` (a
 * terminal's; none: the whole table, as for a pipe): while it is wider,
 * columns with a `dropOrder` are left out, lowest first (those `below` then
 * stand under their row, where its third column starts), then those that
 * `shrinks` are cut with "…", the widest first, to no less than 12. What
 * stays wider (a long URL) is the terminal's to wrap.
 *
 * @example
 * ```ts
 * columns([{ cells: ["NAME", "ann"] }, { cells: ["NOTE", "x"], dropOrder: 1 }], 6);
 * // ["NAME", "ann"]
 * ```
 */
export function columns(table: Column[], width?: number): string[] {
  const widest = (column: Column) => Math.max(...column.cells.map((cell) => [...cell].length));
  let shown = table.filter((column) => column.cells.some((cell) => cell !== ""));
  const below: Column[] = [];
  const total = () => shown.reduce((sum, column) => sum + cut.get(column)! + 2, -2);
  const cut = new Map(shown.map((column) => [column, widest(column)]));
  const droppable = shown.filter((c) => c.dropOrder !== undefined)
    .sort((a, b) => a.dropOrder! - b.dropOrder!);
  while (width && total() > width && droppable.length) {
    const gone = droppable.shift()!;
    shown = shown.filter((column) => column !== gone);
    if (gone.below) below.push(gone);
  }
  while (width && total() > width) {
    const [column] = shown.filter((c) => c.shrinks && cut.get(c)! > 12)
      .sort((a, b) => cut.get(b)! - cut.get(a)!);
    if (!column) break;
    cut.set(column, Math.max(12, cut.get(column)! - (total() - width)));
  }
  const fitted = (cell: string, size: number) =>
    [...cell].length > size ? [...cell].slice(0, size - 1).join("") + "…" : cell.padEnd(size);
  const indent = " ".repeat(shown.slice(0, 2).reduce((sum, c) => sum + cut.get(c)! + 2, 0));
  return shown[0].cells.flatMap((_, row) => [
    shown.map((column) => fitted(column.cells[row], cut.get(column)!)).join("  ").trimEnd(),
    ...below.map((column) => column.cells[row]).filter((cell) => row > 0 && cell !== "")
      .map((cell) => indent + cell),
  ]);
}

/**
 * Paints `text` with an ANSI style when colour is allowed on `out`.
 *
 * @example
 * ```ts
 * import { denoContext } from "./deno_context.ts";
 * const ctx = { ...denoContext(new AbortController().signal), env: { HOME: Deno.makeTempDirSync() } };
 * paint(ctx, ctx.stderr, "green", "ok");
 * ```
 */
export function paint(
  ctx: Context,
  out: Output,
  style: "bold" | "green" | "yellow" | "red" | "dim",
  text: string,
): string {
  if (!useColor(ctx, out)) return text;
  const codes = { bold: [1, 22], green: [32, 39], yellow: [33, 39], red: [31, 39], dim: [2, 22] };
  const [on, off] = codes[style];
  return `\x1b[${on}m${text}\x1b[${off}m`;
}

/**
 * A warning line on stderr.
 *
 * @example
 * ```ts
 * import { denoContext } from "./deno_context.ts";
 * const ctx = { ...denoContext(new AbortController().signal), env: { HOME: Deno.makeTempDirSync() } };
 * warn(ctx, "a warning on stderr");
 * ```
 */
export function warn(ctx: Context, text: string): void {
  line(ctx.stderr, paint(ctx, ctx.stderr, "yellow", "Warning: ") + text);
}

/**
 * Pretty JSON on stdout.
 *
 * @example
 * ```ts
 * import { denoContext } from "./deno_context.ts";
 * const ctx = { ...denoContext(new AbortController().signal), env: { HOME: Deno.makeTempDirSync() } };
 * printJson(ctx, { ok: true });
 * ```
 */
export function printJson(ctx: Context, value: unknown): void {
  line(ctx.stdout, JSON.stringify(value, null, 2));
}
