/**
 * Bucket storage on files against an S3 object store, side by side: the collector's write path
 * (appends of pre-encoded input records, as they come off the input topic, then close) and the
 * factory's assembly (every bucket read, the dataset encoded and stored as an artifact, by the
 * same job its worker runs), in events per second, with the S3/files ratio.
 *
 * Run: `deno task bench storage [-- --events=N --bucket-events=N --rounds=N --json]` with
 * S3_ENDPOINT naming a server that has the test bucket and key (`scripts/services/seaweedfs.ts`),
 * or without it to start SeaweedFS (built once into `.cache/`). `--json` prints the figures as
 * the last line.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { encodePayload } from "../protocol/codec.ts";
import type { StreamEvent } from "../core/events.ts";
import { runAssemblyJob } from "../actors/factory/assembly_job.ts";
import { openStores, type StorageSpec } from "../storage/storage_spec.ts";
import {
  S3_TEST_BUCKET,
  S3_TEST_CREDENTIALS,
  S3_TEST_REGION,
  startSeaweedfs,
} from "../scripts/services/seaweedfs.ts";
import type { RunningService } from "../scripts/services/service_process.ts";

/** Events per input record, as the replayer batches them. */
const RECORD_EVENTS = 1_000;

/** Events per second of one store. */
export interface StoreRates {
  /** Appends of encoded records and the closes, over their time. */
  write: number;
  /** Assembly of a dataset from every bucket, over its time. */
  assemble: number;
}

/** The figures of one run. */
export interface StorageBenchResult {
  events: number;
  buckets: number;
  /** Bytes of the encoded events. */
  bytes: number;
  fs: StoreRates;
  s3: StoreRates;
  /** S3 over files, per figure: below 1 means S3 is slower. */
  ratio: StoreRates;
}

