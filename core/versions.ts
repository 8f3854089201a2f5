/**
 * Versions of what the deployment produces: dataset versions (which buckets a training set is
 * made of) and model versions (a trained model the engine may swap in).
 *
 * @module
 */

import type { HyperParameters } from "./hyper_parameters.ts";
import type { Scores } from "./scores.ts";

/** How a model version came to be. */
export type CreationMethod = "initial" | "retrain" | "optimise";

/** A model the factory published for the engine to swap in. */
export interface ModelVersion {
  version: number;
  /** Where the artifact lives, resolved by the artifact store (not a bare local path). */
  artifactUri: string;
  creationMethod: CreationMethod;
  params: HyperParameters;
  /** Held-out scores: the mean over the validation splits. */
  metrics: Scores;
  /**
   * Held-out scores of each validation split, in stream order: one for a holdout, one per fold
   * of a walk-forward validation (absent in versions recorded before they were kept).
   */
  splitScores?: Scores[];
  datasetVersion: number;
  /** Wall time spent producing it, ms. */
  productionMs: number;
  createdAt: number;
  /**
   * The factory command it answers (a retrain, an optimisation's final model), so a factory that
   * serves the command again finds it shipped; null or absent for the initial model and in
   * versions recorded before it was kept.
   */
  requestId?: string | null;
  /**
   * The earlier version this one is a copy of: the factory found it better on the held-out data
   * than a new model and the live one (`factory.gate.recall`); null or absent for any other.
   */
  recalledFrom?: number | null;
  /**
   * Stream time of the last event it was trained on, so that a later comparison scores it only
   * on events after them (`factory.gate`); null or absent in versions recorded before it was kept.
   */
  trainedUntil?: number | null;
}

/** A bucket referenced by a dataset version, with the weight the policy gave it. */
export interface BucketRef {
  bucket: number;
  /** Share of the bucket's events to include, in (0, 1]. */
  weight: number;
}

/** The collector's announcement "v7 = buckets 12..20". */
export interface DatasetVersion {
  version: number;
  buckets: BucketRef[];
  firstBucket: number;
  lastBucket: number;
  streamTimeStart: number;
  streamTimeEnd: number;
  createdAt: number;
  /**
   * Made for a scheduled retrain (`collector.schedule`): the factory keeps it aside for that
   * retrain rather than making it the newest dataset (absent: false).
   */
  scheduled?: boolean;
}

/** The factory's answer that a dataset version is assembled and its buckets may go. */
export interface DatasetAssembled {
  version: number;
  events: number;
  uri: string;
}
