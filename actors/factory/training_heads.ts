/**
 * The heads of a training stream file that initial models train on, read once for many models:
 * each event goes to the models whose key selector takes it (remembered per key), and reading
 * stops once every model's head is full. A fleet's factories share one `TrainingHeads`, so a
 * thousand models read the file once, not a thousand times.
 *
 * @module
 */

import { inTrainingHead, type TrainingHead } from "../../core/training_head.ts";
import type { StreamEvent } from "../../core/events.ts";
import type { KeySelector } from "../../models/model.ts";
import { KeyRoutes } from "../../models/key_routes.ts";
import { type RejectedLine, type SourceSpec, streamEvents } from "../../models/sources/read.ts";

/** The events one model trains on first, and the file's lines that did not read. */
export interface StreamHead {
  events: StreamEvent[];
  rejected: RejectedLine[];
}

/** Which events a model wants: the head of the events of its keys. */
export interface HeadWanted {
  head: TrainingHead;
  select: KeySelector;
}

/** One model's initial training stream. */
export interface HeadRequest extends HeadWanted {
  name: string;
  file: string;
  source: SourceSpec;
}

/**
 * The head of `path` for each of `wanted`, in one pass that reads no further than the last
 * unfilled head needs.
 */
export async function readHeads(
  path: string,
  source: SourceSpec,
  wanted: readonly HeadWanted[],
): Promise<StreamHead[]> {
  const heads = wanted.map(() => [] as StreamEvent[]);
  const open = new Set(wanted.keys());
  const routes = new KeyRoutes([...wanted.keys()], (i) => wanted[i].select);
  const rejected: RejectedLine[] = [];
  for await (const event of streamEvents(path, source, (bad) => rejected.push(bad))) {
    for (const i of routes.of(event.key)) {
      if (!open.has(i)) continue;
      const events = heads[i];
      const first = events[0]?.timestamp ?? event.timestamp;
      if (inTrainingHead(wanted[i].head, events.length, first, event.timestamp)) events.push(event);
      else open.delete(i);
    }
    if (open.size === 0) break;
  }
  return heads.map((events) => ({ events, rejected }));
}

/** The heads of a fleet's models, read on first demand, one pass per file; each taken once. */
export class TrainingHeads {
  readonly #requests: readonly HeadRequest[];
  /** A pass per file and source, with its requests' heads (forgotten once taken). */
  readonly #passes = new Map<string, Promise<(StreamHead | undefined)[]>>();

  constructor(requests: readonly HeadRequest[]) {
    this.#requests = requests;
  }

  /**
   * Model `name`'s head (undefined for a model not asked for): the first call for its file
   * reads it for every model on it.
   */
  async take(name: string): Promise<StreamHead | undefined> {
    const request = this.#requests.find((r) => r.name === name);
    if (request === undefined) return undefined;
    const key = JSON.stringify([request.file, request.source]);
    const sharing = this.#requests.filter((r) => JSON.stringify([r.file, r.source]) === key);
    let pass = this.#passes.get(key);
    if (pass === undefined) {
      pass = readHeads(request.file, request.source, sharing);
      this.#passes.set(key, pass);
      // A failed pass is read again by the next call (the failure is the caller's).
      pass.catch(() => this.#passes.delete(key));
    }
    const heads = await pass;
    const index = sharing.indexOf(request);
    const head = heads[index];
    heads[index] = undefined;
    // Taken twice (a factory restarted before shipping): read this model's head alone again.
    return head ?? (await readHeads(request.file, request.source, [request]))[0];
  }
}
