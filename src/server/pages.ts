/**
 * The reference server's pages: sign in, consent, code entry, outcome.
 * Every reflected value is escaped; pages carry no script.
 *
 * @example
 * ```ts
 * import { signInPage } from "./pages.ts";
 * const html = signInPage({ returnTo: "/cli-auth?code=BCDF-GHJK" });
 * ```
 * @module
 */
import { escapeHtml as e, page } from "../protocol/html.ts";
import { PATHS } from "../protocol/constants.ts";

/**
 * The sign-in form; posts to `/auth/login` and comes back to `returnTo`.
 *
 * @example
 * ```ts
 * signInPage({ returnTo: "/cli-auth" }).includes("Sign in to almyty"); // true
 * ```
 */
export function signInPage(
  options: { returnTo: string; error?: string; email?: string; device?: boolean },
): string {
  const why = options.device
    ? `<p class="muted">A command-line tool on another device asked to log in with a code. ` +
      `Sign in to see what it asks for; you will then be shown the request and can approve or deny it.</p>`
    : "";
  return page(
    "Sign in",
    `<h1>Sign in to almyty</h1>` + why +
      (options.error ? `<p class="error" role="alert">${e(options.error)}</p>` : "") +
      `<form method="post" action="${PATHS.login}">` +
      `<input type="hidden" name="return_to" value="${e(options.returnTo)}">` +
      `<label for="email">Email</label>` +
      `<input id="email" name="email" type="email" autocomplete="username" required value="${
        e(options.email ?? "")
      }">` +
      `<label for="password">Password</label>` +
      `<input id="password" name="password" type="password" autocomplete="current-password" required>` +
      `<button type="submit">Sign in</button></form>`,
  );
}

/** What a consent page shows. */
export interface ConsentView {
  email: string;
  /** The user's organizations: with several, the user picks the one the key is tied to. */
  organizations: { id: string; name: string }[];
  /** The name the requesting client gave itself: unverified, anyone can send any name. */
  clientName: string;
  requestId: string;
  csrf: string;
  /** Device flow: the code to compare with the terminal (not shown when it must be typed). */
  userCode?: string;
  /** Browser flows: where the browser will be sent (a program on this computer). */
  destination?: string;
  /** Device flow: what the server saw of the requester, and of this browser (RFC 8628 §5.4). */
  requester?: { ip: string; browserIp: string; ageSeconds: number };
  /** The requester is elsewhere: approving needs the code typed, not the pre-filled one. */
  mustType?: boolean;
  /** Device flow: seconds left in the code's life (the page counts down, never past it). */
  expiresInSeconds?: number;
  /** The nonce of the page's one script (the countdown), when there is one. */
  nonce?: string;
}

/**
 * `m:ss` for a number of seconds.
 *
 * @example
 * ```ts
 * clock(588); // "9:48"
 * ```
 */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

/** The countdown: counts to the code's end, then disables Approve and says why. */
const COUNTDOWN = `
const out = document.getElementById("expires");
const end = Date.now() + Number(out.dataset.seconds) * 1000;
const tick = () => {
  const left = Math.max(0, Math.floor((end - Date.now()) / 1000));
  out.textContent = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
  if (left > 0) return setTimeout(tick, 1000);
  out.textContent = "expired: start the login again in your terminal";
  out.className = "error";
  document.getElementById("approve").disabled = true;
};
tick();`;

/**
 * Approve/Deny for a login request. Both flows show who is signed in, what
 * the requester calls itself (unverified), where the result goes and a
 * phishing warning; the device flow adds the code to compare (or, when the
 * request came from another address, a field to type it, the code itself
 * withheld) and a countdown that never outlives the code.
 *
 * @example
 * ```ts
 * consentPage({
 *   email: "a@b.c",
 *   organizations: [{ id: "o", name: "acme" }],
 *   clientName: "laptop",
 *   requestId: "r",
 *   csrf: "c",
 * }).includes("Approve"); // true
 * ```
 */
