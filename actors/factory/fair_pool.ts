/**
 * A fleet's shared training pool: jobs of many models on one set of workers, fairly. Each model
 * has its own queue; a free worker takes the next job of the next model in turn (round-robin over
 * the models with work waiting), and no model has more than `perModel` jobs running at once, so a
 * model with a thousand candidates to test cannot hold back the retrain of another.
 *
 * @module
 */

/** Runs one job (e.g. `WorkerPool.run`); called only when a worker is free. */
export type JobRunner<Req, Res> = (request: Req) => Promise<Res>;

interface Queued<Req, Res> {
  request: Req;
  resolve(result: Res): void;
  reject(error: Error): void;
}

/** How the pool shares its workers. */
export interface FairPoolOptions {
  /** Jobs running at once over all models (the workers). */
  size: number;
  /** Jobs of one model running at once. */
  perModel: number;
  /** Called once by `close` (e.g. to stop the workers). */
  release?: () => void;
}

/** What the pool holds now, for metrics and the dashboard. */
export interface FairPoolView {
  running: number;
  queued: number;
  /** Jobs queued per model, for models with any. */
  queuedByModel: Record<string, number>;
}

/** Schedules jobs of many models on `size` workers, round-robin, at most `perModel` each. */
export class FairPool<Req, Res> {
  readonly #run: JobRunner<Req, Res>;
  readonly #size: number;
  readonly #perModel: number;
  readonly #release: () => void;
  /** Queues by model, in the order models first queued (the round-robin's order). */
  readonly #queues = new Map<string, Queued<Req, Res>[]>();
  readonly #running = new Map<string, number>();
  #runningTotal = 0;
  /** Where the round-robin resumes: the model after the last one served. */
  #turn = 0;
  #closed = false;

  /** A pool that runs each job through `run`. */
  constructor(run: JobRunner<Req, Res>, options: FairPoolOptions) {
    for (const key of ["size", "perModel"] as const) {
      const value = options[key];
      if (!Number.isInteger(value) || value < 1) {
        throw new RangeError(`${key} must be a positive integer: current value is ${value}`);
      }
    }
    this.#run = run;
    this.#size = options.size;
    this.#perModel = options.perModel;
    this.#release = options.release ?? (() => {});
  }

  /** Queues `request` for `model`; resolves with its result when a worker ran it. */
  run(model: string, request: Req): Promise<Res> {
    if (this.#closed) return Promise.reject(new Error("training pool is closed"));
    const { promise, resolve, reject } = Promise.withResolvers<Res>();
    let queue = this.#queues.get(model);
    if (queue === undefined) this.#queues.set(model, queue = []);
    queue.push({ request, resolve, reject });
    this.#dispatch();
    return promise;
  }

  /** Jobs running and queued, in all and per model. */
  view(): FairPoolView {
    const queuedByModel: Record<string, number> = {};
    let queued = 0;
    for (const [model, queue] of this.#queues) {
      if (queue.length === 0) continue;
      queuedByModel[model] = queue.length;
      queued += queue.length;
    }
    return { running: this.#runningTotal, queued, queuedByModel };
  }

  /** Rejects `model`'s queued jobs (its running ones finish); the pool serves on. */
  cancel(model: string): void {
    for (const job of this.#queues.get(model)?.splice(0) ?? []) {
      job.reject(new Error(`the jobs of model ${model} were cancelled`));
    }
  }

  /** Rejects every queued job, refuses new ones and releases the workers (`release`). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#release();
    for (const queue of this.#queues.values()) {
      for (const job of queue.splice(0)) job.reject(new Error("training pool closed"));
    }
  }

  #dispatch(): void {
    while (this.#runningTotal < this.#size) {
      const next = this.#nextModel();
      if (next === undefined) return;
      const job = this.#queues.get(next)!.shift()!;
      this.#start(next, job);
    }
  }

  /** The next model in turn with a queued job and room under `perModel`. */
  #nextModel(): string | undefined {
    const models = [...this.#queues.keys()];
    for (let i = 0; i < models.length; i++) {
      const index = (this.#turn + i) % models.length;
      const model = models[index];
      if (this.#queues.get(model)!.length === 0) continue;
      if ((this.#running.get(model) ?? 0) >= this.#perModel) continue;
      this.#turn = index + 1;
      return model;
    }
    return undefined;
  }

  #start(model: string, job: Queued<Req, Res>): void {
    this.#running.set(model, (this.#running.get(model) ?? 0) + 1);
    this.#runningTotal++;
    let result: Promise<Res>;
    try {
      result = this.#run(job.request);
    } catch (error) {
      result = Promise.reject(error);
    }
    result.then(job.resolve, (error) => job.reject(asError(error))).finally(() => {
      this.#running.set(model, this.#running.get(model)! - 1);
      this.#runningTotal--;
      this.#dispatch();
    });
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
