/**
 * Which login applies: the one rule, used by the library's
 * `resolveCredentials` and by every almyty-auth command, so there is never a
 * second resolver.
 *
 * 1. `ALMYTY_TOKEN` non-empty: that token (with `ALMYTY_URL`), as almyty's
 *    own readers decide; asking for a profile as well is a conflict.
 * 2. the `profile` option (`--profile`);
 * 3. `ALMYTY_PROFILE` (empty counts as unset);
 * 4. the folder: a trusted `.almyty-profile` or a binding (`directory.ts`);
 * 5. the default login.
 *
 * A chosen profile that does not exist is an error, never a fall back.
 *
 * @example
 * ```ts
 * import { selectLoginWith } from "./select.ts";
 * import { nodeFs } from "./node_fs.ts";
 * selectLoginWith({ fs: nodeFs, env: { ALMYTY_PROFILE: "staging" }, home: "/nonexistent" });
 * // { kind: "login", profile: "staging", source: "env" }
 * ```
 * @module
 */
import { DEFAULT_API_URL } from "../protocol/constants.ts";
import { stripControl } from "../protocol/text.ts";
import { sameServiceUrl } from "../protocol/urls.ts";
import { type DirectoryChoice, directoryChoiceWith } from "./directory.ts";
import { loginCommand } from "./fix_hints.ts";
import { checkProfileName, DEFAULT_PROFILE, loginPathWith, readProfileWith } from "./profiles.ts";
import {
  type Credentials,
  CredentialsError,
  type CredentialsIo,
  type SelectOptions,
} from "./types.ts";

/** Why a login applies. */
export type ProfileSource = "flag" | "env" | "directory" | "binding" | "default";

/** A login file chosen. */
export interface LoginChoice {
  /** The profile's name; `default` for `credentials.json`. */
  profile: string;
  source: ProfileSource;
  /** The `.almyty-profile` or the bound folder that chose it. */
  origin?: string;
  /** What a `.almyty-profile` asserts about the login (checked by `checkAssertions`). */
  assert?: DirectoryChoice["assert"];
}

/** What applies: the `ALMYTY_TOKEN` pair, or a login file. */
export type Selection = { kind: "env-token" } | ({ kind: "login" } & LoginChoice);

/**
 * Which login file applies, ignoring `ALMYTY_TOKEN` (what `login` and
 * `logout` act on): the profile option, `ALMYTY_PROFILE`, the folder, the
 * default. Throws CredentialsError for an invalid name or an untrusted
 * `.almyty-profile`.
 *
 * @example
 * ```ts
 * import { nodeFs } from "./node_fs.ts";
 * chooseLoginWith({ fs: nodeFs, env: {}, home: "/nonexistent" }, { profile: "staging" });
 * // { profile: "staging", source: "flag" }
 * ```
 */
export function chooseLoginWith(io: CredentialsIo, options: SelectOptions = {}): LoginChoice {
  if (options.profile !== undefined) {
    return { profile: checkProfileName(options.profile, "--profile"), source: "flag" };
  }
  const env = io.env ?? io.fs.env();
  if (env.ALMYTY_PROFILE) {
    return { profile: checkProfileName(env.ALMYTY_PROFILE, "ALMYTY_PROFILE"), source: "env" };
  }
  if (options.directory !== false) {
    const cwd = options.cwd ?? currentDirectory(io);
    const choice = cwd === null ? null : directoryChoiceWith(io, cwd);
    if (choice) return choice;
  }
  return { profile: DEFAULT_PROFILE, source: "default" };
}

/**
 * What applies, `ALMYTY_TOKEN` first. A profile option together with
 * `ALMYTY_TOKEN` throws CredentialsError("profile-conflict"): silently
 * preferring either would hide a mistake. (`ALMYTY_PROFILE` with
 * `ALMYTY_TOKEN` is what `almyty-auth exec` hands a program: the token wins,
 * and the same profile asked for again is that pair.)
 *
 * @example
 * ```ts
 * import { nodeFs } from "./node_fs.ts";
 * selectLoginWith({ fs: nodeFs, env: { ALMYTY_TOKEN: "almyty_x" } }); // { kind: "env-token" }
 * ```
 */
export function selectLoginWith(io: CredentialsIo, options: SelectOptions = {}): Selection {
  const env = io.env ?? io.fs.env();
  if (env.ALMYTY_TOKEN) {
    // Under `exec --profile X`, the pair in the environment is X's: asking for X again is no
    // conflict. Only when it is X's saved pair: a shell's ALMYTY_PROFILE next to another key
    // (`ALMYTY_TOKEN=$(almyty-auth token)`) would hand that key out as X's.
    if (options.profile !== undefined && !isHandedOver(io, env, options.profile)) {
      // A valid name only is quoted below (an invalid one may be a key: never echoed).
      const name = JSON.stringify(checkProfileName(options.profile, "--profile"));
      throw new CredentialsError(
        "profile-conflict",
        "",
        `--profile ${name} and ALMYTY_TOKEN are both set, and ALMYTY_TOKEN would win. ` +
          "To use the profile, unset ALMYTY_TOKEN; to use the token, drop --profile; to run a " +
          `program with the profile anyway: almyty-auth exec --profile ${
            name.slice(1, -1)
          } -- <program>`,
      );
    }
    return { kind: "env-token" };
  }
  return { kind: "login", ...chooseLoginWith(io, options) };
}

