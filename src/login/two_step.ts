/**
 * The two-step login an agent or a script can drive: `start` asks the server
 * for a device code, saves the pending login (`pending.ts`) and returns at
 * once, never polling; `resume` finishes it later, one check or a bounded
 * wait; `forget` cancels it. Like the engine, it never prints: the command
 * renders what each returns.
 *
 * Rules that hold across processes:
 * - a wait that stops (its time is up, Ctrl-C, SIGKILL, the login file's lock
 *   held elsewhere for too long), wherever it stops, never deletes the
 *   pending login (nor the token response it holds) and never tells the
 *   server to cancel it;
 * - each poll (a short one, never the server's long-poll: a held poll whose
 *   process is killed would be handed the key, and the key lost) and the save
 *   that follows run under the pending login's lock, which the kernel
 *   releases if the holder dies: two `--continue` at once save once; the
 *   other finds the login finished and reports it;
 * - separate runs keep the server's interval (the last poll and interval are
 *   saved), so an agent calling `--continue` in a loop is never told to slow down;
 * - the token response is saved in the pending file before the credentials
 *   are written: a crash between the two is finished by the next `--continue`.
 *
 * @example
 * ```ts
 * import { resume } from "./two_step.ts";
 * // const outcome = await resume(ctx, { profile: "default", waitMs: 0, targetFor, commit });
 * ```
 * @module
 */
import { ApiError, isTransient } from "../runtime/api_error.ts";
import { apiFor } from "../runtime/connect.ts";
import { type Context, credentialsIo } from "../runtime/context.ts";
import { revokeKey } from "../runtime/keys.ts";
import { LoginLockTimeout } from "../runtime/login_lock.ts";
import type { Target } from "../runtime/target.ts";
import { type Credentials, CredentialsError, type CredentialsIo } from "../credentials/types.ts";
import { readProfileWith } from "../credentials/profiles.ts";
import type { Organization } from "../protocol/types.ts";
import { sameServiceUrl } from "../protocol/urls.ts";
import { keepMinted, mintedFromGrant } from "./minted.ts";
import {
  backoffMs,
  cancelDevice,
  pollDevice,
  pollInterval,
  type PollOutcome,
  startDevice,
} from "./device_flow.ts";
import { discover } from "./discovery.ts";
import { codeExpired, PENDING_VERSION, type PendingLogin, readPending } from "./pending.ts";
import { pendingPathWith } from "./pending_path.ts";
import { removePending, writePending } from "./pending_write.ts";
import type { LoginResult } from "./result.ts";

/** Runs `work` holding the pending login's lock (the command provides it). */
export type PendingLock = <T>(path: string, work: () => Promise<T>) => Promise<T>;

/** What every step needs besides the context. */
export interface TwoStepOptions {
  /** The login: "default" or a profile's name. */
  profile: string;
  lock: PendingLock;
  /**
   * The login's target at a pending login's own API and frontend (never the
   * environment's): everything about a pending login goes there, and only there.
   */
  targetFor(pending: PendingLogin): Target;
}

/** What `start` did. */
export type StartOutcome =
  /**
   * A new pending login; `replaced` is the one it took the place of, and `server` what its
   * server heard (an approved key that was not revoked is still live).
   */
  | {
    kind: "started";
    pending: PendingLogin;
    replaced: PendingLogin | null;
    server?: "cancelled" | "revoked" | "not-told";
  }
  /** One was already pending for this login and API: the same code. */
  | { kind: "existing"; pending: PendingLogin }
  /**
   * The server (`target`: the one asked) has no device flow (no discovery
   * document, as today's production, or none in it).
   */
  | { kind: "unsupported"; target: Target };

/**
 * Starts a two-step login at `target` (discovery, then the device
 * authorization, with the same checks as the headless login), saves it, and
 * returns without polling. A login already pending for the same profile and
 * API is returned as it is unless `restart`; one for another API is replaced.
 * When nothing chose the API (`target` is the default: no `--api`,
 * `ALMYTY_URL` or saved login), the pending login's API is the one meant. A
 * replaced login is cancelled at its server (best effort). Nothing is
 * written when the server has no device flow.
 *
 * @example
 * ```ts
 * import { denoContext } from "../runtime/deno_context.ts";
 * import { loginTarget } from "../runtime/target.ts";
 * const ctx = { ...denoContext(new AbortController().signal), env: { HOME: Deno.makeTempDirSync() } };
 * const target = loginTarget({ api: "http://127.0.0.1:9" }, { fs: ctx.fs, env: ctx.env });
 * const lock = <T>(_path: string, work: () => Promise<T>) => work();
 * const options = { profile: "default", lock, targetFor: () => target, restart: false };
 * await start(ctx, target, options).catch((error) => error.message); // nothing listens on :9
 * ```
 */
