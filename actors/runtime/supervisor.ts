/**
 * One-for-one supervision (OTP `one_for_one`, Akka `SupervisorStrategy.restartWithBackoff`):
 * a child that fails is stopped (its `preRestart` hook runs) and restarted after an exponential
 * backoff, without touching its siblings; its `ChildSpec.restart` type says whether it is
 * restarted at all. Retriable failures (an outage, see `failure.ts`) are ridden out with
 * restarts for up to `maxOutageMs`. A fatal failure, more than `maxRestarts` restarts after
 * crashes within `withinMs`, or an outage longer than `maxOutageMs` means restarting does not
 * help: the supervisor escalates to its parent, the
 * system: it stops every child and rejects `done` with an `EscalationError`, which `main.ts`
 * turns into a non-zero exit with one line naming the reason.
 *
 * @module
 */

import type { Transport } from "../../transport/transport.ts";
import type { ChildSpec } from "./actor.ts";
import { type BackoffOptions, ExponentialBackoff } from "./backoff.ts";
import { defaultLogger, type Logger } from "../../logging/logger.ts";
import {
  type Ending,
  type ModelSubscriber,
  RunningActor,
  type StopReason,
} from "./running_actor.ts";
import { classify, describeFailure } from "./failure.ts";
import { Suspects } from "./suspects.ts";

/** How a supervisor runs its children. */
export interface SupervisorOptions {
  /** Names the supervisor in logs and in its `EscalationError`. */
  name: string;
  /** Started in order, stopped in reverse order. */
  children: ChildSpec[];
  /** Transport behind every child's `subscribe` and `publish`. */
  transport: Transport;
  /** Where fleet models' children subscribe instead (one consumer per group for all models). */
  bus?: ModelSubscriber;
  /** Restart intensity: at most this many restarts (all children) within `withinMs`. Default 5. */
  maxRestarts?: number;
  /** Window of the restart intensity, ms. Default 60,000. */
  withinMs?: number;
  /** Delay before a restart; attempt n = the child's n-th restart within `withinMs`. */
  backoff?: BackoffOptions;
  /**
   * How long a child's retriable failures (an outage) are ridden out with restarts, which do not
   * count toward the restart intensity, before the supervisor escalates, ms. Default 60,000.
   */
  maxOutageMs?: number;
  /** Time a child may take to stop unless its spec says otherwise, ms. Default 10,000. */
  shutdownTimeoutMs?: number;
  /** Uniform random numbers in [0, 1) for the backoff jitter. Default `Math.random`. */
  random?: () => number;
  /** The supervisor's own records (restarts, escalation). Default `defaultLogger()`. */
  logger?: Logger;
  /** The logger handed to a child, by name (e.g. one category per role). Default: `logger`. */
  loggerFor?: (child: string) => Logger;
}

/**
 * The supervisor gave up: a child failed fatally, or more often than the restart intensity
 * allows.
 */
export class EscalationError extends Error {
  /** The child whose failure made the supervisor give up. */
  readonly child: string;

  /** Names the supervisor, the child, why restarting does not help and the child's last error. */
  constructor(supervisor: string, child: string, why: string, cause: unknown) {
    super(
      `supervisor '${supervisor}' gave up: child '${child}' ${why}; last error: ${describe(cause)}`,
      { cause },
    );
    this.name = "EscalationError";
    this.child = child;
  }
}

// For a supervisor run on its own (tests, tools); Retune's roles get `supervision.*` instead.
const defaultBackoff: BackoffOptions = { initialMs: 500, maxMs: 30_000, factor: 2, jitter: 0.2 };

interface Child {
  spec: ChildSpec;
  suspects: Suspects;
  /** When the current incarnation started. */
  startedAt: number;
  /** Retriable failures in a row: since when, and how many (the backoff attempt). */
  outage: { since: number; failures: number } | undefined;
  actor: RunningActor | undefined;
  restartTimer: ReturnType<typeof setTimeout> | undefined;
  /** The last snapshot a stopped incarnation left, handed to the next. */
  snapshot: unknown;
  /** Incarnations started so far: the first, then one per restart. */
  launches: number;
  /** Its work is done: a transient or temporary child that completed. */
  completed: boolean;
}

/** How a child fares, for health checks and metrics. */
export interface ChildHealth {
  name: string;
  /**
   * `running` (an incarnation runs), `restarting` (waiting out a backoff), `completed` (its work
   * is done and it is not restarted) or `stopped`.
   */
  status: "running" | "restarting" | "completed" | "stopped";
  /** Restarts since the supervisor started, for any reason. */
  restarts: number;
}

interface Restart {
  at: number;
  child: string;
}

