/**
 * The account a key belongs to, as `GET /auth/profile` describes it: the
 * organization the key is tied to, in production's shape (the slug lives in
 * `organizationMemberships`). ("Profile" elsewhere means a named login.)
 *
 * @example
 * ```ts
 * import { currentOrganization } from "./account.ts";
 * currentOrganization({
 *   id: "u",
 *   email: "a@b.c",
 *   currentOrganizationId: "o",
 *   organizations: [{ id: "o", name: "Acme", role: "owner" }],
 *   organizationMemberships: [{ organization: { id: "o", name: "Acme", slug: "acme" } }],
 * });
 * // { id: "o", name: "Acme", slug: "acme" }
 * ```
 * @module
 */
import type { Organization, Profile } from "../protocol/types.ts";
import { stripControl } from "../protocol/text.ts";

/**
 * The organization the key is tied to (`currentOrganizationId`), or null
 * when it is tied to none; never a guess from the list.
 *
 * @example
 * ```ts
 * currentOrganization({ id: "u", email: "a@b.c", organizations: [{ id: "o", name: "acme" }] }); // null: not tied to one
 * ```
 */
export function currentOrganization(profile: Profile): Organization | null {
  const id = profile.currentOrganizationId;
  if (typeof id !== "string" || !id) return null; // strings only: it is saved as it is

  const membership = list(profile.organizationMemberships).find((m) => m?.organization?.id === id);
  const listed = list(profile.organizations).find((o) => o?.id === id);
  const name = listed?.name ?? membership?.organization.name;
  if (typeof name !== "string") return null;
  const slug = membership?.organization.slug;
  return {
    id: stripControl(id),
    name: stripControl(name),
    ...(typeof slug === "string" ? { slug: stripControl(slug) } : {}),
  };
}

/**
 * How many organizations the account belongs to.
 *
 * @example
 * ```ts
 * organizationCount({ id: "u", email: "a@b.c", organizations: [{ id: "o", name: "acme" }] }); // 1
 * ```
 */
export function organizationCount(profile: Profile): number {
  return Math.max(list(profile.organizations).length, list(profile.organizationMemberships).length);
}

/** A list the server sent, or none: any other value (a string, an object) is no list. */
function list<T>(value: T[] | undefined): T[] {
  return Array.isArray(value) ? value : [];
}

/**
 * "acme (Acme Inc)", or just the slug or name when they say the same.
 *
 * @example
 * ```ts
 * describeOrganization({ id: "o", name: "Acme Inc", slug: "acme" }); // "acme (Acme Inc)"
 * ```
 */
export function describeOrganization(org: Organization): string {
  if (!org.slug || org.slug === org.name) return org.name;
  return org.slug.toLowerCase() === org.name.toLowerCase().replace(/[^a-z0-9]+/g, "-")
    ? org.slug
    : `${org.slug} (${org.name})`;
}
