/**
 * `almyty-auth env [--profile <name>] [--shell sh|bash|zsh|fish|powershell|pwsh|json] [--unset]`:
 * prints the login's ALMYTY_* variables (the same set `exec` gives a
 * program), quoted for the shell, for `eval "$(almyty-auth env …)"` and
 * direnv; `--unset` prints what removes them.
 *
 * @example
 * ```sh
 * eval "$(almyty-auth env --profile staging)"
 * ```
 * @module
 */
import type { CommandInput } from "../runtime/command.ts";
import type { Context } from "../runtime/context.ts";
import { CliError, EXIT } from "../runtime/errors.ts";
import { warn } from "../runtime/output.ts";
import { handoff, HANDOFF_VARS, type HandoffVars } from "./handoff.ts";
import { ENV_SHELLS } from "./spec.ts";
import { stripControl } from "../protocol/text.ts";
import { quoteTyped } from "../protocol/tokens.ts";

type Shell = (typeof ENV_SHELLS)[string];

/**
 * `vars` as the shell's assignments, each value quoted so that nothing in it
 * is interpreted.
 *
 * @example
 * ```ts
 * render("sh", { ALMYTY_TOKEN: "t", ALMYTY_URL: "u", ALMYTY_FRONTEND_URL: "f", ALMYTY_PROFILE: "p" });
 * // "export ALMYTY_TOKEN='t'\nexport ALMYTY_URL='u'\n…"
 * ```
 */
export function render(shell: Shell, vars: HandoffVars): string {
  if (shell === "json") return JSON.stringify(vars, null, 2) + "\n";
  return HANDOFF_VARS.map((name) => {
    const value = vars[name];
    switch (shell) {
      case "fish":
        return `set -gx ${name} '${value.replace(/[\\']/g, "\\$&")}'`;
      case "powershell":
        return `$env:${name} = '${value.replace(/'/g, "''")}'`;
      default:
        return `export ${name}='${value.replace(/'/g, `'\\''`)}'`;
    }
  }).join("\n") + "\n";
}

/**
 * What removes the variables, for the shell.
 *
 * @example
 * ```ts
 * unsetLines("sh"); // "unset ALMYTY_TOKEN ALMYTY_URL ALMYTY_FRONTEND_URL ALMYTY_PROFILE\n"
 * ```
 */
export function unsetLines(shell: Shell): string {
  switch (shell) {
    case "json":
      return JSON.stringify({ unset: HANDOFF_VARS }, null, 2) + "\n";
    case "fish":
      return HANDOFF_VARS.map((name) => `set -e ${name}`).join("\n") + "\n";
    case "powershell":
      return HANDOFF_VARS.map((name) => `Remove-Item Env:${name} -ErrorAction SilentlyContinue`)
        .join("\n") + "\n";
    default:
      return `unset ${HANDOFF_VARS.join(" ")}\n`;
  }
}

/**
 * Runs the command.
 *
 * @example
 * ```ts
 * import { denoContext } from "../runtime/deno_context.ts";
 * const ctx = { ...denoContext(new AbortController().signal), env: { ALMYTY_TOKEN: "almyty_example" } };
 * await run(ctx, { flags: { unset: true }, positionals: [] }); // prints "unset ALMYTY_TOKEN …"
 * ```
 */
export function run(ctx: Context, { flags }: CommandInput): Promise<number> {
  return Promise.resolve().then(() => {
    const name = (flags.shell as string | undefined) ?? "sh";
    const shell = Object.hasOwn(ENV_SHELLS, name) ? ENV_SHELLS[name] : undefined;
    if (!shell) {
      throw new CliError(
        `--shell takes ${Object.keys(ENV_SHELLS).join(", ").replace(/, (\w+)$/, " or $1")}, got ${
          quoteTyped(stripControl(name))
        }.`,
        EXIT.usage,
      );
    }
    if (flags.unset) {
      if (flags.profile !== undefined) {
        throw new CliError(
          "--unset removes the variables of any login: drop --profile.",
          EXIT.usage,
        );
      }
      ctx.stdout.write(unsetLines(shell));
      return EXIT.ok;
    }
    const { vars } = handoff(ctx, flags.profile as string | undefined);
    if (ctx.stdout.isTerminal) {
      const command = `almyty-auth env${flags.profile ? ` --profile ${vars.ALMYTY_PROFILE}` : ""}`;
      warn(
        ctx,
        "this prints the login's key. " +
          (shell === "json"
            ? "Pipe it to the program that reads it instead of reading it."
            : "Feed it to your shell instead of reading it: " + (shell === "fish"
              ? `${command} --shell fish | source`
              : shell === "powershell"
              ? `${command} --shell powershell | Invoke-Expression`
              : `eval "$(${command})"`)),
      );
    }
    ctx.stdout.write(render(shell, vars));
    return EXIT.ok;
  });
}
