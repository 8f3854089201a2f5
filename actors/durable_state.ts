/**
 * A role's durable memory: the snapshot it must not lose when its process dies, kept in the
 * `state/` port (etcd, or this process's memory when embedded). A role loads it before it acts
 * and saves at its commit points. Saves are coalesced, so a busy role does not write on every
 * event: the latest snapshot wins and at most one write per role is in flight. Every write is a
 * compare-and-set on the revision this instance last read or wrote, so once a successor has
 * claimed the state (`claim`), a predecessor's writes are refused; a leader's writes are also
 * refused once its leadership is lost. Every store call has a deadline.
 *
 * @module
 */

import type { Schema, StateKey, StateStore } from "../state/state_store.ts";
import type { Leadership } from "../registry/registry.ts";
import type { Logger } from "../logging/logger.ts";
import { LeadershipLostError, RetriableError } from "./runtime/failure.ts";
import type { RoleEnvironment } from "./environment.ts";
import type { ActorContext } from "./runtime/actor.ts";

/** The state was written by another instance since this one read it: this one was superseded. */
export class StateConflictError extends RetriableError {
  override readonly name = "StateConflictError";

  /** Names the state. */
  constructor(key: StateKey) {
    super(
      `state ${key.role}/${key.name} was written by another instance: this one was superseded`,
      { service: "etcd" },
    );
  }
}

/** What a durable state is kept in and how it reports. */
export interface DurableStateOptions<T> {
  store: StateStore;
  key: StateKey;
  schema: Schema<T>;
  logger: Logger;
  /** Deadline of one store call, ms. */
  timeoutMs: number;
  /** A leader's writes are refused once this leadership is lost. */
  leadership?: Leadership;
  /** Told when a background save fails (the role then crashes, to be restarted). */
  onError(error: unknown): void;
}

/** One role's snapshot in the state store, loaded once and saved at commit points. */
export class DurableState<T> {
  readonly #options: DurableStateOptions<T>;
  #revision = 0;
  #pending: { value: T } | undefined;
  #inFlight: Promise<void> | undefined;
  #error: unknown;

  /** Rejects a deadline that is not a positive integer. */
  constructor(options: DurableStateOptions<T>) {
    if (!Number.isSafeInteger(options.timeoutMs) || options.timeoutMs < 1) {
      throw new RangeError(
        `timeoutMs must be an integer >= 1: current value is ${options.timeoutMs}`,
      );
    }
    this.#options = options;
  }

  /** The stored snapshot (undefined when none), remembering its revision for later writes. */
  async load(): Promise<T | undefined> {
    const { store, key, schema } = this.#options;
    const stored = await this.#withDeadline("read", store.get(key, schema));
    this.#revision = stored?.revision ?? 0;
    return stored?.value;
  }

  /** Writes `value` and waits for it: from then on, a predecessor's writes are refused. */
  async claim(value: T): Promise<void> {
    this.save(value);
    await this.flush();
  }

  /** Saves `value` in the background; a newer save before it is written replaces it. */
  save(value: T): void {
    if (this.#error !== undefined) return;
    this.#pending = { value };
    this.#inFlight ??= this.#drain();
  }

  /** Waits until every save so far is written; rejects if one failed. */
  async flush(): Promise<void> {
    await this.#inFlight;
    if (this.#error !== undefined) throw this.#error;
  }

  /** Deletes the stored snapshot (still at the revision this instance wrote): its work is done. */
  async clear(): Promise<void> {
    await this.flush();
    const { store, key } = this.#options;
    if (this.#revision === 0) return;
    if (!await this.#withDeadline("delete", store.delete(key, this.#revision))) {
      throw new StateConflictError(key);
    }
    this.#revision = 0;
  }

  async #drain(): Promise<void> {
    const { store, key, schema, leadership } = this.#options;
    try {
      while (this.#pending !== undefined) {
        const { value } = this.#pending;
        this.#pending = undefined;
        if (leadership?.lost.aborted) {
          throw new LeadershipLostError(key.role, leadership.lost.reason);
        }
        const revision = await this.#withDeadline(
          "write",
          store.put(key, value, this.#revision, schema),
        );
        if (revision === undefined) throw new StateConflictError(key);
        this.#revision = revision;
      }
    } catch (error) {
      this.#error = error;
      this.#pending = undefined;
      this.#options.onError(error);
    } finally {
      this.#inFlight = undefined;
    }
  }

  /** `call`, or a RetriableError (logged) when it takes longer than the deadline. */
  #withDeadline<R>(what: string, call: Promise<R>): Promise<R> {
    const { key, timeoutMs, logger } = this.#options;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const reason = `the state store did not answer the ${what} of ${key.role}/${key.name} ` +
          `within ${timeoutMs} ms`;
        logger.warn("{reason}", { reason });
        reject(new RetriableError(reason, { service: "etcd" }));
      }, timeoutMs);
    });
    return Promise.race([call, expired]).finally(() => clearTimeout(timer));
  }
}

/**
 * `role`'s durable state named `name` in the deployment's state store, reporting through
 * `context`; a leader passes its leadership so its writes end with it.
 */
export function durableState<T>(
  env: Pick<RoleEnvironment, "state" | "config">,
  context: ActorContext,
  key: StateKey,
  schema: Schema<T>,
  leadership?: Leadership,
): DurableState<T> {
  const { etcd } = env.config;
  return new DurableState({
    store: env.state,
    key,
    schema,
    logger: context.logger,
    // The etcd client retries an unreachable etcd within each call; this bounds the whole call.
    timeoutMs: etcd === undefined ? IN_PROCESS_TIMEOUT_MS : etcd.callTimeoutMs * etcd.callAttempts,
    leadership,
    onError: (error) => context.fail(error),
  });
}

/** The schema of a role's snapshot as its state's `restore` checks it. */
export function restoredBy<T>(restore: (value: unknown) => { snapshot(): T }): Schema<T> {
  return { parse: (value) => restore(value).snapshot() };
}

/** An in-process store answers at once; this only guards against a bug leaving a call hanging. */
const IN_PROCESS_TIMEOUT_MS = 5_000;