/** Runs children one-for-one with restart-with-backoff and escalation. */
export class Supervisor {
  readonly name: string;
  /** Resolves once `stop` finished; rejects with an `EscalationError` if the supervisor gave up. */
  readonly done: Promise<void>;
  readonly #children: Child[];
  readonly #transport: Transport;
  readonly #bus: ModelSubscriber | undefined;
  readonly #maxRestarts: number;
  readonly #withinMs: number;
  readonly #maxOutageMs: number;
  readonly #shutdownTimeoutMs: number;
  readonly #overruns: string[] = [];
  readonly #backoff: ExponentialBackoff;
  readonly #logger: Logger;
  readonly #loggerFor: (child: string) => Logger;
  readonly #settle: PromiseWithResolvers<void>;
  #restarts: Restart[] = [];
  #state: "idle" | "running" | "stopping" = "idle";

  /** Validates the options; nothing runs until `start`. */
  constructor(options: SupervisorOptions) {
    const { maxRestarts = 5, withinMs = 60_000, maxOutageMs = 60_000 } = options;
    const { shutdownTimeoutMs = 10_000 } = options;
    if (!(Number.isInteger(maxRestarts) && maxRestarts >= 0)) {
      throw new RangeError(
        `maxRestarts must be a non-negative integer: current value is ${maxRestarts}`,
      );
    }
    if (!(Number.isFinite(withinMs) && withinMs > 0)) {
      throw new RangeError(`withinMs must be a positive number: current value is ${withinMs}`);
    }
    if (!(Number.isFinite(maxOutageMs) && maxOutageMs >= 0)) {
      throw new RangeError(`maxOutageMs must be a number >= 0: current value is ${maxOutageMs}`);
    }
    for (const { name, shutdownTimeoutMs: ms = shutdownTimeoutMs } of options.children) {
      if (!(Number.isFinite(ms) && ms > 0)) {
        throw new RangeError(
          `shutdownTimeoutMs of '${name}' must be a positive number: current value is ${ms}`,
        );
      }
    }
    const names = options.children.map((child) => child.name);
    const duplicate = names.find((name, index) => names.indexOf(name) !== index);
    if (duplicate !== undefined) {
      throw new RangeError(`children must have unique names: '${duplicate}' appears twice`);
    }
    this.name = options.name;
    this.#children = options.children.map((spec) => ({
      spec,
      suspects: new Suspects(),
      startedAt: 0,
      outage: undefined,
      actor: undefined,
      restartTimer: undefined,
      snapshot: undefined,
      launches: 0,
      completed: false,
    }));
    this.#transport = options.transport;
    this.#bus = options.bus;
    this.#maxRestarts = maxRestarts;
    this.#withinMs = withinMs;
    this.#maxOutageMs = maxOutageMs;
    this.#shutdownTimeoutMs = shutdownTimeoutMs;
    this.#backoff = new ExponentialBackoff(options.backoff ?? defaultBackoff, options.random);
    this.#logger = options.logger ?? defaultLogger();
    this.#loggerFor = options.loggerFor ?? (() => this.#logger);
    this.#settle = Promise.withResolvers<void>();
    this.done = this.#settle.promise;
    // Whoever awaits `done` still sees the rejection; this only keeps an unobserved one from
    // crashing the process.
    this.done.catch(() => {});
  }

  /** Starts the children in order; one whose start fails is restarted like any failed child. */
  async start(): Promise<void> {
    if (this.#state !== "idle") {
      throw new Error(`supervisor '${this.name}' can only be started once`);
    }
    this.#state = "running";
    for (const child of this.#children) {
      if (this.#state !== "running") return;
      await this.#launch(child);
    }
  }

  /** Children that overran their shutdown timeout when stopped, in stop order. */
  get overruns(): readonly string[] {
    return this.#overruns;
  }

  /** How each child fares now, in start order. */
  health(): ChildHealth[] {
    return this.#children.map((child) => ({
      name: child.spec.name,
      status: child.completed
        ? "completed"
        : this.#state !== "running" || child.launches === 0
        ? "stopped"
        : child.restartTimer !== undefined
        ? "restarting"
        : child.actor === undefined
        ? "stopped"
        : "running",
      restarts: Math.max(0, child.launches - 1),
    }));
  }

  /** Stops the children in reverse order (each commits what it handled) and resolves `done`. */
  async stop(): Promise<void> {
    if (this.#state === "stopping") return await this.done.catch(() => {});
    const started = this.#state === "running";
    this.#state = "stopping";
    await this.#stopChildren();
    if (started) this.#logger.info("supervisor {supervisor} stopped", { supervisor: this.name });
    this.#settle.resolve();
  }

  #launch(child: Child): Promise<void> {
    const actor = new RunningActor(
      child.spec,
      this.#transport,
      this.#loggerFor(child.spec.name),
      (ending) => void this.#onEnd(child, actor, ending),
      child.spec.shutdownTimeoutMs ?? this.#shutdownTimeoutMs,
      child.suspects,
      this.#bus,
    );
    child.actor = actor;
    child.startedAt = Date.now();
    child.launches++;
    return actor.start(child.snapshot);
  }

  async #onEnd(child: Child, actor: RunningActor, ending: Ending): Promise<void> {
    if (this.#state !== "running" || child.actor !== actor) return;
    const name = child.spec.name;
    const restart = child.spec.restart ?? "permanent";
    if (ending.kind === "completed") {
      this.#logger.info("actor {actor} completed", { supervisor: this.name, actor: name });
      await this.#stopActor(actor);
      if (restart === "permanent") this.#restartLater(child, "completed");
      else {
        child.actor = undefined;
        child.completed = true;
      }
      return;
    }
    const { error } = ending;
    const { kind } = classify(error);
    // One line per failure; the stack only at debug level.
    this.#logger.warn("actor {actor} failed ({kind}): {error}", {
      supervisor: this.name,
      actor: name,
      kind,
      error: describeFailure(error),
    });
    this.#logger.debug("actor {actor} failure detail: {error}", { actor: name, error });
    if (kind === "fatal") {
      await this.#stopActor(actor);
      await this.#escalate(name, "failed with an error no restart can fix", error);
      return;
    }
    if (restart === "temporary") {
      await this.#stopActor(actor);
      child.actor = undefined;
      return;
    }
    if (kind === "retriable") return await this.#rideOut(child, actor, error);
    child.outage = undefined;
    this.#prune();
    if (this.#restarts.length >= this.#maxRestarts) {
      await this.#stopActor(actor);
      await this.#escalate(
        name,
        `failed after ${this.#maxRestarts} restarts within ${this.#withinMs} ms`,
        error,
      );
      return;
    }
    await this.#stopActor(actor, { kind: "restart", error });
    this.#restartLater(child, "failed");
  }

  /**
   * Restarts a child that failed for a reason that may go away (an outage) with a growing
   * backoff, until its failures in a row have lasted `maxOutageMs`.
   */
  async #rideOut(child: Child, actor: RunningActor, error: unknown): Promise<void> {
    const now = Date.now();
    // An incarnation that ran for a whole intensity window ended the outage before it.
    if (child.outage === undefined || now - child.startedAt >= this.#withinMs) {
      child.outage = { since: now, failures: 0 };
    }
    const outage = child.outage;
    const name = child.spec.name;
    if (now - outage.since >= this.#maxOutageMs) {
      await this.#stopActor(actor);
      await this.#escalate(name, `kept failing for ${this.#maxOutageMs} ms`, error);
      return;
    }
    await this.#stopActor(actor, { kind: "restart", error });
    if (this.#state !== "running") return;
    const delayMs = this.#backoff.delay(outage.failures++);
    this.#logger.warn("restarting actor {actor} in {delayMs} ms (failing for {outageMs} ms)", {
      supervisor: this.name,
      actor: name,
      delayMs,
      outageMs: now - outage.since,
    });
    this.#schedule(child, delayMs);
  }

  /** Stops an incarnation for good, or to be replaced; keeps its snapshot; notes an overrun. */
  async #stopActor(actor: RunningActor, reason: StopReason = { kind: "stop" }): Promise<void> {
    const stopped = await actor.stop(reason);
    if (!stopped) this.#overruns.push(actor.name);
    // Taken once the incarnation stopped, so it holds everything the stop hook settled.
    const child = this.#children.find((candidate) => candidate.actor === actor);
    if (child !== undefined) child.snapshot = actor.snapshot() ?? child.snapshot;
  }

  #prune(): void {
    const now = Date.now();
    this.#restarts = this.#restarts.filter((restart) => restart.at > now - this.#withinMs);
  }

  #restartLater(child: Child, after: "failed" | "completed"): void {
    if (this.#state !== "running") return;
    const name = child.spec.name;
    this.#prune();
    const attempt = this.#restarts.filter((restart) => restart.child === name).length;
    this.#restarts.push({ at: Date.now(), child: name });
    const delayMs = this.#backoff.delay(attempt);
    this.#logger.warn(
      "restarting actor {actor} ({after}) in {delayMs} ms (restart {restart} of {maxRestarts})",
      {
        supervisor: this.name,
        actor: name,
        after,
        delayMs,
        restart: this.#restarts.length,
        maxRestarts: this.#maxRestarts,
      },
    );
    this.#schedule(child, delayMs);
  }

  #schedule(child: Child, delayMs: number): void {
    child.restartTimer = setTimeout(() => {
      child.restartTimer = undefined;
      if (this.#state === "running") void this.#launch(child);
    }, delayMs);
  }

  async #escalate(child: string, why: string, cause: unknown): Promise<void> {
    this.#state = "stopping";
    const error = new EscalationError(this.name, child, why, cause);
    // The parent reports the escalation (main.ts prints it as one line): here only the detail.
    this.#logger.debug("supervisor {supervisor} escalates: {error}", {
      supervisor: this.name,
      actor: child,
      error,
    });
    await this.#stopChildren();
    this.#settle.reject(error);
  }

  async #stopChildren(): Promise<void> {
    for (const child of [...this.#children].reverse()) {
      clearTimeout(child.restartTimer);
      child.restartTimer = undefined;
      if (child.actor !== undefined) await this.#stopActor(child.actor);
    }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
