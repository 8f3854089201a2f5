/**
 * Leader election for roles that must run once per deployment (collector, factory, optimiser):
 * a role waits until it leads, and crashes (to be restarted, and campaign again) if it loses
 * leadership, so two instances never act at once.
 *
 * @module
 */

import type { Leadership } from "../registry/registry.ts";
import type { ActorContext } from "./runtime/actor.ts";
import { LeadershipLostError } from "./runtime/failure.ts";
import type { RoleEnvironment } from "./environment.ts";
import type { ServiceRole } from "../config/roles.ts";

/** The roles that run once per deployment, under an election. */
export const LEADER_ROLES = ["collector", "factory", "optimiser"] as const;

/** The election a role campaigns in (inside the deployment's registry namespace). */
export function electionOf(role: string): string {
  return `retune/${role}`;
}

/** Waits until this process leads `role`; losing leadership later fails the actor. */
export async function lead(
  context: ActorContext,
  env: Pick<RoleEnvironment, "registry" | "instance">,
  role: ServiceRole,
): Promise<Leadership> {
  const leadership = await env.registry.campaign(electionOf(role), env.instance, context.signal);
  leadership.lost.addEventListener(
    "abort",
    () => context.fail(new LeadershipLostError(role)),
  );
  return leadership;
}
