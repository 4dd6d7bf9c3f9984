/**
 * Wire types of almyty's API and of the CLI login protocol.
 *
 * @example
 * ```ts
 * import type { Profile } from "./types.ts";
 * const profile: Profile = { id: "u1", email: "alice@example.com" };
 * ```
 * @module
 */

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

/** An organization as `/auth/profile` lists it in `organizations[]` (no slug there). */
export interface ProfileOrganization {
  id: string;
  name: string;
  role?: string;
}

/** A membership as `/auth/profile` lists it; the slug lives here. */
export interface ProfileMembership {
  id?: string;
  role?: string;
  organization: { id: string; name: string; slug?: string };
}

/**
 * `GET /auth/profile` data, production's shape. `currentOrganizationId` is
 * present only when the key is tied to one organization.
 */
export interface Profile {
  id: string;
  email: string;
  firstName?: string;
  lastName?: string;
  organizations?: ProfileOrganization[];
  organizationMemberships?: ProfileMembership[];
  currentOrganizationId?: string | null;
}

/** An entry of `GET /auth/api-keys` (`data.apiKeys[]`). */
export interface ApiKeyInfo {
  id: string;
  name: string;
  /** `almyty_` plus one hex digit: narrows, does not identify. */
  keyPrefix: string;
  scopes?: string[];
  isActive: boolean;
  expiresAt: string | null;
  lastUsedAt: string | null;
  createdAt: string;
}

/** The organization a login is bound to. */
export interface Organization {
  id: string;
  name: string;
  slug?: string;
}

/** A successful token response (RFC 6749 §5.1), with almyty's extras beside the standard fields. */
export interface TokenGrant {
  access_token: string;
  token_type: string;
  /** Seconds until the key expires, when it does. */
  expires_in?: number;
  key_id: string;
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
  response_types_supported: string[];
  grant_types_supported: string[];
  token_endpoint_auth_methods_supported: string[];
  revocation_endpoint_auth_methods_supported: string[];
  code_challenge_methods_supported: string[];
  /** RFC 9207: every authorization response carries `iss`. */
  authorization_response_iss_parameter_supported: boolean;
  /** almyty's long-poll extension: the parameter and its longest wait. */
  almyty_long_poll_parameter?: string;
  almyty_long_poll_max_seconds?: number;
  /** almyty's device-flow cancel extension: where a client says it stopped waiting. */
  almyty_device_cancel_endpoint?: string;
}
