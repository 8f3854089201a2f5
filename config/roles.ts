/**
 * The roles a Retune process can play. `all` runs every role in one process (the embedded mode).
 *
 * @module
 */

/** Every role, in pipeline order, then `all`. */
export const ROLES = [
  "engine",
  "collector",
  "observer",
  "optimiser",
  "factory",
  "replayer",
  "serving",
  "all",
] as const;

/** A role a process can play. */
export type Role = typeof ROLES[number];

/** A single role (every role except `all`). */
export type ServiceRole = Exclude<Role, "all">;

/** The single roles, in pipeline order. */
export const SERVICE_ROLES: readonly ServiceRole[] = ROLES.filter(
  (role): role is ServiceRole => role !== "all",
);

/** True when `value` names a role. */
export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}
