/**
 * A QR code of a URL for a terminal, two modules per character (half blocks)
 * inside the 4-module quiet zone the standard asks for. With colour it is
 * painted explicitly black on white, so it scans on light and dark themes
 * alike; without colour, the filled glyphs are the light modules, which
 * reads right on a dark background (the common default), or the dark ones
 * when the terminal says its background is light (COLORFGBG).
 * Loaded only when a terminal will show it.
 *
 * @example
 * ```ts
 * import { qrLines } from "./qr.ts";
 * qrLines("http://127.0.0.1:8080/cli-auth?code=BCDF-GHJK", { color: true })?.join("\n");
 * ```
 * @module
 */
import qrcode from "qrcode-generator";

/** The quiet zone around the code, in modules (ISO/IEC 18004). */
export const QUIET_ZONE = 4;

const BLACK_ON = "\x1b[30m";
const WHITE_ON = "\x1b[97m";
const ON_BLACK = "\x1b[40m";
const ON_WHITE = "\x1b[107m";
const RESET = "\x1b[0m";

/**
 * Rows of text, two QR rows per text row; null when the URL is longer than
 * the largest QR code holds (about 2,950 bytes): a server may send any URL.
 *
 * @example
 * ```ts
 * qrLines("https://app.almyty.com/cli-auth", { color: false })!.length > 10; // true
 * qrLines("https://app.almyty.com/?" + "a".repeat(3000), { color: false }); // null
 * ```
 */
export function qrLines(
  url: string,
  options: { color: boolean; lightBackground?: boolean },
): string[] | null {
  const qr = qrcode(0, "L");
  qr.addData(url);
  try {
    qr.make();
  } catch {
    return null; // "code length overflow": no version fits the data
  }
  const size = qr.getModuleCount();
  const dark = (r: number, c: number) =>
    r >= 0 && c >= 0 && r < size && c < size && qr.isDark(r, c);
  const rows: string[] = [];
  for (let r = -QUIET_ZONE; r < size + QUIET_ZONE; r += 2) {
    let row = "  ";
    for (let c = -QUIET_ZONE; c < size + QUIET_ZONE; c++) {
      const top = dark(r, c);
      const bottom = r + 1 < size + QUIET_ZONE && dark(r + 1, c);
      if (options.color) {
        // The upper half in the foreground colour, the lower in the background's.
        row += (top ? BLACK_ON : WHITE_ON) + (bottom ? ON_BLACK : ON_WHITE) + "▀";
      } else {
        // Filled is the module the terminal's background is not.
        const inside = r + 1 < size + QUIET_ZONE;
        const topFilled = options.lightBackground ? top : !top;
        const bottomFilled = inside && (options.lightBackground ? bottom : !bottom);
        row += topFilled && bottomFilled ? "█" : topFilled ? "▀" : bottomFilled ? "▄" : " ";
      }
    }
    rows.push(options.color ? row + RESET : row);
  }
  return rows;
}
