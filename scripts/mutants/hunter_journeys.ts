/**
 * Mutants of the rules the round-3 journeys hunt added: where a newcomer in
 * each setting (CI, SSH, WSL, a dev container, agents, npx) dead-ended.
 * @module
 */
import type { Mutant } from "./mutant.ts";

/** See scripts/mutants/mutant.ts for the fields. */
export const mutants: Mutant[] = [
  {
    rule:
      "today's production in a CI job without a terminal: login stops at once with the API key way",
    file: "src/login/engine.ts",
    find: '    if (opener.kind === "headless" && unattendedCi(ctx.env, Boolean(ui.readPaste))) {',
    replace: "    if (false) {",
    tests: ["tests/flows_test.ts"],
    filter: "CI job without a terminal",
  },
  {
    rule: "a CI job with a terminal is attended: the hand-off still waits for a pasted address",
    file: "src/login/browser.ts",
    find: "  return switchedOn(env.CI) && !terminal;",
    replace: "  return switchedOn(env.CI);",
    tests: ["tests/flows_test.ts"],
    filter: "CI job without a terminal",
  },
  {
    rule: "doctor in a CI job without a terminal says login against production stops at once",
    file: "src/cli/doctor.ts",
    find: "  if (target && discovery === 404 && unattendedCi(ctx.env, ctx.stdin.isTerminal)) {",
    replace: "  if (false) {",
    tests: ["tests/flows_test.ts"],
    filter: "CI job without a terminal",
  },
  {
    rule: "doctor --api naming the saved login's own API checks the saved key there",
    file: "src/cli/doctor.ts",
    find: "      : saved && sameServiceUrl(saved.api, target.api)\n",
    replace: "      : saved && false\n",
    tests: ["tests/flows_test.ts"],
    filter: "doctor --api naming the saved login's own API",
  },
  {
    rule:
      "an issuer at another loopback name of the same port names the login at the published one",
    file: "src/login/discovery.ts",
    find: "        (sameLoopbackPort(new URL(issuer), new URL(target.api))",
    replace: "        (false",
    tests: ["tests/oauth_protocol_test.ts"],
    filter: "--api http://localhost:<port>",
  },
  {
    rule: "another port of this machine is another server: no way around the issuer refusal",
    file: "src/login/discovery.ts",
    find: "    a.port === b.port && ",
    replace: "    ",
    tests: ["tests/oauth_protocol_test.ts"],
    filter: "mix-up: a hostile API",
  },
  {
    rule: "logout says ALMYTY_TOKEN holding the key it just revoked is dead, with what env set",
    file: "src/cli/logout.ts",
    find: "  if (inherited && dead.includes(inherited)) {",
    replace: "  if (false) {",
    tests: ["tests/flows_test.ts"],
    filter: "logout in a shell that `env` handed",
  },
  {
    rule: "logout's ALMYTY_TOKEN is dead only when it is the key logout revoked",
    file: "src/cli/logout.ts",
    find: "  if (inherited && dead.includes(inherited)) {",
    replace: "  if (inherited) {",
    tests: ["tests/flows_test.ts"],
    filter: "logout in a shell that `env` handed",
  },
  {
    rule: "a re-login over a key it may not revoke says the key stays valid and where to revoke it",
    file: "src/cli/save_login.ts",
    find: "      else keepReplaced(ctx, previous, path, name);\n",
    replace: "",
    tests: ["tests/flows_test.ts"],
    filter: "replaces a key it may not revoke",
  },
  {
    rule: "a replaced key another login still uses is not offered for revocation",
    file: "src/cli/save_login.ts",
    find: "  if (held) return; // said, and another login uses it: not one to revoke\n",
    replace: "",
    tests: ["tests/flows_test.ts"],
    filter: "replaces a key it may not revoke",
  },
  {
    rule: "the ignored ALMYTY_URL's 'log in there' keeps the login's --profile",
    file: "src/runtime/connect.ts",
    find: "      loginCommand({ api: url, login: target.login })",
    replace: "      loginCommand({ api: url })",
    tests: ["tests/profiles_test.ts"],
    filter: "two reference servers as two environments",
  },
  {
    rule: "a pasted address of another login points at the URL printed (nothing may have opened)",
    file: "src/login/code_flow.ts",
    find: "finish the login from the page the CLI opened or the URL it printed.",
    replace: "finish the login from the page it opened.",
    tests: ["tests/login_ux_test.ts"],
    filter: "opener: a forwarder",
  },
  {
    rule: "the reference server on a wildcard address advertises its loopback origin",
    file: "src/server/app.ts",
    find:
      '        const bound = hostname === "0.0.0.0" || hostname === "::" ? "127.0.0.1" : hostname;',
    replace: "        const bound = hostname;",
    tests: ["tests/cli_test.ts"],
    filter: "the reference server warns when it listens beyond loopback",
  },
  {
    rule: "the installer tells bash on macOS to edit ~/.bash_profile, which its login shells read",
    file: "install.sh",
    find: '          if [ "$(uname -s)" = Darwin ]; then',
    replace: "          if false; then",
    tests: ["tests/packaging_test.ts"],
    filter: "install.sh names the startup file",
  },
  {
    rule: "a failed browser launch on WSL names the command that ran (rundll32.exe), not wslview",
    file: "src/login/browser.ts",
    find: "  const name = (command: string) => specs.length > 1 ? command : choice.name;",
    replace: "  const name = (_command: string) => choice.name;",
    tests: ["tests/login_process_test.ts"],
    filter: "on WSL, a browser that fails",
  },
  {
    rule: "no launcher started on WSL: every command tried is named",
    file: "src/login/browser.ts",
    find: 'name(specs.map((spec) => spec.command).join(" or "))',
    replace: "name(specs[0].command)",
    tests: ["tests/login_process_test.ts"],
    filter: "on WSL, a browser that fails",
  },
  {
    rule: "other CLIs' words (version, signin) get what does it here",
    file: "src/cli/parse.ts",
    find: "  if (guessed) return `Unknown command ${quoteTyped(word)}. ${guessed}`;\n",
    replace: "",
    tests: ["tests/login_ux_test.ts"],
    filter: "typos:",
  },
];
