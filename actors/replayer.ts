/**
 * The replayer: feeds a recorded CSV or JSON-lines file into the input topic, keyed by the
 * partition attribute, at the configured rate (as fast as possible, events per second, or a
 * speed-up of stream time), optionally month-rotated as the reference system's experiments were.
 * Events go out in slices: one input record per partition holds that partition's events of the
 * slice, in order (`StreamEventBatch`). Reading, parsing and encoding run in a worker
 * (`replayer/slice_worker.ts`), off the thread the other roles share in one process. Rows that
 * are not events go to the dead-letter topic with their line number, reason and text. A
 * restarted replayer resumes after the last slice it published: within a process from its
 * predecessor's snapshot, across processes from its progress in the state store, written after
 * each published slice (`replayer/durable_progress.ts`).
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
import { ReplayerState, type ReplayerView } from "./replayer/replayer_state.ts";
import { type DurableState, durableState } from "./durable_state.ts";
import {
  type DurableProgress,
  durableProgressSchema,
  type FileIdentity,
  fileIdentity,
  PROGRESS_KEY,
  whyNotResumed,
} from "./replayer/durable_progress.ts";

/** The replayer role. */
export class Replayer implements Behaviour {
  readonly #env: RoleEnvironment;
  #state: ReplayerState;
  readonly #file: string;
  readonly #source: SourceSpec;
  readonly #resumedFrom: ReplayerState | null;
  #durable: DurableState<DurableProgress> | undefined;
  #identity: FileIdentity | undefined;

  /**
   * Replays `file` described by `source`; `previous` is the snapshot a restarted replayer's
   * predecessor left, resumed from when it is of the same file and rotation.
   */
  constructor(env: RoleEnvironment, file: string, source: SourceSpec, previous?: unknown) {
    this.#env = env;
    this.#file = file;
    this.#source = source;
    const rotateMonths = env.config.replayer.rotateMonths ?? 0;
    this.#resumedFrom = previous === undefined ? null : ReplayerState.restore(previous);
    const same = this.#resumedFrom?.file === file &&
      this.#resumedFrom.rotateMonths === rotateMonths;
    this.#state = same ? this.#resumedFrom! : new ReplayerState(file, rotateMonths);
  }

  /** What a restart keeps. */
  snapshot(): unknown {
    return this.#state.snapshot();
  }

  /** What the replayer reports (events sent, rows rejected, whether it finished). */
  view(): Readonly<ReplayerView> {
    return this.#state.view();
  }

  /**
   * Loads the progress a replayer of this deployment committed (unless a predecessor in this
   * process handed its own over), then starts the replay beside the runtime; a failure crashes
   * the actor (and resumes), the end of the file completes it.
   */
  async start(context: ActorContext): Promise<void> {
    this.#durable = durableState(this.#env, context, PROGRESS_KEY, durableProgressSchema);
    const stored = await this.#durable.load();
    this.#identity = await fileIdentity(this.#file);
    if (this.#resumedFrom === null && stored !== undefined) this.#adopt(context, stored);
    if (this.#resumedFrom !== null && this.#resumedFrom !== this.#state) {
      context.logger.warn("not resuming the replay of {file}: this replay is of {current}", {
        file: `${this.#resumedFrom.file} (rotated ${this.#resumedFrom.rotateMonths} months)`,
        current: `${this.#file} (rotated ${this.#state.rotateMonths} months)`,
      });
    } else if (this.#state.finished) {
      context.logger.info(
        "the replay of {file} already finished in this deployment ({sent} events); " +
          "a teardown clears its progress",
        { file: this.#file, sent: this.#state.sent },
      );
    } else if (this.#state.sent + this.#state.rejected > 0) {
      context.logger.info("resuming the replay of {file} after {sent} events", {
        file: this.#file,
        sent: this.#state.sent,
      });
    }
    if (this.#state.finished) return context.complete();
    this.#replay(context).catch((error) => {
      if (!context.signal.aborted) context.fail(error);
    });
  }

  /** Resumes from stored progress if it is of this very file and rotation; logs why not. */
  #adopt(context: ActorContext, stored: DurableProgress): void {
    const progress = ReplayerState.restore(stored.progress);
    const why = whyNotResumed(stored, progress, this.#state, this.#identity!);
    if (why === undefined) {
      this.#state = progress;
      return;
    }
    context.logger.warn("replaying {file} from its start: {reason}", {
      file: this.#file,
      reason: why,
    });
  }

  /** Commits the progress so far: a successor in another process resumes from here. */
  #commit(): void {
    this.#durable!.save({ identity: this.#identity!, progress: this.#state.snapshot() });
  }

  async #replay(context: ActorContext): Promise<void> {
    const { topics, config } = this.#env;
    const slices = readSlices({
      file: this.#file,
      source: this.#source,
      rotateMonths: this.#state.rotateMonths,
      rate: config.replayer.rate,
      partitions: await context.partitions(topics.input),
      skip: this.#state.sent,
      lastRejectedLine: this.#state.lastRejectedLine,
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
      // A slice is published only once the previous one's progress is committed, so a kill
      // re-sends at most one slice.
      await this.#durable!.flush();
      if (slice.rejected.length > 0) await this.#deadLetter(context, slice.rejected);
      if (slice.events === 0) {
        if (slice.rejected.length > 0) this.#commit();
        continue;
      }
      await context.publish(topics.input, slice.records);
      this.#state.sent += slice.events;
      this.#commit();
      progress.update(this.#state.sent + this.#state.rejected);
      const wait = pacer.advance(slice.events, slice.lastTime);
      if (wait > 0) await sleep(wait, context.signal);
    }
    progress?.finish(this.#state.sent + this.#state.rejected);
    context.logger.info("replayed {sent} events, {rejected} bad rows dead-lettered", {
      sent: this.#state.sent,
      rejected: this.#state.rejected,
    });
    this.#state.finished = true;
    this.#commit();
    await this.#durable!.flush();
    context.complete();
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
    this.#state.rejected += rows.length;
    this.#state.lastRejectedLine = rows[rows.length - 1].line;
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
