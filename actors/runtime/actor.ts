/**
 * What an actor is to the runtime: a `Behaviour` with lifecycle hooks (Akka Typed's `PreRestart`
 * and `PostStop` signals), run with an `ActorContext` that ties its subscriptions, timers and
 * failures to its supervisor, under a `ChildSpec` that says when it is restarted (OTP's restart
 * types) and how long it may take to stop.
 *
 * Every (re)start gets a fresh `Behaviour` from its `ChildSpec.create`, so a crashed actor never
 * resumes with the objects it crashed with (as with OTP child specs and Akka's restart strategy);
 * what it must remember crosses the restart as plain data: the snapshot its predecessor left.
 * Neither hook is a deployment teardown: a role releases what it holds (leadership, workers),
 * never the deployment's data.
 *
 * @module
 */

import type { OutgoingRecord, SubscribeOptions, Subscription } from "../../transport/transport.ts";
import type { PartitionLag } from "../../transport/consumer_lag.ts";
import type { Logger } from "../../logging/logger.ts";
import type { Suspects } from "./suspects.ts";

/** What an actor does when it starts, is about to be restarted, and has stopped for good. */
export interface Behaviour {
  /**
   * Acquires resources and subscribes to the mailbox (through `context.subscribe`). Throwing
   * crashes the actor. Long waits must honour `context.signal`: the runtime waits for `start` to
   * settle before it calls `stop`.
   */
  start(context: ActorContext): Promise<void> | void;
  /**
   * The incarnation failed and a fresh one will start: release what it holds (leadership,
   * workers). Runs after its subscriptions stopped. Default: `postStop`.
   */
  preRestart?(context: ActorContext, error: unknown): Promise<void> | void;
  /** The actor stopped for good: release what it holds. Runs after its subscriptions stopped. */
  postStop?(context: ActorContext): Promise<void> | void;
  /** What a restart must not lose, as plain data; the supervisor hands it to the next `create`. */
  snapshot?(): unknown;
}

/**
 * When a child that ended is started again (OTP): `permanent` always; `transient` only after a
 * failure, not after it completed (`ActorContext.complete`); `temporary` never.
 */
export type RestartType = "permanent" | "transient" | "temporary";

/** How a supervisor makes one of its children. */
export interface ChildSpec {
  /** Unique among the supervisor's children; names the actor in logs and errors. */
  name: string;
  /**
   * Makes a fresh behaviour for every (re)start; on a restart, `previous` is the snapshot the
   * stopped incarnation left (unvalidated: the behaviour restores it or rejects it).
   */
  create(previous?: unknown): Behaviour;
  /** Default `permanent`. */
  restart?: RestartType;
  /**
   * The fleet model this child serves (`config/fleet.ts`): its consumer groups are suffixed
   * `.<model>`, what it sends carries the model and it reads only its model's (or the whole
   * deployment's) envelopes. Absent: the child serves the whole deployment.
   */
  model?: string;
  /**
   * Time stopping may take (subscriptions drain and commit, then the hook), ms; past it the
   * supervisor logs an overrun and moves on. Default: the supervisor's.
   */
  shutdownTimeoutMs?: number;
}

/** The runtime's side of a running actor, handed to its behaviour. */
export interface ActorContext {
  readonly name: string;
  /** The fleet model the actor serves (`ChildSpec.model`); absent: the whole deployment. */
  readonly model?: string;
  /** Aborted when the actor stops (for any reason): timers and waits should end then. */
  readonly signal: AbortSignal;
  /** Writes records tagged with the actor's name. */
  readonly logger: Logger;
  /** Crashes the actor from a callback; the supervisor restarts it. Later calls are ignored. */
  fail(error: unknown): void;
  /** Ends the actor normally (its work is done): only a `permanent` child is started again. */
  complete(): void;
  /**
   * Joins a consumer group through the actor's transport. The runtime stops the subscription
   * when the actor stops, and treats its failure (or its ending on its own) as the actor's.
   */
  subscribe(options: SubscribeOptions): Promise<Subscription>;
  /** Publishes through the actor's transport (may wait: backpressure). */
  publish(topic: string, records: OutgoingRecord[]): Promise<void>;
  /** Number of partitions of a topic on the actor's transport. */
  partitions(topic: string): Promise<number>;
  /** How far `group` trails each partition of `topic`, from the transport's committed offsets. */
  consumerLag(group: string, topic: string): Promise<PartitionLag[]>;
  /** Records whose handling crashed an earlier incarnation (kept by the supervisor). */
  readonly suspects: Suspects;
}
