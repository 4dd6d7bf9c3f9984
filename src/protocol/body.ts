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

/** A body that could not be read; `status` says why (400 or 413). */
export class BodyError extends Error {
  /** Builds the error. */
  constructor(readonly status: 400 | 413, message: string) {
    super(message);
  }
}

const TOO_LARGE = `Request body is larger than ${MAX_BODY_BYTES / 1024} KiB`;

/** Reads a JSON object or form body (≤ 64 KiB) into fields; throws BodyError. */
export async function readFields(request: Request): Promise<Record<string, unknown>> {
  if (Number(request.headers.get("content-length") ?? 0) > MAX_BODY_BYTES) {
    throw new BodyError(413, TOO_LARGE);
  }
  const text = new TextDecoder().decode(await readCapped(request));
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

/** A string field, or undefined. */
export function field(fields: Record<string, unknown>, name: string): string | undefined {
  const value = fields[name];
  return typeof value === "string" ? value : undefined;
}

async function readCapped(request: Request): Promise<Uint8Array> {
  if (!request.body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of request.body) {
    size += chunk.byteLength;
    if (size > MAX_BODY_BYTES) throw new BodyError(413, TOO_LARGE);
    chunks.push(chunk);
  }
  return concatBytes(chunks);
}
