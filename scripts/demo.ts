/**
 * The main job, end to end on one machine: start the reference server,
 * log in with the real CLI (headless flow, approved by the demo server's
 * --auto-approve), then `whoami`. Uses a temporary HOME, removed at the end,
 * unless --home is given.
 * @module
 */
import { join } from "node:path";
import { permissionFlags } from "../src/permissions.ts";
import { startServer } from "../src/server/app.ts";
import { scratchDir } from "../tests/helpers/scratch.ts";

const homeFlag = Deno.args.indexOf("--home");
const ownHome = homeFlag < 0;
// The temporary HOME holds a live key: it goes with the demo, however the demo ends.
const home = ownHome ? scratchDir("almyty-demo-") : Deno.args[homeFlag + 1];
// A signal would end the demo without `unload` (the HOME and its key would stay): it ends the
// CLI running now, then the demo through Deno.exit, which removes the HOME.
let running: Deno.ChildProcess | undefined;
for (const [signal, number] of [["SIGINT", 2], ["SIGTERM", 15], ["SIGHUP", 1]] as const) {
  Deno.addSignalListener(signal, async () => {
    try {
      running?.kill(signal);
      await running?.status;
    } catch { /* already gone */ }
    Deno.exit(128 + number);
  });
}
const server = await startServer({ port: 0, autoApprove: true, deviceInterval: 1 });
console.log(
  `reference server: ${server.url} (auto-approve: logins are approved as alice@example.com)`,
);
console.log(`HOME for this demo: ${home}\n`);

async function cli(...args: string[]): Promise<number> {
  console.log(`$ almyty-auth ${args.join(" ")}`);
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      ...permissionFlags(),
      join(import.meta.dirname!, "..", "main.ts"),
      ...args,
    ],
    env: { HOME: home, ALMYTY_TOKEN: "", ALMYTY_URL: "" },
    stdin: "null",
  }).spawn();
  running = child;
  return (await child.status).code;
}

let code = await cli("login", "--no-browser", "--api", server.url);
if (code === 0) code = await cli("whoami");
if (code === 0) code = await cli("status", "--offline");
await server.close();
console.log(code === 0 ? "\ndemo: ok" : `\ndemo: failed (exit ${code})`);
Deno.exit(code);
