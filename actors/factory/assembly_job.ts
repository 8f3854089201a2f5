/**
 * One dataset assembly: the referenced buckets, each sampled to its weight, concatenated in bucket
 * order and stored as a dataset artifact. It runs in a worker because reading and writing
 * millions of events takes seconds, which the engine (sharing the thread in the embedded
 * default) must not spend waiting.
 *
 * @module
 */

import type { BucketRef } from "../../core/versions.ts";
import { FilesystemArtifactStore } from "../../storage/filesystem_artifact_store.ts";
import { FilesystemBucketStore } from "../../storage/filesystem_bucket_store.ts";
import { sampleShare } from "../../policies/collection/exponential_decay.ts";
import { encodeDataset } from "./dataset_file.ts";

/** What to assemble and where the stores are. */
export interface AssemblyJob {
  version: number;
  buckets: BucketRef[];
  /** Folder of the filesystem bucket store. */
  bucketsDir: string;
  /** Root of the filesystem artifact store. */
  artifactsDir: string;
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
  const buckets = new FilesystemBucketStore(job.bucketsDir);
  const artifacts = new FilesystemArtifactStore(job.artifactsDir);
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
