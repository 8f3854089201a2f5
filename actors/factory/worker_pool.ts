/**
 * A fixed pool of Deno workers running one job each at a time. Training and testing run here so
 * the process's own thread stays free: in the embedded default the engine shares that thread and
 * must keep forecasting while models are built.
 *
 * @module
 */

interface Job<Req, Res> {
  request: Req;
  resolve(result: Res): void;
  reject(error: Error): void;
}

interface Slot<Req, Res> {
  worker: Worker;
  job: Job<Req, Res> | null;
}

/** The message a worker answers with. */
export type WorkerReply<Res> = { ok: true; result: Res } | { ok: false; error: string };

/** Runs requests on `size` workers of one module, queueing the rest in order. */
export class WorkerPool<Req, Res> {
  readonly #slots: Slot<Req, Res>[] = [];
  readonly #queue: Job<Req, Res>[] = [];
  #closed = false;

  /** Starts `size` workers of the module at `url`. */
  constructor(url: URL, size: number) {
    if (!Number.isInteger(size) || size < 1) {
      throw new RangeError(`worker pool size must be a positive integer: current value is ${size}`);
    }
    for (let i = 0; i < size; i++) {
      const slot: Slot<Req, Res> = { worker: new Worker(url.href, { type: "module" }), job: null };
      slot.worker.onmessage = (message: MessageEvent<WorkerReply<Res>>) => {
        const job = slot.job!;
        slot.job = null;
        const reply = message.data;
        if (reply.ok) job.resolve(reply.result);
        else job.reject(new Error(reply.error));
        this.#dispatch();
      };
      slot.worker.onerror = (event: ErrorEvent) => {
        event.preventDefault();
        const job = slot.job;
        slot.job = null;
        job?.reject(new Error(`worker failed: ${event.message}`));
        this.#dispatch();
      };
      this.#slots.push(slot);
    }
  }

  /** Runs one request on the next free worker. */
  run(request: Req): Promise<Res> {
    if (this.#closed) return Promise.reject(new Error("worker pool is closed"));
    const { promise, resolve, reject } = Promise.withResolvers<Res>();
    this.#queue.push({ request, resolve, reject });
    this.#dispatch();
    return promise;
  }

  /** Jobs running or waiting. */
  get busy(): number {
    return this.#queue.length + this.#slots.filter((s) => s.job !== null).length;
  }

  /** Terminates every worker; running and queued jobs are rejected. */
  close(): void {
    this.#closed = true;
    for (const job of this.#queue.splice(0)) job.reject(new Error("worker pool closed"));
    for (const slot of this.#slots) {
      slot.job?.reject(new Error("worker pool closed"));
      slot.job = null;
      slot.worker.terminate();
    }
  }

  #dispatch(): void {
    for (const slot of this.#slots) {
      if (slot.job !== null || this.#queue.length === 0) continue;
      slot.job = this.#queue.shift()!;
      slot.worker.postMessage(slot.job.request);
    }
  }
}
