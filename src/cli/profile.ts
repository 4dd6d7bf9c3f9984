/**
 * `almyty-auth profile list|save|use|bind|unbind|trust|untrust`: the named
 * logins and the folders that choose them. Never prints a token.
 *
 * @example
 * ```sh
 * almyty-auth profile list --check
 * almyty-auth profile bind staging ~/src/acme
 * ```
 * @module
 */
import { ApiError } from "../runtime/api_error.ts";
import type { CommandInput } from "../runtime/command.ts";
import { apiFor } from "../runtime/connect.ts";
import { type Context, credentialsIo } from "../runtime/context.ts";
import { CliError, EXIT } from "../runtime/errors.ts";
import { withLoginLock } from "../runtime/login_lock.ts";
import { type Column, columns, line, paint, printJson, warn } from "../runtime/output.ts";
import { describeOrganization } from "../runtime/account.ts";
import { fileTarget } from "../runtime/target.ts";
import { DEFAULT_API_URL } from "../protocol/constants.ts";
import { stripControl } from "../protocol/text.ts";
import { isKeyOrToken, quoteTyped } from "../protocol/tokens.ts";
import {
  checkProfileName,
  DEFAULT_PROFILE,
  describeLogin,
  listProfilesWith,
  loginPathWith,
  loginsHoldingKey,
  type ProfileInfo,
  readProfileWith,
} from "../credentials/profiles.ts";
import { writeDirectoryRecordWith, writeProfileWith } from "../credentials/write.ts";
import {
  directoriesPathWith,
  DIRECTORY_FILE,
  findBinding,
  readDirectoryFile,
  readDirectoryRecordWith,
} from "../credentials/directory.ts";
import { fsErrorText, loginCommand, shellWord } from "../credentials/fix_hints.ts";
import { joinPath } from "../credentials/fs.ts";
import { describeChoice, selectLoginWith } from "../credentials/select.ts";
import { type Credentials, CredentialsError } from "../credentials/types.ts";
import { otherToolsFields } from "./save_login.ts";

const SUBCOMMANDS: Record<
  string,
  (ctx: Context, args: string[], input: CommandInput) => Promise<number>
> = {
  list,
  save,
  use,
  bind,
  unbind,
  trust: (ctx, args) => trust(ctx, args, true),
  untrust: (ctx, args) => trust(ctx, args, false),
};

/**
 * Runs the command.
 *
 * @example
 * ```ts
 * import { denoContext } from "../runtime/deno_context.ts";
 * const ctx = { ...denoContext(new AbortController().signal), env: { HOME: Deno.makeTempDirSync() } };
 * await run(ctx, { flags: {}, positionals: ["list"] }); // 0
 * ```
 */
export function run(ctx: Context, input: CommandInput): Promise<number> {
  const [name = "list", ...args] = input.positionals;
  const subcommand = Object.hasOwn(SUBCOMMANDS, name) ? SUBCOMMANDS[name] : undefined;
  if (!subcommand) {
    throw new CliError(
      `Unknown subcommand ${quoteTyped(stripControl(name))}: use one of ${
        Object.keys(SUBCOMMANDS).join(", ")
      }.${
        REMOVING.has(name) ? ` To remove a login, log out of it: ${logoutCommand(args[0])}.` : ""
      }\nRun \`almyty-auth help profile\` for usage.`,
      EXIT.usage,
    );
  }
  if (name !== "list" && (input.flags.json || input.flags.check)) {
    throw new CliError(`--json and --check go with \`profile list\`.`, EXIT.usage);
  }
  return subcommand(ctx, args, input);
}

/** What people type to delete a login: logout does it (and revokes the key the login minted). */
const REMOVING = new Set(["rm", "remove", "delete", "del"]);

/** `logout` of the login named (a name only; anything else is left as `<name>`). */
function logoutCommand(name: string | undefined): string {
  let profile = "<name>";
  try {
    if (name !== undefined) profile = checkProfileName(name, "");
  } catch { /* not a name: never echoed */ }
  return `almyty-auth logout${profile === DEFAULT_PROFILE ? "" : ` --profile ${profile}`} ` +
    "(it revokes the key the login minted, then removes its file)";
}

