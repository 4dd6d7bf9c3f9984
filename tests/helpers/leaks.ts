/**
 * The leak scan: every byte the CLI writes, every argv it spawns and every
 * page the browser sees is recorded, with every token the suite learns;
 * `assertNoLeaks` fails on any token found in any recording.
 *
 * Deno runs each test file in its own worker of one process, so the records
 * go to files named after that process: a scan sees everything the suite has
 * recorded so far, across files.
 * @module
 */
const DIR = `${Deno.env.get("TMPDIR") ?? "/tmp"}/almyty-leak-scan-${Deno.pid}`;
Deno.mkdirSync(DIR, { recursive: true, mode: 0o700 });
const RECORDINGS = `${DIR}/recordings.jsonl`;
const TOKENS = `${DIR}/tokens.txt`;

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

/** Removes the records (the last scan of a run does this). */
export function clearLeakRecords(): void {
  Deno.removeSync(DIR, { recursive: true });
}
