/**
 * A client of the serving API for programs of the deployment: it reads the registered replicas
 * and the live designation from the registry and calls only replicas that are ready and serve
 * the designated version, in turn; a replica that fails or answers not ready is skipped for the
 * next one. Each call has a deadline. In a fleet, each call names its model, and goes to the
 * replicas serving that model's designated version, read in that model's catalogue.
 *
 * @module
 */

import type { StreamEvent } from "../core/events.ts";
import type { ForecastAnswer } from "../actors/serving.ts";
import type { ModelCatalog } from "../registry/model_catalog.ts";
import {
  type ReplicaRecord,
  routable,
  type ServingReplicas,
} from "../registry/serving_replicas.ts";

/** What the client reads and how long a call may take. */
export interface ServingClientOptions {
  catalog: ModelCatalog;
  /**
   * A fleet's catalogues by model name (each a `ModelCatalog` of the registry under
   * `models/<name>/`); absent: no fleet, and `catalog` designates the live version.
   */
  models?: Record<string, ModelCatalog>;
  replicas: ServingReplicas;
  /** Deadline of one HTTP call, ms. Default 10,000. */
  timeoutMs?: number;
}

/** The replicas as a client sees them. */
export interface ReplicaChoice {
  /** The designated version; undefined before the first model. */
  live: number | undefined;
  replicas: ReplicaRecord[];
  /** Those it calls: ready and serving `live`. */
  routable: ReplicaRecord[];
}

/** No replica could answer: why, replica by replica. */
export class NoReplicaError extends Error {
  override readonly name = "NoReplicaError";
}

/** Calls the serving API on the replicas that serve the designated version. */
export class ServingClient {
  readonly #catalog: ModelCatalog;
  readonly #models: Record<string, ModelCatalog> | undefined;
  readonly #replicas: ServingReplicas;
  readonly #timeoutMs: number;
  #next = 0;

  /** Reads replicas and the designation through `options`. */
  constructor(options: ServingClientOptions) {
    const { timeoutMs = 10_000 } = options;
    if (!Number.isInteger(timeoutMs) || timeoutMs < 1) {
      throw new RangeError(`timeoutMs must be an integer >= 1: current value is ${timeoutMs}`);
    }
    this.#catalog = options.catalog;
    this.#models = options.models;
    this.#replicas = options.replicas;
    this.#timeoutMs = timeoutMs;
  }

  /** The replicas registered now, and which of them it would call (in a fleet, for `model`). */
  async choice(model?: string): Promise<ReplicaChoice> {
    const catalog = this.#catalogOf(model);
    const [replicas, live] = await Promise.all([this.#replicas.list(), catalog.live()]);
    return { live: live?.version, replicas, routable: routable(replicas, live?.version, model) };
  }

  /**
   * Forecasts `events` (in a fleet, with `model`) on the next routable replica, trying the
   * others if it fails.
   */
  async forecast(events: readonly StreamEvent[], model?: string): Promise<ForecastAnswer> {
    const { live, routable } = await this.choice(model);
    const of = model === undefined ? "" : ` of model ${model}`;
    if (routable.length === 0) {
      throw new NoReplicaError(`no replica is ready with the designated version${of} v${live}`);
    }
    const failures: string[] = [];
    for (let tried = 0; tried < routable.length; tried++) {
      const replica = routable[this.#next++ % routable.length];
      try {
        const response = await fetch(new URL("forecast", replica.address), {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(model === undefined ? { events } : { events, model }),
          signal: AbortSignal.timeout(this.#timeoutMs),
        });
        const body = await response.json();
        if (response.ok) return body as ForecastAnswer;
        // The request itself is bad: another replica would refuse it too.
        if (response.status === 400) throw new RangeError(body.error);
        failures.push(`${replica.address}: ${response.status} ${body.error}`);
      } catch (error) {
        if (error instanceof RangeError) throw error;
        failures.push(`${replica.address}: ${error instanceof Error ? error.message : error}`);
      }
    }
    throw new NoReplicaError(`every replica serving v${live}${of} failed: ${failures.join("; ")}`);
  }

  /** The catalogue designating `model`'s live version: a fleet's needs a model it knows. */
  #catalogOf(model: string | undefined): ModelCatalog {
    if (this.#models === undefined) {
      if (model !== undefined) {
        throw new RangeError(`model must be absent (no fleet): current value is "${model}"`);
      }
      return this.#catalog;
    }
    const catalog = model === undefined ? undefined : this.#models[model];
    if (catalog === undefined) {
      throw new RangeError(
        `model must be one of the fleet's (${Object.keys(this.#models).join(", ")}): ` +
          `current value is ${JSON.stringify(model)}`,
      );
    }
    return catalog;
  }
}
