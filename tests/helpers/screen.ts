/**
 * What a terminal of a given size shows after some output: lines wrap at
 * the width, the screen scrolls past its height, `\r` returns to the start
 * of the line, `ESC [2K` clears it, and colours (SGR) are dropped. That is
 * every sequence the CLI writes; any other escape fails the render, so a
 * new one cannot slip by unseen.
 * @module
 */

/** The visible rows (trailing spaces trimmed) after `output` on a `columns`×`rows` terminal. */
export function render(output: string, columns: number, rows: number): string[] {
  const screen: string[][] = [[]];
  let column = 0;
  const current = () => screen[screen.length - 1];
  const newline = () => {
    screen.push([]);
    column = 0;
  };
  for (let i = 0; i < output.length; i++) {
    const char = output[i];
    if (char === "\x1b") {
      // deno-lint-ignore no-control-regex -- parsing escape sequences is the point
      const match = /^\x1b\[([\d;]*)([A-Za-z])/.exec(output.slice(i));
      if (!match) {
        throw new Error(`unexpected escape at ${i}: ${JSON.stringify(output.slice(i, i + 8))}`);
      }
      if (match[2] === "K" && match[1] === "2") current().length = 0;
      else if (match[2] !== "m") throw new Error(`unexpected sequence ${JSON.stringify(match[0])}`);
      i += match[0].length - 1;
    } else if (char === "\n") newline();
    else if (char === "\r") column = 0;
    else {
      if (column === columns) newline(); // the terminal wraps when the next character comes
      current()[column++] = char;
    }
  }
  return screen.slice(-rows).map((row) => Array.from(row, (c) => c ?? " ").join("").trimEnd());
}
