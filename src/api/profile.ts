/**
 * Reading almyty's profile: the organization a login is bound to.
 *
 * @example
 * ```ts
 * import { currentOrganization } from "./profile.ts";
 * currentOrganization({ id: "u", email: "a@b.c", organizations: [{ id: "o", name: "acme" }] });
 * // { id: "o", name: "acme" }
 * ```
 * @module
 */
import type { Organization, Profile } from "../protocol/types.ts";

/** The profile's current organization (or its first, or null). */
export function currentOrganization(profile: Profile): Organization | null {
  const orgs = profile.organizations ?? [];
  const org = orgs.find((o) => o.id === profile.currentOrganizationId) ?? orgs[0];
  return org ? { id: org.id, name: org.name, ...(org.slug ? { slug: org.slug } : {}) } : null;
}
