/**
 * One-for-one supervision (OTP `one_for_one`, Akka `SupervisorStrategy.restartWithBackoff`):
 * a child that fails is stopped and restarted after an exponential backoff, without touching its
 * siblings. More than `maxRestarts` restarts within `withinMs` means restarting does not help;
 * the supervisor then escalates: it stops every child and rejects `done` with an
 * `EscalationError`, which `main.ts` turns into a non-zero exit with the reason.
 *
 * @module
 */

import type { Transport } from "../../transport/transport.ts";
import type { ChildSpec } from "./actor.ts";
import { type BackoffOptions, ExponentialBackoff } from "./backoff.ts";
import { defaultLogger, type Logger } from "../../logging/logger.ts";
import { RunningActor } from "./running_actor.ts";

/** How a supervisor runs its children. */
export interface SupervisorOptions {
  /** Names the supervisor in logs and in its `EscalationError`. */
  name: string;
  /** Started in order, stopped in reverse order. */
  children: ChildSpec[];
  /** Transport behind every child's `subscribe` and `publish`. */
  transport: Transport;
  /** Restart intensity: at most this many restarts (all children) within `withinMs`. Default 5. */
  maxRestarts?: number;
  /** Window of the restart intensity, ms. Default 60,000. */
  withinMs?: number;
  /** Delay before a restart; attempt n = the child's n-th restart within `withinMs`. */
  backoff?: BackoffOptions;
  /** Uniform random numbers in [0, 1) for the backoff jitter. Default `Math.random`. */
  random?: () => number;
  /** The supervisor's own records (restarts, escalation). Default `defaultLogger()`. */
  logger?: Logger;
  /** The logger handed to a child, by name (e.g. one category per role). Default: `logger`. */
  loggerFor?: (child: string) => Logger;
}

/** The supervisor gave up: a child failed more often than the restart intensity allows. */
export class EscalationError extends Error {
  /** The child whose failure exceeded the intensity. */
  readonly child: string;

  /** Names the supervisor, the child, the intensity and the child's last error. */
  constructor(
    supervisor: string,
    child: string,
    maxRestarts: number,
    withinMs: number,
    cause: unknown,
  ) {
    super(
      `supervisor '${supervisor}' gave up: child '${child}' failed after ${maxRestarts} restarts ` +
        `within ${withinMs} ms; last error: ${describe(cause)}`,
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
  actor: RunningActor | undefined;
  restartTimer: ReturnType<typeof setTimeout> | undefined;
  /** The last snapshot a stopped incarnation left, handed to the next. */
  snapshot: unknown;
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
  readonly #maxRestarts: number;
  readonly #withinMs: number;
  readonly #backoff: ExponentialBackoff;
  readonly #logger: Logger;
  readonly #loggerFor: (child: string) => Logger;
  readonly #settle: PromiseWithResolvers<void>;
  #restarts: Restart[] = [];
  #state: "idle" | "running" | "stopping" = "idle";

  /** Validates the options; nothing runs until `start`. */
  constructor(options: SupervisorOptions) {
    const { maxRestarts = 5, withinMs = 60_000 } = options;
    if (!(Number.isInteger(maxRestarts) && maxRestarts >= 0)) {
      throw new RangeError(
        `maxRestarts must be a non-negative integer: current value is ${maxRestarts}`,
      );
    }
    if (!(Number.isFinite(withinMs) && withinMs > 0)) {
      throw new RangeError(`withinMs must be a positive number: current value is ${withinMs}`);
    }
    const names = options.children.map((child) => child.name);
    const duplicate = names.find((name, index) => names.indexOf(name) !== index);
    if (duplicate !== undefined) {
      throw new RangeError(`children must have unique names: '${duplicate}' appears twice`);
    }
    this.name = options.name;
    this.#children = options.children.map((spec) => ({
      spec,
      actor: undefined,
      restartTimer: undefined,
      snapshot: undefined,
    }));
    this.#transport = options.transport;
    this.#maxRestarts = maxRestarts;
    this.#withinMs = withinMs;
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

  /** Stops the children in reverse order (each commits what it handled) and resolves `done`. */
  async stop(): Promise<void> {
    if (this.#state === "stopping") return await this.done.catch(() => {});
    this.#state = "stopping";
    await this.#stopChildren();
    this.#logger.info("supervisor {supervisor} stopped", { supervisor: this.name });
    this.#settle.resolve();
  }

  #launch(child: Child): Promise<void> {
    const actor = new RunningActor(
      child.spec,
      this.#transport,
      this.#loggerFor(child.spec.name),
      (error) => void this.#onFailure(child, actor, error),
    );
    child.actor = actor;
    return actor.start(child.snapshot);
  }

  async #onFailure(child: Child, actor: RunningActor, error: unknown): Promise<void> {
    if (this.#state !== "running" || child.actor !== actor) return;
    const name = child.spec.name;
    this.#logger.warn("actor {actor} failed: {error}", {
      supervisor: this.name,
      actor: name,
      error,
    });
    await actor.stop();
    // Taken once the incarnation stopped, so it holds everything the stop hook settled.
    child.snapshot = actor.snapshot() ?? child.snapshot;
    if (this.#state !== "running") return;

    const now = Date.now();
    this.#restarts = this.#restarts.filter((restart) => restart.at > now - this.#withinMs);
    if (this.#restarts.length >= this.#maxRestarts) {
      await this.#escalate(name, error);
      return;
    }
    const attempt = this.#restarts.filter((restart) => restart.child === name).length;
    this.#restarts.push({ at: now, child: name });
    const delayMs = this.#backoff.delay(attempt);
    this.#logger.warn(
      "restarting actor {actor} in {delayMs} ms (restart {restart} of {maxRestarts})",
      {
        supervisor: this.name,
        actor: name,
        delayMs,
        restart: this.#restarts.length,
        maxRestarts: this.#maxRestarts,
      },
    );
    child.restartTimer = setTimeout(() => {
      child.restartTimer = undefined;
      if (this.#state === "running") void this.#launch(child);
    }, delayMs);
  }

  async #escalate(child: string, cause: unknown): Promise<void> {
    this.#state = "stopping";
    const error = new EscalationError(this.name, child, this.#maxRestarts, this.#withinMs, cause);
    this.#logger.error("supervisor {supervisor} escalates: {error}", {
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
      await child.actor?.stop();
    }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
