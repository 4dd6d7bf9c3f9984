/**
 * Release archives: tar.gz via the system tar, zip written here (deflate from
 * node:zlib) so no zip tool is needed; and SHA256SUMS in `sha256sum` format.
 *
 * @example
 * ```ts
 * import { sha256sums } from "./archive.ts";
 * sha256sums("dist", ["almyty-auth-x86_64-unknown-linux-gnu.tar.gz"]);
 * ```
 * @module
 */
import { createHash } from "node:crypto";
import { deflateRawSync } from "node:zlib";

/**
 * Packs `file` (at the archive's root, mode 0755) into `archive`. The mode is
 * set here: build artifacts lose it on their way between CI jobs, and a
 * non-executable binary would break `tar -xzf … && ./almyty-auth` and Homebrew.
 */
export async function packTarGz(dir: string, file: string, archive: string): Promise<void> {
  Deno.chmodSync(`${dir}/${file}`, 0o755);
  const tar = new Deno.Command("tar", {
    args: ["-czf", archive, "--owner=0", "--group=0", "-C", dir, file],
  });
  const { code, stderr } = await tar.output();
  if (code !== 0) throw new Error(`tar failed: ${new TextDecoder().decode(stderr)}`);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** A zip with one deflated file at its root. */
export function zipOne(name: string, data: Uint8Array): Uint8Array {
  const compressed = deflateRawSync(data);
  const nameBytes = new TextEncoder().encode(name);
  const crc = crc32(data);
  const local = new DataView(new ArrayBuffer(30));
  [[0, 0x04034b50, 4], [4, 20, 2], [8, 8, 2], [14, crc, 4], [18, compressed.length, 4], [
    22,
    data.length,
    4,
  ], [26, nameBytes.length, 2]].forEach(([at, v, size]) =>
    size === 4 ? local.setUint32(at, v, true) : local.setUint16(at, v, true)
  );
  const central = new DataView(new ArrayBuffer(46));
  [
    [0, 0x02014b50, 4],
    [4, 0x0314, 2],
    [6, 20, 2],
    [10, 8, 2],
    [16, crc, 4],
    [
      20,
      compressed.length,
      4,
    ],
    [24, data.length, 4],
    [28, nameBytes.length, 2],
    [38, (0o100755 << 16) >>> 0, 4],
  ]
    .forEach(([at, v, size]) =>
      size === 4 ? central.setUint32(at, v, true) : central.setUint16(at, v, true)
    );
  const centralOffset = 30 + nameBytes.length + compressed.length;
  const end = new DataView(new ArrayBuffer(22));
  [[0, 0x06054b50, 4], [8, 1, 2], [10, 1, 2], [12, 46 + nameBytes.length, 4], [
    16,
    centralOffset,
    4,
  ]].forEach(([at, v, size]) =>
    size === 4 ? end.setUint32(at, v, true) : end.setUint16(at, v, true)
  );
  const parts = [
    new Uint8Array(local.buffer),
    nameBytes,
    compressed,
    new Uint8Array(central.buffer),
    nameBytes,
    new Uint8Array(end.buffer),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Writes `SHA256SUMS` for `files` in `dir`; returns its text. */
export function sha256sums(dir: string, files: string[]): string {
  const text = files.map((file) =>
    `${createHash("sha256").update(Deno.readFileSync(`${dir}/${file}`)).digest("hex")}  ${file}\n`
  ).join("");
  Deno.writeTextFileSync(`${dir}/SHA256SUMS`, text);
  return text;
}
