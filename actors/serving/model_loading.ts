/**
 * How a serving replica loads a model version: read its artifact, parse it, build a forecaster,
 * trying again after each failure with an exponential, capped backoff (npm:cockatiel) until the
 * deadline, so a replica that cannot load says so and stops trying instead of retrying for ever.
 *
 * @module
 */

import { ExponentialBackoff, handleAll, retry } from "cockatiel";
import type { ModelRecord } from "../../core/model_record.ts";
import type { Forecaster, ForecastingModel, ForecastSettings } from "../../models/model.ts";
import { decodeArtifact } from "../../models/artifact_codec.ts";
import type { ArtifactStore } from "../../storage/artifact_store.ts";

/** Backoff and deadline of one version's loading. */
export interface LoadPolicy {
  initialBackoffMs: number;
  maxBackoffMs: number;
  deadlineMs: number;
}

/** What loading needs: the store the artifact is in and the model that reads it. */
export interface LoadParts {
  artifacts: ArtifactStore;
  model: ForecastingModel;
  /** Forecast settings; the version's own threshold replaces `threshold`. */
  settings: ForecastSettings;
}

/** One failed attempt, as reported while loading goes on. */
export interface FailedAttempt {
  attempt: number;
  reason: string;
  /** Pause before the next attempt, ms. */
  nextInMs: number;
}

/** Loading gave up: the deadline passed. `reason` is the last attempt's failure. */
export class LoadDeadlineError extends Error {
  override readonly name = "LoadDeadlineError";

  /** `reason`: why the last attempt failed. */
  constructor(readonly version: number, readonly deadlineMs: number, readonly reason: string) {
    super(
      `could not load model v${version} within ${deadlineMs} ms (serving.loadDeadlineMs): ${reason}`,
    );
  }
}

/**
 * Loads `record`'s artifact into a forecaster, trying again until `policy.deadlineMs`; rejects
 * with a LoadDeadlineError then, or with the signal's reason when `signal` aborts first.
 */
export async function loadModel(
  record: ModelRecord,
  parts: LoadParts,
  policy: LoadPolicy,
  signal: AbortSignal,
  onFailure: (failure: FailedAttempt) => void,
): Promise<Forecaster> {
  const deadline = AbortSignal.timeout(policy.deadlineMs);
  const stop = AbortSignal.any([signal, deadline]);
  const attempts = retry(handleAll, {
    maxAttempts: Number.MAX_SAFE_INTEGER,
    backoff: new ExponentialBackoff({
      initialDelay: policy.initialBackoffMs,
      maxDelay: policy.maxBackoffMs,
    }),
  });
  let last = "no attempt finished";
  const listener = attempts.onRetry((event) => {
    const reason = "error" in event ? messageOf(event.error) : "no forecaster";
    last = reason;
    onFailure({ attempt: event.attempt, reason, nextInMs: event.delay });
  });
  try {
    return await attempts.execute(async ({ signal: attempt }) => {
      attempt.throwIfAborted();
      return await loadOnce(record, parts);
    }, stop);
  } catch (error) {
    signal.throwIfAborted();
    if (deadline.aborted) throw new LoadDeadlineError(record.version, policy.deadlineMs, last);
    throw error;
  } finally {
    listener.dispose();
  }
}

/** One attempt: the artifact must be there and parse as the model's. */
async function loadOnce(record: ModelRecord, parts: LoadParts): Promise<Forecaster> {
  const bytes = await parts.artifacts.get(record.artifactUri);
  const artifact = decodeArtifact(bytes, record.artifactUri);
  const settings = { ...parts.settings, threshold: record.params.threshold };
  return await parts.model.load(artifact, settings, record.version);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