export async function start(
  ctx: Context,
  target: Target,
  options: TwoStepOptions & { restart: boolean },
): Promise<StartOutcome> {
  const io = credentialsIo(ctx, () => {});
  let existing: PendingLogin | null = null;
  try {
    existing = readPending(io, options.profile);
  } catch (error) {
    // An unreadable pending login is replaced on request; an untrusted one never.
    if (!options.restart || error instanceof CredentialsError) throw error;
  }
  // Nothing chose an API (no --api, ALMYTY_URL or saved login): the pending login's is the one meant.
  if (existing && target.source.api === "default") target = options.targetFor(existing);
  if (existing && reusable(ctx, existing, target, options)) {
    return { kind: "existing", pending: existing };
  }

  const endpoints = await discover(apiFor(ctx, target), target);
  // No discovery document (today's production), or one without a device flow (RFC 8414: optional).
  if (!endpoints?.device) return { kind: "unsupported", target };
  const device = await startDevice(ctx, target, endpoints);
  const now = ctx.now();
  const pending: PendingLogin = {
    version: PENDING_VERSION,
    profile: options.profile,
    api: target.api,
    frontend: target.frontend,
    tokenEndpoint: endpoints.token,
    ...(endpoints.deviceCancel ? { deviceCancel: endpoints.deviceCancel } : {}),
    deviceCode: device.deviceCode,
    userCode: device.userCode,
    verificationUri: device.verificationUri,
    verificationUriComplete: device.verificationUriComplete,
    createdAt: new Date(now).toISOString(),
    expiresAt: new Date(device.expiresAt).toISOString(),
    interval: device.interval,
  };
  // Under the lock: a `--continue` running now sees the old login or the new one, whole.
  // Another `--no-wait` (a parallel agent) may have saved one since it was read: that one is
  // what a person may already have been shown, so it stays, and this code is withdrawn.
  type Saved = { kept: PendingLogin } | { replaced: PendingLogin | null };
  const saved = await options.lock(pendingPathWith(io, options.profile), (): Promise<Saved> => {
    let now: PendingLogin | null = existing;
    try {
      now = readPending(io, options.profile);
    } catch { /* unreadable: replaced, as it would have been */ }
    if (now && now.deviceCode !== existing?.deviceCode && reusable(ctx, now, target, options)) {
      return Promise.resolve({ kept: now });
    }
    writePending(io, pending);
    // One a stopped `--continue` already saved is no login to replace: its key is in use.
    return Promise.resolve({ replaced: now && !savedAlready(io, now) ? now : null });
  });
  if ("kept" in saved) {
    await retire(ctx, pending, target);
    return { kind: "existing", pending: saved.kept };
  }
  const replaced = saved.replaced;
  if (!replaced) return { kind: "started", pending, replaced };
  const server = await retire(ctx, replaced, options.targetFor(replaced));
  return { kind: "started", pending, replaced, server };
}

/** A login already pending that `--no-wait` shows again (same login and API, still approvable). */
function reusable(
  ctx: Context,
  pending: PendingLogin,
  target: Target,
  options: { restart: boolean },
): boolean {
  return !options.restart && pending.api === target.api && !codeExpired(pending, ctx.now());
}

/** How a login ended for the person who asked. */
export interface Approved {
  email: string;
  organization?: Organization | null;
  keyOrigin: "minted" | "supplied";
  /** False when another almyty-auth finished this login meanwhile (this one saved nothing). */
  savedHere: boolean;
}

/** What `resume` found. */
export type ResumeOutcome =
  | { kind: "approved"; pending: PendingLogin; approved: Approved }
  /** Still waiting for approval; `lastFailure` when the server was failing meanwhile. */
  | { kind: "pending"; pending: PendingLogin; lastFailure?: ApiError }
  | { kind: "denied"; pending: PendingLogin }
  /** The code expired, or the server no longer knows it. */
  | { kind: "expired"; pending: PendingLogin; unknownToServer?: boolean }
  | { kind: "no_pending" };

