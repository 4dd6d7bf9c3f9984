/**
 * `deno task server`: runs the reference server until Ctrl-C or SIGTERM.
 *
 * @example
 * ```sh
 * deno task server --port 8080 --user bob@example.com:bob-password:bobco
 * ```
 * @module
 */
import { parseArgs } from "node:util";
import { SHUTDOWN_DEADLINE_MS, withDeadline } from "../platform/deadline.ts";
import { isLoopbackHost } from "../protocol/urls.ts";
import { DEMO_USERS, startServer } from "./app.ts";
import { PRODUCTION_REQUEST_LIMIT } from "./context.ts";

/** The seeded accounts, one a line: the help and the start banner name them. */
const DEMO_ACCOUNTS =
  DEMO_USERS.map((u) =>
    `  ${u.email.padEnd(20)} password ${u.password.padEnd(16)} organizations: ${u.orgs.join(", ")}`
  ).join("\n") +
  "\n  alice has one organization, so her keys are tied to it; carol has two, so hers" +
  "\n  are tied to none.";

const USAGE = `Usage: deno task server [options]

  --port N             port to listen on (default 8080; 0 picks a free one)
  --host ADDR          address to bind (default 127.0.0.1)
  --user E:P:ORGS      add an account (repeatable); ORGS: names, comma-separated
  --rate-limit N       requests a minute per client (default ${PRODUCTION_REQUEST_LIMIT}, as production)
  --key-lifetime D     CLI keys expire in D days (default: never, as production)
  --data FILE          persist accounts and keys in FILE (JSON, 0600)
  --legacy             like today's production: no discovery, only /cli-login
  --auto-approve       approve every login as the first account (demos only)
  --device-interval S  device polling interval in seconds (default 5)
  -h, --help           this help

Demo accounts (always seeded):
${DEMO_ACCOUNTS}`;

function fail(message: string): never {
  console.error(`error: ${message}\n\n${USAGE}`);
  Deno.exit(2);
}

let args;
try {
  args = parseArgs({
    args: Deno.args,
    strict: true,
    options: {
      port: { type: "string", default: "8080" },
      host: { type: "string", default: "127.0.0.1" },
      user: { type: "string", multiple: true, default: [] },
      data: { type: "string" },
      legacy: { type: "boolean", default: false },
      "auto-approve": { type: "boolean", default: false },
      "device-interval": { type: "string" },
      "rate-limit": { type: "string" },
      "key-lifetime": { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  }).values;
} catch (error) {
  fail((error as Error).message);
}
if (args.help) {
  console.log(USAGE);
  Deno.exit(0);
}
const port = Number(args.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be 0–65535`);
for (const spec of args.user) {
  if (spec.split(":").length !== 3) fail(`--user takes email:password:org, got "${spec}"`);
}
if (!isLoopbackHost(args.host)) {
  console.error(
    `WARNING: listening on ${args.host}: anyone who can reach it can sign in with the demo ` +
      `accounts and their published passwords (${
        DEMO_USERS.map((u) => `${u.email} / ${u.password}`).join(", ")
      }). Use --host 127.0.0.1 unless that is what you want.`,
  );
}
if (args["auto-approve"]) {
  if (!isLoopbackHost(args.host)) fail("--auto-approve refuses to run on a non-loopback --host");
  console.error(
    `WARNING: --auto-approve is on: every login is approved as ${
      DEMO_USERS[0].email
    } without asking.`,
  );
}
const requestLimit = args["rate-limit"] === undefined ? undefined : Number(args["rate-limit"]);
if (requestLimit !== undefined && !(Number.isInteger(requestLimit) && requestLimit > 0)) {
  fail("--rate-limit must be a whole number > 0");
}
const lifetimeDays = args["key-lifetime"] === undefined ? undefined : Number(args["key-lifetime"]);
if (lifetimeDays !== undefined && !(lifetimeDays > 0)) {
  fail("--key-lifetime must be a number of days > 0");
}
const interval = args["device-interval"] === undefined
  ? undefined
  : Number(args["device-interval"]);
if (interval !== undefined && !(interval >= 0)) fail("--device-interval must be a number ≥ 0");

try {
  const server = await startServer({
    port,
    hostname: args.host,
    users: args.user,
    dataFile: args.data,
    legacy: args.legacy,
    autoApprove: args["auto-approve"],
    deviceInterval: interval,
    requestLimit,
    keyLifetimeSeconds: lifetimeDays === undefined ? undefined : Math.round(lifetimeDays * 86400),
  });
  console.log(
    `almyty reference server listening on ${server.url}\n` +
      (args.legacy
        ? "--legacy: like almyty's production today, no discovery document and no headless\n" +
          "login: logins go through its /cli-login page.\n"
        : "") +
      `Sign in on its pages with a demo account:\n${DEMO_ACCOUNTS}` +
      (args["auto-approve"]
        ? ""
        // From a checkout, where almyty-auth is not installed, `deno task cli` is the CLI.
        : `\nLog in from a terminal: almyty-auth login --api ${server.url}\n` +
          `  (from this checkout: deno task cli login --api ${server.url})`),
  );
  const stop = async () => {
    // Requests still in flight get a moment, not forever (a stalled upload would hold it).
    await withDeadline(server.close(), SHUTDOWN_DEADLINE_MS);
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGINT", stop);
  if (Deno.build.os !== "windows") Deno.addSignalListener("SIGTERM", stop);
} catch (error) {
  if (error instanceof Deno.errors.AddrInUse) {
    console.error(`error: port ${port} is in use; pick another with --port, or --port 0`);
  } else {
    console.error(`error: ${(error as Error).message}`);
  }
  Deno.exit(1);
}
