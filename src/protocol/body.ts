/**
 * Reading a small JSON or form request body, capped while it streams (a
 * larger body is refused before it is buffered). Shared by the reference
 * server and the CLI's loopback listener.
 *
 * @example
 * ```ts
 * import { readFields } from "./body.ts";
 * const fields = await readFields(new Request("http://x", { method: "POST", body: "{\"a\":1}" }));
 * ```
 * @module
 */
import { concatBytes } from "./bytes.ts";
import { MAX_BODY_BYTES } from "./constants.ts";
import { parseJson } from "./json.ts";

/**
 * A body that could not be read; `status` says why (400, 408 or 413).
 *
 * @example
 * ```ts
 * new BodyError(413, "too large").status; // 413
 * ```
 */
export class BodyError extends Error {
  /** Builds the error. */
  constructor(readonly status: 400 | 408 | 413, message: string) {
    super(message);
  }
}

/** How long a body may take to arrive: a stalled upload must not hold a handler forever. */
export const BODY_TIMEOUT_MS = 10_000;

const TOO_LARGE = `Request body is larger than ${MAX_BODY_BYTES / 1024} KiB`;

/**
 * Reads a JSON object or form body (≤ 64 KiB, within `BODY_TIMEOUT_MS` or
 * until `signal` aborts) into fields; throws BodyError.
 *
 * @example
 * ```ts
 * const request = new Request("http://x", { method: "POST", body: "a=1", headers: { "content-type": "application/x-www-form-urlencoded" } });
 * (await readFields(request)).a; // "1"
 * ```
 */
export async function readFields(
  request: Request,
  signal?: AbortSignal,
): Promise<Record<string, unknown>> {
  const text = await readBodyText(request, signal);
  if ((request.headers.get("content-type") ?? "").includes("application/x-www-form-urlencoded")) {
    return Object.fromEntries(new URLSearchParams(text));
  }
  if (text.trim() === "") return {};
  const parsed = parseJson(text);
  if (!parsed.ok) throw new BodyError(400, `Malformed JSON body: ${parsed.error}`);
  if (typeof parsed.value !== "object" || parsed.value === null || Array.isArray(parsed.value)) {
    throw new BodyError(400, "The body must be a JSON object");
  }
  return parsed.value as Record<string, unknown>;
}

/**
 * The body as text (≤ 64 KiB, within `BODY_TIMEOUT_MS` or until `signal`
 * aborts); throws BodyError.
 *
 * @example
 * ```ts
 * await readBodyText(new Request("http://x", { method: "POST", body: "a=1&a=2" })); // "a=1&a=2"
 * ```
 */
export async function readBodyText(request: Request, signal?: AbortSignal): Promise<string> {
  if (Number(request.headers.get("content-length") ?? 0) > MAX_BODY_BYTES) {
    throw new BodyError(413, TOO_LARGE);
  }
  const deadline = AbortSignal.timeout(BODY_TIMEOUT_MS);
  return new TextDecoder().decode(
    await readCapped(request, signal ? AbortSignal.any([deadline, signal]) : deadline),
  );
}

/**
 * A string field, or undefined.
 *
 * @example
 * ```ts
 * field({ a: "1", b: 2 }, "b"); // undefined: not a string
 * ```
 */
export function field(fields: Record<string, unknown>, name: string): string | undefined {
  const value = fields[name];
  return typeof value === "string" ? value : undefined;
}

async function readCapped(request: Request, signal: AbortSignal): Promise<Uint8Array> {
  if (!request.body) return new Uint8Array();
  const reader = request.body.getReader();
  const stop = () => reader.cancel().catch(() => {});
  signal.addEventListener("abort", stop, { once: true });
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (signal.aborted) throw new BodyError(408, "The request body did not arrive in time");
      if (done) break;
      size += value.byteLength;
      if (size > MAX_BODY_BYTES) throw new BodyError(413, TOO_LARGE);
      chunks.push(value);
    }
  } finally {
    signal.removeEventListener("abort", stop);
    reader.releaseLock();
  }
  return concatBytes(chunks);
}
