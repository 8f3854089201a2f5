/**
 * One incarnation of an actor: its behaviour, the context handed to it and the subscriptions
 * opened through that context. The end of the incarnation (a failure: start throwing, `fail`, a
 * subscription failing or ending on its own; or `complete`) is reported once to whoever runs it.
 *
 * @module
 */

import type { SubscribeOptions, Subscription, Transport } from "../../transport/transport.ts";
import { consumerLag } from "../../transport/consumer_lag.ts";
import type { ActorContext, Behaviour, ChildSpec } from "./actor.ts";
import { type Logger, withProperties } from "../../logging/logger.ts";
import { Suspects } from "./suspects.ts";

/** Where a fleet model's child subscribes instead of the transport (`actors/fleet/fleet_bus.ts`). */
export interface ModelSubscriber {
  subscribe(model: string, options: SubscribeOptions): Promise<Subscription>;
}

/** How an incarnation ended on its own: it failed, or its work was done. */
export type Ending = { kind: "failed"; error: unknown } | { kind: "completed" };

/** Why an incarnation is stopped: for good, or to be replaced after `error`. */
export type StopReason = { kind: "stop" } | { kind: "restart"; error: unknown };

/** A started actor incarnation; `stop` it before starting the next one. */
export class RunningActor {
  readonly name: string;
  readonly #spec: ChildSpec;
  readonly #logger: Logger;
  readonly #onEnd: (ending: Ending) => void;
  readonly #shutdownTimeoutMs: number;
  readonly #subscribeTo: (options: SubscribeOptions) => Promise<Subscription>;
  readonly #controller = new AbortController();
  readonly #subscriptions = new Set<Subscription>();
  readonly #context: ActorContext;
  #behaviour: Behaviour | undefined;
  #starting: Promise<void> = Promise.resolve();
  #stopping: Promise<boolean> | undefined;
  #ended = false;

  /**
   * `onEnd` hears how the incarnation ended on its own, once, never after `stop`; stopping may
   * take `shutdownTimeoutMs`. `suspects` outlive the incarnation (its supervisor keeps them).
   * A fleet model's child subscribes through `bus` when there is one: one consumer per group
   * for all the fleet's models.
   */
  constructor(
    spec: ChildSpec,
    transport: Transport,
    logger: Logger,
    onEnd: (ending: Ending) => void,
    shutdownTimeoutMs: number,
    suspects: Suspects = new Suspects(),
    bus?: ModelSubscriber,
  ) {
    if (!(Number.isFinite(shutdownTimeoutMs) && shutdownTimeoutMs > 0)) {
      throw new RangeError(
        `shutdownTimeoutMs of '${spec.name}' must be a positive number: ` +
          `current value is ${shutdownTimeoutMs}`,
      );
    }
    this.name = spec.name;
    this.#spec = spec;
    this.#logger = withProperties(logger, { actor: spec.name });
    this.#onEnd = onEnd;
    this.#shutdownTimeoutMs = shutdownTimeoutMs;
    const { model } = spec;
    const shared = model !== undefined && bus !== undefined;
    // A fleet model's child shares the bus's group with its siblings of other models, or, without
    // a bus, reads in groups of its own beside them.
    const groupOf = (group: string) => model === undefined || shared ? group : `${group}.${model}`;
    this.#subscribeTo = shared
      ? (options) => bus.subscribe(model, options)
      : (options) => transport.subscribe(options);
    this.#context = {
      name: spec.name,
      model: spec.model,
      signal: this.#controller.signal,
      logger: this.#logger,
      fail: (error) => this.#end({ kind: "failed", error }),
      complete: () => this.#end({ kind: "completed" }),
      subscribe: (options) => this.#subscribe({ ...options, group: groupOf(options.group) }),
      publish: (topic, records) => transport.publish(topic, records),
      partitions: (topic) => transport.partitions(topic),
      consumerLag: (group, topic) => consumerLag(transport, groupOf(group), topic),
      suspects,
    };
  }

  /**
   * Makes the behaviour from `previous` (its predecessor's snapshot) and runs its `start`;
   * resolves when it settled (a throw is reported, not rethrown).
   */
  start(previous?: unknown): Promise<void> {
    this.#starting = (async () => {
      try {
        this.#behaviour = this.#spec.create(previous);
        await this.#behaviour.start(this.#context);
      } catch (error) {
        this.#end({ kind: "failed", error });
      }
    })();
    return this.#starting;
  }

  /**
   * Aborts the signal, stops the subscriptions (which commit), then runs `preRestart` or
   * `postStop` as `reason` says, once. Resolves false if that overran the shutdown timeout
   * (the stop goes on in the background; nothing waits for it).
   */
  stop(reason: StopReason = { kind: "stop" }): Promise<boolean> {
    this.#stopping ??= this.#bounded(reason);
    return this.#stopping;
  }

  /** The behaviour's snapshot (undefined when it keeps none or was never made). */
  snapshot(): unknown {
    return this.#behaviour?.snapshot?.();
  }

  async #bounded(reason: StopReason): Promise<boolean> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const overrun = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), this.#shutdownTimeoutMs);
    });
    const stopped = await Promise.race([this.#stop(reason).then(() => true), overrun]);
    clearTimeout(timer);
    if (!stopped) {
      this.#logger.error("{actor} did not stop within its shutdown timeout of {timeoutMs} ms", {
        timeoutMs: this.#shutdownTimeoutMs,
      });
    }
    return stopped;
  }

  async #stop(reason: StopReason): Promise<void> {
    this.#controller.abort();
    await this.#starting;
    const subscriptions = [...this.#subscriptions];
    this.#subscriptions.clear();
    await Promise.all(subscriptions.map((subscription) => this.#stopQuietly(subscription)));
    const behaviour = this.#behaviour;
    const hook = reason.kind === "restart" ? "preRestart" : "postStop";
    try {
      if (reason.kind === "restart" && behaviour?.preRestart !== undefined) {
        await behaviour.preRestart(this.#context, reason.error);
      } else {
        await behaviour?.postStop?.(this.#context);
      }
    } catch (error) {
      this.#logger.error("{hook} hook of {actor} failed: {error}", { hook, error });
    }
  }

  async #subscribe(options: SubscribeOptions): Promise<Subscription> {
    this.#controller.signal.throwIfAborted();
    const subscription = await this.#subscribeTo(options);
    if (this.#controller.signal.aborted) {
      // The actor began stopping while the group was being joined: do not leak the member.
      await this.#stopQuietly(subscription);
      this.#controller.signal.throwIfAborted();
    }
    this.#subscriptions.add(subscription);
    subscription.done.then(
      () => {
        if (this.#subscriptions.has(subscription)) {
          this.#end({
            kind: "failed",
            error: new Error(`subscription to ${options.topics.join(", ")} ended on its own`),
          });
        }
      },
      (error) => this.#end({ kind: "failed", error }),
    );
    // A behaviour may stop its own subscription; that is not a failure.
    return {
      stop: () => {
        this.#subscriptions.delete(subscription);
        return subscription.stop();
      },
      done: subscription.done,
    };
  }

  async #stopQuietly(subscription: Subscription): Promise<void> {
    try {
      await subscription.stop();
    } catch (error) {
      this.#logger.warn("subscription of {actor} did not stop cleanly: {error}", { error });
    }
  }

  #end(ending: Ending): void {
    if (this.#ended || this.#controller.signal.aborted) return;
    this.#ended = true;
    this.#onEnd(ending);
  }
}
