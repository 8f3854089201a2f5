/**
 * A serving replica: answers forecasts over HTTP (`http/serving_api.ts`) from the model version
 * designated live in the registry. It
 * 1. registers itself in the registry under its own lease (address, version loaded, ready or why
 *    not), so a replica that dies leaves the list when its lease expires,
 * 2. watches the catalogue (and reads it every `serving.resyncMs` besides) and loads the
 *    designated version whenever it changes (a new model, a rollback), with an exponential,
 *    capped backoff up to `serving.loadDeadlineMs` (`serving/served_model.ts`); past it the
 *    replica stays not ready, saying why, until the next designation; in a fleet it does so for
 *    each model, in that model's catalogue (`models/<name>/`), and is ready when every model's
 *    live version is loaded,
 * 3. forecasts a batch of events from fresh runs with the loaded version, ready or not only when
 *    that version is the designated one,
 * 4. asks for a retrain or a re-optimisation as the observer does: an `Instruction` on the
 *    instructions topic (in a fleet, of one model: the envelope names it).
 * Nothing of it must survive a restart: a replica that starts loads the designated version again.
 *
 * @module
 */

import type { Forecast, StreamEvent } from "../core/events.ts";
import type { Instruction } from "../protocol/messages.ts";
import type { Lease } from "../registry/registry.ts";
import type { ModelCatalog } from "../registry/model_catalog.ts";
import { ServingReplicas } from "../registry/serving_replicas.ts";
import type { ActorContext, Behaviour } from "./runtime/actor.ts";
import { RetriableError } from "./runtime/failure.ts";
import { send } from "./messaging.ts";
import type { RoleEnvironment } from "./environment.ts";
import { type ServedModelView, ServingState, type ServingView } from "./serving/serving_state.ts";
import { ServedModel } from "./serving/served_model.ts";

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
  /** In a fleet, the model that forecast. */
  model?: string;
  version: number;
  forecasts: Forecast[];
  /** Events that completed a match. */
  detections: number;
}

/** A model a replica serves: its name and environment (a fleet model's, or the deployment's). */
export interface ServingModel {
  name: string;
  env: RoleEnvironment;
}

/** The serving role. */
export class Serving implements Behaviour {
  readonly #env: RoleEnvironment;
  readonly #address: string;
  readonly #replicas: ServingReplicas;
  readonly #state = new ServingState();
  /** Each model served, by name: the fleet's, or the deployment's one. */
  readonly #models: Map<string, ServedModel>;
  readonly #fleet: boolean;
  #context: ActorContext | null = null;
  #lease: Lease | null = null;
  #resync: ReturnType<typeof setInterval> | undefined;
  /** What it last registered, to register again only when readiness or its reason changes. */
  #status = "";
  /** Registrations are written in order. */
  #registering: Promise<void> = Promise.resolve();

  /**
   * `address`: the base URL other processes reach this replica's API at; `fleet`: the fleet's
   * models, each followed in its own catalogue (absent: the deployment's one model).
   */
  constructor(env: RoleEnvironment, address: string, fleet?: readonly ServingModel[]) {
    this.#env = env;
    this.#address = address.endsWith("/") ? address : `${address}/`;
    this.#replicas = new ServingReplicas(env.registry);
    this.#fleet = fleet !== undefined;
    const served = fleet ?? [{ name: env.serves.name, env }];
    this.#models = new Map(
      served.map(({ name, env }) => [
        name,
        new ServedModel(name, env, this.#state, () => this.#statusChanged()),
      ]),
    );
  }