/** How `resume` waits and saves. */
export interface ResumeOptions extends TwoStepOptions {
  /** Longest wait for the approval, in ms (0: one check). */
  waitMs: number;
  /** Saves a result at the target: the same save as every other login. */
  commit(target: Target, result: LoginResult): Promise<void>;
}

/** One locked step's result: an outcome, or plan the next check (after a transient `failure`). */
type Step =
  | ResumeOutcome
  /** Check again; `slowDown` when the server only asked for more time (no answer yet). */
  | { kind: "again"; pending: PendingLogin; failure?: ApiError; slowDown?: boolean };

/** `slow_down` answers in a row that a single check rides out before it reports "pending". */
const MAX_SLOW_DOWNS = 3;

/**
 * Finishes the pending login `options.profile`: checks it once (after the
 * server's interval, if the last poll was more recent), or keeps checking
 * for up to `waitMs`, then says how it stands. Approval saves through
 * `commit` and forgets the pending login, as do denial and expiry; a wait
 * that ends (time, Ctrl-C) keeps it. A transient server failure is retried
 * within the wait (backing off) and reported with a still-pending outcome.
 *
 * @example
 * ```ts
 * import { denoContext } from "../runtime/deno_context.ts";
 * import { loginTarget } from "../runtime/target.ts";
 * const ctx = { ...denoContext(new AbortController().signal), env: { HOME: Deno.makeTempDirSync() } };
 * const target = loginTarget({ api: "http://127.0.0.1:9" }, { fs: ctx.fs, env: ctx.env });
 * const lock = <T>(_path: string, work: () => Promise<T>) => work();
 * const commit = () => Promise.resolve();
 * const outcome = await resume(ctx, { profile: "default", waitMs: 0, lock, targetFor: () => target, commit });
 * outcome.kind; // "no_pending" (else "approved", "pending", "denied" or "expired")
 * ```
 */
export async function resume(ctx: Context, options: ResumeOptions): Promise<ResumeOutcome> {
  const io = credentialsIo(ctx, () => {});
  const path = pendingPathWith(io, options.profile);
  const deadline = ctx.now() + options.waitMs;
  let seen = readPending(io, options.profile);
  if (!seen) return { kind: "no_pending" };
  let failures = 0;
  let slowDowns = 0;
  let lastFailure: ApiError | undefined;
  let retryAt = 0;
  // The first check always happens (slow_down is no answer: it is asked again after the
  // longer interval); later ones only within the wait.
  for (let answered = false;;) {
    if (!seen.grant) {
      const lastPoll = seen.lastPollAt ? Date.parse(seen.lastPollAt) : 0;
      // A pending file's interval is a server's word (or an older version's): a minute at most.
      const due = Math.max(lastPoll + pollInterval(seen.interval) * 1000, retryAt);
      if (answered && due >= deadline) return { kind: "pending", pending: seen, lastFailure };
      const sleep = Math.min(due, Date.parse(seen.expiresAt)) - ctx.now();
      if (sleep > 0) await ctx.sleep(sleep, ctx.signal);
    }
    const before: PendingLogin = seen;
    const step: Step = await options.lock(path, () => poll(ctx, options, before));
    if (step.kind !== "again") return step;
    seen = step.pending;
    slowDowns = step.slowDown ? slowDowns + 1 : 0;
    answered ||= slowDowns === 0 || slowDowns >= MAX_SLOW_DOWNS;
    if (step.failure) {
      failures++;
      lastFailure = step.failure;
      retryAt = ctx.now() + backoffMs(seen.interval, failures);
    } else {
      failures = 0;
      lastFailure = undefined;
      retryAt = 0;
    }
  }
}

