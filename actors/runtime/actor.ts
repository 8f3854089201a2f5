/**
 * What an actor is to the runtime: a `Behaviour` with start/stop hooks, run with an
 * `ActorContext` that ties its subscriptions, timers and failures to its supervisor.
 *
 * Every (re)start gets a fresh `Behaviour` from its `ChildSpec.create`, so a crashed actor never
 * resumes with the objects it crashed with (as with OTP child specs and Akka's restart strategy);
 * what it must remember crosses the restart as plain data: the snapshot its predecessor left.
 *
 * @module
 */

import type { OutgoingRecord, SubscribeOptions, Subscription } from "../../transport/transport.ts";
import type { Logger } from "../../logging/logger.ts";

/** What an actor does when it starts and stops. */
export interface Behaviour {
  /**
   * Acquires resources and subscribes to the mailbox (through `context.subscribe`). Throwing
   * crashes the actor. Long waits must honour `context.signal`: the runtime waits for `start` to
   * settle before it calls `stop`.
   */
  start(context: ActorContext): Promise<void> | void;
  /** Releases what the role holds. Runs after its subscriptions stopped and committed. */
  stop?(context: ActorContext): Promise<void> | void;
  /** What a restart must not lose, as plain data; the supervisor hands it to the next `create`. */
  snapshot?(): unknown;
}

/** How a supervisor makes one of its children. */
export interface ChildSpec {
  /** Unique among the supervisor's children; names the actor in logs and errors. */
  name: string;
  /**
   * Makes a fresh behaviour for every (re)start; on a restart, `previous` is the snapshot the
   * stopped incarnation left (unvalidated: the behaviour restores it or rejects it).
   */
  create(previous?: unknown): Behaviour;
}

/** The runtime's side of a running actor, handed to its behaviour. */
export interface ActorContext {
  readonly name: string;
  /** Aborted when the actor stops (for any reason): timers and waits should end then. */
  readonly signal: AbortSignal;
  /** Writes records tagged with the actor's name. */
  readonly logger: Logger;
  /** Crashes the actor from a callback; the supervisor restarts it. Later calls are ignored. */
  fail(error: unknown): void;
  /**
   * Joins a consumer group through the actor's transport. The runtime stops the subscription
   * when the actor stops, and treats its failure (or its ending on its own) as the actor's.
   */
  subscribe(options: SubscribeOptions): Promise<Subscription>;
  /** Publishes through the actor's transport (may wait: backpressure). */
  publish(topic: string, records: OutgoingRecord[]): Promise<void>;
  /** Number of partitions of a topic on the actor's transport. */
  partitions(topic: string): Promise<number>;
}
