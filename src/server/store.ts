/**
 * The reference server's state: accounts, sessions, API keys, authorization
 * codes and device grants. Secrets (keys, codes, device codes, sessions) are
 * kept only as SHA-256 hashes, so a lookup never compares a secret directly.
 *
 * @example
 * ```ts
 * import { Store } from "./store.ts";
 * const store = new Store({ now: () => Date.now() });
 * const alice = store.addUser("alice@example.com", "alice-password", ["acme"]);
 * const { apiKey } = store.mintKey(alice, "CLI login");
 * store.principalForKey(apiKey)?.user.email; // "alice@example.com"
 * ```
 * @module
 */
import { scryptSync } from "node:crypto";
import { writeFileAtomic } from "../credentials/atomic.ts";
import { denoFs } from "../platform/deno_fs.ts";
import {
  AUTH_CODE_TTL_SECONDS,
  DEVICE_CODE_TTL_SECONDS,
  DEVICE_INTERVAL_SECONDS,
  USER_CODE_ALPHABET,
} from "../protocol/constants.ts";
import { constantTimeEqual, randomFromAlphabet, randomToken } from "../protocol/crypto.ts";
import { randomHex } from "../protocol/random.ts";
import { sha256Hex } from "../protocol/sha256.ts";
import { API_KEY_PREFIX } from "../protocol/tokens.ts";
import { signJwt, verifyJwt } from "./jwt.ts";

/** Lifetime of a browser session and of a JWT from `/auth/login` (production: 24 h). */
export const SESSION_TTL_SECONDS = 86_400;
const REQUEST_TTL_SECONDS = 600;

/** An organization and the account's role in it. */
export interface Membership {
  id: string;
  name: string;
  slug: string;
  role: string;
}

/** An account. */
export interface User {
  id: string;
  email: string;
  salt: string;
  passwordHash: string;
  firstName: string;
  lastName: string;
  organizations: Membership[];
}

/** An API key; only its hash is kept. */
export interface ApiKeyRecord {
  id: string;
  userId: string;
  name: string;
  keyHash: string;
  /** `almyty_` plus one hex digit, as production shows it. */
  keyPrefix: string;
  /** The organization the key is tied to, or null (a user with several orgs). */
  organizationId: string | null;
  scopes: string[];
  createdAt: string;
  expiresAt: string | null;
  isActive: boolean;
  lastUsedAt: string | null;
}

/** Who a request acts as, and the organization its credential is tied to. */
export interface Principal {
  user: User;
  organizationId: string | null;
}

/** A browser session. */
export interface Session {
  userId: string;
  csrf: string;
  expiresAt: number;
}

/** An authorization code (RFC 6749 §4.1) bound to a PKCE challenge. */
export interface AuthCode {
  userId: string;
  challenge: string;
  redirectUri: string;
  clientName: string;
  /** The organization the user chose for the key (null: none). */
  organizationId: string | null;
  expiresAt: number;
  used: boolean;
  keyId?: string;
}

/** A device grant (RFC 8628). */
export interface DeviceGrant {
  userCode: string;
  clientName: string;
  /** The address the device authorization request came from (shown on consent, RFC 8628 §5.4). */
  requesterIp: string;
  createdAt: number;
  expiresAt: number;
  interval: number;
  lastPollAt: number;
  /** A long-poll is being held for this code (one at a time). */
  held: boolean;
  /** `cancelled`: the client said it stopped waiting (almyty's cancel extension). */
  status: "pending" | "approved" | "denied" | "cancelled" | "done";
  userId?: string;
  organizationId?: string | null;
  waiters: Set<() => void>;
}

/** What a login request asks for. */
export type RequestDetails =
  & { clientName: string }
  & (
    | { kind: "code"; redirectUri: string; state: string; challenge: string }
    | { kind: "device"; deviceHash: string }
  );

/** What a consent page is approving. */
export type PendingRequest = RequestDetails & {
  csrf: string;
  userId: string;
  expiresAt: number;
  /** Device flow from another address: approval needs the code typed (RFC 8628 §5.4). */
  mustType?: boolean;
};