function usage(message: string): CliError {
  return new CliError(`${message}\nRun \`almyty-auth help profile\` for usage.`, EXIT.usage);
}

function atMost(args: string[], count: number, form: string): void {
  if (args.length > count) usageFail(`Too many arguments: almyty-auth profile ${form}`);
}

function usageFail(message: string): never {
  throw usage(message);
}

/** A profile name given as an argument (`default` only where `allowDefault`). */
function nameArgument(value: string | undefined, form: string, allowDefault = true): string {
  if (value === undefined) usageFail(`Name the profile: almyty-auth profile ${form}`);
  const name = checkProfileName(value, `profile ${form.split(" ")[0]}`);
  if (!allowDefault && name === DEFAULT_PROFILE) {
    usageFail(`"default" is the default login itself; name a profile: almyty-auth profile ${form}`);
  }
  return name;
}

/** Which login applies here, and why, or the problem that stops every command here. */
function appliesHere(ctx: Context): { name: string | null; why: string } | { problem: string } {
  try {
    const selection = selectLoginWith(credentialsIo(ctx, () => {}));
    return selection.kind === "env-token"
      ? { name: null, why: "ALMYTY_TOKEN is set: it applies, not a saved login" }
      : { name: selection.profile, why: describeChoice(selection) };
  } catch (error) {
    if (!(error instanceof CredentialsError)) throw error;
    return { problem: error.message };
  }
}

async function list(ctx: Context, args: string[], { flags }: CommandInput): Promise<number> {
  atMost(args, 0, "list [--json] [--check]");
  const io = credentialsIo(ctx, () => {});
  const logins = listProfilesWith(io);
  const here = appliesHere(ctx);
  const checks = new Map<string, { ok: boolean; detail: string }>();
  if (flags.check) {
    for (const login of logins) checks.set(login.name, await check(ctx, login));
  }
  if (flags.json) {
    printJson(ctx, {
      profiles: logins.map((login) => ({
        name: login.name,
        email: login.email ?? null,
        organization: login.organization ?? null,
        url: login.url ?? (login.problem ? null : DEFAULT_API_URL),
        keyOrigin: login.keyOrigin ?? null,
        createdAt: login.createdAt ?? null,
        copyOf: login.copyOf ?? null,
        path: login.path,
        applies: "name" in here && here.name === login.name,
        problem: login.problem ?? null,
        ...(flags.check ? { check: checks.get(login.name) } : {}),
      })),
      applies: "problem" in here ? null : { name: here.name, why: here.why },
      problem: "problem" in here ? here.problem : null,
    });
  } else {
    printList(ctx, logins, here, checks);
  }
  return [...checks.values()].some((c) => !c.ok) ? EXIT.error : EXIT.ok;
}