/** One step under the lock: re-read, then finish, poll once, or hand back. */
async function poll(
  ctx: Context,
  options: ResumeOptions,
  seen: PendingLogin,
): Promise<Step> {
  const io = credentialsIo(ctx, () => {});
  const current = readPending(io, options.profile);
  if (!current) return finishedElsewhere(options, seen);
  if (current.grant) return await save(ctx, options, current, current.grant);
  // Another `--no-wait --restart`, or another `--continue`'s poll, got here first: re-plan.
  if (current.deviceCode !== seen.deviceCode || current.lastPollAt !== seen.lastPollAt) {
    return { kind: "again", pending: current };
  }
  if (codeExpired(current, ctx.now())) {
    removePending(io, options.profile);
    return { kind: "expired", pending: current };
  }
  const target = options.targetFor(current);
  let outcome: PollOutcome;
  try {
    outcome = await pollDevice(
      ctx,
      apiFor(ctx, target),
      // Never the long-poll: a poll the server holds for a `--continue` that is then killed
      // (as harnesses do) would be handed the key when the person approves, and the key lost.
      { token: current.tokenEndpoint },
      current.deviceCode,
      { waitSeconds: 0, expiresAt: Date.parse(current.expiresAt) },
    );
  } catch (error) {
    if (!(error instanceof ApiError) || !isTransient(error)) throw error;
    const next = { ...current, lastPollAt: new Date(ctx.now()).toISOString() };
    writePending(io, next);
    return { kind: "again", pending: next, failure: error };
  }
  const polledAt = new Date(ctx.now()).toISOString();
  switch (outcome.kind) {
    case "approved": {
      const approved = { ...current, lastPollAt: polledAt, grant: outcome.grant };
      writePending(io, approved); // before the credentials: a crash now is finished next time
      return await save(ctx, options, approved, outcome.grant);
    }
    case "denied":
      removePending(io, options.profile);
      return { kind: "denied", pending: current };
    case "expired":
    case "gone":
      removePending(io, options.profile);
      return { kind: "expired", pending: current, unknownToServer: outcome.kind === "gone" };
  }
  const next = {
    ...current,
    // RFC 8628 section 3.5: for good (a minute at most).
    interval: outcome.slowDown ? pollInterval(current.interval + 5) : current.interval,
    lastPollAt: polledAt,
  };
  writePending(io, next);
  return { kind: "again", pending: next, slowDown: outcome.slowDown };
}

/** Saves the approved login; forgets the pending one unless the save may succeed on a retry. */
async function save(
  ctx: Context,
  options: ResumeOptions,
  pending: PendingLogin,
  grant: NonNullable<PendingLogin["grant"]>,
): Promise<ResumeOutcome> {
  const io = credentialsIo(ctx, () => {});
  const target = options.targetFor(pending);
  // The server could not be reached to check the key, or the wait stopped (Ctrl-C, or another
  // almyty-auth held the login file's lock too long): nothing is wrong with the approval, so
  // the pending login keeps it and the next `--continue` saves it.
  const retryLater = (error: unknown) =>
    (error instanceof ApiError && isTransient(error)) || stoppedWaiting(ctx, error);
  let result: LoginResult;
  try {
    // Checked with /auth/profile and saved; a key that cannot be kept is revoked.
    result = await keepMinted(
      ctx,
      target,
      mintedFromGrant(grant, Date.parse(pending.lastPollAt ?? pending.createdAt)),
      (checked) => options.commit(target, checked),
      { retryLater },
    );
  } catch (error) {
    if (!retryLater(error)) removePending(io, options.profile);
    throw error;
  }
  removePending(io, options.profile);
  return {
    kind: "approved",
    pending,
    approved: {
      email: result.email,
      organization: result.organization,
      keyOrigin: result.keyOrigin,
      savedHere: true,
    },
  };
}

/** The wait stopped: Ctrl-C, or the login file's lock stayed held for longer than we wait. */
function stoppedWaiting(ctx: Context, error: unknown): boolean {
  return ctx.signal.aborted || (error as Error)?.name === "AbortError" ||
    error instanceof LoginLockTimeout;
}

/**
 * The pending login vanished while this process waited for the lock:
 * another `--continue` saved it (the login file is newer than the pending
 * login, at its API), or it was cancelled.
 */
function finishedElsewhere(options: ResumeOptions, seen: PendingLogin): ResumeOutcome {
  let saved: Credentials | null = null;
  try {
    saved = options.targetFor(seen).file;
  } catch { /* unusable: not ours to report */ }
  if (
    saved?.createdAt && Date.parse(saved.createdAt) >= Date.parse(seen.createdAt) &&
    saved.url !== undefined && sameServiceUrl(saved.url, seen.api) &&
    typeof saved.email === "string"
  ) {
    return {
      kind: "approved",
      pending: seen,
      approved: {
        email: saved.email,
        organization: saved.organization as Organization | undefined,
        keyOrigin: saved.keyOrigin === "supplied" ? "supplied" : "minted",
        savedHere: false,
      },
    };
  }
  return { kind: "no_pending" };
}