/**
 * True when the environment's ALMYTY_TOKEN + ALMYTY_URL are the saved pair of
 * the login `profile` that ALMYTY_PROFILE names (what `exec --profile` hands
 * a program): the same key, for the same API.
 */
function isHandedOver(
  io: CredentialsIo,
  env: Record<string, string | undefined>,
  profile: string,
): boolean {
  if (profile !== env.ALMYTY_PROFILE) return false;
  let saved: Credentials | null;
  try {
    saved = readProfileWith(io, checkProfileName(profile, "--profile"));
  } catch {
    return false; // unreadable or untrusted: nothing to match the pair against
  }
  return saved !== null && saved.token === env.ALMYTY_TOKEN?.trim() &&
    sameServiceUrl(saved.url ?? DEFAULT_API_URL, env.ALMYTY_URL || DEFAULT_API_URL);
}

/**
 * The error for a chosen profile with no file: log in to it, nothing else.
 *
 * @example
 * ```ts
 * import { nodeFs } from "./node_fs.ts";
 * profileNotFound({ fs: nodeFs, home: "/h" }, { profile: "staging", source: "flag" }).message;
 * // "Profile \"staging\" not found (from --profile): log in to it with almyty-auth login --profile staging …"
 * ```
 */
export function profileNotFound(io: CredentialsIo, choice: LoginChoice): CredentialsError {
  const login = loginCommand({ login: choice, api: choice.assert?.api });
  return new CredentialsError(
    "profile-not-found",
    loginPathWith(io, choice.profile),
    `Profile "${choice.profile}" not found (${describeChoice(choice)}): log in to it with ` +
      `${login}\n(almyty-auth profile list shows the logins you have; nothing was sent.)`,
  );
}

/**
 * Refuses a login that is not what the `.almyty-profile` that chose it
 * asserts (its API, its organization), before anything is sent.
 *
 * @example
 * ```ts
 * checkAssertions({ profile: "p", source: "directory", origin: "/r/.almyty-profile", assert: { api: "https://api.almyty.com" } }, { url: "https://api.almyty.com", token: "t" });
 * ```
 */
export function checkAssertions(choice: LoginChoice, login: Credentials): void {
  const asserted = choice.assert;
  if (!asserted) return;
  const problems: string[] = [];
  const url = login.url ?? DEFAULT_API_URL;
  if (asserted.api !== undefined && !sameServiceUrl(asserted.api, url)) {
    problems.push(`its API is ${stripControl(url)}, not ${stripControl(asserted.api)}`);
  }
  const org = login.organization;
  if (
    asserted.organization !== undefined &&
    ![org?.slug, org?.id, org?.name].includes(asserted.organization)
  ) {
    problems.push(
      `its organization is ${org ? stripControl(org.slug ?? org.name) : "not recorded"}, not ${
        stripControl(asserted.organization)
      }`,
    );
  }
  if (!problems.length) return;
  throw new CredentialsError(
    "directory-mismatch",
    choice.origin ?? "",
    `${choice.origin} selects the login "${choice.profile}", but ${problems.join(" and ")}. ` +
      `Nothing was sent. Log in to the right one (${
        loginCommand({ login: choice, api: asserted.api })
      }) or fix ${choice.origin}.`,
  );
}

/**
 * Why a login applies, for people: "from --profile", "from /repo/.almyty-profile", ….
 *
 * @example
 * ```ts
 * describeChoice({ source: "env" }); // "from ALMYTY_PROFILE"
 * ```
 */
export function describeChoice(choice: Pick<LoginChoice, "source" | "origin">): string {
  switch (choice.source) {
    case "flag":
      return "from --profile";
    case "env":
      return "from ALMYTY_PROFILE";
    case "directory":
      return `from ${choice.origin}`;
    case "binding":
      return `bound to ${choice.origin}`;
    default:
      return "the default login";
  }
}

function currentDirectory(io: CredentialsIo): string | null {
  let cwd;
  try {
    cwd = io.fs.cwd();
  } catch {
    return null; // the working folder was removed: there is no folder to choose by
  }
  // Windows keeps the case the folder was typed in (`cd c:\users\alice\work`); bindings and
  // trusted files are recorded as the disk spells them (realPath), and compared as text.
  if (io.fs.platform !== "win32") return cwd; // getcwd is already the real path
  try {
    return io.fs.realPath(cwd);
  } catch {
    return cwd;
  }
}
