/**
 * The replayer: feeds a recorded CSV or JSON-lines file into the input topic, keyed by the
 * partition attribute, at the configured rate (as fast as possible, events per second, or a
 * speed-up of stream time), optionally month-rotated as the reference system's experiments were.
 * Events go out in batches: one input record per partition holds that partition's events of the
 * batch, in order (`StreamEventBatch`). Rows that are not events go to the dead-letter topic with
 * their line number, reason and text.
 * A restarted replayer resumes after the last batch it published.
 *
 * @module
 */

import { encodeData, encodePayload } from "../protocol/codec.ts";
import type { DeadLetter, StreamEvent } from "../protocol/messages.ts";
import type { OutgoingRecord } from "../protocol/transport/transport.ts";
import { KeyPartitioner } from "../protocol/transport/key_partitioner.ts";
import { readEvents, type RejectedLine, streamEvents } from "../models/sources/read.ts";
import type { SourceSpec } from "../models/sources/spec.ts";
import type { ActorContext, Behaviour } from "./runtime/actor.ts";
import type { RoleEnvironment } from "./environment.ts";
import { Pacer } from "./replayer/pacer.ts";
import { ProgressBar } from "./replayer/progress.ts";
import { rotateByMonths } from "./replayer/rotation.ts";

/** Events per publish: one input record per partition among them (`StreamEventBatch`). */
const BATCH = 1_000;

/** The replayer's progress, kept outside the behaviour so a restart resumes. */
export interface ReplayerStats {
  /** Events published to the input topic. */
  sent: number;
  /** Rows sent to the dead-letter topic. */
  rejected: number;
  /** Line of the last row sent to the dead-letter topic (0: none yet). */
  lastRejectedLine: number;
  finished: boolean;
  /** Resolves when the whole file was replayed. */
  readonly done: Promise<void>;
  markDone(): void;
}

/** Fresh replayer progress. */
export function newReplayerStats(): ReplayerStats {
  const { promise, resolve } = Promise.withResolvers<void>();
  const stats: ReplayerStats = {
    sent: 0,
    rejected: 0,
    lastRejectedLine: 0,
    finished: false,
    done: promise,
    markDone() {
      stats.finished = true;
      resolve();
    },
  };
  return stats;
}

/** The replayer role. */
export class Replayer implements Behaviour {
  readonly #env: RoleEnvironment;
  readonly #stats: ReplayerStats;
  readonly #file: string;
  readonly #source: SourceSpec;

  /** Replays `file` described by `source`. */
  constructor(env: RoleEnvironment, stats: ReplayerStats, file: string, source: SourceSpec) {
    this.#env = env;
    this.#stats = stats;
    this.#file = file;
    this.#source = source;
  }

  /** Starts the replay beside the runtime; a failure crashes the actor (and resumes). */
  start(context: ActorContext): void {
    if (this.#stats.finished) return;
    this.#replay(context).catch((error) => {
      if (!context.signal.aborted) context.fail(error);
    });
  }

  async #replay(context: ActorContext): Promise<void> {
    const { topics, config } = this.#env;
    const rejected: RejectedLine[] = [];
    const events = await this.#events(rejected);
    // The total only feeds the progress bar, which is drawn on a terminal only.
    const total = "length" in events
      ? events.length
      : Deno.stderr.isTerminal()
      ? await countLines(this.#file)
      : 0;
    const partitioner = new KeyPartitioner(await context.partitions(topics.input));
    const pacer = new Pacer(config.replayer.rate);
    const progress = new ProgressBar(total);
    let seen = 0;
    let batch: StreamEvent[] = [];
    let firstTime = 0;
    let lastTime = 0;
    const flush = async () => {
      if (rejected.length > 0) await this.#deadLetter(context, rejected.splice(0));
      if (batch.length === 0) return;
      const records = partitioner.groupByPartition(batch).map((events): OutgoingRecord => ({
        key: events[0].key,
        value: encodeData("StreamEventBatch", { events }),
      }));
      await context.publish(topics.input, records);
      this.#stats.sent += batch.length;
      const wait = pacer.advance(batch.length, lastTime);
      batch = [];
      progress.update(this.#stats.sent + this.#stats.rejected);
      if (wait > 0) await sleep(wait, context.signal);
    };
    for await (const event of events) {
      if (context.signal.aborted) return;
      // Resume: skip what an earlier incarnation already published.
      if (seen++ < this.#stats.sent) continue;
      if (batch.length > 0 && pacer.sliceFull(batch.length, event.timestamp - firstTime)) {
        await flush();
      }
      if (batch.length === 0) firstTime = event.timestamp;
      batch.push(event);
      lastTime = event.timestamp;
      if (batch.length >= BATCH) await flush();
    }
    await flush();
    progress.finish(this.#stats.sent + this.#stats.rejected);
    context.logger.info("replayed {sent} events, {rejected} bad rows dead-lettered", {
      sent: this.#stats.sent,
      rejected: this.#stats.rejected,
    });
    this.#stats.markDone();
  }

  /** The events in replay order: streamed, or read whole when they must be rotated. */
  async #events(rejected: RejectedLine[]): Promise<AsyncIterable<StreamEvent> | StreamEvent[]> {
    const months = this.#env.config.replayer.rotateMonths ?? 0;
    // Rejected rows are dead-lettered once, even if the replay restarts.
    const report = (bad: RejectedLine) => {
      if (bad.line > this.#stats.lastRejectedLine) rejected.push(bad);
    };
    if (months === 0) return streamEvents(this.#file, this.#source, report);
    const all = await readEvents(this.#file, this.#source);
    all.rejected.forEach(report);
    return rotateByMonths(all.events, months);
  }

  async #deadLetter(context: ActorContext, rows: RejectedLine[]): Promise<void> {
    const records = rows.map((row): OutgoingRecord => {
      const letter: DeadLetter = {
        sourceTopic: `file:${this.#file}`,
        partition: -1,
        offset: row.line,
        key: null,
        reason: `line ${row.line}: ${row.reason}`,
        original: new TextEncoder().encode(row.text),
        failedAt: Date.now(),
      };
      return { key: null, value: encodePayload("DeadLetter", letter) };
    });
    await context.publish(this.#env.topics.deadLetters, records);
    this.#stats.rejected += rows.length;
    this.#stats.lastRejectedLine = rows[rows.length - 1].line;
    for (const row of rows) {
      context.logger.warn("bad row dead-lettered: line {line}: {reason}", { ...row });
    }
  }
}

/** Lines in a file (an upper bound of its events, for the progress bar). */
async function countLines(path: string): Promise<number> {
  let lines = 0;
  const file = await Deno.open(path);
  // Reading `readable` to its end closes the file.
  for await (const chunk of file.readable) {
    for (let i = 0; i < chunk.length; i++) if (chunk[i] === 10) lines++;
  }
  return lines;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}
