/**
 * What the dashboard shows, as one JSON document the page polls: the metrics series (batch and
 * cumulative MCC over stream time), the model versions with their parameters, every decision
 * with its reason, dataset versions and buckets, the roles with their health and leadership,
 * throughput and lag. The catalogue and the ledger are read from the registry, so every process
 * of a deployment shows them; the rest is what this process sees.
 *
 * @module
 */

import { LEADER_ROLES } from "../actors/leadership.ts";
import type { HyperParameters } from "../core/hyper_parameters.ts";
import type { ModelVersion } from "../core/versions.ts";
import type { ModelRecord } from "../core/model_record.ts";
import { type ReplicaRecord, routable, ServingReplicas } from "../registry/serving_replicas.ts";
import type { PartitionLag } from "../transport/consumer_lag.ts";
import type { Decision, ObservedSystem } from "./observed_system.ts";

/** Most metrics points sent: the newest. */
export const MAX_POINTS = 5_000;

/** One point of the metrics series. */
export interface Point {
  reportId: number;
  streamTime: number;
  batchMcc: number;
  cumulativeMcc: number;
  modelVersion: number;
  eventsPerSecond: number;
  lag: number;
}

/** The dashboard's document. */
export interface DashboardState {
  roles: { name: string; status: string; restarts: number; leading: boolean | null }[];
  series: Point[];
  models: {
    version: number;
    method: string;
    params: HyperParameters;
    mcc: number;
    /** Held-out MCC of each validation split, in stream order (one for a holdout). */
    splitMcc: number[];
    datasetVersion: number;
    productionMs: number;
    createdAt: number;
    /** Its artifact is kept; a retired version's artifact is gone. */
    inCatalogue: boolean;
    /** The version live when it was made; null for the first (or one not catalogued). */
    parent: number | null;
    /** The earlier version it is a copy of (`factory.gate.recall`); null for any other. */
    recalledFrom: number | null;
  }[];
  /** The version designated live (serving replicas load it); null before the first model. */
  liveModel: number | null;
  /** The registered serving replicas; `routable` ones serve the live version and are ready. */
  replicas: (ReplicaRecord & { routable: boolean })[];
  /** The model the engine forecasts with here; null without an engine or before the first. */
  modelInUse: number | null;
  decisions: Decision[];
  datasets: { version: number; state: string; buckets: number[]; frozenBy: string[] }[];
  buckets: number[];
  throughput: { eventsPerSecond: number; eventsProcessed: number; deadLetters: number };
  lag: PartitionLag[];
  /** The fleet: its models by score (best first), the stale ones, the training queue. */
  fleet: {
    models: FleetRow[];
    /** Models with no report yet, or whose newest batch MCC is below their `minScore`. */
    stale: string[];
    queue: { running: number; queued: number } | null;
  };
}

/** One model of the fleet view. */
export interface FleetRow {
  name: string;
  modelVersion: number | null;
  /** Newest batch MCC (null: no report yet). */
  mcc: number | null;
  reports: number;
  versions: number;
  eventsProcessed: number;
  stale: boolean;
}

/** Reads the document from `system` and its registry. */
export async function dashboardState(system: ObservedSystem): Promise<DashboardState> {
  const { catalog, ledger } = system.env;
  const [catalogue, versions, buckets, lag, live, registered] = await Promise.all([
    catalog.list(),
    ledger.versions(),
    ledger.registeredBuckets(),
    system.lag(),
    catalog.live(),
    new ServingReplicas(system.env.registry).list(),
  ]);
  const chosen = new Set(routable(registered, live?.version).map((replica) => replica.instance));
  const reports = system.reports.slice(-MAX_POINTS);
  const newest = reports.at(-1);
  const engine = system.roles.includes("engine") ? system.view("engine") : null;
  return {
    roles: system.health().map((child) => ({
      name: child.name,
      status: child.status,
      restarts: child.restarts,
      // A fleet's child `<role>:<model>` leads where its process leads the role.
      leading: (LEADER_ROLES as readonly string[]).includes(child.name.split(":")[0])
        ? system.leads(child.name.split(":")[0] as typeof LEADER_ROLES[number])
        : null,
    })),
    series: reports.map((report) => ({
      reportId: report.reportId,
      streamTime: report.streamTimeEnd,
      batchMcc: report.batch.mcc,
      cumulativeMcc: report.cumulative.mcc,
      modelVersion: report.modelVersion,
      eventsPerSecond: report.eventsPerSecond,
      lag: report.lag,
    })),
    models: modelsOf(catalogue, system.modelVersions),
    modelInUse: engine?.modelVersion ?? null,
    liveModel: live?.version ?? null,
    replicas: registered.map((replica) => ({
      ...replica,
      // A fleet's replica is ready when it serves every model's live version.
      routable: replica.models === undefined ? chosen.has(replica.instance) : replica.ready,
    })),
    decisions: [...system.decisions],
    datasets: versions.map((entry) => ({
      version: entry.dataset.version,
      state: entry.state,
      buckets: entry.dataset.buckets.map((ref) => ref.bucket),
      frozenBy: entry.frozenBy,
    })),
    buckets,
    throughput: {
      eventsPerSecond: newest?.eventsPerSecond ?? 0,
      eventsProcessed: engine?.eventsProcessed ?? newest?.eventsProcessed ?? 0,
      deadLetters: system.deadLetters,
    },
    lag,
    fleet: fleetOf(system),
  };
}

/** The fleet view: models by newest batch MCC, best first (those without a report last). */
function fleetOf(system: ObservedSystem): DashboardState["fleet"] {
  const rows: FleetRow[] = system.fleet().map((m) => {
    const mcc = m.lastReport?.batch.mcc ?? null;
    return {
      name: m.name,
      modelVersion: m.modelVersion,
      mcc,
      reports: m.reports,
      versions: m.versions,
      eventsProcessed: m.eventsProcessed,
      stale: mcc === null || mcc < m.minScore,
    };
  });
  rows.sort((a, b) => (b.mcc ?? -Infinity) - (a.mcc ?? -Infinity) || a.name.localeCompare(b.name));
  const queue = system.trainingQueue();
  return {
    models: rows,
    stale: rows.filter((row) => row.stale).map((row) => row.name),
    queue: queue === null ? null : { running: queue.running, queued: queue.queued },
  };
}

/** Every model version announced or catalogued, oldest first, each once. */
function modelsOf(
  catalogue: readonly ModelRecord[],
  announced: readonly ModelVersion[],
): DashboardState["models"] {
  const kept = new Set(
    catalogue.filter((model) => model.artifactRetiredAt === null).map((model) => model.version),
  );
  const parents = new Map(catalogue.map((model) => [model.version, model.lineage.parent]));
  const byVersion = new Map([...announced, ...catalogue].map((model) => [model.version, model]));
  return [...byVersion.values()].sort((a, b) => a.version - b.version).map((model) => ({
    version: model.version,
    method: model.creationMethod,
    params: model.params,
    mcc: model.metrics.mcc,
    splitMcc: (model.splitScores ?? []).map((split) => split.mcc),
    datasetVersion: model.datasetVersion,
    productionMs: model.productionMs,
    createdAt: model.createdAt,
    inCatalogue: kept.has(model.version),
    parent: parents.get(model.version) ?? null,
    recalledFrom: model.recalledFrom ?? null,
  }));
}