/** What `forget` did. */
export type ForgetOutcome =
  /**
   * Another almyty-auth finished the login while this one waited for it (a
   * `--continue` saved it, or it was denied, expired or cancelled): nothing
   * was cancelled or revoked here.
   */
  | { kind: "finished"; pending: PendingLogin }
  | {
    kind: "forgotten";
    pending: PendingLogin | null;
    /** Whether the server heard it: "cancelled" (the code can no longer be approved), "revoked" (an approved key no save will use), or nothing. */
    server: "cancelled" | "revoked" | "not-told";
  }
  | { kind: "no_pending" };

/**
 * Forgets the pending login `options.profile` (`login --cancel`, `logout`):
 * tells its server to cancel the code (best effort), or revokes the key of
 * an approval that was never saved, then removes the file. An unreadable
 * pending file is removed too; an untrusted one is refused.
 *
 * @example
 * ```ts
 * import { denoContext } from "../runtime/deno_context.ts";
 * import { loginTarget } from "../runtime/target.ts";
 * const ctx = { ...denoContext(new AbortController().signal), env: { HOME: Deno.makeTempDirSync() } };
 * const target = loginTarget({ api: "http://127.0.0.1:9" }, { fs: ctx.fs, env: ctx.env });
 * const lock = <T>(_path: string, work: () => Promise<T>) => work();
 * (await forget(ctx, { profile: "default", lock, targetFor: () => target })).kind; // "no_pending"
 * ```
 */
export async function forget(ctx: Context, options: TwoStepOptions): Promise<ForgetOutcome> {
  const io = credentialsIo(ctx, () => {});
  // An unreadable pending file is removed without telling any server; an untrusted one is refused.
  const readable = () => {
    try {
      return { pending: readPending(io, options.profile) };
    } catch (error) {
      if (error instanceof CredentialsError) throw error;
      return { pending: null, unreadable: true };
    }
  };
  const first = readable();
  if (!first.pending && !first.unreadable) return { kind: "no_pending" };
  const pending = first.pending;
  // A code still waiting is cancelled at once (a `--continue` polling it is then denied). An
  // approved key only under the lock, re-read: a `--continue` may be saving it this moment.
  let server: "cancelled" | "revoked" | "not-told" = pending && !pending.grant
    ? await retire(ctx, pending, options.targetFor(pending))
    : "not-told";
  let finished: PendingLogin | null = null;
  await options.lock(pendingPathWith(io, options.profile), async () => {
    const now = readable().pending;
    // Gone meanwhile: another almyty-auth finished it (and may have saved its key).
    if (pending && !now) finished = pending;
    // Only this login: one a `--no-wait --restart` started meanwhile stays.
    else if (!pending || !now || now.deviceCode === pending.deviceCode) {
      // Saved, by a `--continue` stopped (SIGTERM, a closed terminal) before it forgot the
      // pending login: finished; its key is the login's now, never revoked here.
      if (now && savedAlready(io, now)) finished = now;
      // Approved but not saved (a `--continue` got the key and could not save it yet, or
      // crashed): its key, kept for a retry that will not come now, is revoked before the file goes.
      else if (now?.grant) server = await retire(ctx, now, options.targetFor(now));
      removePending(io, options.profile);
    }
  });
  if (finished) return { kind: "finished", pending: finished };
  return { kind: "forgotten", pending, server };
}

/**
 * True when the login file already holds the pending login's approved key: a
 * `--continue` saved it and was stopped before it removed the pending file.
 */
function savedAlready(io: CredentialsIo, pending: PendingLogin): boolean {
  if (!pending.grant) return false;
  try {
    return readProfileWith(io, pending.profile)?.token === pending.grant.access_token;
  } catch {
    return false; // unusable: it holds no key of this login's
  }
}

/** Tells the server a pending login is over: cancel its code, or revoke its unsaved key. */
async function retire(
  ctx: Context,
  pending: PendingLogin,
  target: Target,
): Promise<"cancelled" | "revoked" | "not-told"> {
  if (pending.grant) {
    const keyId = pending.grant.key_id;
    if (typeof keyId !== "string") return "not-told";
    try {
      const outcome = await revokeKey(
        apiFor(ctx, target.withToken(pending.grant.access_token)),
        keyId,
      );
      return outcome.kind === "revoked" || outcome.kind === "dead" ? "revoked" : "not-told";
    } catch {
      return "not-told";
    }
  }
  const told = await cancelDevice(
    apiFor(ctx, target),
    { deviceCancel: pending.deviceCancel },
    pending.deviceCode,
  );
  return told ? "cancelled" : "not-told";
}
