/**
 * The loopback callback listener: one login, 127.0.0.1 only, random port.
 * It checks the Host header (DNS rebinding) and the state (in constant time),
 * ignores forged or stray requests and keeps waiting for the real one.
 *
 * @example
 * ```ts
 * import { startListener } from "./listener.ts";
 * const listener = startListener({
 *   mode: "code",
 *   state: "…",
 *   complete: async (code) => "alice@example.com",
 * });
 * console.log(listener.callbackUrl); // http://127.0.0.1:<port>/callback
 * const outcome = await listener.outcome;
 * ```
 * @module
 */
import { BodyError, field, readFields } from "../protocol/body.ts";
import { CALLBACK_PATHS } from "../protocol/constants.ts";
import { constantTimeEqual, randomToken } from "../protocol/crypto.ts";
import { htmlResponse } from "../protocol/html.ts";
import { failurePage, legacyHandoffPage, successPage } from "./pages.ts";

/** How a login ended at the listener. */
export type ListenerOutcome =
  | { kind: "success"; email: string }
  | { kind: "denied" }
  | { kind: "failed"; error: Error };

/** Listener options. */
export interface ListenerOptions {
  /** `code`: `/callback?code&state`; `legacy`: `/cb#token&state` via `/cb-complete`. */
  mode: "code" | "legacy";
  state: string;
  /**
   * Finishes the login with the code (or legacy token); returns the account's
   * email. `closed` aborts when the listener is closed (timeout, Ctrl-C): a
   * completion still under way must then save nothing.
   */
  complete(value: string, closed: AbortSignal): Promise<string>;
  /** Sees every page the listener serves (the leak scan uses it). */
  onServe?: (path: string, status: number, body: string) => void;
}

/** A running listener. */
export interface Listener {
  port: number;
  callbackUrl: string;
  /** Settles once: success, denial, or a failed exchange. */
  outcome: Promise<ListenerOutcome>;
  /** Stops listening and releases the port. */
  close(): Promise<void>;
}

function text(body: string, status: number): Response {
  return new Response(body, {
    status,
    headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" },
  });
}

function json(body: unknown, status: number): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", "cache-control": "no-store" },
  });
}

/** Starts listening on 127.0.0.1 on a free port. */
export function startListener(options: ListenerOptions): Listener {
  let settle!: (outcome: ListenerOutcome) => void;
  const outcome = new Promise<ListenerOutcome>((resolve) => (settle = resolve));
  const closed = new AbortController();
  let busy = false; // a valid callback is being completed
  let finished = false;
  let successEmail = ""; // legacy: what /success shows once the login is saved
  let port = 0;
  let markSuccessShown!: () => void;
  const successShown = new Promise<void>((resolve) => (markSuccessShown = resolve));

  const stateMatches = (state: string | null | undefined) =>
    typeof state === "string" && constantTimeEqual(state, options.state);

  const finish = (result: ListenerOutcome) => {
    finished = true;
    settle(result);
  };

  const complete = async (value: string): Promise<{ email?: string; error?: Error }> => {
    busy = true;
    try {
      return { email: await options.complete(value, closed.signal) };
    } catch (error) {
      return { error: error as Error };
    }
  };

  const handleCode = async (url: URL): Promise<Response> => {
    if (!stateMatches(url.searchParams.get("state"))) {
      return htmlResponse(
        failurePage(
          "This login link is not valid",
          "The state does not match the login running in your terminal. The CLI is still waiting; finish the login from the page it opened.",
        ),
        400,
      );
    }
    if (url.searchParams.get("error")) {
      const denied = url.searchParams.get("error") === "access_denied";
      finish(
        denied ? { kind: "denied" } : {
          kind: "failed",
          error: new Error(`The server refused the login: ${url.searchParams.get("error")}`),
        },
      );
      return htmlResponse(
        failurePage(
          denied ? "Login denied" : "Login failed",
          denied
            ? "You denied the request. The CLI has stopped."
            : "The server refused the login; see your terminal.",
        ),
      );
    }
    const code = url.searchParams.get("code");
    if (!code) return htmlResponse(failurePage("Login failed", "The callback has no code."), 400);
    const { email, error } = await complete(code);
    if (error) {
      finish({ kind: "failed", error });
      return htmlResponse(
        failurePage("Login failed", "The CLI could not finish the login; see your terminal."),
        502,
      );
    }
    finish({ kind: "success", email: email! });
    return htmlResponse(successPage(email!));
  };

  const handleLegacyComplete = async (request: Request): Promise<Response> => {
    let body: Record<string, unknown>;
    try {
      body = await readFields(request);
    } catch (error) {
      if (!(error instanceof BodyError)) throw error;
      return json({ error: `Bad request: ${error.message}` }, error.status);
    }
    if (!stateMatches(field(body, "state"))) return json({ error: "Invalid state" }, 400);
    const token = field(body, "token");
    if (!token) return json({ error: "Missing token" }, 400);
    const { email, error } = await complete(token);
    if (error) {
      finish({ kind: "failed", error });
      return json({ error: "The CLI could not verify this key; see your terminal." }, 401);
    }
    finish({ kind: "success", email: email! });
    successEmail = email!;
    return json({ ok: true }, 200);
  };

  const route = async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    const host = request.headers.get("host") ?? "";
    if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) {
      return text("Bad Host header", 400); // DNS rebinding: only our own address
    }
    const path = url.pathname;
    if (request.method === "GET" && path === "/") {
      return text("almyty CLI login listener. Waiting for the browser…", 200);
    }
    if (options.mode === "code" && request.method === "GET" && path === CALLBACK_PATHS.code) {
      if (finished || busy) {
        return htmlResponse(
          failurePage(
            "Already handled",
            "This login has already been handled. Check your terminal.",
          ),
          409,
        );
      }
      return await handleCode(url);
    }
    if (options.mode === "legacy") {
      if (request.method === "GET" && path === CALLBACK_PATHS.legacy) {
        const nonce = randomToken(16);
        return htmlResponse(legacyHandoffPage(nonce), 200, { nonce });
      }
      if (request.method === "POST" && path === CALLBACK_PATHS.legacyComplete) {
        if (finished || busy) return json({ error: "This login has already been handled" }, 409);
        return await handleLegacyComplete(request);
      }
      if (request.method === "GET" && path === CALLBACK_PATHS.legacySuccess && successEmail) {
        queueMicrotask(markSuccessShown);
        return htmlResponse(successPage(successEmail));
      }
    }
    return text("Not found", 404);
  };

  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen: () => {},
  }, async (request) => {
    const response = await route(request);
    if (options.onServe) {
      const copy = response.clone();
      options.onServe(new URL(request.url).pathname, response.status, await copy.text());
    }
    return response;
  });
  port = server.addr.port;
  const path = options.mode === "code" ? CALLBACK_PATHS.code : CALLBACK_PATHS.legacy;

  let closing: Promise<void> | undefined;
  return {
    port,
    callbackUrl: `http://127.0.0.1:${port}${path}`,
    outcome,
    close: () => {
      closed.abort();
      if (!closing) {
        // Legacy: give the browser up to 3 s to load /success before the port closes.
        let timer: ReturnType<typeof setTimeout> | undefined;
        const grace = options.mode === "legacy" && successEmail
          ? Promise.race([successShown, new Promise((r) => (timer = setTimeout(r, 3000)))])
          : Promise.resolve();
        closing = grace.then(() => {
          clearTimeout(timer);
          return server.shutdown();
        });
      }
      return closing;
    },
  };
}