function printList(
  ctx: Context,
  logins: ProfileInfo[],
  here: ReturnType<typeof appliesHere>,
  checks: Map<string, { ok: boolean; detail: string }>,
): void {
  if (!logins.length) {
    line(ctx.stdout, "No saved logins. Log in with: almyty-auth login [--profile <name>]");
  } else {
    const applies = (login: ProfileInfo) => "name" in here && here.name === login.name;
    const column = (header: string, cell: (login: ProfileInfo) => string) => [
      header,
      ...logins.map(cell),
    ];
    // On a narrow terminal: a login's age and its key's origin (both in --json) are left
    // out, then the notes go under their row, then the organization is left out and the
    // email cut; never the name and API (typed and copied).
    const width = ctx.stdout.isTerminal ? ctx.stdout.size?.()?.columns : undefined;
    const table: Column[] = [
      { cells: column(" ", (login) => applies(login) ? "*" : " ") },
      { cells: column("NAME", (login) => login.name) },
      {
        cells: column("EMAIL", (l) => l.problem ? "(unusable)" : stripControl(l.email ?? "?")),
        shrinks: true,
      },
      {
        cells: column(
          "ORGANIZATION",
          (login) => login.organization ? describeOrganization(login.organization as never) : "-",
        ),
        dropOrder: 4,
      },
      {
        cells: column("API", (l) => l.problem ? "-" : stripControl(l.url ?? DEFAULT_API_URL)),
      },
      { cells: column("KEY", (login) => login.keyOrigin ?? "-"), dropOrder: 2 },
      { cells: column("CREATED", (login) => login.createdAt?.slice(0, 10) ?? "-"), dropOrder: 1 },
      {
        cells: column("", (login) => login.copyOf ? `copy of ${login.copyOf}` : ""),
        dropOrder: 3,
        below: true,
      },
      {
        cells: column("", (login) => checks.get(login.name)?.detail ?? ""),
        dropOrder: 3,
        below: true,
      },
    ];
    for (const row of columns(table, width)) line(ctx.stdout, row);
    for (const login of logins.filter((l) => l.problem)) {
      line(ctx.stdout, `${login.name}: ${login.problem}`);
    }
  }
  if ("problem" in here) line(ctx.stdout, `Here: ${here.problem}`);
  else if (here.name === null) line(ctx.stdout, `Here: ${here.why}.`);
  else {
    const exists = logins.some((l) => l.name === here.name);
    line(
      ctx.stdout,
      `Here: ${here.name} applies (${here.why})${exists ? "" : ", but it is not logged in"}.`,
    );
  }
}

/** Verifies one login with its own key at its own API. */
async function check(ctx: Context, login: ProfileInfo): Promise<{ ok: boolean; detail: string }> {
  if (login.problem) return { ok: false, detail: "unusable file" };
  const io = credentialsIo(ctx, () => {});
  try {
    const credentials = readProfileWith(io, login.name)!;
    const target = fileTarget(credentials, login.path, { profile: login.name, source: "flag" });
    const account = await apiFor(ctx, target).profile();
    return { ok: true, detail: `ok: ${stripControl(String(account.email))}` };
  } catch (error) {
    if (error instanceof ApiError) {
      return { ok: false, detail: error.kind === "auth" ? "rejected (401)" : error.message };
    }
    if (error instanceof CredentialsError || (error as Error).name === "UrlRuleError") {
      return { ok: false, detail: (error as Error).message };
    }
    throw error;
  }
}

/** The fields of a login, without a copy's mark (what `save` and `use` copy). */
function loginFields(credentials: Credentials): Credentials {
  const { profile: _mark, ...fields } = credentials;
  return fields as Credentials;
}

async function save(ctx: Context, args: string[]): Promise<number> {
  atMost(args, 1, "save <name>");
  const name = nameArgument(args[0], "save <name>", false);
  const io = credentialsIo(ctx, () => {});
  const source = readProfileWith(io, DEFAULT_PROFILE);
  if (!source) {
    throw new CliError(
      `There is no default login to save. Log in first (${loginCommand({})}), or log in to the ` +
        `profile directly: ${loginCommand({ login: { profile: name } })}`,
      EXIT.auth,
    );
  }
  return await withLoginLock(ctx, loginPathWith(io, name), () => {
    const existing = readProfileWith(io, name);
    if (existing && existing.token !== source.token) {
      throw new CliError(
        `The profile ${name} already holds another login (${
          describeLogin(existing)
        }). Log out of ` +
          `it first (almyty-auth logout --profile ${name}), or choose another name.`,
        EXIT.error,
      );
    }
    const path = writeProfileWith(io, name, loginFields(source));
    line(
      ctx.stderr,
      paint(ctx, ctx.stderr, "green", "✓ ") +
        `Saved the default login (${describeLogin(source)}) as the profile ${name}: ${path}`,
    );
    line(
      ctx.stderr,
      `Use it with --profile ${name}, or: almyty-auth exec --profile ${name} -- <command>`,
    );
    return Promise.resolve(EXIT.ok);
  });
}

