/**
 * What every role is given: the validated configuration, the topic names and the shared parts
 * behind their interfaces (registry, stores, model). Building it is the only place that knows
 * whether those parts are in-process or real (Kafka, etcd, files).
 *
 * @module
 */

import type { RetuneConfig, TopicPurpose } from "../config/schema.ts";
import type { Registry } from "../registry/registry.ts";
import type { DatasetLedger } from "../registry/dataset_ledger.ts";
import type { ModelCatalog } from "../registry/model_catalog.ts";
import type { ArtifactStore } from "../storage/artifact_store.ts";
import type { BucketStore } from "../storage/bucket_store.ts";
import type { StorageSpec } from "../storage/storage_spec.ts";
import { deletionLogOf } from "../storage/deletion_log.ts";
import type { ForecastingModel, KeySelector } from "../models/model.ts";
import type { ModelSpec } from "../models/create_model.ts";
import type { StateStore } from "../state/state_store.ts";
import type { LeaderBoard } from "./leader_board.ts";
import type { LockstepGate } from "./lockstep.ts";
import type { RoleLeadership } from "./fleet/role_leadership.ts";
import type { TrainingHeads } from "./factory/training_heads.ts";
import type { FairPool } from "./factory/fair_pool.ts";
import type { TrainingJob, TrainingResult } from "./factory/training_job.ts";
import type { AssemblyJob, AssemblyResult } from "./factory/assembly_job.ts";

/** The fleet model a role serves (`config/fleet.ts`): its name and which event keys are its. */
export interface ServedModel {
  name: string;
  select: KeySelector;
}

/** Topic names by purpose. */
export type TopicNames = Record<TopicPurpose, string>;

/** The shared parts a role works with. */
export interface RoleEnvironment {
  /**
   * This process's id: names its per-instance consumer groups and election candidates, and stays
   * the same across restarts of a role so a restarted role resumes its groups.
   */
  instance: string;
  config: RetuneConfig;
  /** The fleet model the environment is of ("default", every key, without a fleet). */
  serves: ServedModel;
  topics: TopicNames;
  registry: Registry;
  catalog: ModelCatalog;
  ledger: DatasetLedger;
  buckets: BucketStore;
  artifacts: ArtifactStore;
  /** What a role must remember across a process restart (`actors/durable_state.ts`). */
  state: StateStore;
  model: ForecastingModel;
  /** The model as plain data, for training workers. */
  modelSpec: ModelSpec;
  /** Which elected roles this process leads (written by `lead`). */
  leaders: LeaderBoard;
  /**
   * A fleet's training workers, shared fairly by its models' factories (`factory/fair_pool.ts`);
   * absent: each factory runs its own.
   */
  trainingPool?: FairPool<TrainingJob, TrainingResult>;
  /** A fleet's dataset assemblers, shared the same way, one job of a model at a time. */
  assemblyPool?: FairPool<AssemblyJob, AssemblyResult>;
  /** A fleet's initial training heads, one pass over the stream for every model. */
  trainingHeads?: TrainingHeads;
  /** In a lockstep experiment, what holds the engine at each report (`actors/lockstep.ts`). */
  lockstep?: LockstepGate;
  /**
   * A fleet's leadership of its elected roles for every model at once, shared by the models'
   * children (`fleet/role_leadership.ts`); absent: a role leads alone.
   */
  roleLeadership?: RoleLeadership;
}

/** The audit log of the bucket deletions this process makes (`storage/deletion_log.ts`). */
export function bucketDeletionLog(config: RetuneConfig): string {
  return deletionLogOf(bucketsDirOf(config));
}

function bucketsDirOf(config: RetuneConfig): string {
  return `${config.storage.dir}/buckets`;
}

/**
 * The deployment's stores: folders under `storage.dir`, or the object store of `storage.s3`
 * (whose bucket deletions this process logs beside `<storage.dir>/buckets`, as with files).
 */
export function storageSpecOf(config: RetuneConfig): StorageSpec {
  const { kind, dir, s3 } = config.storage;
  const buckets = bucketsDirOf(config);
  if (kind === "fs") return { kind, buckets, artifacts: `${dir}/artifacts` };
  // Validation requires the section with kind s3.
  return { kind, location: s3!, deletionLogDir: buckets };
}

/** Topic names from the configuration. */
export function topicNames(config: RetuneConfig): TopicNames {
  return Object.fromEntries(
    Object.entries(config.topics).map(([purpose, topic]) => [purpose, topic.name]),
  ) as TopicNames;
}
