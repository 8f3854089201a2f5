/**
 * One incarnation of an actor: its behaviour, the context handed to it and the subscriptions
 * opened through that context. Every failure of the incarnation (start throwing, `fail`, a
 * subscription failing or ending on its own) is reported once to whoever runs it.
 *
 * @module
 */

import type { SubscribeOptions, Subscription, Transport } from "../../transport/transport.ts";
import type { ActorContext, Behaviour, ChildSpec } from "./actor.ts";
import { type Logger, withProperties } from "../../logging/logger.ts";

/** A started actor incarnation; `stop` it before starting the next one. */
export class RunningActor {
  readonly name: string;
  readonly #spec: ChildSpec;
  readonly #transport: Transport;
  readonly #logger: Logger;
  readonly #onFailure: (error: unknown) => void;
  readonly #controller = new AbortController();
  readonly #subscriptions = new Set<Subscription>();
  readonly #context: ActorContext;
  #behaviour: Behaviour | undefined;
  #starting: Promise<void> = Promise.resolve();
  #stopping: Promise<void> | undefined;
  #failed = false;

  /** `onFailure` hears about the first failure of this incarnation, never one after `stop`. */
  constructor(
    spec: ChildSpec,
    transport: Transport,
    logger: Logger,
    onFailure: (error: unknown) => void,
  ) {
    this.name = spec.name;
    this.#spec = spec;
    this.#transport = transport;
    this.#logger = withProperties(logger, { actor: spec.name });
    this.#onFailure = onFailure;
    this.#context = {
      name: spec.name,
      signal: this.#controller.signal,
      logger: this.#logger,
      fail: (error) => this.#fail(error),
      subscribe: (options) => this.#subscribe(options),
      publish: (topic, records) => transport.publish(topic, records),
      partitions: (topic) => transport.partitions(topic),
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
        this.#fail(error);
      }
    })();
    return this.#starting;
  }

  /** Aborts the signal, stops the subscriptions (which commit), then runs the `stop` hook, once. */
  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  /** The behaviour's snapshot (undefined when it keeps none or was never made). */
  snapshot(): unknown {
    return this.#behaviour?.snapshot?.();
  }

  async #stop(): Promise<void> {
    this.#controller.abort();
    await this.#starting;
    const subscriptions = [...this.#subscriptions];
    this.#subscriptions.clear();
    await Promise.all(subscriptions.map((subscription) => this.#stopQuietly(subscription)));
    try {
      await this.#behaviour?.stop?.(this.#context);
    } catch (error) {
      this.#logger.error("stop hook of {actor} failed: {error}", { error });
    }
  }

  async #subscribe(options: SubscribeOptions): Promise<Subscription> {
    this.#controller.signal.throwIfAborted();
    const subscription = await this.#transport.subscribe(options);
    if (this.#controller.signal.aborted) {
      // The actor began stopping while the group was being joined: do not leak the member.
      await this.#stopQuietly(subscription);
      this.#controller.signal.throwIfAborted();
    }
    this.#subscriptions.add(subscription);
    subscription.done.then(
      () => {
        if (this.#subscriptions.has(subscription)) {
          this.#fail(new Error(`subscription to ${options.topics.join(", ")} ended on its own`));
        }
      },
      (error) => this.#fail(error),
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

  #fail(error: unknown): void {
    if (this.#failed || this.#controller.signal.aborted) return;
    this.#failed = true;
    this.#onFailure(error);
  }
}
