/**
 * Release archives, written here rather than by a tar or zip tool so that
 * packing is the same on every runner: macOS's bsdtar before libarchive 3.7.3
 * rejects GNU tar's `--owner=0 --group=0` (which stopped every release), and
 * the archive's bytes then depend only on the binary and the build time, not
 * on which tar (or version) the runner has. A tar.gz is one ustar entry
 * (POSIX.1-1988: owner 0:0, mode 0755) gzipped by node:zlib; a zip is one
 * deflated entry. Plus SHA256SUMS in `sha256sum` format.
 *
 * @example
 * ```ts
 * import { sha256sums } from "./archive.ts";
 * sha256sums("dist", ["almyty-auth-x86_64-unknown-linux-gnu.tar.gz"]);
 * ```
 * @module
 */
import { createHash } from "node:crypto";
import { deflateRawSync, gzipSync } from "node:zlib";

/**
 * When the archive's entry was made: `SOURCE_DATE_EPOCH` (seconds, the
 * reproducible-builds convention) when set, else now.
 *
 * @example
 * ```ts
 * buildTime({ SOURCE_DATE_EPOCH: "1700000000" }).toISOString(); // "2023-11-14T22:13:20.000Z"
 * ```
 */
export function buildTime(env: Record<string, string | undefined> = {}): Date {
  const epoch = env.SOURCE_DATE_EPOCH;
  if (epoch !== undefined && /^\d+$/.test(epoch)) return new Date(Number(epoch) * 1000);
  return new Date();
}

const BLOCK = 512;

/** `value` in octal, zero-padded to `width - 1` digits and NUL-terminated. */
function octal(value: number, width: number): string {
  const digits = value.toString(8);
  if (digits.length > width - 1) throw new RangeError(`${value} does not fit a tar field`);
  return digits.padStart(width - 1, "0") + "\0";
}

/**
 * A ustar archive holding one executable file (mode 0755, owner and group 0,
 * no user or group names) at its root.
 *
 * @example
 * ```ts
 * const tar = tarOne("almyty-auth", new TextEncoder().encode("#!/bin/sh\n"), new Date(0));
 * tar.length; // 2048: header, one data block, two end blocks
 * ```
 */
export function tarOne(name: string, data: Uint8Array, mtime: Date): Uint8Array {
  const nameBytes = new TextEncoder().encode(name);
  if (nameBytes.length > 100) throw new RangeError(`${name} is too long for a ustar name`);
  const header = new Uint8Array(BLOCK);
  const put = (at: number, text: string) => header.set(new TextEncoder().encode(text), at);
  header.set(nameBytes, 0);
  put(100, octal(0o755, 8)); // mode
  put(108, octal(0, 8)); // uid
  put(116, octal(0, 8)); // gid
  put(124, octal(data.length, 12)); // size
  put(136, octal(Math.floor(mtime.getTime() / 1000), 12)); // mtime
  put(148, " ".repeat(8)); // the checksum counts its own field as spaces
  put(156, "0"); // a regular file
  put(257, "ustar\0"); // magic
  put(263, "00"); // version
  put(329, octal(0, 8)); // devmajor
  put(337, octal(0, 8)); // devminor
  const sum = header.reduce((total, byte) => total + byte, 0);
  put(148, octal(sum, 7) + " ");
  const padded = Math.ceil(data.length / BLOCK) * BLOCK;
  const out = new Uint8Array(BLOCK + padded + 2 * BLOCK); // ends with two zero blocks
  out.set(header, 0);
  out.set(data, BLOCK);
  return out;
}

/**
 * Packs `dir/file` into the tar.gz `archive`, at the archive's root with mode
 * 0755: build artifacts lose their modes on their way between CI jobs, and a
 * non-executable binary would break `tar -xzf … && ./almyty-auth` and Homebrew.
 *
 * @example
 * ```ts
 * const dir = Deno.makeTempDirSync();
 * Deno.writeTextFileSync(`${dir}/almyty-auth`, "#!/bin/sh\n");
 * packTarGz(dir, "almyty-auth", `${dir}/out.tar.gz`, new Date(0));
 * ```
 */
export function packTarGz(dir: string, file: string, archive: string, mtime: Date): void {
  const tar = tarOne(file, Deno.readFileSync(`${dir}/${file}`), mtime);
  Deno.writeFileSync(archive, gzipSync(tar, { level: 9 }));
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

/** A record of little-endian fields: [offset, value, size in bytes]. */
function record(length: number, fields: [number, number, 2 | 4][]): Uint8Array {
  const view = new DataView(new ArrayBuffer(length));
  for (const [at, value, size] of fields) {
    if (size === 4) view.setUint32(at, value, true);
    else view.setUint16(at, value, true);
  }
  return new Uint8Array(view.buffer);
}

/** MS-DOS time and date (what zip stores; UTC, 2-second steps, 1980 at the earliest). */
function dosTime(when: Date): { time: number; date: number } {
  const t = when.getUTCFullYear() < 1980 ? new Date(Date.UTC(1980, 0, 1)) : when;
  return {
    time: (t.getUTCHours() << 11) | (t.getUTCMinutes() << 5) | (t.getUTCSeconds() >> 1),
    date: ((t.getUTCFullYear() - 1980) << 9) | ((t.getUTCMonth() + 1) << 5) | t.getUTCDate(),
  };
}

/**
 * A zip with one deflated file (mode 0755, dated `mtime`) at its root.
 *
 * @example
 * ```ts
 * const zip = zipOne("almyty-auth.exe", new Uint8Array([1, 2, 3]), new Date());
 * new DataView(zip.buffer).getUint32(0, true) === 0x04034b50; // true: a local file header
 * ```
 */
export function zipOne(name: string, data: Uint8Array, mtime: Date): Uint8Array {
  const compressed = deflateRawSync(data, { level: 9 });
  const nameBytes = new TextEncoder().encode(name);
  const crc = crc32(data);
  const { time, date } = dosTime(mtime);
  const local = record(30, [
    [0, 0x04034b50, 4], // local file header
    [4, 20, 2], // version needed: 2.0
    [8, 8, 2], // deflate
    [10, time, 2],
    [12, date, 2],
    [14, crc, 4],
    [18, compressed.length, 4],
    [22, data.length, 4],
    [26, nameBytes.length, 2],
  ]);
  const central = record(46, [
    [0, 0x02014b50, 4], // central directory header
    [4, 0x0314, 2], // made by Unix, 2.0: the external attributes hold a mode
    [6, 20, 2],
    [10, 8, 2],
    [12, time, 2],
    [14, date, 2],
    [16, crc, 4],
    [20, compressed.length, 4],
    [24, data.length, 4],
    [28, nameBytes.length, 2],
    [38, (0o100755 << 16) >>> 0, 4],
  ]);
  const end = record(22, [
    [0, 0x06054b50, 4], // end of central directory
    [8, 1, 2],
    [10, 1, 2],
    [12, central.length + nameBytes.length, 4],
    [16, local.length + nameBytes.length + compressed.length, 4],
  ]);
  const parts = [local, nameBytes, compressed, central, nameBytes, end];
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
