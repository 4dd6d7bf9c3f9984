/**
 * The leak scan: every byte the CLI writes, every argv it spawns and every
 * page the browser sees is recorded, with every token the suite learns;
 * `assertNoLeaks` fails on any token found in any recording.
 *
 * Deno runs each test file in its own worker of one process (two at a time
 * with `--parallel`), so the records go to files every worker of the run
 * finds: a folder named after the run — the process and the moment it
 * started, so a process id the system hands out again never picks up an old
 * run's records — or named by LEAK_SCAN_RUN when a runner splits one suite
 * over several processes (scripts/test.sh: the scan runs after the rest).
 * The worker that creates the folder removes those of runs that are over
 * (their process is gone: a focused run that never reached the scan, a run
 * killed midway), and the suite's last scan removes its own.
 * @module
 */
const PREFIX = "almyty-leak-scan-";
const TMP = Deno.env.get("TMPDIR") ?? "/tmp";

const RUN = thisRun();
/** Where this run's records are. */
export const LEAK_SCAN_DIR = `${TMP}/${PREFIX}${RUN}`;
try {
  Deno.mkdirSync(LEAK_SCAN_DIR, { mode: 0o700 });
  removeFinishedRuns(RUN); // the first worker of the run
} catch (error) {
  if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
}
const RECORDINGS = `${LEAK_SCAN_DIR}/recordings.jsonl`;
const TOKENS = `${LEAK_SCAN_DIR}/tokens.txt`;

/**
 * `<pid>-<what tells this run apart>`: the name a runner gave (LEAK_SCAN_RUN,
 * led by the runner's own pid), else this process and when it started (Linux:
 * /proc/self/stat), else a random id kept in LEAK_SCAN_RUN for the test files
 * that follow (one at a time, without /proc).
 */
function thisRun(): string {
  const named = Deno.env.get("LEAK_SCAN_RUN");
  if (named && /^\d+-[\w.-]+$/.test(named)) return named;
  try {
    const stat = Deno.readTextFileSync("/proc/self/stat");
    // Field 22, counted after the command name (which may hold spaces): the start time.
    const started = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
    if (/^\d+$/.test(started)) return `${Deno.pid}-${started}`;
  } catch { /* no /proc */ }
  const run = `${Deno.pid}-${crypto.randomUUID()}`;
  Deno.env.set("LEAK_SCAN_RUN", run);
  return run;
}

/**
 * Removes the records of runs that are over: their process is gone, or it is
 * this very process (a run before this one, with the same pid). Records of
 * other live runs (a teammate's suite) stay.
 */
function removeFinishedRuns(current: string): void {
  let entries;
  try {
    entries = [...Deno.readDirSync(TMP)];
  } catch {
    return;
  }
  for (const entry of entries) {
    if (!entry.isDirectory || !entry.name.startsWith(PREFIX)) continue;
    const run = entry.name.slice(PREFIX.length);
    const pid = Number(run.split("-")[0]);
    if (run === current || (pid !== Deno.pid && alive(pid, `${TMP}/${entry.name}`))) continue;
    try {
      Deno.removeSync(`${TMP}/${entry.name}`, { recursive: true });
    } catch { /* another user's, or removed meanwhile */ }
  }
}

/** Whether the process `pid` may still be writing to `dir` (where /proc is absent: a day). */
function alive(pid: number, dir: string): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    Deno.statSync("/proc/self");
  } catch {
    const modified = Deno.statSync(dir).mtime?.getTime() ?? 0;
    return Date.now() - modified < 86_400_000;
  }
  try {
    Deno.statSync(`/proc/${pid}`);
    return true;
  } catch {
    return false;
  }
}

/** Records output that must never contain a token. */
export function recordOutput(label: string, text: string): void {
  if (text) {
    Deno.writeTextFileSync(RECORDINGS, JSON.stringify({ label, text }) + "\n", { append: true });
  }
}

/** Registers a secret to look for. */
export function recordToken(token: string | undefined): void {
  if (token && token.length >= 16) Deno.writeTextFileSync(TOKENS, token + "\n", { append: true });
}

function lines(path: string): string[] {
  try {
    return Deno.readTextFileSync(path).split("\n").filter(Boolean);
  } catch {
    return [];
  }
}

/** Throws naming the first recording that contains a token. */
export function assertNoLeaks(): { recordings: number; tokens: number } {
  const tokens = new Set(lines(TOKENS));
  const recordings = lines(RECORDINGS).map((line) =>
    JSON.parse(line) as { label: string; text: string }
  );
  for (const token of tokens) {
    for (const { label, text } of recordings) {
      if (text.includes(token)) throw new Error(`token ${token.slice(0, 8)}… leaked in ${label}`);
    }
  }
  return { recordings: recordings.length, tokens: tokens.size };
}

/** Removes the run's records (the suite's last scan does this: the run is over). */
export function clearLeakRecords(): void {
  Deno.removeSync(LEAK_SCAN_DIR, { recursive: true });
}