/** Store options. */
export interface StoreOptions {
  now?: () => number;
  /** Waits `ms` on the store's clock (rejects when `signal` aborts): a held long-poll's wait. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** JSON file that persists users and keys (written atomically, 0600). */
  dataFile?: string;
  deviceInterval?: number;
  /** Lifetime of keys a CLI login mints, in seconds (default: they never expire, as production's). */
  keyLifetimeSeconds?: number;
}

/**
 * The state.
 *
 * @example
 * ```ts
 * const store = new Store();
 * const alice = store.addUser("alice@example.com", "pw", ["acme"]);
 * store.mintKey(alice, "CI").apiKey.startsWith("almyty_"); // true
 * ```
 */
export class Store {
  readonly users = new Map<string, User>();
  readonly keys = new Map<string, ApiKeyRecord>(); // by keyHash
  readonly sessions = new Map<string, Session>(); // by hash
  readonly codes = new Map<string, AuthCode>(); // by hash
  readonly devices = new Map<string, DeviceGrant>(); // by device-code hash
  readonly #byUserCode = new Map<string, string>(); // user code → device-code hash
  readonly requests = new Map<string, PendingRequest>(); // by id
  readonly now: () => number;
  /** Waits on the store's clock (the real one unless a test gives its own). */
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Signs the JWTs `/auth/login` hands out; new on every start. */
  readonly #jwtSecret = randomToken(32);
  readonly #dataFile?: string;
  readonly #deviceInterval: number;

