/**
 * The terminal QR code decodes, as a phone's camera would see it, on light
 * and dark terminal themes: the printed rows are rendered to pixels (the
 * theme supplies the colours the code leaves to the terminal) and read back
 * with jsQR, which is told not to try an inverted image.
 */
import jsQRModule from "jsqr";
import { assertEquals } from "../helpers/assert.ts";
import { qrLines } from "../../src/cli/qr.ts";

/** jsQR's decode function (a CommonJS default export, which the type checker sees as the module). */
type Decode = (
  data: Uint8ClampedArray,
  width: number,
  height: number,
  options?: { inversionAttempts?: "dontInvert" | "attemptBoth" },
) => { data: string } | null;
const jsQR = jsQRModule as unknown as Decode;

type Rgb = [number, number, number];
const BLACK: Rgb = [0, 0, 0];
const WHITE: Rgb = [255, 255, 255];
const THEMES: Record<string, { fg: Rgb; bg: Rgb }> = {
  dark: { fg: [229, 229, 229], bg: [30, 30, 30] },
  light: { fg: [40, 40, 40], bg: [255, 255, 255] },
};

/** Renders rows of text (half blocks, optional SGR colours) to RGBA pixels. */
function render(rows: string[], theme: { fg: Rgb; bg: Rgb }, scale = 4) {
  const cells: [Rgb, Rgb][][] = rows.map((row) => {
    const out: [Rgb, Rgb][] = [];
    let fg = theme.fg;
    let bg = theme.bg;
    for (let i = 0; i < row.length; i++) {
      if (row[i] === "\x1b") {
        const end = row.indexOf("m", i);
        for (const code of row.slice(i + 2, end).split(";").map(Number)) {
          if (code === 0) [fg, bg] = [theme.fg, theme.bg];
          if (code === 30) fg = BLACK;
          if (code === 97) fg = WHITE;
          if (code === 40) bg = BLACK;
          if (code === 107) bg = WHITE;
        }
        i = end;
        continue;
      }
      const c = row[i];
      out.push([c === "▀" || c === "█" ? fg : bg, c === "▄" || c === "█" ? fg : bg]);
    }
    return out;
  });
  const width = Math.max(...cells.map((r) => r.length)) * scale;
  const height = cells.length * 2 * scale;
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const cell = cells[Math.floor(y / scale / 2)][Math.floor(x / scale)];
      const [r, g, b] = cell ? cell[Math.floor(y / scale) % 2] : theme.bg;
      data.set([r, g, b, 255], (y * width + x) * 4);
    }
  }
  return { data, width, height };
}

const URL = "http://127.0.0.1:8080/cli-auth?code=BCDF-GHJK";

function decodes(rows: string[], theme: string): boolean {
  const { data, width, height } = render(rows, THEMES[theme]);
  return jsQR(data, width, height, { inversionAttempts: "dontInvert" })?.data === URL;
}

Deno.test("QR with colour: explicit black on white, decodes on light and dark themes", () => {
  const rows = qrLines(URL, { color: true })!;
  assertEquals(decodes(rows, "dark"), true, "dark theme");
  assertEquals(decodes(rows, "light"), true, "light theme");
});

Deno.test("QR without colour: reads right on the common dark default", () => {
  const rows = qrLines(URL, { color: false })!;
  assertEquals(decodes(rows, "dark"), true, "dark theme");
  // Without colour the terminal picks the colours: on a light theme it is inverted,
  // which a strict decoder refuses. That is why colour is used whenever allowed.
  assertEquals(decodes(rows, "light"), false, "light theme, no colour");
});

Deno.test("QR without colour on a terminal that says its background is light: reads right there", () => {
  const rows = qrLines(URL, { color: false, lightBackground: true })!;
  assertEquals(decodes(rows, "light"), true, "light theme");
  assertEquals(decodes(rows, "dark"), false, "inverted on a dark one, as the note says");
});
