/**
 * Wire types of almyty's API and of the CLI login protocol.
 *
 * @example
 * ```ts
 * import type { Envelope, Profile } from "./types.ts";
 * const body: Envelope<Profile> = await (await fetch("http://127.0.0.1:1/auth/profile")).json();
 * ```
 * @module
 */

/** Success envelope: `{"success":true,"data":…}`. */
export interface Envelope<T> {
  success: true;
  data: T;
  message?: string;
}

/** Error envelope: `{"error":{"code","message","statusCode","timestamp","path"}}`. */
export interface ErrorEnvelope {
  error: {
    code: string;
    message: string;
    statusCode: number;
    timestamp?: string;
    path?: string;
  };
}

/** An organization as `/auth/profile` lists it. */
export interface ProfileOrganization {
  id: string;
  name: string;
  role?: string;
  slug?: string;
}

/** `GET /auth/profile` data. */
export interface Profile {
  id: string;
  email: string;
  firstName?: string;
  lastName?: string;
  organizations?: ProfileOrganization[];
  currentOrganizationId?: string | null;
}

/** The organization a login is bound to. */
export interface Organization {
  id: string;
  name: string;
  slug?: string;
}

/** Success data of `POST /auth/cli/token`. */
export interface TokenGrant {
  token: string;
  keyId: string;
  email: string;
  organization: Organization | null;
}

/** `POST /auth/cli/device` response (RFC 8628 §3.2). */
export interface DeviceAuthorization {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete: string;
  expires_in: number;
  interval: number;
}

/** RFC 8414 discovery document, the fields this protocol uses. */
export interface DiscoveryDocument {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  device_authorization_endpoint: string;
  revocation_endpoint: string;
  code_challenge_methods_supported: string[];
  grant_types_supported: string[];
}