async function use(ctx: Context, args: string[]): Promise<number> {
  atMost(args, 1, "use <name>");
  const name = nameArgument(args[0], "use <name>", false);
  const io = credentialsIo(ctx, () => {});
  const chosen = readProfileWith(io, name);
  if (!chosen) {
    throw new CliError(
      `Profile "${name}" not found: log in to it first with ${
        loginCommand({ login: { profile: name } })
      }`,
      EXIT.auth,
    );
  }
  return await withLoginLock(ctx, loginPathWith(io, DEFAULT_PROFILE), () => {
    let current: Credentials | null = null;
    try {
      current = readProfileWith(io, DEFAULT_PROFILE);
    } catch (error) {
      if (!(error instanceof CredentialsError)) throw error;
      throw new CliError(
        `${error.message}\nNothing was changed; fix or remove the default login first.`,
        EXIT.error,
      );
    }
    if (
      current && current.token !== chosen.token &&
      loginsHoldingKey(io, current, DEFAULT_PROFILE).length === 0
    ) {
      throw new CliError(
        `The default login (${describeLogin(current)}) exists nowhere else: replacing it would ` +
          `lose it, its key still live. Save it first: almyty-auth profile save <name>`,
        EXIT.error,
      );
    }
    const path = writeProfileWith(io, DEFAULT_PROFILE, {
      ...otherToolsFields(current),
      ...loginFields(chosen),
      profile: name,
    });
    line(
      ctx.stderr,
      paint(ctx, ctx.stderr, "green", "✓ ") +
        `The default login (${path}, what almyty's other CLIs read) is now a copy of ${name} ` +
        `(${describeLogin(chosen)}).`,
    );
    line(
      ctx.stderr,
      "Every process shares the default login: for agents or shells that run at the same time, " +
        `use almyty-auth exec --profile ${name} -- <command>, --profile or ALMYTY_PROFILE instead.`,
    );
    return Promise.resolve(EXIT.ok);
  });
}

/** An absolute folder, symlinks resolved (the walk sees the same path). */
function folderArgument(ctx: Context, value: string | undefined): string {
  // An empty argument (`"$DIR"` with DIR unset) names no folder; the file system would only say EIO.
  if (value === "") {
    usageFail('The folder is "" (empty): name one, or leave it out for this folder.');
  }
  let given = value;
  if (given === undefined) {
    try {
      given = ctx.fs.cwd();
    } catch (error) {
      // Removed since the shell went there, or a path Deno cannot name (not UTF-8).
      throw new CliError(
        `Cannot use the working folder: ${fsErrorText(error)}. Change to a folder that exists, ` +
          "or name the folder in the command.",
      );
    }
  }
  // A key typed where the folder goes (`profile trust $KEY`) is named as one, never shown.
  const shown = isKeyOrToken(given) ? quoteTyped(given) : stripControl(given);
  let dir;
  try {
    dir = ctx.fs.realPath(given);
  } catch (error) {
    throw new CliError(`Cannot use the folder ${shown}: ${fsErrorText(error)}.`, EXIT.usage);
  }
  if (!ctx.fs.stat(dir)?.isDirectory) throw usage(`${shown} is not a folder.`);
  return dir;
}

/** Changes `~/.almyty/directories.json` under its lock. */
async function changeRecord(
  ctx: Context,
  change: (record: ReturnType<typeof readDirectoryRecordWith>) => string | null,
): Promise<number> {
  const io = credentialsIo(ctx, () => {});
  return await withLoginLock(ctx, directoriesPathWith(io), () => {
    const record = readDirectoryRecordWith(io);
    const message = change(record);
    if (message !== null) {
      writeDirectoryRecordWith(io, record);
      line(ctx.stderr, message);
    }
    return Promise.resolve(EXIT.ok);
  });
}