  /** Registers the replica, then follows each model's designated version. */
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
    this.#resync = setInterval(
      () => this.#models.forEach((model) => model.follow()),
      this.#env.config.serving.resyncMs,
    );
    await Promise.all([...this.#models.values()].map((model) => model.start(context)));
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
    const views = [...this.#models.entries()].map(([name, model]) => [name, model.view()] as const);
    const counters = this.#state.view();
    if (!this.#fleet) {
      const [, only] = views[0];
      return { ...counters, ...only };
    }
    const waiting = views.filter(([, view]) => !view.ready);
    return {
      ...counters,
      version: null,
      target: null,
      ready: waiting.length === 0,
      detail: waiting.length === 0
        ? `serving ${views.map(([name, view]) => `${name} v${view.version}`).join(", ")}`
        : `not loaded: ${waiting.map(([name, view]) => `${name} (${view.detail})`).join("; ")}`,
      models: Object.fromEntries(views),
    };
  }

  /** Its registered address. */
  get address(): string {
    return this.#address;
  }

  /** Whether it serves a fleet (each request names its model). */
  get fleet(): boolean {
    return this.#fleet;
  }

  /** The names of the models it serves. */
  get modelNames(): string[] {
    return [...this.#models.keys()];
  }

  /**
   * Forecasts `events` in order from fresh runs with `model`'s loaded version (absent `model`:
   * the only one); rejects with a NotReadyError unless it is that model's designated one, and
   * with an EventRejectedError naming the first event the model could not process.
   */
  forecast(events: readonly StreamEvent[], model?: string): ForecastAnswer {
    const served = this.#served(model);
    const loaded = served.serving();
    if (loaded === null) {
      const { detail } = served.view();
      throw new NotReadyError(this.#fleet ? `model ${served.name}: ${detail}` : detail);
    }
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
    const answer: ForecastAnswer = { version: record.version, forecasts, detections };
    return this.#fleet ? { model: served.name, ...answer } : answer;
  }

  /**
   * Asks for a retrain or a re-optimisation on the instructions topic, as the observer does; in
   * a fleet, of `model` (the envelope names it).
   */
  async instruct(
    action: Instruction["action"],
    reason: string,
    model?: string,
  ): Promise<Instruction> {
    const context = this.#context;
    if (context === null) throw new NotReadyError("starting");
    const served = this.#served(model);
    // No metrics report set it off.
    const instruction: Instruction = { action, reason, reportId: -1 };
    await send(context, this.#env.topics.instructions, "Instruction", instruction, {
      model: this.#fleet ? served.name : "",
    });
    context.logger.info("asked for {action} of {model}: {reason}", {
      action,
      reason,
      model: served.name,
    });
    return instruction;
  }

  /** The catalogue of `model` (absent: the only one's): the fleet model's, under `models/<name>/`. */
  catalog(model?: string): ModelCatalog {
    return this.#served(model).env.catalog;
  }

  /** The model `name` names (absent: the only one); a RangeError for one it does not serve. */
  #served(name: string | undefined): ServedModel {
    if (!this.#fleet) return this.#models.values().next().value!;
    const served = name === undefined ? undefined : this.#models.get(name);
    if (served === undefined) {
      throw new RangeError(
        `model must be one of the fleet's (${this.modelNames.join(", ")}): ` +
          `current value is ${JSON.stringify(name)}`,
      );
    }
    return served;
  }

  /** A model's readiness or its reason changed: register again if the replica's did. */
  #statusChanged(): void {
    const { ready, detail, models } = this.view();
    const status = JSON.stringify({ ready, detail, models });
    if (status === this.#status) return;
    this.#status = status;
    this.#register().catch((error) => this.#context?.fail(error));
  }

  /** Writes the replica's registration as it stands now, after the ones before it. */
  #register(): Promise<void> {
    const lease = this.#lease!;
    this.#registering = this.#registering.then(async () => {
      if (lease.lost.aborted) return;
      const view = this.view();
      await this.#replicas.register({
        instance: this.#env.instance,
        address: this.#address,
        version: view.version,
        ready: view.ready,
        detail: view.detail,
        ...(view.models === undefined ? {} : { models: modelsOf(view.models) }),
        updatedAt: Date.now(),
      }, lease.id);
    });
    return this.#registering;
  }

  /** Stops loading and watching, and leaves the list at once (its lease is revoked). */
  async postStop(): Promise<void> {
    clearInterval(this.#resync);
    this.#lease?.lost.removeEventListener("abort", this.#onLeaseLost);
    await Promise.all([...this.#models.values()].map((model) => model.close()));
    await this.#registering.catch(() => {});
    await this.#lease?.revoke();
  }
}

/** Each model's version loaded, readiness and why, as registered. */
function modelsOf(views: Record<string, ServedModelView>): Record<string, ServedModelView> {
  return Object.fromEntries(
    Object.entries(views).map(([name, { version, ready, detail, target }]) => [
      name,
      { version, target, ready, detail },
    ]),
  );
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
