/**
 * A serving replica: answers forecasts over HTTP (`http/serving_api.ts`) from the model version
 * designated live in the registry. It
 * 1. registers itself in the registry under its own lease (address, version loaded, ready or why
 *    not), so a replica that dies leaves the list when its lease expires,
 * 2. watches the catalogue (and reads it every `serving.resyncMs` besides) and loads the
 *    designated version whenever it changes (a new model, a rollback), with an exponential, capped backoff up to `serving.loadDeadlineMs`
 *    (`serving/model_loading.ts`); past it the replica stays not ready, saying why, until the
 *    next designation,
 * 3. forecasts a batch of events from fresh runs with the loaded version, ready or not only when
 *    that version is the designated one,
 * 4. asks for a retrain or a re-optimisation as the observer does: an `Instruction` on the
 *    instructions topic.
 * Nothing of it must survive a restart: a replica that starts loads the designated version again.
 *
 * @module
 */

import type { Forecast, StreamEvent } from "../core/events.ts";
import type { ModelRecord } from "../core/model_record.ts";
import type { Instruction } from "../protocol/messages.ts";
import type { Forecaster } from "../models/model.ts";
import type { Lease, RegistryWatch } from "../registry/registry.ts";
import { ServingReplicas } from "../registry/serving_replicas.ts";
import type { ActorContext, Behaviour } from "./runtime/actor.ts";
import { RetriableError } from "./runtime/failure.ts";
import { send } from "./messaging.ts";
import type { RoleEnvironment } from "./environment.ts";
import { ServingState, type ServingView } from "./serving/serving_state.ts";
import { LoadDeadlineError, loadModel } from "./serving/model_loading.ts";

/** Lease of a replica's registration when the registry is in process, s. */
const IN_PROCESS_LEASE_SECONDS = 10;

/** A forecast request refused because the replica is not ready: the reason says why. */
export class NotReadyError extends Error {
  override readonly name = "NotReadyError";
}

/** An event of a forecast request that the model could not process. */
export class EventRejectedError extends Error {
  override readonly name = "EventRejectedError";

  /** `index`: the event's place in the request. */
  constructor(readonly index: number, reason: string) {
    super(`events[${index}]: ${reason}`);
  }
}

/** What `POST /forecast` answers. */
export interface ForecastAnswer {
  version: number;
  forecasts: Forecast[];
  /** Events that completed a match. */
  detections: number;
}

/** The serving role. */
export class Serving implements Behaviour {
  readonly #env: RoleEnvironment;
  readonly #address: string;
  readonly #replicas: ServingReplicas;
  readonly #state = new ServingState();
  #context: ActorContext | null = null;
  #lease: Lease | null = null;
  #watch: RegistryWatch | null = null;
  #resync: ReturnType<typeof setInterval> | undefined;
  #loaded: { record: ModelRecord; forecaster: Forecaster } | null = null;
  /** The load under way, aborted when another version is designated. */
  #loading: AbortController | null = null;
  /** One registry read of the designation at a time; one more queued when asked meanwhile. */
  #following: Promise<void> = Promise.resolve();
  #followAgain = false;
  /** The designation whose load gave up: not tried again until another one is made. */
  #gaveUpOn: string | null = null;
  /** Registrations are written in order. */
  #registering: Promise<void> = Promise.resolve();

  /** `address`: the base URL other processes reach this replica's API at. */
  constructor(env: RoleEnvironment, address: string) {
    this.#env = env;
    this.#address = address.endsWith("/") ? address : `${address}/`;
    this.#replicas = new ServingReplicas(env.registry);
  }

  /** Registers the replica, then follows the designated version. */
  async start(context: ActorContext): Promise<void> {
    this.#context = context;
    const ttl = this.#env.config.etcd?.leaseTtlSeconds ?? IN_PROCESS_LEASE_SECONDS;
    const lease = this.#lease = await this.#env.registry.grantLease(
      ttl,
      `serving ${this.#env.instance}`,
    );
    // Registered under it: a replica whose lease ended is no longer listed, so start again.
    lease.lost.addEventListener("abort", this.#onLeaseLost, { once: true });
    await this.#register();
    this.#watch = await this.#env.catalog.watch(() => this.#follow());
    this.#resync = setInterval(() => this.#follow(), this.#env.config.serving.resyncMs);
    this.#follow();
    await this.#following;
  }

