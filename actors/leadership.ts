/**
 * Leader election for roles that must run once per deployment (collector, factory, optimiser):
 * a role waits until it leads, and crashes (to be restarted, and campaign again) if it loses
 * leadership, so two instances never act at once. A campaign that fails because the registry
 * cannot be reached is tried again with backoff until the role stops, so a role rides out an
 * etcd restart without spending its restart budget. The leadership's fencing token
 * (`Leadership.fence`) makes the registry refuse a deposed leader's writes.
 *
 * @module
 */

import type { Leadership } from "../registry/registry.ts";
import { campaignUntilWon } from "./campaign.ts";
export { electionOf } from "./campaign.ts";
import type { ActorContext } from "./runtime/actor.ts";
import { LeadershipLostError } from "./runtime/failure.ts";
import type { RoleEnvironment } from "./environment.ts";
import type { ServiceRole } from "../config/roles.ts";

/** The roles that run once per deployment, under an election. */
export const LEADER_ROLES = ["collector", "factory", "optimiser"] as const;

/** Waits until this process leads `role`; losing leadership later fails the actor. */
export async function lead(
  context: ActorContext,
  env: Pick<RoleEnvironment, "registry" | "instance" | "leaders" | "roleLeadership">,
  role: ServiceRole,
): Promise<Leadership> {
  // A fleet's model leads only where the role leads for the whole fleet (`role_leadership.ts`).
  await env.roleLeadership?.hold(role, context);
  const leadership = await campaignUntilWon(
    env.registry,
    role,
    env.instance,
    context.signal,
    context.logger,
  );
  let left = false;
  // Logged once, however the leadership ends: the chaos suite and operators read from it that
  // this process no longer leads (a standby that led earlier is not the leader to kill).
  const leave = (reason: string) => {
    if (left) return;
    left = true;
    env.leaders.lost(role);
    context.logger.info("left the {role} leadership: {reason}", { role, reason });
  };
  leadership.lost.addEventListener("abort", () => {
    leave(String(leadership.lost.reason));
    context.fail(new LeadershipLostError(role, leadership.lost.reason));
  });
  // A stopping incarnation resigns: from then on it no longer counts as leading.
  context.signal.addEventListener("abort", () => leave("stopping"), { once: true });
  env.leaders.won(role);
  // The moment failover ends: operators and the chaos suite read it from the log.
  context.logger.info("leading {role}", { role });
  return leadership;
}
