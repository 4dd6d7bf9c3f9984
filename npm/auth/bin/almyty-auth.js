#!/usr/bin/env node
// Launcher of `npx @almyty/auth`: finds the binary of this platform's optional
// dependency and runs it with argv, stdio, exit code and signals passed through.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import process from "node:process";

const require = createRequire(import.meta.url);
const platform = process.env.ALMYTY_AUTH_PLATFORM || `${process.platform}-${process.arch}`;
const SUPPORTED = ["linux-x64", "linux-arm64", "darwin-x64", "darwin-arm64", "win32-x64"];
const exe = platform.startsWith("win32") ? "almyty-auth.exe" : "almyty-auth";

function binaryPath() {
  if (process.env.ALMYTY_AUTH_BINARY) return process.env.ALMYTY_AUTH_BINARY;
  if (!SUPPORTED.includes(platform)) {
    fail(`almyty-auth has no binary for ${platform} (supported: ${SUPPORTED.join(", ")}).`);
  }
  try {
    return require.resolve(`@almyty/auth-${platform}/bin/${exe}`);
  } catch {
    fail(
      `The package @almyty/auth-${platform} is not installed (optional dependencies may be disabled:` +
        ` --omit=optional, --no-optional, or a lockfile made on another platform).`,
    );
  }
}

function fail(message) {
  process.stderr.write(
    `${message}\nInstall the binary instead:\n  curl -fsSL https://github.com/almyty/almyty-auth/releases/latest/download/install.sh | sh\n`,
  );
  process.exit(1);
}

const child = spawn(binaryPath(), process.argv.slice(2), { stdio: "inherit" });
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => child.kill(signal));
}
child.on("error", (error) => fail(`Could not run almyty-auth: ${error.message}`));
child.on("exit", (code, signal) => {
  if (signal) {
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  } else {
    process.exit(code ?? 1);
  }
});
