/**
 * Worker module running training jobs for the factory's worker pool.
 *
 * @module
 */

/// <reference lib="deno.worker" />

import { runTrainingJob, type TrainingJob, type TrainingResult } from "./training_job.ts";
import type { WorkerReply } from "./worker_pool.ts";

self.onmessage = async (message: MessageEvent<TrainingJob>) => {
  let reply: WorkerReply<TrainingResult>;
  try {
    reply = { ok: true, result: await runTrainingJob(message.data) };
  } catch (error) {
    reply = { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
  self.postMessage(reply);
};
