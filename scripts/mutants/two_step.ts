/**
 * Mutants of the two-step login (issue 18): what must never happen to a
 * pending login, and the device code that is never shown.
 * @module
 */
import type { Mutant } from "./mutant.ts";

const TESTS = ["tests/two_step_test.ts"];

/** See scripts/mutants/mutant.ts for the fields. */
export const mutants: Mutant[] = [
  {
    rule: "a two-step login's 'start again' hint keeps the API it was at",
    file: "src/cli/login_two_step.ts",
    find: 'loginCommand({ login: run, ...where }, "--no-wait");',
    replace: 'loginCommand({ login: run }, "--no-wait");',
    tests: TESTS,
    filter: "denied → 1",
  },
  {
    rule: "an unreadable pending file's fixes name its own profile",
    file: "src/login/pending.ts",
    find: "  const login = { login: { profile } };",
    replace: "  const login = { login: null };",
    tests: TESTS,
    filter: "names the fixes for its own profile",
  },
  {
    rule: "a --continue wait that runs out never deletes the pending login",
    file: "src/login/two_step.ts",
    find:
      'if (answered && due >= deadline) return { kind: "pending", pending: seen, lastFailure };',
    replace:
      'if (answered && due >= deadline) { removePending(io, options.profile); return { kind: "pending", pending: seen, lastFailure }; }',
    tests: TESTS,
    filter: "--continue --wait that runs out",
  },
  {
    rule: "a --continue wait that stops never cancels the code at the server",
    file: "src/login/two_step.ts",
    find:
      'if (answered && due >= deadline) return { kind: "pending", pending: seen, lastFailure };',
    replace:
      'if (answered && due >= deadline) return (await retire(ctx, seen, options.targetFor(seen)), { kind: "pending", pending: seen, lastFailure });',
    tests: TESTS,
    filter: "--continue --wait that runs out",
  },
  {
    rule: "--no-wait never polls",
    file: "src/login/two_step.ts",
    find: 'return { kind: "started", pending, replaced };',
    replace:
      'await pollDevice(ctx, apiFor(ctx, target), { token: endpoints.token }, device.deviceCode, { waitSeconds: 0, expiresAt: device.expiresAt }).catch(() => {});\n  return { kind: "started", pending, replaced };',
    tests: TESTS,
    filter: "--no-wait --json",
  },
  {
    rule: "the device code is never printed (--json has no device_code)",
    file: "src/cli/login_two_step.ts",
    find: "    user_code: pending.userCode,\n",
    replace: "    user_code: pending.userCode,\n    device_code: pending.deviceCode,\n",
    tests: TESTS,
    filter: "--no-wait --json",
  },
  {
    rule: "--continue uses the API the login started with, never the environment's",
    file: "src/cli/login_two_step.ts",
    find: "{ api: pending.api, frontend: pending.frontend, profile: pending.profile },",
    replace: "{ profile: pending.profile },",
    tests: TESTS,
    filter: "never ALMYTY_URL",
  },
  {
    rule: "the token response is kept before the save: a crash is finished by the next --continue",
    file: "src/login/two_step.ts",
    find:
      "writePending(io, approved); // before the credentials: a crash now is finished next time",
    replace: "",
    tests: ["tests/two_step_guards_test.ts"],
  },
  {
    rule: "separate --continue runs keep the server's interval",
    file: "src/login/two_step.ts",
    find: "const due = Math.max(lastPoll + pollInterval(seen.interval) * 1000, retryAt);",
    replace: "const due = retryAt;",
    tests: TESTS,
    filter: "separate --continue runs",
  },
  {
    rule: "slow_down is kept for later runs",
    file: "src/login/two_step.ts",
    find: "interval: outcome.slowDown ? pollInterval(current.interval + 5) : current.interval,",
    replace: "interval: current.interval,",
    tests: TESTS,
    filter: "slow_down is no answer",
  },
  {
    rule: "--restart cancels the code it replaces",
    file: "src/login/two_step.ts",
    find: "  const server = await retire(ctx, replaced, options.targetFor(replaced));\n",
    replace: '  const server = "not-told" as const;\n',
    tests: TESTS,
    filter: "--restart starts over",
  },
  {
    rule: "--cancel tells the server",
    file: "src/login/two_step.ts",
    find:
      "= pending && !pending.grant\n    ? await retire(ctx, pending, options.targetFor(pending))\n",
    replace: "= false\n    ? await retire(ctx, pending!, options.targetFor(pending!))\n",
    tests: TESTS,
    filter: "--cancel: the server hears it",
  },
  {
    rule: "a denied pending login is forgotten",
    file: "src/login/two_step.ts",
    find: '    case "denied":\n      removePending(io, options.profile);\n',
    replace: '    case "denied":\n',
    tests: TESTS,
    filter: "denied → 1",
  },
  {
    rule: "a pending login the server no longer knows is forgotten",
    file: "src/login/two_step.ts",
    find: '    case "gone":\n      removePending(io, options.profile);\n',
    replace: '    case "gone":\n',
    tests: TESTS,
    filter: "a code the server no longer knows",
  },
  {
    rule: "an expired pending login is forgotten",
    file: "src/login/two_step.ts",
    find: "  if (codeExpired(current, ctx.now())) {\n    removePending(io, options.profile);\n",
    replace: "  if (codeExpired(current, ctx.now())) {\n",
    tests: TESTS,
    filter: "expired → 1",
  },
  {
    rule: "a pending file is never read through a symlink",
    file: "src/login/pending.ts",
    find: "if (io.fs.lstat(path)?.isSymlink) {",
    replace: "if (false) {",
    tests: TESTS,
    filter: "the pending file is trusted like the credentials",
  },
  {
    rule: "a pending file of another user is not trusted",
    file: "src/login/pending.ts",
    find: "  checkOwner(io.fs, file.facts, path, path);\n",
    replace: "",
    tests: TESTS,
    filter: "the pending file is trusted like the credentials",
  },
  {
    rule: "a pending file in a folder others can write is not trusted",
    file: "src/login/pending.ts",
    find: "    checkFolders(io, path);\n    if (io.fs.lstat(path)?.isSymlink) {",
    replace: "    if (io.fs.lstat(path)?.isSymlink) {",
    tests: TESTS,
    filter: "the pending file is trusted like the credentials",
  },
  {
    rule: "a pending file of a newer version is refused",
    file: "src/login/pending.ts",
    find: 'if (typeof value.version === "number" && value.version > PENDING_VERSION) {',
    replace: "if (false) {",
    tests: TESTS,
    filter: "the pending file is trusted like the credentials",
  },
  {
    rule: "logout forgets the pending login of the login it logs out of",
    file: "src/cli/logout.ts",
    find: "    if (!ctx.fs.lstat(path)) continue;",
    replace: "    continue;",
    tests: TESTS,
    filter: "logout forgets",
  },
  {
    rule: "an agent without a terminal gets --no-wait from a plain login",
    file: "src/cli/agent.ts",
    find: "return AGENT_VARIABLES.find((name) => switchedOn(env[name])) ?? null;",
    replace: "return null;",
    tests: TESTS,
    filter: "agents:",
  },
  {
    rule: "two --continue at once save once (each poll and save under the lock)",
    file: "src/login/two_step.ts",
    find: "const step: Step = await options.lock(path, () => poll(ctx, options, before));",
    replace: "const step: Step = await poll(ctx, options, before);",
    tests: ["tests/two_step_process_test.ts"],
    filter: "polls only under the pending login's lock",
  },
  {
    rule: "slow_down is no answer: a single --continue check asks again after the longer interval",
    file: "src/login/two_step.ts",
    find: "answered ||= slowDowns === 0 || slowDowns >= MAX_SLOW_DOWNS;",
    replace: "answered = true;",
    tests: TESTS,
    filter: "slow_down is no answer",
  },
  {
    rule:
      "--continue never uses the long-poll (a held poll of a killed process would take the key)",
    file: "src/login/two_step.ts",
    find: "{ token: current.tokenEndpoint },\n      current.deviceCode,\n      { waitSeconds: 0,",
    replace:
      '{ token: current.tokenEndpoint, longPoll: { parameter: "almyty_wait", maxSeconds: 20 } },\n      current.deviceCode,\n      { waitSeconds: 20,',
    tests: TESTS,
    filter: "--continue --wait: approval during the wait",
  },
  {
    rule: "agent detection applies only when stdin is not a terminal",
    file: "src/cli/login.ts",
    find: "return ctx.stdin.isTerminal ? null : detectAgent(ctx.env);",
    replace: "return detectAgent(ctx.env);",
    tests: TESTS,
    filter: "agents:",
  },
  {
    rule: "--wait-for-approval makes an agent's login wait",
    file: "src/cli/login.ts",
    find: '  if (flags["wait-for-approval"]) return { kind: "interactive" };\n',
    replace: "",
    tests: TESTS,
    filter: "agents:",
  },
  {
    rule: "--continue --api that is not the pending login's API is refused",
    file: "src/cli/login_two_step.ts",
    find: "if (pending && api !== undefined && api !== pending.api) {",
    replace: "if (false) {",
    tests: TESTS,
    filter: "never ALMYTY_URL",
  },
  {
    rule: "a server without discovery is 'unsupported' and nothing is written",
    file: "src/login/two_step.ts",
    find: '  if (!endpoints?.device) return { kind: "unsupported", target };\n',
    replace: "",
    tests: TESTS,
    filter: "without the device flow",
  },
  {
    rule: "the pending file is 0600 in a 0700 folder, written atomically",
    file: "src/login/pending_write.ts",
    find: "  return writePrivateJson(pending, path, io);",
    replace:
      '  Deno.mkdirSync(path.slice(0, path.lastIndexOf("/")), { recursive: true }); Deno.writeTextFileSync(path, JSON.stringify(pending, null, 2) + "\\n"); return path;',
    tests: TESTS,
    filter: "--no-wait --json",
  },
  {
    rule: "a replaced pending login is cancelled, or its unsaved key revoked, at its own API only",
    file: "src/login/two_step.ts",
    find: "const server = await retire(ctx, replaced, options.targetFor(replaced));",
    replace: "const server = await retire(ctx, replaced, target);",
    tests: TESTS,
    filter: "retires the old pending login at its own API",
  },
  {
    rule: "--continue saves to the pending login's own profile, never another login's file",
    file: "src/cli/login_two_step.ts",
    find: "{ api: pending.api, frontend: pending.frontend, profile: pending.profile },",
    replace: "{ api: pending.api, frontend: pending.frontend },",
    tests: TESTS,
    filter: "profiles:",
  },
  {
    rule:
      "a --continue stopped by Ctrl-C while it saves keeps the pending login and its approved key",
    file: "src/login/two_step.ts",
    find: 'return ctx.signal.aborted || (error as Error)?.name === "AbortError" ||',
    replace: "return false ||",
    tests: TESTS,
    filter:
      "/stopped while it waits for the login file's lock \\(Ctrl-C\\)|interrupted while it checks/",
  },
  {
    rule:
      "a --continue whose save waited a minute for the login file's lock keeps the pending login and its approved key",
    file: "src/login/two_step.ts",
    find: "    error instanceof LoginLockTimeout;",
    replace: "    false;",
    tests: TESTS,
    filter: "the lock's one-minute timeout",
  },
  {
    rule: "a stopped --continue says the approved login is kept and how to save it",
    file: "src/cli/login_two_step.ts",
    find: "throw kept ? keptNote(ctx, run, error, kept) : error;",
    replace: "throw error;",
    tests: TESTS,
    filter: "the lock's one-minute timeout",
  },
  {
    rule:
      "Ctrl-C during the replaced key's revocation never revokes the key just saved, and names the old key",
    file: "src/cli/save_login.ts",
    find: 'const interrupted = (error as Error)?.name === "AbortError";',
    replace: "const interrupted = false;",
    tests: TESTS,
    filter: "replaced key is revoked stops only that",
  },
  {
    rule: "status names a two-step login waiting for the login it shows",
    file: "src/cli/status.ts",
    find: "envToken || profile === null ? null : await pendingNote(ctx, profile);",
    replace: "null;",
    tests: TESTS,
    filter: "status and whoami name a two-step login",
  },
  {
    rule: "whoami names a two-step login waiting for the login it shows",
    file: "src/cli/whoami.ts",
    find: "  if (pending) line(ctx.stdout, `Pending: ${pending.text}`);",
    replace: "",
    tests: TESTS,
    filter: "status and whoami name a two-step login",
  },
  {
    rule: "whoami without a login names the two-step login that would give it one",
    file: "src/cli/whoami.ts",
    find: "throw await withPending(ctx, error,",
    replace: "throw error; await withPending(ctx, error,",
    tests: TESTS,
    filter: "status and whoami name a two-step login",
  },
  {
    rule: "the --continue that status and whoami name keeps the pending login's --api",
    file: "src/cli/pending_note.ts",
    find: "const place = { login: { profile }, api: pending.api };",
    replace: "const place = { login: { profile } };",
    tests: TESTS,
    filter: "status and whoami name a two-step login",
  },
  {
    rule: "--continue waits a minute at most for a pending file's interval",
    file: "src/login/two_step.ts",
    find: "const due = Math.max(lastPoll + pollInterval(seen.interval) * 1000, retryAt);",
    replace: "const due = Math.max(lastPoll + seen.interval * 1000, retryAt);",
    tests: TESTS,
    filter: "more than a minute",
  },
  {
    rule: "slow_down lengthens a pending login's interval up to a minute, no more",
    file: "src/login/two_step.ts",
    find: "interval: outcome.slowDown ? pollInterval(current.interval + 5) : current.interval,",
    replace: "interval: outcome.slowDown ? current.interval + 5 : current.interval,",
    tests: TESTS,
    filter: "more than a minute",
  },
  {
    rule:
      "--cancel revokes an approved, unsaved key only under the pending login's lock (a --continue may be saving it)",
    file: "src/login/two_step.ts",
    find: "= pending && !pending.grant\n    ? await retire(",
    replace: "= pending\n    ? await retire(",
    tests: TESTS,
    filter: "while a --continue saves the approval",
  },
  {
    rule: "--cancel that finds the login finished meanwhile says so, and cancels nothing",
    file: "src/login/two_step.ts",
    find: "    if (pending && !now) finished = pending;\n",
    replace: "    if (false) finished = pending;\n",
    tests: TESTS,
    filter: "while a --continue saves the approval",
  },
  {
    rule: "--cancel of a login approved but never saved revokes the key it holds",
    file: "src/login/two_step.ts",
    find: "      else if (now?.grant) server = await retire(ctx, now, options.targetFor(now));",
    replace:
      "      else if (now?.grant && !pending?.grant) {\n        server = await retire(ctx, now, options.targetFor(now));\n      }",
    tests: TESTS,
    filter: "approved but never saved",
  },
  {
    rule:
      "logout forgets the pending login before the login file: what a --continue saved meanwhile is logged out too",
    file: "src/cli/logout.ts",
    find: "  await forgetPendingLogins(ctx, pending);\n" +
      '  if (!choices.length) line(ctx.stderr, "Not logged in; there is no login to remove.");\n' +
      "  const dead: string[] = []; // the keys this logout revoked (or found revoked)\n" +
      "  for (const choice of choices) await logoutOf(ctx, choice, dead);\n",
    replace:
      '  if (!choices.length) line(ctx.stderr, "Not logged in; there is no login to remove.");\n' +
      "  const dead: string[] = []; // the keys this logout revoked (or found revoked)\n" +
      "  for (const choice of choices) await logoutOf(ctx, choice, dead);\n" +
      "  await forgetPendingLogins(ctx, pending);\n",
    tests: TESTS,
    filter: "logout while a --continue saves",
  },
  {
    rule: "a two-step flag conflict names the fix: run it without the flag",
    file: "src/cli/login.ts",
    find:
      "      throw usage(`--${other} does not go with --${step}${hint}: run it without --${other}.`);",
    replace: "      throw usage(`--${other} does not go with --${step}${hint}.`);",
    tests: TESTS,
    filter: "two-step usage errors",
  },
  {
    rule:
      "--api or --frontend beside --continue/--cancel says the pending login keeps where it started",
    file: "src/cli/login.ts",
    find: '        : (other === "api" || other === "frontend") && step !== "no-wait"\n',
    replace: '        : (other === "api" || other === "frontend") && step === "no-wait"\n',
    tests: TESTS,
    filter: "two-step usage errors",
  },
  {
    rule: "an expired pending login shown by status/whoami: starting again keeps --frontend",
    file: "src/cli/pending_note.ts",
    find:
      '    const nextStep = loginCommand({ ...place, frontend: pending.frontend }, "--no-wait");',
    replace: '    const nextStep = loginCommand(place, "--no-wait");',
    tests: TESTS,
    filter: "an expired pending login shown",
  },
];