  /** Its registration went with the lease (etcd lost it): a restart registers again. */
  readonly #onLeaseLost = () =>
    this.#context?.fail(
      new RetriableError("the serving replica's registration lease ended", {
        cause: this.#lease?.lost.reason,
        service: "etcd",
      }),
    );

  /** What the replica reports. */
  view(): Readonly<ServingView> {
    return this.#state.view();
  }

  /** Its registered address. */
  get address(): string {
    return this.#address;
  }

  /**
   * Forecasts `events` in order from fresh runs with the loaded version; rejects with a
   * NotReadyError unless it is the designated one, and with an EventRejectedError naming the
   * first event the model could not process.
   */
  forecast(events: readonly StreamEvent[]): ForecastAnswer {
    const loaded = this.#loaded;
    if (!this.#state.ready || loaded === null) throw new NotReadyError(this.#state.detail);
    const { forecaster, record } = loaded;
    const forecasts: Forecast[] = [];
    let detections = 0;
    // Synchronous from the first event to the last: no other request's events interleave.
    forecaster.drop(() => true);
    try {
      for (let i = 0; i < events.length; i++) {
        let step;
        try {
          step = forecaster.process(events[i]);
        } catch (error) {
          throw new EventRejectedError(i, messageOf(error));
        }
        if (step.detection) detections++;
        if (step.forecast !== null) forecasts.push(step.forecast);
      }
    } finally {
      forecaster.drop(() => true);
    }
    this.#state.requests++;
    this.#state.events += events.length;
    return { version: record.version, forecasts, detections };
  }

  /** Asks for a retrain or a re-optimisation on the instructions topic, as the observer does. */
  async instruct(action: Instruction["action"], reason: string): Promise<Instruction> {
    const context = this.#context;
    if (context === null) throw new NotReadyError("starting");
    // No metrics report set it off.
    const instruction: Instruction = { action, reason, reportId: -1 };
    await send(context, this.#env.topics.instructions, "Instruction", instruction);
    context.logger.info("asked for {action}: {reason}", { action, reason });
    return instruction;
  }

  /** Reads the designation again (serially), and loads it if it is not the version loaded. */
  #follow(): void {
    if (this.#followAgain) return;
    this.#followAgain = true;
    this.#following = this.#following.then(async () => {
      this.#followAgain = false;
      const context = this.#context!;
      if (context.signal.aborted) return;
      try {
        await this.#catchUp(context);
      } catch (error) {
        // The registry is unreachable past its retries: the supervisor restarts the replica.
        context.fail(error);
      }
    });
  }

  async #catchUp(context: ActorContext): Promise<void> {
    const { catalog } = this.#env;
    const designation = await catalog.designation();
    const live = designation === undefined
      ? await catalog.latest()
      : await catalog.get(designation.version);
    if (live === undefined) {
      this.#setStatus(false, "no model version in the catalogue yet");
      return;
    }
    if (live.version === this.#loaded?.record.version) {
      this.#loading?.abort();
      this.#loading = null;
      this.#state.target = live.version;
      this.#setStatus(true, `serving model v${live.version}`);
      return;
    }
    if (live.version === this.#state.target && this.#loading !== null) return;
    // Each designation is one load; designating the same version again is a new one.
    const designated = designation === undefined
      ? `newest v${live.version}`
      : `v${designation.version} at ${designation.designatedAt}`;
    if (designated === this.#gaveUpOn) return;
    this.#load(context, live, designated);
  }

  /** Loads `record` beside the requests, replacing the load under way. */
  #load(context: ActorContext, record: ModelRecord, designated: string): void {
    this.#loading?.abort();
    const loading = this.#loading = new AbortController();
    const { version } = record;
    this.#state.target = version;
    this.#setStatus(false, `loading model v${version}`);
    const { config } = this.#env;
    const signal = AbortSignal.any([loading.signal, context.signal]);
    loadModel(
      record,
      {
        artifacts: this.#env.artifacts,
        model: this.#env.model,
        settings: { threshold: config.model.initialParams.threshold, ...config.model.forecast },
      },
      {
        initialBackoffMs: config.serving.loadInitialBackoffMs,
        maxBackoffMs: config.serving.loadMaxBackoffMs,
        deadlineMs: config.serving.loadDeadlineMs,
      },
      signal,
      (failure) => {
        this.#state.loadFailures++;
        context.logger.warn(
          "loading model v{version} failed (attempt {attempt}): {reason}; next try in {nextInMs} ms",
          { version, ...failure },
        );
        this.#setStatus(
          false,
          `loading model v${version}: attempt ${failure.attempt} failed: ${failure.reason}`,
        );
      },
    ).then((forecaster) => {
      if (signal.aborted) return;
      this.#loading = null;
      this.#loaded = { record, forecaster };
      this.#state.version = version;
      this.#state.loads++;
      context.logger.info("serving model v{version} ({method})", {
        version,
        method: record.creationMethod,
      });
      this.#setStatus(true, `serving model v${version}`);
    }, (error) => {
      if (signal.aborted) return;
      this.#loading = null;
      this.#gaveUpOn = designated;
      const reason = error instanceof LoadDeadlineError ? error.message : messageOf(error);
      context.logger.error("{reason}; not ready until another version is designated", {
        reason,
      });
      this.#setStatus(false, reason);
    });
  }

  #setStatus(ready: boolean, detail: string): void {
    if (this.#state.ready === ready && this.#state.detail === detail) return;
    this.#state.ready = ready;
    this.#state.detail = detail;
    this.#register().catch((error) => this.#context?.fail(error));
  }

  /** Writes the replica's registration as it stands now, after the ones before it. */
  #register(): Promise<void> {
    const lease = this.#lease!;
    this.#registering = this.#registering.then(async () => {
      if (lease.lost.aborted) return;
      await this.#replicas.register({
        instance: this.#env.instance,
        address: this.#address,
        version: this.#state.version,
        ready: this.#state.ready,
        detail: this.#state.detail,
        updatedAt: Date.now(),
      }, lease.id);
    });
    return this.#registering;
  }

  /** Stops loading and watching, and leaves the list at once (its lease is revoked). */
  async postStop(): Promise<void> {
    this.#loading?.abort();
    clearInterval(this.#resync);
    this.#lease?.lost.removeEventListener("abort", this.#onLeaseLost);
    await this.#watch?.close();
    await this.#following.catch(() => {});
    await this.#registering.catch(() => {});
    await this.#lease?.revoke();
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
