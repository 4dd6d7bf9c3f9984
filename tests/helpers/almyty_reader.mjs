// almyty's reader rule, re-implemented from its description in issue 17 and
// ../shared/reference/almyty-production.md §4 (not from almyty's code), as an
// unchanged almyty CLI (agents, chat, mcp-server…) applies it:
// - ALMYTY_TOKEN non-empty: that token, at ALMYTY_URL or, when ALMYTY_URL is
//   empty or missing, https://api.almyty.com; the file is not read;
// - otherwise ~/.almyty/credentials.json (from the home folder, found when the
//   module loads), parsed as it is; used only when its token is truthy; any
//   error reads as "not authenticated";
// - it knows no other variable (ALMYTY_PROFILE included) and no other file.
// Prints {"url","token"} as JSON, or "Not authenticated" with exit 1.
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

const path = join(homedir(), ".almyty", "credentials.json");

function resolveCredentials() {
  const token = process.env.ALMYTY_TOKEN;
  if (token) return { token, url: process.env.ALMYTY_URL || "https://api.almyty.com" };
  try {
    const file = JSON.parse(readFileSync(path, "utf8"));
    return file && file.token ? file : null;
  } catch {
    return null;
  }
}

const creds = resolveCredentials();
if (!creds) {
  console.error("Not authenticated");
  process.exit(1);
}
console.log(JSON.stringify({ url: creds.url, token: creds.token }));
