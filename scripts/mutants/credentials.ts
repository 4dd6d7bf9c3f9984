/**
 * Mutants of the credentials library and the file system under it: file
 * trust, atomic writes, refusing what is not a regular file.
 * @module
 */
import type { Mutant } from "./mutant.ts";

/** See scripts/mutants/mutant.ts for the fields. */
export const mutants: Mutant[] = [
  {
    rule: "a file owned by another user is not trusted",
    file: "src/credentials/trust.ts",
    find: "if (me === null || facts.uid === null || facts.uid === me) return;",
    replace: "return;",
    tests: ["tests/security_test.ts"],
    filter: "files owned by someone else",
  },
  {
    rule: "a ~/.almyty others can write is not trusted",
    file: "src/credentials/trust.ts",
    find: "(facts.mode & 0o022) !== 0",
    replace: "(facts.mode & 0o000) !== 0",
    tests: ["tests/security_test.ts"],
    filter: "files owned by someone else",
  },
  {
    rule: "a temp file is removed when writing it fails (EIO, ENOSPC)",
    file: "src/credentials/atomic.ts",
    find: "        fs.remove(temp);",
    replace: "        // fs.remove(temp);",
    tests: ["tests/security_test.ts"],
    filter: "temp files never keep the token",
  },
  {
    rule: "stale temp files of a crash are swept by the next write",
    file: "src/credentials/atomic.ts",
    find: "    sweepStaleTemps(fs, path);\n",
    replace: "",
    tests: ["tests/security_test.ts"],
    filter: "SIGKILL mid-save",
  },
  {
    rule: "a ~/.almyty its group can write is not trusted (0770, 0775)",
    file: "src/credentials/trust.ts",
    find: "(facts.mode & 0o022) !== 0",
    replace: "(facts.mode & 0o002) !== 0",
    tests: ["tests/security_test.ts"],
    filter: "its group can write",
  },
  {
    rule: "a FIFO at the credentials path is never opened (Deno's file system)",
    file: "src/platform/deno_fs.ts",
    find: "if (!Deno.statSync(path).isFile) throw notRegular(path);",
    replace: "",
    tests: ["tests/security_test.ts"],
    filter: "a FIFO, a socket or a device",
    timeoutSeconds: 60,
  },
  {
    rule: "the credentials are written 0600 from the first byte",
    file: "src/credentials/atomic.ts",
    find: "fs.writeNew(temp, text, 0o600);",
    replace: "fs.writeNew(temp, text, 0o644);",
    tests: ["tests/unit/credentials_test.ts"],
    filter: "a write goes to a fresh 0600 temp file",
  },
  {
    rule: "a symlink at the credentials path is refused, never written through",
    file: "src/credentials/atomic.ts",
    find: "if (fs.lstat(path)?.isSymlink) {",
    replace: "if (false) {",
    tests: ["tests/unit/credentials_test.ts"],
  },
  {
    rule: "a ~/.almyty others can read is tightened to 0700 on write",
    file: "src/credentials/atomic.ts",
    find: "((folder?.mode ?? 0) & 0o077) !== 0) fs.chmod(dir, 0o700);",
    replace: "false) fs.chmod(dir, 0o700);",
    tests: ["tests/unit/credentials_test.ts"],
  },
  {
    rule: "a login stops before minting when the saved file is not ours or not a file",
    file: "src/runtime/target.ts",
    find: "if (!(error instanceof CredentialsError) || REFUSED.includes(error.code)) throw error;",
    replace: "if (!(error instanceof CredentialsError)) throw error;",
    tests: ["tests/security_test.ts"],
    filter: "its group can write",
  },
  {
    rule: "a hint's word with anything a shell reads specially is quoted",
    file: "src/credentials/fix_hints.ts",
    find: "return PLAIN_WORD.test(word) ? word :",
    replace: "return true ? word :",
    tests: ["tests/security_test.ts"],
    filter: "a hint pasted into a shell",
  },
  {
    rule: "the trust hint of a repository's .almyty-profile quotes its folder",
    file: "src/credentials/directory.ts",
    find: "profile trust ${shellWord(dir, io.fs.platform)}",
    replace: "profile trust ${dir}",
    tests: ["tests/security_test.ts"],
    filter: "a hint pasted into a shell",
  },
  {
    rule: "the chmod hint of a repository's .almyty-profile quotes its path",
    file: "src/credentials/directory.ts",
    find: "chmod go-w ${shellWord(path)}",
    replace: "chmod go-w ${path}",
    tests: ["tests/security_test.ts"],
    filter: "a hint pasted into a shell",
  },
  {
    rule: "the rm hint quotes its path (a home folder with a space in it)",
    file: "src/credentials/fix_hints.ts",
    find: "`rm ${shellWord(path)}`",
    replace: "`rm ${path}`",
    tests: ["tests/security_test.ts"],
    filter: "a hint pasted into a shell",
  },
  {
    rule: "a login hint quotes its --api",
    file: "src/credentials/fix_hints.ts",
    find: 'words.push("--api", shellWord(stripControl(api)));',
    replace: 'words.push("--api", stripControl(api));',
    tests: ["tests/security_test.ts"],
    filter: "a hint pasted into a shell",
  },
];