  constructor(options: StoreOptions = {}) {
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? realSleep;
    this.#dataFile = options.dataFile;
    this.#deviceInterval = options.deviceInterval ?? DEVICE_INTERVAL_SECONDS;
    this.keyLifetimeSeconds = options.keyLifetimeSeconds ?? null;
    if (this.#dataFile) this.#load(this.#dataFile);
  }

  // ---- accounts --------------------------------------------------------
  /** Adds (or replaces) an account, a member (owner) of each named organization. */
  addUser(email: string, password: string, orgNames: string[]): User {
    const existing = this.userByEmail(email);
    const salt = randomToken(16);
    const [first, last] = email.split("@")[0].split(/[._-]/);
    const user: User = {
      id: existing?.id ?? crypto.randomUUID(),
      email: email.toLowerCase(),
      salt,
      passwordHash: hashPassword(password, salt),
      firstName: capitalize(first ?? "User"),
      lastName: capitalize(last ?? ""),
      organizations: existing?.organizations ?? orgNames.map((name) => this.#organization(name)),
    };
    this.users.set(user.id, user);
    this.#save();
    return user;
  }

  /** An organization by name, shared by every account that names it. */
  #organization(name: string): Membership {
    for (const user of this.users.values()) {
      const found = user.organizations.find((o) => o.name === name);
      if (found) return { ...found, role: "member" };
    }
    const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") || "org";
    return { id: crypto.randomUUID(), name, slug, role: "owner" };
  }

  /** The first account added: the one `--auto-approve` acts as. */
  firstUser(): User | undefined {
    return this.users.values().next().value;
  }

  /** Finds an account by email (case-insensitive). */
  userByEmail(email: string): User | undefined {
    const wanted = email.toLowerCase();
    for (const user of this.users.values()) if (user.email === wanted) return user;
  }

  /** Checks a password; returns the account or undefined. */
  checkPassword(email: string, password: string): User | undefined {
    const user = this.userByEmail(email);
    // Hash even for unknown accounts so timing does not reveal which exist.
    const hash = hashPassword(password, user?.salt ?? "no-such-user");
    return user && constantTimeEqual(hash, user.passwordHash) ? user : undefined;
  }

  // ---- sessions --------------------------------------------------------
  /** Starts a session; returns its secret (the cookie value). */
  createSession(user: User): string {
    this.purgeExpired();
    const secret = randomToken();
    this.sessions.set(sha256Hex(secret), {
      userId: user.id,
      csrf: randomToken(),
      expiresAt: this.now() + SESSION_TTL_SECONDS * 1000,
    });
    return secret;
  }

  /** The live session for a secret. */
  session(secret: string | undefined): Session | undefined {
    if (!secret) return;
    const session = this.sessions.get(sha256Hex(secret));
    if (session && session.expiresAt > this.now()) return session;
  }

  /** Ends a session. */
  endSession(secret: string): void {
    this.sessions.delete(sha256Hex(secret));
  }

  /** A JWT for the account, as production's `/auth/login` returns (24 h). */
  issueJwt(user: User): string {
    return signJwt(
      this.#jwtSecret,
      { sub: user.id, email: user.email },
      this.now(),
      SESSION_TTL_SECONDS,
    );
  }

  /** The account of a valid, unexpired JWT of ours. */
  userForJwt(token: string): User | undefined {
    const claims = verifyJwt(this.#jwtSecret, token, this.now());
    return typeof claims?.sub === "string" ? this.users.get(claims.sub) : undefined;
  }

  /** Lifetime of keys a CLI login mints, in seconds (null: they never expire, as production's). */
  readonly keyLifetimeSeconds: number | null;

  /** The organization a user's unscoped credential is tied to: the only one, or none. */
  defaultOrganization(user: User): string | null {
    return user.organizations.length === 1 ? user.organizations[0].id : null;
  }

  // ---- API keys --------------------------------------------------------
  /**
   * Mints a key `almyty_<64 hex>`; only its hash is stored. Without an
   * organization the key is tied to the user's only one, or to none.
   */
  mintKey(
    user: User,
    name: string,
    organizationId: string | null = this.defaultOrganization(user),
    /** `POST /auth/api-keys`'s optional scopes and expiry (ISO 8601). */
    options: { scopes?: string[]; expiresAt?: string } = {},
  ): { apiKey: string; record: ApiKeyRecord } {
    const apiKey = API_KEY_PREFIX + randomHex(32);
    const record: ApiKeyRecord = {
      id: crypto.randomUUID(),
      userId: user.id,
      name,
      keyHash: sha256Hex(apiKey),
      keyPrefix: apiKey.slice(0, API_KEY_PREFIX.length + 1),
      organizationId,
      scopes: options.scopes ?? [],
      createdAt: new Date(this.now()).toISOString(),
      expiresAt: options.expiresAt ? new Date(options.expiresAt).toISOString() : null,
      isActive: true,
      lastUsedAt: null,
    };
    this.keys.set(record.keyHash, record);
    this.#save();
    return { apiKey, record };
  }

  /**
   * Mints the key a CLI login hands out, named after the device
   * (`CLI login (<device>) <date>`, as production names them), tied to the
   * organization chosen, expiring when the server says so. Every login gets a
   * new key and no other key is touched, as in production: the device name is
   * whatever the client sends, so it cannot decide which key a login replaces
   * (the CLI revokes the key it replaces itself).
   */
  mintCliKey(
    user: User,
    clientName: string,
    organizationId: string | null = this.defaultOrganization(user),
  ): { apiKey: string; record: ApiKeyRecord } {
    const today = new Date(this.now()).toISOString().slice(0, 10);
    const minted = this.mintKey(user, `CLI login (${clientName}) ${today}`, organizationId);
    if (this.keyLifetimeSeconds !== null) {
      minted.record.expiresAt = new Date(this.now() + this.keyLifetimeSeconds * 1000).toISOString();
      this.#save();
    }
    return minted;
  }

  /** Who an active key acts as (and records its use). */
  principalForKey(apiKey: string): Principal | undefined {
    const record = this.keys.get(sha256Hex(apiKey));
    if (!record?.isActive) return;
    if (record.expiresAt && Date.parse(record.expiresAt) <= this.now()) return;
    const user = this.users.get(record.userId);
    if (!user) return;
    record.lastUsedAt = new Date(this.now()).toISOString();
    return { user, organizationId: record.organizationId };
  }

  /** A user's keys. */
  keysOf(user: User): ApiKeyRecord[] {
    return [...this.keys.values()].filter((k) => k.userId === user.id);
  }

  /**
   * Revokes a key by id; false when it is not one of the user's active keys
   * (production: a revoked key's id is "API key not found" too).
   */
  revokeKeyById(user: User, id: string): boolean {
    const record = this.keysOf(user).find((k) => k.id === id && k.isActive);
    if (!record) return false;
    record.isActive = false;
    this.#save();
    return true;
  }

  /** Revokes a key by its record id (a replayed authorization code's key). */
  revokeKeyRecord(id: string): void {
    for (const record of this.keys.values()) {
      if (record.id === id) record.isActive = false;
    }
    this.#save();
  }

  /** Revokes a key given the key itself (RFC 7009). */
  revokeKey(apiKey: string): void {
    const record = this.keys.get(sha256Hex(apiKey));
    if (record) {
      record.isActive = false;
      this.#save();
    }
  }

  // ---- consent requests ------------------------------------------------
  /** Records what a consent page approves; returns its id. */
  addRequest(
    details: RequestDetails & { mustType?: boolean },
    userId: string,
    csrf: string,
  ): string {
    const id = randomToken(16);
    this.requests.set(id, {
      ...details,
      userId,
      csrf,
      expiresAt: this.now() + REQUEST_TTL_SECONDS * 1000,
    });
    return id;
  }

  /** Takes (removes) a pending request if it is live. */
  takeRequest(id: string): PendingRequest | undefined {
    const request = this.requests.get(id);
    this.requests.delete(id);
    if (request && request.expiresAt > this.now()) return request;
  }

  // ---- authorization codes ----------------------------------------------
  /** Issues an authorization code; returns the code. */
  issueCode(
    user: User,
    fields: {
      challenge: string;
      redirectUri: string;
      clientName: string;
      organizationId: string | null;
    },
  ): string {
    this.purgeExpired();
    const code = randomToken();
    this.codes.set(sha256Hex(code), {
      ...fields,
      userId: user.id,
      expiresAt: this.now() + AUTH_CODE_TTL_SECONDS * 1000,
      used: false,
    });
    return code;
  }

  /** The record of a code, whatever its state (until purged after its lifetime). */
  code(code: string): AuthCode | undefined {
    return this.codes.get(sha256Hex(code));
  }

  // ---- device grants ----------------------------------------------------
  /** Starts a device grant; returns the device code and its record. */
  createDeviceGrant(
    clientName: string,
    requesterIp = "127.0.0.1",
  ): { deviceCode: string; grant: DeviceGrant } {
    this.purgeExpired();
    const deviceCode = randomToken();
    const grant: DeviceGrant = {
      userCode: this.#freshUserCode(),
      clientName,
      requesterIp,
      createdAt: this.now(),
      expiresAt: this.now() + DEVICE_CODE_TTL_SECONDS * 1000,
      interval: this.#deviceInterval,
      lastPollAt: 0,
      held: false,
      status: "pending",
      waiters: new Set(),
    };
    const hash = sha256Hex(deviceCode);
    this.devices.set(hash, grant);
    this.#byUserCode.set(grant.userCode, hash);
    return { deviceCode, grant };
  }

  /** The grant for a device code. */
  deviceGrant(deviceCode: string): DeviceGrant | undefined {
    return this.devices.get(sha256Hex(deviceCode));
  }

  /**
   * Finds a live grant still waiting for a person by user code (case- and
   * dash-insensitive), by hash map: a pending one, or one its client
   * cancelled (so the page can say so).
   */
  deviceByUserCode(input: string): { hash: string; grant: DeviceGrant } | undefined {
    const hash = this.#byUserCode.get(normalizeUserCode(input));
    const grant = hash ? this.devices.get(hash) : undefined;
    if (hash && grant && grant.expiresAt > this.now()) return { hash, grant };
  }

  /**
   * The client stopped waiting: a pending or approved (not yet redeemed)
   * grant is cancelled, its long-polls wake, and nothing is ever minted for
   * it. Unknown, expired or finished codes are left as they are.
   */
  cancelDevice(deviceCode: string): void {
    const grant = this.deviceGrant(deviceCode);
    if (!grant || !["pending", "approved"].includes(grant.status)) return;
    if (grant.expiresAt <= this.now()) return;
    grant.status = "cancelled";
    for (const wake of grant.waiters) wake();
  }

  /** Approves or denies a grant and wakes its long-polls. */
  decideDevice(
    hash: string,
    user: User,
    approve: boolean,
    organizationId: string | null = this.defaultOrganization(user),
  ): DeviceGrant | undefined {
    const grant = this.devices.get(hash);
    if (!grant || grant.status !== "pending" || grant.expiresAt <= this.now()) return;
    grant.status = approve ? "approved" : "denied";
    grant.userId = user.id;
    grant.organizationId = organizationId;
    this.#byUserCode.delete(grant.userCode);
    for (const wake of grant.waiters) wake();
    return grant;
  }

  /**
   * Forgets what has expired: device grants and authorization codes (after
   * their lifetime), consent requests, sessions. Called as new ones are made,
   * so a flood of requests cannot grow the store without bound.
   */
  purgeExpired(): void {
    const now = this.now();
    for (const [hash, grant] of this.devices) {
      // Kept a while past expiry, so a late poll still hears expired_token.
      if (grant.expiresAt + DEVICE_CODE_TTL_SECONDS * 1000 <= now) {
        this.devices.delete(hash);
        this.#byUserCode.delete(grant.userCode);
        for (const wake of grant.waiters) wake();
      }
    }
    for (const [hash, code] of this.codes) if (code.expiresAt <= now) this.codes.delete(hash);
    for (const [id, request] of this.requests) {
      if (request.expiresAt <= now) this.requests.delete(id);
    }
    for (const [hash, session] of this.sessions) {
      if (session.expiresAt <= now) this.sessions.delete(hash);
    }
  }

  #freshUserCode(): string {
    for (;;) {
      const code = randomFromAlphabet(USER_CODE_ALPHABET, 8);
      if (!this.#byUserCode.has(code)) return code;
    }
  }

  // ---- persistence -----------------------------------------------------
  #load(path: string): void {
    const text = denoFs.readFile(path)?.text;
    if (text === undefined) return;
    const data = JSON.parse(text) as { users?: User[]; keys?: ApiKeyRecord[] };
    for (const user of data.users ?? []) this.users.set(user.id, user);
    for (const key of data.keys ?? []) this.keys.set(key.keyHash, key);
  }

  #save(): void {
    if (!this.#dataFile) return;
    writeFileAtomic(
      denoFs,
      this.#dataFile,
      JSON.stringify({ users: [...this.users.values()], keys: [...this.keys.values()] }, null, 2),
    );
  }
}

/** Waits `ms` of real time, or rejects when `signal` aborts. */
function realSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", stop);
      resolve();
    }, ms);
    const stop = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener("abort", stop, { once: true });
  });
}

/**
 * `abcd-efgh` → `ABCDEFGH`.
 *
 * @example
 * ```ts
 * normalizeUserCode("bcdf-ghjk"); // "BCDFGHJK"
 * ```
 */
export function normalizeUserCode(input: string): string {
  return input.toUpperCase().replace(/[^A-Z]/g, "");
}

/**
 * `ABCDEFGH` → `ABCD-EFGH`.
 *
 * @example
 * ```ts
 * formatUserCode("BCDFGHJK"); // "BCDF-GHJK"
 * ```
 */
export function formatUserCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

function hashPassword(password: string, salt: string): string {
  // Low cost: this is a reference server for demos and tests.
  return scryptSync(password, salt, 32, { N: 1024 }).toString("hex");
}

function capitalize(word: string): string {
  return word ? word[0].toUpperCase() + word.slice(1) : word;
}
