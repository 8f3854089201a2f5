/**
 * What a chaos run records while it runs, as plain data: the faults injected, the role
 * processes' lives, samples of the topics' end offsets and of the dataset ledger, the bucket
 * deletions, what the topics held at the end and how the processes stopped. The checks
 * (`checks.ts`) judge these; every time is epoch ms.
 *
 * @module
 */

import type { ServiceRole } from "../../config/roles.ts";
import type { BucketDeletion } from "../../storage/deletion_log.ts";
import type { Phase, Target } from "./fault_plan.ts";

/** A fault as it was injected. */
export type FaultRecord =
  | {
    kind: "kill";
    at: number;
    role: ServiceRole;
    /** The killed instance, e.g. `collector#2`, and its process. */
    instance: string;
    pid: number;
    target: Target;
    /** Whether the instance led its role when killed (always false for unelected roles). */
    wasLeader: boolean;
    /** The phase the kill waited for, and whether it was under way when the kill was sent. */
    during?: Phase;
    phaseSeen?: boolean;
    /** Why the instance is not the planned target, when it is not. */
    note?: string;
  }
  | { kind: "etcd-restart"; at: number; end: number }
  | { kind: "broker-pause"; at: number; end: number }
  /** A planned fault that could not be injected (e.g. no standby to kill), and why. */
  | { kind: "skipped"; at: number; planned: string; reason: string };

/** A moment in a role process's life. */
export interface ProcessEvent {
  at: number;
  role: ServiceRole;
  instance: string;
  pid: number;
  /**
   * `running`: main.ts logged that its role runs, which for an elected role happens only once
   * the process won the election and joined its consumer groups. `leading`: the process logged
   * that it won its role's election (each time it does). `exit`: the process ended (`code`).
   */
  kind: "started" | "running" | "leading" | "exit";
  code?: number;
}

/** The summed end offsets of each topic, by purpose (`input`, `output`, ...), at one moment. */
export interface OffsetSample {
  at: number;
  offsets: Record<string, number>;
  /** The same per partition: with `StreamAudit.recordWork`, the work that came in between. */
  partitions: Record<string, number[]>;
}

/** One dataset version as a ledger sample saw it. */
export interface VersionSample {
  version: number;
  buckets: number[];
  /** Pending, assembling or frozen: its buckets must stay. */
  inUse: boolean;
}

/** The ledger at one moment (only samples that could be read are kept). */
export interface LedgerSample {
  at: number;
  versions: VersionSample[];
}

/** What the input and output topics held at the end, against the replayed stream. */
export interface StreamAudit {
  /** Events in the replayed file. */
  streamEvents: number;
  /** Events written to the input topic, and how many of them were distinct. */
  inputEvents: number;
  inputDistinct: number;
  /**
   * The work each record of a topic carries, by topic purpose, partition, then offset: an input
   * record's events (a record holds a slice of many), 1 for a factory command that asks for a
   * report and 0 for one that does not (`opt_abort`). Offsets alone do not say what a role owed.
   */
  recordWork: Record<string, number[][]>;
  /** Distinct stream events that got a forecast. */
  forecastDistinct: number;
  /** Forecasts of stream events in the (read-committed) output, repeats included. */
  forecastEvents: number;
  /** The engine ran with `engine.delivery: exactly_once`: no forecast may be repeated. */
  exactlyOnce: boolean;
  /** Distinct events whose forecast reported a detection (pattern match). */
  detections: number;
}

/** How one role process ended when asked to stop at the end of the run. */
export interface ShutdownRecord {
  instance: string;
  pid: number;
  /** The exit code, or null when it had not exited within the timeout and was killed. */
  code: number | null;
  seconds: number;
}

/** Everything the checks need. */
export interface Observations {
  /** When the fault window opened and when the run ended. */
  windowStart: number;
  runEnd: number;
  faults: FaultRecord[];
  processes: ProcessEvent[];
  offsets: OffsetSample[];
  ledger: LedgerSample[];
  deletions: BucketDeletion[];
  audit: StreamAudit;
  /** Detections of a fault-free run of the same stream. */
  detectionsFaultFree: number;
  shutdowns: ShutdownRecord[];
  /** The registry's lease TTL, s. */
  ttlSeconds: number;
  /** Events one replayer batch holds at most: the duplicates a replayer kill may cause. */
  replayerBatch: number;
  /** Input events that close a collector bucket, the collector's first write after a fault. */
  bucketEvents: number;
  /** The shutdown timeout a role process gets, s. */
  shutdownTimeoutSeconds: number;
}
