/**
 * Shell completions as people install them (the ways README and
 * `help completions` name), tried in the real bash, zsh and fish through a
 * terminal: one Tab completes, descriptions show in zsh, fish offers the
 * commands after `help` and no file names after `--api`, and bash's
 * completions folder needs the bash-completion package (as README says).
 */
import { assert, assertEquals, assertMatch } from "./helpers/assert.ts";
import { cliArgv, tempHome } from "./helpers/cli.ts";
import { recordOutput } from "./helpers/leaks.ts";
import { COMMANDS } from "../src/cli/spec.ts";

const PROMPT = "READY> ";
/** Clears the line being edited (Ctrl-U) and leaves the shell. */
const END = "\u0015exit\r";
/** Clears the line being edited, for the next try. */
const CLEAR = "\u0015";

/**
 * A HOME with `almyty-auth` on PATH (the CLI from source, with the binary's
 * permissions) where `setup` (sh, run in HOME) has installed the completions.
 */
async function installed(...setup: string[]): Promise<{ home: string; path: string }> {
  const home = tempHome();
  Deno.mkdirSync(`${home}/bin`);
  const argv = [Deno.execPath(), ...cliArgv([])].map((a) => `'${a}'`).join(" ");
  Deno.writeTextFileSync(`${home}/bin/almyty-auth`, `#!/bin/sh\nexec ${argv} "$@"\n`, {
    mode: 0o755,
  });
  const path = `${home}/bin:/usr/bin:/bin`;
  const out = await new Deno.Command("sh", {
    args: ["-c", setup.join(" && ")],
    cwd: home,
    env: { HOME: home, PATH: path, NO_COLOR: "1", DENO_DIR: denoDir() },
    clearEnv: true,
    stderr: "piped",
  }).output();
  assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
  return { home, path };
}

/** A shell command that writes `lines` to `file`. */
function rc(file: string, ...lines: string[]): string {
  return `printf '%s\\n' ${
    lines.map((l) => `'${l.replaceAll("'", "'\\''")}'`).join(" ")
  } > ${file}`;
}

/** The install methods README and `help completions` name, as shell commands. */
const INSTALL = {
  bashFolder: "mkdir -p ~/.local/share/bash-completion/completions && " +
    "almyty-auth completions bash > ~/.local/share/bash-completion/completions/almyty-auth",
  bashSourced: "source <(almyty-auth completions bash)",
  zshFpath: "mkdir -p ~/.zfunc && almyty-auth completions zsh > ~/.zfunc/_almyty-auth",
  zshSourced: "source <(almyty-auth completions zsh)",
  fishFolder: "mkdir -p ~/.config/fish/completions && " +
    "almyty-auth completions fish > ~/.config/fish/completions/almyty-auth.fish",
};

Deno.test("help completions and README show exactly the install commands tried here, each folder made first (a fresh HOME has none)", () => {
  // A command continued with "\\" is one command; whitespace (README's line breaks) is one space.
  const help = COMMANDS.completions.examples.join("\n").replaceAll(" \\\n ", "").split("\n")
    .map((line) => line.replace(/\s+/g, " ").trim());
  const readme = Deno.readTextFileSync(new URL("../README.md", import.meta.url))
    .split("## Shell completions")[1].split("\n## ")[0].replace(/\s+/g, " ");
  for (const install of [INSTALL.bashFolder, INSTALL.zshFpath, INSTALL.fishFolder]) {
    assert(readme.includes(`\`${install}\``), `README shows ${install}`);
    for (const command of install.split(" && ")) {
      assert(help.some((line) => line.includes(command)), `help completions shows ${command}`);
    }
  }
  for (const install of [INSTALL.bashSourced, INSTALL.zshSourced]) {
    assert(readme.includes(`\`${install}\``), `README shows ${install}`);
    assert(COMMANDS.completions.notes!.some((line) => line.includes(install)), install);
  }
});

const BASH_PROMPT = `PS1='${PROMPT}'`;
const ZSH_PROMPT = `PROMPT='${PROMPT}'`;
const COMPINIT = "autoload -Uz compinit && compinit";
const FISH_CONFIG = rc(
  "~/.config/fish/config.fish",
  "set -g fish_greeting",
  `function fish_prompt; echo -n "${PROMPT}"; end`,
);

function denoDir(): string {
  return Deno.env.get("DENO_DIR") ?? `${Deno.env.get("HOME")}/.cache/deno`;
}