/** Measures both stores; the best of `rounds` per figure counts (a shared machine is noisy). */
export async function benchStorage(options: {
  endpoint: string;
  events: number;
  bucketEvents: number;
  rounds: number;
}): Promise<StorageBenchResult> {
  const { endpoint, events, bucketEvents, rounds } = options;
  for (const [name, value] of Object.entries({ events, bucketEvents, rounds })) {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new RangeError(`${name} must be a positive integer: current value is ${value}`);
    }
  }
  const records = encodedRecords(events);
  const bytes = records.reduce((sum, record) => sum + record.encoded.length, 0);
  const dir = await Deno.makeTempDir({ prefix: "retune-bench-storage-" });
  try {
    const best = async (spec: (round: number) => StorageSpec): Promise<StoreRates> => {
      const rates: StoreRates[] = [];
      for (let round = 0; round < rounds; round++) {
        rates.push(await measure(spec(round), records, bucketEvents));
      }
      return {
        write: Math.max(...rates.map((r) => r.write)),
        assemble: Math.max(...rates.map((r) => r.assemble)),
      };
    };
    const fs = await best((round) => ({
      kind: "fs",
      buckets: `${dir}/fs-${round}/buckets`,
      artifacts: `${dir}/fs-${round}/artifacts`,
    }));
    const prefix = `bench-${crypto.randomUUID().slice(0, 8)}`;
    const s3 = await best((round) => ({
      kind: "s3",
      location: {
        endpoint,
        region: S3_TEST_REGION,
        bucket: S3_TEST_BUCKET,
        prefix: `${prefix}-${round}/`,
        ...S3_TEST_CREDENTIALS,
        forcePathStyle: true,
      },
      deletionLogDir: `${dir}/s3-${round}/buckets`,
    }));
    return {
      events,
      buckets: Math.ceil(events / bucketEvents),
      bytes,
      fs,
      s3,
      ratio: { write: s3.write / fs.write, assemble: s3.assemble / fs.assemble },
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** One record of the input topic: its events and their Avro bytes. */
interface EncodedRecord {
  events: StreamEvent[];
  encoded: Uint8Array;
}

/** `count` vessel positions in records of `RECORD_EVENTS`, encoded once before any timing. */
function encodedRecords(count: number): EncodedRecord[] {
  const records: EncodedRecord[] = [];
  for (let start = 0; start < count; start += RECORD_EVENTS) {
    const events = Array.from({ length: Math.min(RECORD_EVENTS, count - start) }, (_, i) => {
      const n = start + i;
      return {
        key: String(227_000_000 + (n % 50)),
        timestamp: 1_700_000_000_000 + n * 1_000,
        type: n % 7 === 0 ? "stop" : "position",
        attributes: {
          lat: 48 + (n % 1_000) / 1_000,
          lon: -4.5 + (n % 777) / 1_000,
          speed: (n % 300) / 10,
          heading: n % 360,
        },
      };
    });
    records.push({ events, encoded: encodePayload("StreamEventBatch", { events }) });
  }
  return records;
}

/** Writes every record into buckets of `bucketEvents`, then assembles them all; the rates. */
async function measure(
  spec: StorageSpec,
  records: readonly EncodedRecord[],
  bucketEvents: number,
): Promise<StoreRates> {
  const { buckets } = await openStores(spec);
  const events = records.reduce((sum, record) => sum + record.events.length, 0);
  try {
    const writing = performance.now();
    let bucket = 0;
    let inBucket = 0;
    for (const record of records) {
      await buckets.append(bucket, record.events, record.encoded);
      inBucket += record.events.length;
      if (inBucket >= bucketEvents) {
        await buckets.close(bucket++);
        inBucket = 0;
      }
    }
    if (inBucket > 0) await buckets.close(bucket++);
    const written = performance.now();
    const result = await runAssemblyJob({
      version: 0,
      buckets: Array.from({ length: bucket }, (_, id) => ({ bucket: id, weight: 1 })),
      storage: spec,
      sampleSlices: 20,
    });
    const assembled = performance.now();
    if (result.events !== events) {
      throw new Error(`the assembly holds ${result.events} events, not the ${events} written`);
    }
    return {
      write: events / ((written - writing) / 1000),
      assemble: events / ((assembled - written) / 1000),
    };
  } finally {
    await buckets.deleteAll();
  }
}

/** Prints the figures as a table, and as JSON on the last line with `--json`. */
export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      events: { type: "string", default: "200000" },
      "bucket-events": { type: "string", default: "50000" },
      rounds: { type: "string", default: "2" },
      json: { type: "boolean", default: false },
    },
  });
  let server: RunningService | undefined;
  const endpoint = Deno.env.get("S3_ENDPOINT") || (server = await startSeaweedfs()).endpoints;
  try {
    const result = await benchStorage({
      endpoint,
      events: Number(values.events),
      bucketEvents: Number(values["bucket-events"]),
      rounds: Number(values.rounds),
    });
    const mb = (result.bytes / 1e6).toFixed(1);
    console.log(
      `${result.events.toLocaleString("en")} events (${mb} MB encoded) in ${result.buckets} ` +
        `buckets, records of ${RECORD_EVENTS} events; S3 at ${endpoint}` +
        (server === undefined ? "" : " (SeaweedFS started for this run)"),
    );
    const load = Deno.loadavg().map((l) => l.toFixed(1)).join(" ");
    console.log(`${navigator.hardwareConcurrency} cores, load average at the end ${load}`);
    const rate = (value: number) => Math.round(value).toLocaleString("en").padStart(14);
    console.log("store    write ev/s  assemble ev/s");
    console.log(`fs    ${rate(result.fs.write)} ${rate(result.fs.assemble)}`);
    console.log(`s3    ${rate(result.s3.write)} ${rate(result.s3.assemble)}`);
    const ratio = (value: number) => value.toFixed(2).padStart(14);
    console.log(`s3/fs ${ratio(result.ratio.write)} ${ratio(result.ratio.assemble)}`);
    if (values.json) console.log(JSON.stringify({ bench: "storage", endpoint, ...result }));
  } finally {
    await server?.stop();
  }
}

if (import.meta.main) await run(Deno.args);
