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

const PROMPT = "READY> ";
/** Clears the line being edited (Ctrl-U) and leaves the shell. */
const END = "\u0015exit\r";
/** Clears the line being edited, for the next try. */
const CLEAR = "\u0015";

/** A HOME with `almyty-auth` on PATH (the CLI from source, with the binary's permissions). */
function shellHome(): { home: string; path: string } {
  const home = tempHome();
  Deno.mkdirSync(`${home}/bin`);
  const argv = [Deno.execPath(), ...cliArgv([])].map((a) => `'${a}'`).join(" ");
  Deno.writeTextFileSync(`${home}/bin/almyty-auth`, `#!/bin/sh\nexec ${argv} "$@"\n`, {
    mode: 0o755,
  });
  return { home, path: `${home}/bin:/usr/bin:/bin` };
}

/** Runs `setup` (sh, in HOME, with the CLI on PATH) to install the completions. */
async function install(home: string, path: string, setup: string): Promise<void> {
  const out = await new Deno.Command("sh", {
    args: ["-c", setup],
    cwd: home,
    env: { HOME: home, PATH: path, NO_COLOR: "1", DENO_DIR: denoDir() },
    clearEnv: true,
    stderr: "piped",
  }).output();
  assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
}

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
  const plan = {
    argv,
    env: { HOME: home, PATH: path, TERM: "xterm", NO_COLOR: "1", DENO_DIR: denoDir() },
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

const bashCompletion = "/usr/share/bash-completion/bash_completion";

Deno.test("bash: the completions folder (with the bash-completion package) completes from one Tab", async () => {
  const { home, path } = shellHome();
  await install(
    home,
    path,
    "mkdir -p ~/.local/share/bash-completion/completions && " +
      "almyty-auth completions bash > ~/.local/share/bash-completion/completions/almyty-auth && " +
      `printf '%s\\n' "PS1='${PROMPT}'" ". ${bashCompletion}" > ~/.bashrc`,
  );
  const screen = await driveShell(["/bin/bash", "-i"], home, path, [
    [new RegExp(PROMPT), "almyty-auth logi\t"],
    [/login $/m, "--no-b\t@@"],
    [/@@/, END],
  ]);
  assertMatch(screen, /almyty-auth login --no-browser @@/);
});

Deno.test("bash: without the package the folder is never read; sourcing the script needs nothing", async () => {
  const { home, path } = shellHome();
  await install(
    home,
    path,
    "mkdir -p ~/.local/share/bash-completion/completions && " +
      "almyty-auth completions bash > ~/.local/share/bash-completion/completions/almyty-auth && " +
      `printf '%s\\n' "PS1='${PROMPT}'" > ~/.bashrc && touch ~/zz-file.txt`,
  );
  const without = await driveShell(["/bin/bash", "-i"], home, path, [
    [new RegExp(PROMPT), "almyty-auth zz\t@@"],
    [/@@/, END],
  ]);
  assertMatch(without, /almyty-auth zz-file\.txt/, "bash's own file completion, not ours");
  const { home: home2, path: path2 } = shellHome();
  await install(
    home2,
    path2,
    `printf '%s\\n' "PS1='${PROMPT}'" 'source <(almyty-auth completions bash)' > ~/.bashrc`,
  );
  const sourced = await driveShell(["/bin/bash", "-i"], home2, path2, [
    [new RegExp(PROMPT), "almyty-auth logi\t@@"],
    [/@@/, END],
  ]);
  assertMatch(sourced, /almyty-auth login @@/);
});

Deno.test("zsh: the fpath install completes from the first Tab in a new shell, with descriptions", async () => {
  const { home, path } = shellHome();
  await install(
    home,
    path,
    "mkdir -p ~/.zfunc && almyty-auth completions zsh > ~/.zfunc/_almyty-auth && " +
      `printf '%s\\n' "PROMPT='${PROMPT}'" 'fpath=(~/.zfunc $fpath)' ` +
      "'autoload -Uz compinit && compinit' > ~/.zshrc",
  );
  // A first shell builds compinit's cache; the second is the "new shell" of every day.
  for (const round of [1, 2]) {
    // "@@" typed after each Tab shows once the completion is done (keys are handled in order).
    const screen = await driveShell(["/usr/bin/zsh", "-i"], home, path, [
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
    const { home, path } = shellHome();
    const source = "'source <(almyty-auth completions zsh)'";
    const compinit = "'autoload -Uz compinit && compinit'";
    await install(
      home,
      path,
      // Another shell first, so compinit's cache exists without our completion in it.
      `printf '%s\\n' ${compinit} > ~/.zshrc && zsh -i -c true && ` +
        `printf '%s\\n' "PROMPT='${PROMPT}'" ${
          order === "after" ? `${compinit} ${source}` : `${source} ${compinit}`
        } > ~/.zshrc`,
    );
    const screen = await driveShell(["/usr/bin/zsh", "-i"], home, path, [
      [new RegExp(PROMPT), "almyty-auth completions \t@@"],
      [/@@/, END],
    ]);
    assertMatch(screen, /bash +fish +zsh|bash\s+fish\s+zsh/, `sourced ${order} compinit`);
  }
});

Deno.test("fish: commands after help, no file names after --api", async () => {
  const { home, path } = shellHome();
  await install(
    home,
    path,
    "mkdir -p ~/.config/fish/completions && " +
      "almyty-auth completions fish > ~/.config/fish/completions/almyty-auth.fish && " +
      `printf '%s\\n' 'set -g fish_greeting' 'function fish_prompt; echo -n "${PROMPT}"; end' ` +
      "> ~/.config/fish/config.fish && touch ~/zz-file.txt",
  );
  const screen = await driveShell(["/usr/bin/fish", "-i"], home, path, [
    [new RegExp(PROMPT), "almyty-auth help \t@1"],
    [/@1/, CLEAR + "almyty-auth login --api \t@2"],
    [/@2/, END],
  ]);
  assertMatch(screen, /doctor[\s\S]*logout[\s\S]*whoami/);
  assert(!screen.includes("zz-file.txt"), `a file was offered after --api:\n${screen}`);
});

Deno.test("the saved logins' names after --profile and `profile use`, in bash, zsh and fish", async () => {
  const names = (home: string) => {
    Deno.mkdirSync(`${home}/.almyty/profiles`, { recursive: true, mode: 0o700 });
    for (const name of ["staging", "work"]) {
      Deno.writeTextFileSync(`${home}/.almyty/profiles/${name}.json`, "{}", { mode: 0o600 });
    }
  };
  const shells: [string[], string][] = [
    [
      ["/bin/bash", "-i"],
      `printf '%s\\n' "PS1='${PROMPT}'" 'source <(almyty-auth completions bash)' > ~/.bashrc`,
    ],
    [
      ["/usr/bin/zsh", "-i"],
      `printf '%s\\n' "PROMPT='${PROMPT}'" 'autoload -Uz compinit && compinit' ` +
      "'source <(almyty-auth completions zsh)' > ~/.zshrc",
    ],
    [
      ["/usr/bin/fish", "-i"],
      "mkdir -p ~/.config/fish/completions && " +
      "almyty-auth completions fish > ~/.config/fish/completions/almyty-auth.fish && " +
      `printf '%s\\n' 'set -g fish_greeting' 'function fish_prompt; echo -n "${PROMPT}"; end' ` +
      "> ~/.config/fish/config.fish",
    ],
  ];
  for (const [argv, setup] of shells) {
    const { home, path } = shellHome();
    names(home);
    await install(home, path, setup);
    const screen = await driveShell(argv, home, path, [
      [new RegExp(PROMPT), "almyty-auth whoami --profile w\t@1"],
      [/@1/, CLEAR + "almyty-auth profile use st\t@2"],
      [/@2/, END],
    ]);
    assertMatch(screen, /--profile work[ \b]*@1/, `${argv[0]}:\n${JSON.stringify(screen)}`);
    assertMatch(screen, /profile use staging[ \b]*@2/, `${argv[0]}:\n${screen}`);
  }
});
