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

/** What the consent page shows. */
export interface ConsentView {
  email: string;
  /** The user's organizations: with several, the user picks the one the key is tied to. */
  organizations: { id: string; name: string }[];
  clientName: string;
  requestId: string;
  csrf: string;
  /** Device flow: the code to compare with the terminal. */
  userCode?: string;
  /** Browser flows: where the browser will be sent. */
  destination?: string;
  /** Device flow: what the server saw of the requester, and of this browser (RFC 8628 §5.4). */
  requester?: { ip: string; browserIp: string; ageSeconds: number };
  /** The requester is elsewhere: approving needs the code typed, not the pre-filled one. */
  mustType?: boolean;
}

/**
 * Approve/Deny for a login request.
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
  const code = view.userCode
    ? `<p>Check that your terminal shows this code:</p><p class="code" data-testid="user-code">${
      e(view.userCode)
    }</p>`
    : "";
  const destination = view.destination
    ? `<dt>Sends the result to</dt><dd>${e(view.destination)}</dd>`
    : "";
  const requester = view.requester
    ? `<dt>Requested from</dt><dd data-testid="requester">${e(view.requester.ip)}, ${
      e(String(view.requester.ageSeconds))
    } s ago (this browser: ${e(view.requester.browserIp)})</dd>`
    : "";
  const orgs = view.organizations;
  const organization = orgs.length === 1
    ? `<dt>Organization</dt><dd data-testid="organization">${e(orgs[0].name)}</dd>`
    : `<dt>Organization</dt><dd data-testid="organization"><fieldset>` +
      orgs.map((o, i) =>
        `<label><input type="radio" name="organization_id" value="${e(o.id)}"${
          i === 0 ? " checked" : ""
        }> ${e(o.name)}</label>`
      ).join("") +
      `<label><input type="radio" name="organization_id" value=""> none</label></fieldset></dd>`;
  const warning = view.requester
    ? `<p class="error" role="alert" data-testid="phishing-warning">If someone sent you this link, choose Deny.</p>`
    : "";
  const typed = view.mustType
    ? `<label for="typed_code">This request came from another address: type the code shown in your terminal</label>` +
      `<input id="typed_code" name="typed_code" autocomplete="off" placeholder="XXXX-XXXX" required>`
    : "";
  return page(
    "Authorize the almyty CLI",
    `<h1>Authorize the almyty CLI?</h1>${code}${warning}` +
      `<form method="post" action="${PATHS.decision}"><dl>` +
      `<dt>Account</dt><dd data-testid="account">${e(view.email)}</dd>` +
      organization +
      `<dt>Requesting device</dt><dd data-testid="device">${e(view.clientName)}</dd>` +
      requester + destination + `</dl>` +
      `<p class="muted">Approving creates an API key for this device, tied to the organization chosen; ` +
      `a new login from the same device replaces its old key. Only approve a request you started.</p>` +
      typed +
      `<input type="hidden" name="request_id" value="${e(view.requestId)}">` +
      `<input type="hidden" name="csrf" value="${e(view.csrf)}">` +
      `<button type="submit" name="decision" value="approve">Approve</button>` +
      `<button type="submit" name="decision" value="deny" class="secondary" formnovalidate>Deny</button>` +
      `</form>`,
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
      `<button type="button" id="connect-cli">Connect CLI</button></div>`,
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
