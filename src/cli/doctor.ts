/**
 * `almyty-auth doctor`: one line per check (ok / warning / problem) with the
 * fix. Exit 0 when nothing is a problem (warnings allowed), 1 otherwise.
 *
 * @example
 * ```sh
 * almyty-auth doctor --api http://127.0.0.1:8080
 * ```
 * @module
 */
import { credentialsPath } from "../credentials/path.ts";
import { readCredentials } from "../credentials/read.ts";
import { chooseOpener } from "../login/browser.ts";
import { loginEndpoints } from "../login/endpoints.ts";
import { PATHS } from "../protocol/constants.ts";
import type { CommandInput } from "./commands.ts";
import { type Context, credentialsIo, EXIT } from "./context.ts";
import { line, paint, printJson } from "./output.ts";

/** One check's result. */
export interface Check {
  name: string;
  level: "ok" | "warning" | "problem";
  detail: string;
  fix?: string;
}

const MAX_SKEW_SECONDS = 60;

/** Runs the command. */
export async function run(ctx: Context, { flags }: CommandInput): Promise<number> {
  const checks: Check[] = [credentialsFile(ctx), envOverrides(ctx)];
  let endpoints;
  try {
    endpoints = loginEndpoints({ api: flags.api as string | undefined }, ctx.env);
  } catch (error) {
    checks.push({
      name: "URLs",
      level: "problem",
      detail: (error as Error).message,
      fix: "use https, or http only on 127.0.0.1/localhost",
    });
  }
  if (endpoints) {
    checks.push(...await reachability(ctx, "API", endpoints.api + PATHS.discovery));
    checks.push(
      ...(await reachability(ctx, "Frontend", endpoints.frontend)).filter((c) =>
        c.name !== "Clock"
      ),
    );
  }
  checks.push(await loopbackBind(), browserCheck(ctx));
  if (flags.json) printJson(ctx, checks);
  else {
    for (const c of checks) {
      const tag = c.level === "ok"
        ? paint(ctx, ctx.stdout, "green", "ok     ")
        : c.level === "warning"
        ? paint(ctx, ctx.stdout, "yellow", "warning")
        : paint(ctx, ctx.stdout, "red", "problem");
      line(ctx.stdout, `${tag}  ${c.name}: ${c.detail}${c.fix ? ` → ${c.fix}` : ""}`);
    }
  }
  return checks.some((c) => c.level === "problem") ? EXIT.error : EXIT.ok;
}

function credentialsFile(ctx: Context): Check {
  const io = credentialsIo(ctx, () => {});
  const path = credentialsPath(io);
  const name = "Credentials file";
  let mode: number;
  try {
    const stat = ctx.fs.stat(path);
    if (!stat) {
      return { name, level: "warning", detail: `${path} does not exist`, fix: "almyty-auth login" };
    }
    mode = stat.mode;
    readCredentials(io);
  } catch (error) {
    return { name, level: "problem", detail: (error as Error).message };
  }
  if (ctx.fs.platform !== "win32" && (mode & 0o077) !== 0) {
    return {
      name,
      level: "problem",
      detail: `${path} has mode ${mode.toString(8)}; others can read your token`,
      fix: `chmod 600 ${path}`,
    };
  }
  return { name, level: "ok", detail: `${path} parses and is private (mode ${mode.toString(8)})` };
}

function envOverrides(ctx: Context): Check {
  const set = ["ALMYTY_TOKEN", "ALMYTY_URL", "ALMYTY_FRONTEND_URL"].filter((v) => ctx.env[v]);
  if (!set.length) return { name: "Environment", level: "ok", detail: "no ALMYTY_* overrides" };
  return {
    name: "Environment",
    level: ctx.env.ALMYTY_TOKEN ? "warning" : "ok",
    detail: `${set.join(", ")} set; ${
      ctx.env.ALMYTY_TOKEN ? "the credentials file is ignored" : "they override the file"
    }`,
    fix: ctx.env.ALMYTY_TOKEN ? "unset ALMYTY_TOKEN to use the saved login" : undefined,
  };
}

async function reachability(ctx: Context, label: string, url: string): Promise<Check[]> {
  const proxy = ctx.env.HTTPS_PROXY ?? ctx.env.https_proxy;
  const via = [
    proxy ? `via proxy ${proxy.replace(/\/\/[^@]*@/, "//")}` : "",
    ctx.env.DENO_CERT ? `CA from DENO_CERT=${ctx.env.DENO_CERT}` : "",
  ].filter(Boolean).join(", ");
  const started = ctx.now();
  try {
    const response = await ctx.fetch(url, {
      signal: AbortSignal.any([AbortSignal.timeout(10_000), ctx.signal]),
    });
    await response.body?.cancel();
    const elapsed = ctx.now() - started;
    const checks: Check[] = [{
      name: label,
      level: response.status >= 500 ? "problem" : "ok",
      detail: `${new URL(url).origin} answered ${response.status} in ${elapsed} ms${
        url.startsWith("https:") ? " over TLS" : " (loopback http)"
      }${via ? ` (${via})` : ""}`,
    }];
    const date = response.headers.get("date");
    if (date) {
      const skew = Math.round((ctx.now() - elapsed / 2 - Date.parse(date)) / 1000);
      checks.push(
        Math.abs(skew) > MAX_SKEW_SECONDS
          ? {
            name: "Clock",
            level: "warning",
            detail: `your clock is ${Math.abs(skew)} s ${
              skew > 0 ? "ahead of" : "behind"
            } the server`,
            fix: "sync the clock (e.g. timedatectl set-ntp true); codes expire early otherwise",
          }
          : {
            name: "Clock",
            level: "ok",
            detail: `within ${Math.max(1, Math.abs(skew))} s of the server`,
          },
      );
    }
    return checks;
  } catch (error) {
    const message = String((error as Error).message);
    const tls = /certificate|tls|ssl/i.test(message);
    return [{
      name: label,
      level: "problem",
      detail: `cannot reach ${new URL(url).origin}: ${message}${via ? ` (${via})` : ""}`,
      fix: tls
        ? "set DENO_CERT to your CA bundle if a proxy re-signs TLS"
        : "check the URL, your network, and HTTPS_PROXY/NO_PROXY",
    }];
  }
}

async function loopbackBind(): Promise<Check> {
  const { startListener } = await import("../login/listener.ts");
  try {
    const listener = startListener({
      mode: "code",
      state: "doctor",
      complete: () => Promise.reject(new Error("unused")),
    });
    const port = listener.port;
    await listener.close();
    return {
      name: "Loopback",
      level: "ok",
      detail: `can listen on 127.0.0.1 (tried port ${port})`,
    };
  } catch (error) {
    return {
      name: "Loopback",
      level: "problem",
      detail: `cannot listen on 127.0.0.1: ${(error as Error).message}`,
      fix: "browser login needs a local port; use `login --no-browser`",
    };
  }
}

function browserCheck(ctx: Context): Check {
  const choice = chooseOpener(ctx.env, ctx.fs.platform, ctx.osRelease());
  return "reason" in choice
    ? {
      name: "Browser",
      level: "warning",
      detail: `none will be opened because ${choice.reason}`,
      fix: "login uses the headless flow; set BROWSER to force one",
    }
    : { name: "Browser", level: "ok", detail: `will open with ${choice.name}` };
}
