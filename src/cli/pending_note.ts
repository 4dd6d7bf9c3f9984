/**
 * A two-step login (`login --no-wait`) waiting for the login a command shows:
 * what `status` and `whoami` say about it, and the command that finishes it
 * (keeping `--profile` and `--api`). The pending file is read only here, on
 * demand: most runs have none.
 *
 * @example
 * ```ts
 * import { pendingNote } from "./pending_note.ts";
 * // const note = await pendingNote(ctx, "default"); // null, or what to say and what to run
 * ```
 * @module
 */
import { loginCommand } from "../credentials/fix_hints.ts";
import type { PendingLogin } from "../login/pending.ts";
import type { CredentialsIo } from "../credentials/types.ts";
import { pendingPathWith } from "../login/pending_path.ts";
import { type Context, credentialsIo } from "../runtime/context.ts";

/** A pending two-step login, for a person (`text`) and for JSON (the rest). */
export interface PendingNote {
  /**
   * `waiting` for the approval, `approved` but not saved yet, `expired`
   * before it was approved, or `unreadable` (the file is refused: `text` says why and the fix).
   */
  state: "waiting" | "approved" | "expired" | "unreadable";
  /** The API it was started at. */
  api: string | null;
  userCode: string | null;
  verificationUriComplete: string | null;
  /** When the code expires (ISO 8601). */
  expiresAt: string | null;
  /** The command to run next, in the login's environment. */
  nextStep: string | null;
  /** One sentence for a person. */
  text: string;
}

/**
 * A note as `--json` shows it (`pendingLogin` of whoami and status): its
 * facts, and its sentence as `message`; null for none.
 *
 * @example
 * ```ts
 * pendingJson(null); // null
 * pendingJson({ state: "unreadable", api: null, userCode: null, verificationUriComplete: null, expiresAt: null, nextStep: null, text: "…" })?.message; // "…"
 * ```
 */
export function pendingJson(note: PendingNote | null): Record<string, string | null> | null {
  if (!note) return null;
  const { text, ...facts } = note;
  return { ...facts, message: text };
}

/**
 * The two-step login pending for the login `profile`, or null when there is none.
 *
 * @example
 * ```ts
 * import { denoContext } from "../runtime/deno_context.ts";
 * const ctx = { ...denoContext(new AbortController().signal), env: { HOME: Deno.makeTempDirSync() } };
 * await pendingNote(ctx, "default"); // null
 * ```
 */
export async function pendingNote(ctx: Context, profile: string): Promise<PendingNote | null> {
  const io = credentialsIo(ctx, () => {});
  // The usual answer, nothing pending, costs one lstat: the reader and its checks load only
  // when something is at that path (a symlink or an unreadable folder included: it says why).
  if (certainlyNone(io, profile)) return null;
  const { codeExpired, readPending } = await import("../login/pending.ts");
  let pending: PendingLogin | null;
  try {
    pending = readPending(io, profile);
  } catch (error) {
    return {
      state: "unreadable",
      api: null,
      userCode: null,
      verificationUriComplete: null,
      expiresAt: null,
      nextStep: null,
      text: (error as Error).message,
    };
  }
  if (!pending) return null;
  const place = { login: { profile }, api: pending.api };
  const facts = {
    api: pending.api,
    userCode: pending.userCode,
    verificationUriComplete: pending.verificationUriComplete,
    expiresAt: pending.expiresAt,
  };
  if (pending.grant) {
    const nextStep = loginCommand(place, "--continue");
    return {
      state: "approved",
      ...facts,
      nextStep,
      text: `A login at ${pending.api} was approved but is not saved yet: ${nextStep} saves it.`,
    };
  }
  if (codeExpired(pending, ctx.now())) {
    // A new login takes --frontend too (--continue refuses it: it keeps the one it started with).
    const nextStep = loginCommand({ ...place, frontend: pending.frontend }, "--no-wait");
    return {
      state: "expired",
      ...facts,
      nextStep,
      text: `A login at ${pending.api} expired before code ${pending.userCode} was approved; ` +
        `start again with ${nextStep}`,
    };
  }
  const nextStep = loginCommand(place, "--continue");
  return {
    state: "waiting",
    ...facts,
    nextStep,
    text: `A login at ${pending.api} is waiting for approval of code ${pending.userCode} at ` +
      `${pending.verificationUriComplete} (the code expires ${expiry(ctx, pending)}); ` +
      `once it is approved, finish it with ${nextStep}`,
  };
}

/** True when nothing is at the pending path; any failure to tell is left to the reader to explain. */
function certainlyNone(io: CredentialsIo, profile: string): boolean {
  try {
    return io.fs.lstat(pendingPathWith(io, profile)) === null;
  } catch {
    return false;
  }
}

/**
 * When a pending login's code expires, for a person: "in 9 min 58 s, at 12:10 UTC".
 *
 * @example
 * ```ts
 * const ctx = { now: () => Date.parse("2026-11-27T12:00:00Z") };
 * expiry(ctx, { expiresAt: "2026-11-27T12:10:00.000Z" }); // "in 10 min, at 12:10 UTC"
 * ```
 */
export function expiry(
  ctx: Pick<Context, "now">,
  pending: Pick<PendingLogin, "expiresAt">,
): string {
  const at = Date.parse(pending.expiresAt);
  return `in ${duration(at - ctx.now())}, at ${pending.expiresAt.slice(11, 16)} UTC`;
}

/**
 * Minutes and seconds, for "expires in 9 min 58 s".
 *
 * @example
 * ```ts
 * duration(598_000); // "9 min 58 s"
 * ```
 */
export function duration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  const minutes = Math.floor(seconds / 60);
  return minutes ? `${minutes} min${seconds % 60 ? ` ${seconds % 60} s` : ""}` : `${seconds} s`;
}
