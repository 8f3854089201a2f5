/**
 * One model a serving replica serves: it follows that model's live designation (its catalogue:
 * the deployment's, or a fleet model's under `models/<name>/`), and loads the designated version
 * whenever it changes, with backoff up to `serving.loadDeadlineMs` (`model_loading.ts`). A
 * replica serves one of these per model of its fleet (one without a fleet).
 *
 * @module
 */

import type { ModelRecord } from "../../core/model_record.ts";
import type { Forecaster } from "../../models/model.ts";
import type { RegistryWatch } from "../../registry/registry.ts";
import type { ActorContext } from "../runtime/actor.ts";
import type { RoleEnvironment } from "../environment.ts";
import type { ServedModelView, ServingState } from "./serving_state.ts";
import { LoadDeadlineError, loadModel } from "./model_loading.ts";

/** One model of a serving replica, followed and loaded on its own. */
export class ServedModel {
  readonly name: string;
  readonly env: RoleEnvironment;
  readonly #counters: ServingState;
  readonly #onStatus: () => void;
  #context: ActorContext | null = null;
  #watch: RegistryWatch | null = null;
  #loaded: { record: ModelRecord; forecaster: Forecaster } | null = null;
  /** The load under way, aborted when another version is designated. */
  #loading: AbortController | null = null;
  /** One registry read of the designation at a time; one more queued when asked meanwhile. */
  #following: Promise<void> = Promise.resolve();
  #followAgain = false;
  /** The designation whose load gave up: not tried again until another one is made. */
  #gaveUpOn: string | null = null;
  #view: ServedModelView = { version: null, target: null, ready: false, detail: "starting" };

  /**
   * `env`: the model's environment (catalogue, artifacts, model); `counters`: the replica's
   * load tallies; `onStatus`: called when readiness or its reason changes.
   */
  constructor(name: string, env: RoleEnvironment, counters: ServingState, onStatus: () => void) {
    this.name = name;
    this.env = env;
    this.#counters = counters;
    this.#onStatus = onStatus;
  }

  /** Watches the model's catalogue and reads its designation once. */
  async start(context: ActorContext): Promise<void> {
    this.#context = context;
    this.#watch = await this.env.catalog.watch(() => this.follow());
    this.follow();
    await this.#following;
  }

  /** What it reports now. */
  view(): Readonly<ServedModelView> {
    return { ...this.#view };
  }

  /** The loaded version and its forecaster when it is the designated one; null otherwise. */
  serving(): { record: ModelRecord; forecaster: Forecaster } | null {
    return this.#view.ready ? this.#loaded : null;
  }

  /** Reads the designation again (serially), and loads it if it is not the version loaded. */
  follow(): void {
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
    const { catalog } = this.env;
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
      this.#view.target = live.version;
      this.#setStatus(true, `serving model v${live.version}`);
      return;
    }
    if (live.version === this.#view.target && this.#loading !== null) return;
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
    this.#view.target = version;
    this.#setStatus(false, `loading model v${version}`);
    const { config } = this.env;
    const signal = AbortSignal.any([loading.signal, context.signal]);
    const fields = { version, model: this.name };
    loadModel(
      record,
      {
        artifacts: this.env.artifacts,
        model: this.env.model,
        settings: { threshold: config.model.initialParams.threshold, ...config.model.forecast },
      },
      {
        initialBackoffMs: config.serving.loadInitialBackoffMs,
        maxBackoffMs: config.serving.loadMaxBackoffMs,
        deadlineMs: config.serving.loadDeadlineMs,
      },
      signal,
      (failure) => {
        this.#counters.loadFailures++;
        context.logger.warn(
          "loading model {model} v{version} failed (attempt {attempt}): {reason}; " +
            "next try in {nextInMs} ms",
          { ...fields, ...failure },
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
      this.#view.version = version;
      this.#counters.loads++;
      context.logger.info("serving model {model} v{version} ({method})", {
        ...fields,
        method: record.creationMethod,
      });
      this.#setStatus(true, `serving model v${version}`);
    }, (error) => {
      if (signal.aborted) return;
      this.#loading = null;
      this.#gaveUpOn = designated;
      const reason = error instanceof LoadDeadlineError ? error.message : messageOf(error);
      context.logger.error(
        "model {model}: {reason}; not ready until another version is designated",
        {
          ...fields,
          reason,
        },
      );
      this.#setStatus(false, reason);
    });
  }

  #setStatus(ready: boolean, detail: string): void {
    if (this.#view.ready === ready && this.#view.detail === detail) return;
    this.#view.ready = ready;
    this.#view.detail = detail;
    this.#onStatus();
  }

  /** Stops loading and watching. */
  async close(): Promise<void> {
    this.#loading?.abort();
    await this.#watch?.close();
    await this.#following.catch(() => {});
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
