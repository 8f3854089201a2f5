/**
 * One dataset assembly: the referenced buckets, each sampled to its weight, concatenated in bucket
 * order and stored as a dataset artifact. It runs in a worker because reading and writing
 * millions of events takes seconds, which the engine (sharing the thread in the embedded
 * default) must not spend waiting.
 *
 * @module
 */

import type { BucketRef } from "../../core/versions.ts";
import { openStores, type StorageSpec } from "../../storage/storage_spec.ts";
import { sampleShare } from "../../policies/collection/exponential_decay.ts";
import { encodeDataset } from "./dataset_file.ts";

/** What to assemble and where the stores are. */
export interface AssemblyJob {
  version: number;
  buckets: BucketRef[];
  /** The deployment's stores. */
  storage: StorageSpec;
  /** Contiguous slices a bucket of weight below 1 is cut into for sampling. */
  sampleSlices: number;
}

/** The stored dataset. */
export interface AssemblyResult {
  uri: string;
  events: number;
}

/** Reads, samples and stores the dataset of one version. */
export async function runAssemblyJob(job: AssemblyJob): Promise<AssemblyResult> {
  const { buckets, artifacts } = await openStores(job.storage);
  const parts = [];
  for (const ref of job.buckets) {
    const events = await buckets.read(ref.bucket);
    parts.push(
      ref.weight >= 1 ? events : sampleShare(events, ref.weight, ref.bucket, job.sampleSlices),
    );
  }
  const events = parts.flat();
  const uri = await artifacts.put("datasets", `v${job.version}.jsonl`, encodeDataset(events));
  return { uri, events: events.length };
}
