/**
 * HTML escaping, the page frame and the security headers every page gets.
 * Shared by the reference server and the CLI's loopback listener.
 *
 * @example
 * ```ts
 * import { escapeHtml, htmlResponse, page } from "./html.ts";
 * htmlResponse(page("Hi", `<p>${escapeHtml("<you>")}</p>`));
 * ```
 * @module
 */

/**
 * Escapes text for HTML element content and quoted attributes.
 *
 * @example
 * ```ts
 * escapeHtml("<b>&"); // "&#60;b&#62;&#38;"
 * ```
 */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE =
  `body{font:16px/1.5 system-ui,sans-serif;background:#f5f6f8;color:#1d2230;margin:0;padding:0 1rem}
main{max-width:28rem;margin:8vh auto;background:#fff;border-radius:12px;padding:2rem;box-shadow:0 2px 12px #0002;overflow-wrap:anywhere}
@media (max-width:30rem){main{padding:1.25rem;margin:4vh auto}}
h1{font-size:1.4rem;margin-top:0}label{display:block;margin:.8rem 0 .2rem;font-weight:600}
input:not([type=radio]){width:100%;box-sizing:border-box;padding:.55rem;border:1px solid #767687;border-radius:6px;font-size:1rem}
input[type=radio]{margin:0;width:1.1rem;height:1.1rem;flex:none;accent-color:#3451d1}
button{margin-top:1.2rem;padding:.6rem 1.2rem;border:1px solid #3451d1;border-radius:6px;font-size:1rem;cursor:pointer;background:#3451d1;color:#fff}
button.secondary{background:#fff;color:#1d2230;border-color:#6b7080}button:disabled{opacity:.6;cursor:default}
.actions{display:flex;flex-wrap:wrap;gap:.6rem}.code{font:600 1.6rem monospace;letter-spacing:.15em}
fieldset{border:1px solid #767687;border-radius:6px;margin:.8rem 0 0;padding:.3rem .9rem .5rem}
legend{font-weight:600;padding:0 .3rem}label.choice{display:flex;align-items:center;gap:.5rem;font-weight:400;margin:.35rem 0}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem;margin:1rem 0 0}dl.facts dd{margin:0}
@media (max-width:30rem){dl.facts{grid-template-columns:1fr;gap:0}dl.facts dd{margin-bottom:.5rem}}
.warning{background:#fdf1f0;border-left:4px solid #b3261e;padding:.5rem .75rem;border-radius:4px}
.error{color:#b3261e}.muted{color:#5c5c6e}dt{font-weight:600}dd{margin:0 0 .6rem}`;

/**
 * A complete page. `body` must already be escaped.
 *
 * @example
 * ```ts
 * page("Hello", "<p>hi</p>").startsWith("<!doctype html>"); // true
 * ```
 */
export function page(
  title: string,
  body: string,
  script?: { nonce: string; code: string },
): string {
  const js = script ? `<script nonce="${script.nonce}">${script.code}</script>` : "";
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<title>${escapeHtml(title)} · almyty</title><style>${STYLE}</style></head>` +
    `<body><main>${body}</main>${js}</body></html>`;
}

/**
 * A page with a title and one message (an outcome, or an error).
 *
 * @example
 * ```ts
 * messagePage("Login denied", "You can close this tab.");
 * ```
 */
export function messagePage(title: string, message: string, isError = false): string {
  return page(
    title,
    `<h1>${escapeHtml(title)}</h1><p${isError ? ' class="error" role="alert"' : ""}>${
      escapeHtml(message)
    }</p>`,
  );
}

/**
 * A page response with CSP, no-store, DENY framing and no referrer (the one
 * place a page's referrer policy is set: the listener's URLs carry codes; the
 * reference server relaxes it to same-origin for its own pages). Forms may
 * post to this origin and redirect to loopback callbacks only.
 *
 * @example
 * ```ts
 * htmlResponse(page("Hi", "<p>hi</p>")).headers.get("x-frame-options"); // "DENY"
 * ```
 */
export function htmlResponse(
  html: string,
  status = 200,
  options: { nonce?: string; headers?: Record<string, string> } = {},
): Response {
  const scriptSrc = options.nonce ? `'nonce-${options.nonce}'` : "'none'";
  return new Response(html, {
    status,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "content-security-policy": `default-src 'none'; style-src 'unsafe-inline'; ` +
        `script-src ${scriptSrc}; connect-src 'self'; ` +
        `form-action 'self' http://127.0.0.1:*; ` +
        `frame-ancestors 'none'; base-uri 'none'`,
      "cache-control": "no-store",
      "x-frame-options": "DENY",
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
      ...options.headers,
    },
  });
}
