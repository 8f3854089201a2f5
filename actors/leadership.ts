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
import type { ActorContext } from "./runtime/actor.ts";
import { classify, LeadershipLostError } from "./runtime/failure.ts";
import type { RoleEnvironment } from "./environment.ts";
import type { ServiceRole } from "../config/roles.ts";

/** The roles that run once per deployment, under an election. */
export const LEADER_ROLES = ["collector", "factory", "optimiser"] as const;

/** The election a role campaigns in (inside the deployment's registry namespace). */
export function electionOf(role: string): string {
  return `retune/${role}`;
}

/** First and longest pause between two failed campaigns, ms. */
const RETRY_INITIAL_MS = 100;
const RETRY_MAX_MS = 2_000;

/** Waits until this process leads `role`; losing leadership later fails the actor. */
export async function lead(
  context: ActorContext,
  env: Pick<RoleEnvironment, "registry" | "instance" | "leaders">,
  role: ServiceRole,
): Promise<Leadership> {
  for (let attempt = 0;; attempt++) {
    let leadership: Leadership;
    try {
      leadership = await env.registry.campaign(electionOf(role), env.instance, context.signal);
    } catch (error) {
      context.signal.throwIfAborted();
      // Refused credentials stay refused: the system stops with one line instead.
      if (classify(error).kind === "fatal") throw error;
      const pauseMs = Math.min(RETRY_MAX_MS, RETRY_INITIAL_MS * 2 ** attempt);
      context.logger.warn(
        "campaign for {role} failed: {reason}; campaigning again in {pauseMs} ms",
        {
          role,
          reason: error instanceof Error ? error.message : String(error),
          pauseMs,
        },
      );
      await pause(pauseMs, context.signal);
      continue;
    }
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
}

/** Waits `ms`, or rejects with the signal's reason when it aborts first. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
