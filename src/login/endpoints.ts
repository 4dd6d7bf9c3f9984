/**
 * Which API and frontend a login talks to: flag, then environment, then the
 * default, each checked against the https/loopback rule before anything runs.
 *
 * @example
 * ```ts
 * import { loginEndpoints } from "./endpoints.ts";
 * loginEndpoints({ api: "http://127.0.0.1:8080" }, {}).frontend; // "http://127.0.0.1:8080"
 * ```
 * @module
 */
import { DEFAULT_API_URL, DEFAULT_FRONTEND_URL } from "../protocol/constants.ts";
import { checkServiceUrl, displayUrl } from "../protocol/urls.ts";

/** The two URLs a login uses. */
export interface Endpoints {
  api: string;
  frontend: string;
}

/**
 * Resolves and checks the URLs. A custom API without a frontend (the
 * reference server, self-hosted) serves its pages on the same origin.
 */
export function loginEndpoints(
  flags: { api?: string; frontend?: string },
  env: Readonly<Record<string, string | undefined>>,
): Endpoints {
  const [apiRaw, apiLabel] = flags.api
    ? [flags.api, "--api"]
    : env.ALMYTY_URL
    ? [env.ALMYTY_URL, "ALMYTY_URL"]
    : [DEFAULT_API_URL, "default API URL"];
  const api = checkServiceUrl(apiRaw, apiLabel);
  const [frontendRaw, frontendLabel] = flags.frontend
    ? [flags.frontend, "--frontend"]
    : env.ALMYTY_FRONTEND_URL
    ? [env.ALMYTY_FRONTEND_URL, "ALMYTY_FRONTEND_URL"]
    : displayUrl(api) === DEFAULT_API_URL
    ? [DEFAULT_FRONTEND_URL, "default frontend URL"]
    : [api.origin, "--api"];
  const frontend = checkServiceUrl(frontendRaw, frontendLabel);
  return { api: displayUrl(api), frontend: displayUrl(frontend) };
}