/** Warns when `name` has no login yet. */
function warnIfMissing(ctx: Context, name: string): void {
  let exists = false;
  try {
    exists = readProfileWith(credentialsIo(ctx, () => {}), name) !== null;
  } catch {
    exists = true; // unusable, but there: reported when used
  }
  if (!exists) {
    warn(
      ctx,
      `there is no login named ${name} yet: ${loginCommand({ login: { profile: name } })}`,
    );
  }
}

function bind(ctx: Context, args: string[]): Promise<number> {
  atMost(args, 2, "bind <name> [dir]");
  const name = nameArgument(args[0], "bind <name> [dir]");
  const dir = folderArgument(ctx, args[1]);
  return changeRecord(ctx, (record) => {
    record.bindings[dir] = name;
    warnIfMissing(ctx, name);
    return paint(ctx, ctx.stderr, "green", "✓ ") +
      `${dir} and the folders in it use the login ${name} (unless --profile or ALMYTY_PROFILE says otherwise).`;
  });
}

function unbind(ctx: Context, args: string[]): Promise<number> {
  atMost(args, 1, "unbind [dir]");
  const dir = folderArgument(ctx, args[0]);
  return changeRecord(ctx, (record) => {
    if (record.bindings[dir] === undefined) {
      const above = findBinding(record, dir, ctx.fs.platform);
      line(
        ctx.stderr,
        above
          ? `${dir} has no binding of its own; it uses ${above.profile} through ${above.dir} (almyty-auth profile unbind ${
            shellWord(above.dir, ctx.fs.platform)
          }).`
          : `${dir} has no binding; nothing to remove.`,
      );
      return null;
    }
    const name = record.bindings[dir];
    delete record.bindings[dir];
    return `Removed the binding of ${dir} (it used ${name}).`;
  });
}

function trust(ctx: Context, args: string[], trusted: boolean): Promise<number> {
  atMost(args, 1, `${trusted ? "trust" : "untrust"} [dir]`);
  const dir = folderArgument(ctx, args[0]);
  const path = joinPath(ctx.fs.platform, dir, DIRECTORY_FILE);
  const io = credentialsIo(ctx, () => {});
  return changeRecord(ctx, (record) => {
    if (!trusted) {
      if (record.trusted[path] === undefined) {
        line(ctx.stderr, `${path} was not trusted; nothing to remove.`);
        return null;
      }
      delete record.trusted[path];
      return `${path} is no longer trusted: commands in ${dir} refuse it until you trust it again.`;
    }
    if (!ctx.fs.lstat(path)) {
      throw new CliError(
        `There is no ${DIRECTORY_FILE} in ${dir}. To choose a login for a folder without a file ` +
          `in it, bind one: almyty-auth profile bind <name> ${shellWord(dir, ctx.fs.platform)}`,
        EXIT.error,
      );
    }
    const file = readDirectoryFile(io, path); // every check a repository's file must pass
    record.trusted[path] = file.sha256;
    warnIfMissing(ctx, file.profile);
    const asserts = [
      file.api ? `its API must be ${stripControl(file.api)}` : "",
      file.organization ? `its organization ${stripControl(file.organization)}` : "",
    ].filter(Boolean).join(" and ");
    // A binding of this very folder is the user's own choice, and beats the file (directory.ts).
    const bound = findBinding(record, dir, ctx.fs.platform);
    if (bound?.dir === dir) {
      return paint(ctx, ctx.stderr, "green", "✓ ") +
        `Trusted ${path} (the login ${file.profile}), but commands in ${dir} use the login ` +
        `${bound.profile}: a binding of the same folder wins over its file. To use the file, ` +
        `remove the binding: almyty-auth profile unbind ${shellWord(dir, ctx.fs.platform)}`;
    }
    return paint(ctx, ctx.stderr, "green", "✓ ") +
      `Trusted ${path}: commands in ${dir} use the login ${file.profile}` +
      `${asserts ? ` (${asserts})` : ""}. If the file changes, it must be trusted again.`;
  });
}