export function consentPage(view: ConsentView): string {
  const code = view.userCode && !view.mustType
    ? `<p>Check that your terminal shows this code:</p><p class="code" data-testid="user-code">${
      e(view.userCode)
    }</p>`
    : "";
  const warning =
    `<p class="warning" role="alert" data-testid="phishing-warning"><strong>Only approve a login ` +
    `you started yourself, just now.</strong> If someone sent you this link, choose Deny.</p>`;
  const row = (term: string, testId: string, value: string) =>
    `<dt>${term}</dt><dd data-testid="${testId}">${value}</dd>`;
  const orgs = view.organizations;
  const rows = [
    row("Account", "account", e(view.email)),
    orgs.length === 1 ? row("Organization", "organization", e(orgs[0].name)) : "",
    row(
      "Requested by",
      "device",
      `${e(view.clientName)} <span class="muted">(the name it gives itself)</span>`,
    ),
    view.requester
      ? row(
        "Requested from",
        "requester",
        `${e(view.requester.ip)}, ${e(String(view.requester.ageSeconds))} s ago (this browser: ${
          e(view.requester.browserIp)
        })`,
      )
      : "",
    view.destination
      ? row(
        "Sends the result to",
        "destination",
        `${e(view.destination)} <span class="muted">(a program on this computer)</span>`,
      )
      : "",
    view.expiresInSeconds !== undefined
      ? row(
        "Code expires in",
        "expires",
        `<span id="expires" data-seconds="${view.expiresInSeconds}">${
          clock(view.expiresInSeconds)
        }</span>`,
      )
      : "",
  ].join("");
  const organizationChoice = orgs.length === 1 ? "" : `<fieldset data-testid="organization">` +
    `<legend>Tie the new key to</legend>` +
    orgs.map((o, i) =>
      `<label class="choice"><input type="radio" name="organization_id" value="${e(o.id)}"${
        i === 0 ? " checked" : ""
      }> ${e(o.name)}</label>`
    ).join("") +
    `<label class="choice"><input type="radio" name="organization_id" value=""> no organization</label>` +
    `</fieldset>`;
  const typed = view.mustType
    ? `<label for="typed_code">This request came from another address: type the code shown in your terminal</label>` +
      `<input id="typed_code" name="typed_code" autocomplete="off" placeholder="XXXX-XXXX" required>`
    : "";
  return page(
    "Authorize the almyty CLI",
    `<h1>Authorize the almyty CLI?</h1>${code}${warning}` +
      `<form method="post" action="${PATHS.decision}"><dl class="facts">${rows}</dl>` +
      organizationChoice + typed +
      `<input type="hidden" name="request_id" value="${e(view.requestId)}">` +
      `<input type="hidden" name="csrf" value="${e(view.csrf)}">` +
      `<div class="actions">` +
      `<button type="submit" name="decision" value="approve" id="approve">Approve</button>` +
      `<button type="submit" name="decision" value="deny" class="secondary" formnovalidate>Deny</button>` +
      `</div>` +
      `<p class="muted">Approving creates an API key for this login, tied to the organization ` +
      `above; you can revoke it at any time.</p></form>`,
    view.nonce && view.expiresInSeconds !== undefined
      ? { nonce: view.nonce, code: COUNTDOWN }
      : undefined,
  );
}

/** What production's `/cli-login` consent card shows and needs. */
export interface ConnectCliView {
  email: string;
  organization: string;
  /** The requesting device's name, when the CLI sent one. */
  device?: string | null;
  callback: string;
  state: string;
  nonce: string;
}

/**
 * Production's "Connect CLI" card. Its script (on click only) mints a key
 * with `POST /auth/api-keys` and hands it to the callback in the fragment,
 * exactly as production's web app does. The values reach the script through
 * escaped data attributes, never through the script's text.
 *
 * @example
 * ```ts
 * connectCliPage({ email: "a@b.c", organization: "acme", callback: "http://127.0.0.1:9/cb", state: "s", nonce: "n" });
 * ```
 */
export function connectCliPage(view: ConnectCliView): string {
  const code = `
const data = document.getElementById("connect").dataset;
const out = document.getElementById("status");
document.getElementById("connect-cli").addEventListener("click", async (event) => {
  event.target.disabled = true;
  const name = "CLI login (" + navigator.platform + ") " + new Date().toISOString().slice(0, 10);
  try {
    const response = await fetch("${PATHS.apiKeys}", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ name }),
    });
    const body = await response.json();
    if (!response.ok) throw new Error(body?.error?.message || "Could not create a key");
    location.href = data.callback + "#token=" + encodeURIComponent(body.data.apiKey) +
      "&state=" + encodeURIComponent(data.state);
  } catch (error) {
    out.className = "error";
    out.textContent = String(error.message || error);
    event.target.disabled = false;
  }
});
document.getElementById("cancel-cli").addEventListener("click", () => {
  document.getElementById("connect-cli").disabled = true;
  document.getElementById("cancel-cli").disabled = true;
  out.className = "";
  out.textContent = "Cancelled: no key was created and nothing was sent to the CLI. " +
    "You can close this tab; in your terminal, press Ctrl-C to stop the login.";
});`;
  return page(
    "Connect CLI",
    `<h1>Connect the almyty CLI?</h1><div id="connect" data-callback="${
      e(view.callback)
    }" data-state="${e(view.state)}"><dl>` +
      `<dt>Account</dt><dd data-testid="account">${e(view.email)}</dd>` +
      `<dt>Organization</dt><dd data-testid="organization">${e(view.organization)}</dd>` +
      (view.device
        ? `<dt>Requesting device</dt><dd data-testid="device">${e(view.device)}</dd>`
        : "") +
      `<dt>Sends the key to</dt><dd data-testid="destination">${
        e(new URL(view.callback).origin)
      }</dd></dl>` +
      `<p class="muted">Connecting creates an API key for the CLI. Only connect a CLI you started.</p>` +
      `<p id="status" role="status"></p>` +
      `<div class="actions"><button type="button" id="connect-cli">Connect CLI</button>` +
      `<button type="button" id="cancel-cli" class="secondary">Cancel</button></div></div>`,
    { nonce: view.nonce, code },
  );
}

