/**
 * The pages the CLI's loopback listener serves. None of them ever contains
 * a token: the hand-off page reads it from the fragment in the browser and
 * posts it back to this same origin.
 *
 * @example
 * ```ts
 * import { successPage } from "./pages.ts";
 * successPage("alice@example.com");
 * ```
 * @module
 */
import { CALLBACK_PATHS } from "../protocol/constants.ts";
import { escapeHtml as e, page } from "../protocol/html.ts";

/**
 * Shown after the credentials are saved.
 *
 * @example
 * ```ts
 * successPage("alice@example.com").includes("Logged in"); // true
 * ```
 */
export function successPage(email: string): string {
  return page(
    "Logged in",
    `<h1>✓ Logged in</h1><p>The almyty CLI is now logged in as <strong>${
      e(email)
    }</strong>.</p><p>You can close this tab and return to your terminal.</p>`,
  );
}

/**
 * Today's production hands the key over in the fragment (`#token=…&state=…`),
 * which never reaches a server. This page's script moves it out of the
 * address bar at once and posts it to `/cb-complete` on this origin.
 *
 * @example
 * ```ts
 * handoffPage("nonce123").includes("cb-complete"); // true
 * ```
 */
export function handoffPage(nonce: string): string {
  const code = `
const p = new URLSearchParams(location.hash.slice(1));
history.replaceState(null, "", "${CALLBACK_PATHS.legacy}");
const title = document.querySelector("h1");
const out = document.getElementById("status");
const fail = (heading, text) => {
  document.title = heading + " · almyty";
  title.textContent = heading;
  out.className = "error";
  out.setAttribute("role", "alert");
  out.textContent = text;
};
fetch("${CALLBACK_PATHS.legacyComplete}", {
  method: "POST",
  headers: { "Content-Type": "application/json" },
  body: JSON.stringify({ token: p.get("token"), state: p.get("state") }),
}).then(async (r) => {
  if (r.ok) { location.replace("${CALLBACK_PATHS.legacySuccess}"); return; }
  const body = await r.json().catch(() => ({}));
  fail("Login not completed", body.message || body.error || "The login could not be completed; your terminal says why.");
}).catch(() => fail(
  "Login not completed",
  "The almyty CLI is no longer waiting (the login ended, timed out or was cancelled). " +
    "Nothing was saved. Run almyty-auth login again in your terminal.",
));`;
  return page(
    "Finishing login",
    `<h1>Finishing login…</h1><p id="status">Handing the login to the almyty CLI.</p>`,
    { nonce, code },
  );
}