/**
 * Drives an interactive shell: `steps` are [what the screen shows, what is
 * typed]. The last step should type `END` (the line is cleared with Ctrl-U,
 * not Ctrl-C, whose flush of the terminal's input would race what follows).
 */
async function driveShell(
  argv: string[],
  home: string,
  path: string,
  steps: [RegExp, string][],
): Promise<string> {
  const child = new Deno.Command("python3", {
    args: [new URL("./helpers/pty_drive.py", import.meta.url).pathname],
    cwd: home,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  // fish keeps its runtime files in XDG_RUNTIME_DIR, else in /tmp/fish.$USER (TMPDIR aside).
  const runtime = `${home}/.run`;
  Deno.mkdirSync(runtime, { recursive: true, mode: 0o700 });
  const plan = {
    argv,
    env: {
      HOME: home,
      PATH: path,
      TERM: "xterm",
      NO_COLOR: "1",
      DENO_DIR: denoDir(),
      XDG_RUNTIME_DIR: runtime,
    },
    steps: steps.map(([p, t]) => [p.source, t]),
    timeout: 30,
    size: [120, 40],
    fresh: true, // each step waits for what the shell shows after the last keys typed
  };
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(JSON.stringify(plan)));
  await writer.close();
  const out = await child.output();
  const run = JSON.parse(new TextDecoder().decode(out.stdout)) as { screen: string };
  recordOutput(`terminal of ${argv[0]}`, run.screen);
  // What a person reads: escape sequences (colours, cursor moves) left out.
  return run.screen
    // deno-lint-ignore no-control-regex -- removing escape sequences is the point
    .replace(/\x1b(\[[0-9;?]*[A-Za-z]|[=>]|\][^\x07]*\x07|\([A-Z0-9])/g, "")
    // deno-lint-ignore no-control-regex -- and control characters (\r too: fish redraws word by word)
    .replace(/[\x00-\x07\x0d-\x1f]/g, "");
}

/** What the screen showed after the keys typed before `from` and before those typed before `to`. */
function between(screen: string, from: string, to: string): string {
  const before = screen.slice(0, screen.indexOf(to));
  return before.slice(before.lastIndexOf(from) + from.length);
}

const BASH_COMPLETION = ". /usr/share/bash-completion/bash_completion";
const BASH = ["/bin/bash", "-i"];
const ZSH = ["/usr/bin/zsh", "-i"];
const FISH = ["/usr/bin/fish", "-i"];

Deno.test("bash: the completions folder (with the bash-completion package) completes from one Tab", async () => {
  const { home, path } = await installed(
    INSTALL.bashFolder,
    rc("~/.bashrc", BASH_PROMPT, BASH_COMPLETION),
  );
  const screen = await driveShell(BASH, home, path, [
    [new RegExp(PROMPT), "almyty-auth logi\t"],
    [/login $/m, "--no-b\t@@"],
    [/@@/, END],
  ]);
  assertMatch(screen, /almyty-auth login --no-browser @@/);
});

Deno.test("bash: without the package the folder is never read; sourcing the script needs nothing", async () => {
  const folder = await installed(
    INSTALL.bashFolder,
    rc("~/.bashrc", BASH_PROMPT),
    "touch zz-file.txt",
  );
  const without = await driveShell(BASH, folder.home, folder.path, [
    [new RegExp(PROMPT), "almyty-auth zz\t@@"],
    [/@@/, END],
  ]);
  assertMatch(without, /almyty-auth zz-file\.txt/, "bash's own file completion, not ours");
  const sourced = await installed(rc("~/.bashrc", BASH_PROMPT, INSTALL.bashSourced));
  const screen = await driveShell(BASH, sourced.home, sourced.path, [
    [new RegExp(PROMPT), "almyty-auth logi\t@@"],
    [/@@/, END],
  ]);
  assertMatch(screen, /almyty-auth login @@/);
});

Deno.test("zsh: the fpath install completes from the first Tab in a new shell, with descriptions", async () => {
  const { home, path } = await installed(
    INSTALL.zshFpath,
    rc("~/.zshrc", ZSH_PROMPT, "fpath=(~/.zfunc $fpath)", COMPINIT),
  );
  // A first shell builds compinit's cache; the second is the "new shell" of every day.
  for (const round of [1, 2]) {
    // "@1" typed after each Tab shows once the completion is done (keys are handled in order).
    const screen = await driveShell(ZSH, home, path, [
      [new RegExp(PROMPT), "almyty-auth logi\t@1"],
      [/@1/, CLEAR + "almyty-auth \t@2"],
      [/@2/, CLEAR + "almyty-auth login --\t@3"],
      [/@3/, END],
    ]);
    assertMatch(
      screen,
      /almyty-auth login[ \b]*@1/,
      `round ${round}: one Tab completes:\n${screen}`,
    );
    assertMatch(screen, /login +-- Log in to almyty and save the credentials/);
    assertMatch(screen, /--no-browser +-- do not open a browser: show a URL/);
  }
});

Deno.test("zsh: sourced in .zshrc, after compinit or before it, completes", async () => {
  for (const order of ["after", "before"] as const) {
    const { home, path } = await installed(
      // Another shell first, so compinit's cache exists without our completion in it.
      rc("~/.zshrc", COMPINIT),
      "zsh -i -c true",
      rc(
        "~/.zshrc",
        ZSH_PROMPT,
        ...(order === "after" ? [COMPINIT, INSTALL.zshSourced] : [INSTALL.zshSourced, COMPINIT]),
      ),
    );
    const screen = await driveShell(ZSH, home, path, [
      [new RegExp(PROMPT), "almyty-auth completions \t@@"],
      [/@@/, END],
    ]);
    assertMatch(screen, /bash\s+fish\s+zsh/, `sourced ${order} compinit`);
  }
});

Deno.test("fish: commands after help, no file names after --api", async () => {
  const { home, path } = await installed(INSTALL.fishFolder, FISH_CONFIG, "touch zz-file.txt");
  const screen = await driveShell(FISH, home, path, [
    [new RegExp(PROMPT), "almyty-auth help \t@1"],
    [/@1/, CLEAR + "almyty-auth login --api \t@2"],
    [/@2/, END],
  ]);
  assertMatch(screen, /doctor[\s\S]*logout[\s\S]*whoami/);
  assert(!screen.includes("zz-file.txt"), `a file was offered after --api:\n${screen}`);
});

Deno.test("the saved logins' names after --profile and `profile use`, in bash, zsh and fish", async () => {
  const logins = "mkdir -p .almyty/profiles && touch .almyty/profiles/staging.json " +
    ".almyty/profiles/work.json";
  const shells: [string[], string[]][] = [
    [BASH, [rc("~/.bashrc", BASH_PROMPT, INSTALL.bashSourced)]],
    [ZSH, [rc("~/.zshrc", ZSH_PROMPT, COMPINIT, INSTALL.zshSourced)]],
    [FISH, [INSTALL.fishFolder, FISH_CONFIG]],
  ];
  for (const [argv, setup] of shells) {
    const { home, path } = await installed(...setup, logins);
    const screen = await driveShell(argv, home, path, [
      [new RegExp(PROMPT), "almyty-auth whoami --profile w\t@1"],
      [/@1/, CLEAR + "almyty-auth profile use st\t@2"],
      [/@2/, CLEAR + "almyty-auth exec --profile \t\t@3"],
      [/@3/, CLEAR + "almyty-auth profile use \t\t@4"],
      [/@4/, CLEAR + "almyty-auth exec --profile work -- almyty-au\t@5"],
      [/@5/, CLEAR + "almyty-auth exec --profile=work almyty-au\t@6"],
      [/@6/, CLEAR + "almyty-auth profile use work \t\t@7"],
      [/@7/, END],
    ]);
    const shell = argv[0];
    assertMatch(screen, /--profile work[ \b]*@1/, `${shell}:\n${JSON.stringify(screen)}`);
    assertMatch(screen, /profile use staging[ \b]*@2/, `${shell}:\n${screen}`);
    const execProfile = between(screen, "@2", "@3");
    const profileUse = between(screen, "@3", "@4");
    const afterName = between(screen, "@6", "@7");
    for (const offered of [execProfile, profileUse]) {
      assertMatch(offered, /default[\s\S]*staging[\s\S]*work/, `${shell}:\n${offered}`);
      // A subcommand is no login's name; fish described each name with the flag's own
      // text, parentheses inside its parentheses.
      assert(!/untrust|use this named login/.test(offered), `${shell}:\n${offered}`);
    }
    if (shell === FISH[0]) assertMatch(execProfile, /work +\(saved login\)/);
    // exec's program completes as a command (after --, or as its first word).
    assertMatch(screen, /exec --profile work -- almyty-auth[ \b]*@5/, `${shell}:\n${screen}`);
    assertMatch(screen, /exec --profile=work almyty-auth[ \b]*@6/, `${shell}:\n${screen}`);
    // After `profile use <name>` nothing more is taken: no subcommand again.
    assert(!/untrust|bind/.test(afterName), `${shell}:\n${afterName}`);
  }
});
