/**
 * A fleet's elected roles are led by one process for every model: each model's child of a role
 * campaigns in its model's election only once this process leads the role for the whole fleet
 * (`retune/fleet/<role>` in the deployment's registry). The children of a role then lead
 * together, in one process, so that process's one consumer per group (`fleet_bus.ts`) serves
 * every model; a standby process's children wait here, and consume nothing.
 *
 * @module
 */

import type { Leadership, Registry } from "../../registry/registry.ts";
import type { ActorContext } from "../runtime/actor.ts";
import { LeadershipLostError } from "../runtime/failure.ts";
import { campaignUntilWon } from "../campaign.ts";

/** This process's leadership of the fleet's elected roles, shared by their children. */
export class RoleLeadership {
  readonly #registry: Registry;
  readonly #instance: string;
  readonly #held = new Map<string, Promise<Leadership>>();
  readonly #closing = new AbortController();
  /** The roles led now. */
  readonly #won = new Set<string>();

  /** `registry` is the deployment's (not a model's); `instance` names this process. */
  constructor(registry: Registry, instance: string) {
    this.#registry = registry;
    this.#instance = instance;
  }

  /**
   * Waits until this process leads `role` for the fleet (the first child to ask campaigns, the
   * others wait on its campaign); a loss of it later fails the actor.
   */
  async hold(role: string, context: ActorContext): Promise<void> {
    let held = this.#held.get(role);
    if (held === undefined) {
      held = this.#campaign(role, context);
      this.#held.set(role, held);
    }
    const leadership = await untilAborted(held, context.signal);
    const onLost = () => context.fail(new LeadershipLostError(role, leadership.lost.reason));
    if (leadership.lost.aborted) return onLost();
    leadership.lost.addEventListener("abort", onLost, { once: true });
    context.signal.addEventListener(
      "abort",
      () => leadership.lost.removeEventListener("abort", onLost),
      { once: true },
    );
  }

  async #campaign(role: string, context: ActorContext): Promise<Leadership> {
    try {
      const leadership = await campaignUntilWon(
        this.#registry,
        `fleet/${role}`,
        this.#instance,
        this.#closing.signal,
        context.logger,
      );
      context.logger.info("leading {role} for every model of the fleet", { role });
      this.#won.add(role);
      // A later hold campaigns again.
      leadership.lost.addEventListener("abort", () => {
        this.#held.delete(role);
        this.#won.delete(role);
      }, { once: true });
      return leadership;
    } catch (error) {
      this.#held.delete(role);
      throw error;
    }
  }

  /** Whether this process leads `role` for the fleet now. */
  leads(role: string): boolean {
    return this.#won.has(role);
  }

  /** Resigns every role led (the process stops): a standby takes over at once. */
  async close(): Promise<void> {
    this.#closing.abort();
    const held = [...this.#held.values()];
    this.#held.clear();
    this.#won.clear();
    await Promise.all(held.map(async (leadership) => {
      try {
        await (await leadership).resign();
      } catch {
        // Never won, or the lease is gone already: nothing to hand over.
      }
    }));
  }
}

/** `promise`, or a rejection with the signal's reason when it aborts first. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  signal.throwIfAborted();
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
