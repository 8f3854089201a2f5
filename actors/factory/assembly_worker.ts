/**
 * Worker module running dataset assemblies for the factory.
 *
 * @module
 */

/// <reference lib="deno.worker" />

import { type AssemblyJob, type AssemblyResult, runAssemblyJob } from "./assembly_job.ts";
import type { WorkerReply } from "./worker_pool.ts";

self.onmessage = async (message: MessageEvent<AssemblyJob>) => {
  let reply: WorkerReply<AssemblyResult>;
  try {
    reply = { ok: true, result: await runAssemblyJob(message.data) };
  } catch (error) {
    reply = { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
  self.postMessage(reply);
};
