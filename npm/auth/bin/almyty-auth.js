#!/usr/bin/env node
// Launcher of `npx @almyty/auth`: finds the binary of this platform's optional
// dependency and runs it with argv, stdio, exit code and signals passed through.
// Every failure says what actually works on this platform.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { constants } from "node:os";
import process from "node:process";

const require = createRequire(import.meta.url);
const RELEASES = "https://github.com/almyty/almyty-auth/releases";
const SUPPORTED = ["linux-x64", "linux-arm64", "darwin-x64", "darwin-arm64", "win32-x64"];
const host = process.env.ALMYTY_AUTH_PLATFORM || `${process.platform}-${process.arch}`;
// Windows on ARM64 runs the x64 build under emulation (there is no arm64 build for Windows).
const platform = host === "win32-arm64" ? "win32-x64" : host;
const exe = platform.startsWith("win32") ? "almyty-auth.exe" : "almyty-auth";

function fail(message) {
  process.stderr.write(`almyty-auth: ${message}\n`);
  process.exit(1);
}

/** musl (Alpine): Node's report has no glibc version there. */
function isMusl() {
  if (process.env.ALMYTY_AUTH_LIBC) return process.env.ALMYTY_AUTH_LIBC === "musl";
  if (!platform.startsWith("linux")) return false;
  try {
    return !process.report.getReport().header.glibcVersionRuntime;
  } catch {
    return false;
  }
}

function binaryPath() {
  if (process.env.ALMYTY_AUTH_BINARY) return process.env.ALMYTY_AUTH_BINARY;
  if (!SUPPORTED.includes(platform)) {
    fail(
      `there is no almyty-auth build for ${platform} (builds: ${SUPPORTED.join(", ")}). ` +
        `See ${RELEASES}`,
    );
  }
  if (isMusl()) {
    fail(
      "this Linux uses musl libc (e.g. Alpine), and this build of almyty-auth needs glibc. " +
        "Use a glibc-based system or image (Debian, Ubuntu, Fedora; e.g. node:20-slim instead " +
        `of node:20-alpine). See ${RELEASES}`,
    );
  }
  try {
    return require.resolve(`@almyty/auth-${platform}/bin/${exe}`);
  } catch {
    fail(
      `the package @almyty/auth-${platform}, which holds the binary, is not installed: optional ` +
        "dependencies were left out (--omit=optional, --no-optional, or a lockfile made on " +
        "another platform). Reinstall with them: npm install --include=optional @almyty/auth" +
        (platform === "win32-x64"
          ? ""
          : `, or use the installer: curl -fsSL ${RELEASES}/latest/download/install.sh | sh`),
    );
  }
}

const binary = binaryPath();
// Listening before the binary starts: a signal in between must not end the launcher alone.
let child = null;
if (process.platform === "win32") {
  // The console delivers Ctrl-C, Ctrl-Break and its closing to the binary itself; forwarding
  // them would be TerminateProcess (libuv's kill on Windows), ending it mid-cleanup. Stay
  // alive and report how it ended.
  for (const signal of ["SIGINT", "SIGBREAK", "SIGHUP"]) process.on(signal, () => {});
} else {
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
    process.on(signal, () => {
      if (child) child.kill(signal);
      else process.exit(128 + constants.signals[signal]); // nothing started yet
    });
  }
}
child = spawn(binary, process.argv.slice(2), { stdio: "inherit" });
child.on("error", (error) =>
  fail(
    error.code === "ENOENT" || error.code === "EACCES"
      ? `cannot run ${binary} (${error.code}); reinstall @almyty/auth. See ${RELEASES}`
      : `cannot run almyty-auth: ${error.message}`,
  ));
child.on("exit", (code, signal) => {
  if (signal) {
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  } else {
    process.exit(code ?? 1);
  }
});
