/**
 * The main job, end to end on one machine: start the reference server,
 * log in with the real CLI (headless flow, approved by the demo server's
 * --auto-approve), then `whoami`. Uses a temp HOME unless --home is given.
 * @module
 */
import { permissionFlags } from "../src/permissions.ts";
import { startServer } from "../src/server/app.ts";

const homeFlag = Deno.args.indexOf("--home");
const home = homeFlag >= 0
  ? Deno.args[homeFlag + 1]
  : Deno.makeTempDirSync({ prefix: "almyty-demo-" });
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
      new URL("../main.ts", import.meta.url).pathname,
      ...args,
    ],
    env: { HOME: home, ALMYTY_TOKEN: "", ALMYTY_URL: "" },
    stdin: "null",
  }).spawn();
  return (await child.status).code;
}

let code = await cli("login", "--no-browser", "--api", server.url);
if (code === 0) code = await cli("whoami");
if (code === 0) code = await cli("status", "--offline");
await server.close();
console.log(code === 0 ? "\ndemo: ok" : `\ndemo: failed (exit ${code})`);
Deno.exit(code);
