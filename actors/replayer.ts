/**
 * The replayer: feeds a recorded CSV or JSON-lines file into the input topic, keyed by the
 * partition attribute, at the configured rate (as fast as possible, events per second, or a
 * speed-up of stream time), optionally month-rotated as the reference system's experiments were.
 * Events go out in slices: one input record per partition holds that partition's events of the
 * slice, in order (`StreamEventBatch`). Reading, parsing and encoding run in a worker
 * (`replayer/slice_worker.ts`), off the thread the other roles share in one process. Rows that
 * are not events go to the dead-letter topic with their line number, reason and text. A
 * restarted replayer resumes after the last slice it published.
 *
 * @module
 */

import { encodePayload } from "../protocol/codec.ts";
import type { OutgoingRecord } from "../transport/transport.ts";
import type { RejectedLine } from "../models/sources/read.ts";
import type { SourceSpec } from "../models/sources/spec.ts";
import type { ActorContext, Behaviour } from "./runtime/actor.ts";
import type { RoleEnvironment } from "./environment.ts";
import { Pacer } from "./replayer/pacer.ts";
import { ProgressBar } from "./replayer/progress.ts";
import { readSlices } from "./replayer/slice_reader.ts";
import { deadLetter } from "./dead_letter.ts";

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
    const slices = readSlices({
      file: this.#file,
      source: this.#source,
      rotateMonths: config.replayer.rotateMonths,
      rate: config.replayer.rate,
      partitions: await context.partitions(topics.input),
      skip: this.#stats.sent,
      lastRejectedLine: this.#stats.lastRejectedLine,
      maxLineLength: config.replayer.maxLineLength,
      batchEvents: config.replayer.batchEvents,
      sliceMs: config.replayer.sliceMs,
      readAhead: config.replayer.readAhead,
    });
    const pacer = new Pacer(config.replayer.rate, config.replayer.sliceMs);
    let progress: ProgressBar | undefined;
    for await (const slice of slices) {
      if (context.signal.aborted) return;
      // The total only feeds the progress bar, which is drawn on a terminal only.
      progress ??= new ProgressBar(
        slice.total ?? (Deno.stderr.isTerminal() ? await countLines(this.#file) : 0),
      );
      if (slice.rejected.length > 0) await this.#deadLetter(context, slice.rejected);
      if (slice.events === 0) continue;
      await context.publish(topics.input, slice.records);
      this.#stats.sent += slice.events;
      progress.update(this.#stats.sent + this.#stats.rejected);
      const wait = pacer.advance(slice.events, slice.lastTime);
      if (wait > 0) await sleep(wait, context.signal);
    }
    progress?.finish(this.#stats.sent + this.#stats.rejected);
    context.logger.info("replayed {sent} events, {rejected} bad rows dead-lettered", {
      sent: this.#stats.sent,
      rejected: this.#stats.rejected,
    });
    this.#stats.markDone();
  }

  async #deadLetter(context: ActorContext, rows: RejectedLine[]): Promise<void> {
    const records = rows.map((row): OutgoingRecord => {
      const letter = deadLetter({
        sourceTopic: `file:${this.#file}`,
        partition: -1,
        offset: row.line,
        key: null,
        reason: `line ${row.line}: ${row.reason}`,
        original: new TextEncoder().encode(row.text),
        size: row.length > row.text.length ? row.length : undefined,
      });
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
