/** `almyty-auth env`'s quoting, shell by shell (real sh, bash, zsh and fish run it in profiles_e2e_test.ts). */
import { assertEquals } from "../helpers/assert.ts";
import { render, unsetLines } from "../../src/cli/env.ts";

const VARS = {
  ALMYTY_TOKEN: `almyty_a'b"c$d\`e\\f`,
  ALMYTY_URL: "https://api.staging.almyty.com",
  ALMYTY_FRONTEND_URL: "https://app.staging.almyty.com",
  ALMYTY_PROFILE: "staging",
};

Deno.test("env renders every variable quoted for sh, fish, PowerShell and JSON", () => {
  assertEquals(render("sh", VARS).split("\n")[0], `export ALMYTY_TOKEN='almyty_a'\\''b"c$d\`e\\f'`);
  assertEquals(
    render("fish", VARS).split("\n")[0],
    `set -gx ALMYTY_TOKEN 'almyty_a\\'b"c$d\`e\\\\f'`,
  );
  assertEquals(
    render("powershell", VARS).split("\n")[0],
    `$env:ALMYTY_TOKEN = 'almyty_a''b"c$d\`e\\f'`,
  );
  assertEquals(JSON.parse(render("json", VARS)), VARS);
  for (const shell of ["sh", "fish", "powershell"] as const) {
    assertEquals(render(shell, VARS).trimEnd().split("\n").length, 4, shell);
  }
  assertEquals(
    unsetLines("powershell").split("\n")[0],
    "Remove-Item Env:ALMYTY_TOKEN -ErrorAction SilentlyContinue",
  );
  assertEquals(unsetLines("fish").split("\n")[3], "set -e ALMYTY_PROFILE");
});
