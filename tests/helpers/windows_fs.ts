/**
 * A CredentialsFs with Windows' facts, on this machine's disk: paths are
 * Windows paths (`C:\Users\alice\.almyty\credentials.json`, mapped under a
 * temp folder), files have no owner uid and read as mode 0666 (what Deno
 * reports there), the user has no uid, and a rename can be refused while
 * "another program" has the target open (EPERM/EACCES/EBUSY, as
 * MoveFileExW answers), with the backoff recorded instead of slept. Names
 * are case-insensitive, as on NTFS: `realPath` spells a folder as it was
 * created (GetFinalPathNameByHandle), while the working folder keeps the case
 * it was typed in (`cd c:\users\alice\work` in cmd or PowerShell).
 * @module
 */
import { type CredentialsFs, type FileFacts, FsError } from "../../src/credentials/fs.ts";
import { denoFs } from "../../src/platform/deno_fs.ts";
import { scratchDir } from "./scratch.ts";

/** Windows' facts over a temp folder. */
export class WindowsFs implements CredentialsFs {
  readonly platform = "win32";
  /** Codes the next renames are refused with, one per attempt, before one succeeds. */
  renameRefusals: string[] = [];
  /** Every backoff the writer asked for, in ms. */
  readonly pauses: number[] = [];
  /** Windows paths that are reparse points (a OneDrive online-only file): lstat says symlink. */
  readonly reparsePoints = new Set<string>();

  constructor(
    readonly workingFolder = "C:\\Users\\alice",
    readonly root: string = scratchDir("almyty-win-"),
  ) {}

  /** How each folder made through `mkdirp` is spelled: lower case → as created. */
  readonly #spelled = new Map<string, string>();

  /** Where a Windows path lives on this disk (one place for every spelling). */
  real(path: string): string {
    // A path from the root (`\\x`) is on the working folder's drive.
    if (/^[\\/](?![\\/])/.test(path)) path = this.workingFolder.slice(0, 2) + path;
    const drive = /^([A-Za-z]):[\\/]/.exec(path);
    if (!drive) throw new Error(`not a Windows path: ${path}`);
    return `${this.root}/${drive[1].toUpperCase()}/${
      path.slice(3).replaceAll("\\", "/").toLowerCase()
    }`;
  }

  #facts(facts: FileFacts | null, path: string, link = false): FileFacts | null {
    if (!facts) return null;
    return {
      ...facts,
      isSymlink: facts.isSymlink || (link && this.reparsePoints.has(path)),
      mode: 0o666,
      uid: null,
    };
  }

  env(): Record<string, string | undefined> {
    return {};
  }
  /** The working folder: the profile folder, as a new terminal's. */
  cwd(): string {
    return this.workingFolder;
  }
  uid(): number | null {
    return null;
  }
  /** No symlinks in the mapped tree: the path (checked to exist), each folder spelled as created. */
  realPath(path: string): string {
    denoFs.realPath(this.real(path));
    const parts = path.split(/[\\/]/).filter(Boolean);
    return parts.map((part, i) => {
      const spelled = this.#spelled.get(parts.slice(0, i + 1).join("\\").toLowerCase());
      return spelled?.split("\\").at(-1) ?? part;
    }).join("\\");
  }
  exists(path: string): boolean {
    return denoFs.exists(this.real(path));
  }
  readFile(path: string): { facts: FileFacts; text: string } | null {
    const file = denoFs.readFile(this.real(path));
    return file && { facts: this.#facts(file.facts, path)!, text: file.text };
  }
  lstat(path: string): FileFacts | null {
    return this.#facts(denoFs.lstat(this.real(path)), path, true);
  }
  stat(path: string): FileFacts | null {
    return this.#facts(denoFs.stat(this.real(path)), path);
  }
  mkdirp(path: string, mode: number): void {
    denoFs.mkdirp(this.real(path), mode);
    const parts = path.split(/[\\/]/).filter(Boolean);
    for (let i = 1; i <= parts.length; i++) {
      const prefix = parts.slice(0, i).join("\\");
      if (!this.#spelled.has(prefix.toLowerCase())) this.#spelled.set(prefix.toLowerCase(), prefix);
    }
  }
  chmod(path: string, mode: number): void {
    denoFs.chmod(this.real(path), mode);
  }
  writeNew(path: string, text: string, mode: number): void {
    denoFs.writeNew(this.real(path), text, mode);
  }
  rename(from: string, to: string): void {
    const refusal = this.renameRefusals.shift();
    if (refusal) throw new FsError(refusal, `${refusal}: operation not permitted, rename → ${to}`);
    denoFs.rename(this.real(from), this.real(to));
  }
  remove(path: string): boolean {
    return denoFs.remove(this.real(path));
  }
  list(path: string): string[] {
    return denoFs.list(this.real(path));
  }
  syncDirectory(): void {}
  pause(ms: number): void {
    this.pauses.push(ms);
  }
}
