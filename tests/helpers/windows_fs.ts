/**
 * A CredentialsFs with Windows' facts, on this machine's disk: paths are
 * Windows paths (`C:\Users\alice\.almyty\credentials.json`, mapped under a
 * temp folder), files have no owner uid and read as mode 0666 (what Deno
 * reports there), the user has no uid, and a rename can be refused while
 * "another program" has the target open (EPERM/EACCES/EBUSY, as
 * MoveFileExW answers), with the backoff recorded instead of slept.
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

  /** Where a Windows path lives on this disk. */
  real(path: string): string {
    const drive = /^([A-Za-z]):[\\/]/.exec(path);
    if (!drive) throw new Error(`not a Windows path: ${path}`);
    return `${this.root}/${drive[1]}/${path.slice(3).replaceAll("\\", "/")}`;
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
  /** No symlinks in the mapped tree: the path itself (checked to exist). */
  realPath(path: string): string {
    denoFs.realPath(this.real(path));
    return path;
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