/**
 * A form to type a device code.
 *
 * @example
 * ```ts
 * codeEntryPage("That code is not valid").includes("not valid"); // true
 * ```
 */
export function codeEntryPage(error?: string): string {
  return page(
    "Enter code",
    `<h1>Connect a device</h1><p>Enter the code shown in your terminal.</p>` +
      (error ? `<p class="error" role="alert">${e(error)}</p>` : "") +
      `<form method="get" action="${PATHS.authorizePage}">` +
      `<label for="code">Code</label>` +
      `<input id="code" name="code" autocomplete="off" placeholder="XXXX-XXXX" required>` +
      `<button type="submit">Continue</button></form>`,
  );
}

/** What the API keys page shows. */
export interface ApiKeysView {
  email: string;
  csrf: string;
  /** The signed-in user's keys, newest first. */
  keys: { id: string; name: string; keyPrefix: string; createdAt: string; isActive: boolean }[];
  /** A key just created: shown this once. */
  created?: string;
  /** The `almyty-auth login` that takes a key for this server. */
  loginCommand: string;
  /** A line saying what the last action did. */
  notice?: string;
}

/**
 * The API keys page (the web app's Settings > API Keys): create a key, shown
 * once, to pipe to `almyty-auth login --with-token`; revoke any key. Plain
 * forms (no script), each carrying the session's CSRF token.
 *
 * @example
 * ```ts
 * apiKeysPage({ email: "alice@example.com", csrf: "c", keys: [], loginCommand: "almyty-auth login --with-token" })
 *   .includes("Create a key"); // true
 * ```
 */
export function apiKeysPage(view: ApiKeysView): string {
  const csrf = `<input type="hidden" name="csrf" value="${e(view.csrf)}">`;
  const created = view.created
    ? `<div class="warning" role="status"><p><strong>Your new key</strong> (copy it now: it is ` +
      `not shown again):</p><p><code data-testid="new-key">${e(view.created)}</code></p>` +
      `<p>To log in with it, pipe it to <code>${e(view.loginCommand)}</code></p></div>`
    : "";
  const rows = view.keys.map((k) =>
    `<tr><td>${e(k.name)}</td><td><code>${e(k.keyPrefix)}…</code></td>` +
    `<td>${e(k.createdAt.slice(0, 10))}</td><td>${
      k.isActive
        ? `<form method="post" action="${PATHS.apiKeysPage}">${csrf}` +
          `<input type="hidden" name="action" value="revoke">` +
          `<input type="hidden" name="id" value="${e(k.id)}">` +
          `<button type="submit" class="secondary" aria-label="Revoke ${
            e(k.name)
          }">Revoke</button></form>`
        : "revoked"
    }</td></tr>`
  ).join("");
  return page(
    "API keys",
    `<h1>API keys</h1><p class="muted">Signed in as ${e(view.email)}.</p>` +
      (view.notice ? `<p role="status">${e(view.notice)}</p>` : "") + created +
      `<form method="post" action="${PATHS.apiKeysPage}">${csrf}` +
      `<input type="hidden" name="action" value="create">` +
      `<label for="name">Name of the new key</label>` +
      `<input id="name" name="name" maxlength="100" placeholder="CI" required>` +
      `<button type="submit">Create a key</button></form>` +
      (rows
        ? `<table><caption>Your keys</caption><thead><tr><th scope="col">Name</th>` +
          `<th scope="col">Key</th><th scope="col">Created</th><th scope="col">Status</th></tr>` +
          `</thead><tbody>${rows}</tbody></table>`
        : `<p>You have no keys yet.</p>`),
  );
}
