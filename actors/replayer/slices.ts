/**
 * What the replayer publishes, slice by slice: it reads and parses the file, skips what an
 * earlier incarnation already published, cuts the events into slices (a whole batch, or less when
 * a paced replay reaches its slice of the rate) and turns each slice into one input record per
 * partition. The replayer runs this in a worker (`slice_worker.ts`), so parsing and encoding do
 * not share a thread with the roles that forecast.
 *
 * @module
 */

import type { StreamEvent } from "../../core/events.ts";
import type { OutgoingRecord } from "../../transport/transport.ts";
import { eventBatchRecord } from "../../protocol/event_batch_record.ts";
import { KeyPartitioner } from "../../transport/key_partitioner.ts";
import { readEvents, type RejectedLine, streamEventChunks } from "../../models/sources/read.ts";
import type { SourceSpec } from "../../models/sources/spec.ts";
import { Pacer, type Rate } from "./pacer.ts";
import { rotateByMonths } from "./rotation.ts";

/** What to replay and where an earlier incarnation stopped. */
export interface SliceOptions {
  file: string;
  source: SourceSpec;
  /** Months to rotate the stream by (reads the whole file first); 0 for none. */
  rotateMonths: number;
  rate: Rate;
  /** Partitions of the input topic. */
  partitions: number;
  /** Events already published: skipped. */
  skip: number;
  /** Line of the last bad row already dead-lettered (0: none): earlier ones are not reported. */
  lastRejectedLine: number;
  /** Characters of the longest line read; a longer one is rejected. */
  maxLineLength: number;
  /** Events per slice at most: one input record per partition among them. */
  batchEvents: number;
  /** Wall time a paced slice covers at most, ms. */
  sliceMs: number;
  /** Slices the reading worker may have ready before the replayer takes them. */
  readAhead: number;
}

/** One step of the replay: bad rows met since the last slice, then the records to publish. */
export interface Slice {
  rejected: RejectedLine[];
  records: OutgoingRecord[];
  /** Events in `records`. */
  events: number;
  /** Stream time of the slice's last event (0 when it has none). */
  lastTime: number;
  /** Events of the whole replay when known up front (a rotated stream), else undefined. */
  total?: number;
}

/** The replay's slices, in order. */
export async function* replaySlices(options: SliceOptions): AsyncGenerator<Slice> {
  const partitioner = new KeyPartitioner(options.partitions);
  const pacer = new Pacer(options.rate, options.sliceMs);
  let rejected: RejectedLine[] = [];
  const report = (bad: RejectedLine) => {
    if (bad.line > options.lastRejectedLine) rejected.push(bad);
  };
  const { chunks, total } = await eventsOf(options, report);
  let batch: StreamEvent[] = [];
  let firstTime = 0;
  const slice = (): Slice => {
    const records = batch.length === 0 ? [] : partitioner.groupByPartition(batch)
      .map((events) => eventBatchRecord(events));
    const done: Slice = {
      rejected,
      records,
      events: batch.length,
      lastTime: batch.at(-1)?.timestamp ?? 0,
      total,
    };
    rejected = [];
    batch = [];
    return done;
  };
  let seen = 0;
  for await (const chunk of chunks) {
    for (const event of chunk) {
      if (seen++ < options.skip) continue;
      if (batch.length > 0 && pacer.sliceFull(batch.length, event.timestamp - firstTime)) {
        yield slice();
      }
      if (batch.length === 0) firstTime = event.timestamp;
      batch.push(event);
      if (batch.length >= options.batchEvents) yield slice();
    }
  }
  if (batch.length > 0 || rejected.length > 0) yield slice();
}

/** The events in replay order, in chunks: streamed, or read whole when they must be rotated. */
async function eventsOf(
  options: SliceOptions,
  report: (bad: RejectedLine) => void,
): Promise<{ chunks: AsyncIterable<StreamEvent[]> | StreamEvent[][]; total?: number }> {
  if (options.rotateMonths === 0) {
    return { chunks: streamEventChunks(options.file, options.source, report, options) };
  }
  const all = await readEvents(options.file, options.source, options);
  all.rejected.forEach(report);
  const events = rotateByMonths(all.events, options.rotateMonths);
  return { chunks: [events], total: events.length };
}
