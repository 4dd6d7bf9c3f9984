/**
 * The leak scan: every byte the CLI writes, every argv it spawns and every
 * page the browser sees is recorded here, with every token the suite learns;
 * `assertNoLeaks` fails on any token found in any recording.
 * @module
 */
const recordings: { label: string; text: string }[] = [];
const tokens = new Set<string>();

/** Records output that must never contain a token. */
export function recordOutput(label: string, text: string): void {
  if (text) recordings.push({ label, text });
}

/** Registers a secret to look for. */
export function recordToken(token: string | undefined): void {
  if (token && token.length >= 16) tokens.add(token);
}

/** Throws naming the first recording that contains a token. */
export function assertNoLeaks(): { recordings: number; tokens: number } {
  for (const token of tokens) {
    for (const { label, text } of recordings) {
      if (text.includes(token)) {
        throw new Error(`token ${token.slice(0, 8)}… leaked in ${label}`);
      }
    }
  }
  return { recordings: recordings.length, tokens: tokens.size };
}
