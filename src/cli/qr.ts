/**
 * A QR code of a URL, drawn with half blocks so it fits a terminal.
 * Loaded only when a terminal will show it.
 *
 * @example
 * ```ts
 * import { qrLines } from "./qr.ts";
 * qrLines("http://127.0.0.1:8080/cli-auth?code=BCDF-GHJK").join("\n");
 * ```
 * @module
 */
import qrcode from "qrcode-generator";

/**
 * Rows of text; two QR rows per text row, with a quiet zone.
 *
 * @example
 * ```ts
 * qrLines("http://127.0.0.1:8080/cli-auth?code=BCDF-GHJK").length > 10; // true
 * ```
 */
export function qrLines(url: string): string[] {
  const qr = qrcode(0, "L");
  qr.addData(url);
  qr.make();
  const size = qr.getModuleCount();
  const quiet = 2;
  const dark = (r: number, c: number) =>
    r >= 0 && c >= 0 && r < size && c < size && qr.isDark(r, c);
  const rows: string[] = [];
  for (let r = -quiet; r < size + quiet; r += 2) {
    let row = "  ";
    for (let c = -quiet; c < size + quiet; c++) {
      // Light modules are drawn filled so the code reads on dark terminals.
      const top = !dark(r, c);
      const bottom = !dark(r + 1, c);
      row += top && bottom ? "█" : top ? "▀" : bottom ? "▄" : " ";
    }
    rows.push(row);
  }
  return rows;
}
