/**
 * The checks of a chaos run, as pure functions of what it observed (`observations.ts`): events
 * lost or duplicated, detections against a fault-free run, forecasts repeated under exactly-once
 * delivery (beyond the events the replayer repeated), buckets deleted while a live dataset
 * version referenced them, roles wedged after a fault, failover times, shutdown overruns.
 *
 * @module
 */

import type { ServiceRole } from "../../config/roles.ts";
import type { BucketDeletion } from "../../storage/deletion_log.ts";
import { ELECTED_ROLES } from "./fault_plan.ts";
import type {
  FaultRecord,
  LedgerSample,
  Observations,
  OffsetSample,
  ProcessEvent,
  ShutdownRecord,
} from "./observations.ts";

/** A deletion of a bucket that a live dataset version referenced. */
export interface ReferencedDeletion {
  bucket: number;
  at: number;
  pid: number;
  /** The role instance whose process deleted it, when the process was one of the fleet's. */
  instance: string | null;
  /** Whether it happened during the fleet's final stop (SIGTERM to every process). */
  duringStop: boolean;
  /** The live versions referencing it in the ledger samples just before and after. */
  versions: number[];
}

/** A role that made no progress after a fault although work came in. */
export interface Wedge {
  role: ServiceRole;
  /** When the fault it followed ended. */
  after: number;
}

/** A leader kill and how long until another instance led. */
export interface Failover {
  role: ServiceRole;
  killedAt: number;
  /**
   * Seconds until another instance of the role logged `leading <role>`, counted from the kill or,
   * when etcd was down meanwhile, from its return (a restarted etcd grants every lease a full TTL
   * again, so the dead leader's lease outlives the outage by one TTL); null if none led.
   */
  seconds: number | null;
  /** What `seconds` counts from. */
  from: "kill" | "etcd back";
}

/** One line of the verdict. */
export interface Check {
  name: string;
  ok: boolean;
  /** What was measured and what it had to be, for the table. */
  value: string;
  limit: string;
}

/** The run's results: the measures and the checks on them. */
export interface ChaosResult {
  missing: number;
  replayerDuplicates: number;
  replayerKills: number;
  detections: number;
  detectionsFaultFree: number;
  referencedDeletions: ReferencedDeletion[];
  wedged: Wedge[];
  failovers: Failover[];
  shutdownOverruns: ShutdownRecord[];
  checks: Check[];
}

/** What a role reads (work arriving) and writes (progress), by topic purpose. */
export interface ProgressRule {
  reads: readonly string[];
  writes: readonly string[];
  /**
   * What obliges it to write, when not any record read: so much work (`StreamAudit.recordWork`)
   * read from these topics together; `bucket` is a collector bucket's events, since it writes
   * only when a bucket closes.
   */
  owesWriteAfter?: { topics: readonly string[]; work: number | "bucket" };
}

/** The progress rule of each role judged by its topics. */
export const PROGRESS_RULES: Readonly<Partial<Record<ServiceRole, ProgressRule>>> = {
  engine: { reads: ["input"], writes: ["output"] },
  collector: {
    reads: ["input"],
    writes: ["datasetVersions"],
    owesWriteAfter: { topics: ["input"], work: "bucket" },
  },
  // An `opt_abort` asks for no report.
  factory: {
    reads: ["factoryCommands"],
    writes: ["factoryReports"],
    owesWriteAfter: { topics: ["factoryCommands"], work: 1 },
  },
  // A report that ends a job (`trained`, `opt_done`, `failed`) asks for no command.
  optimiser: {
    reads: ["instructions", "factoryReports"],
    writes: ["factoryCommands"],
    owesWriteAfter: { topics: ["instructions", "factoryReports"], work: 1 },
  },
  // The observer writes only when the score moves, and the replayer reads a file: judged apart.
};

/** How long before the end work must have arrived for a role to be expected to act on it. */
export const WEDGE_GRACE_MS = 30_000;

/** Judges a run. */
export function judge(observed: Observations): ChaosResult {
  const { audit, faults } = observed;
  const missing = audit.streamEvents - audit.forecastDistinct;
  const replayerDuplicates = audit.inputEvents - audit.inputDistinct;
  const forecastRepeats = audit.forecastEvents - audit.forecastDistinct;
  const replayerKills = faults.filter((f) => f.kind === "kill" && f.role === "replayer").length;
  const allowedDuplicates = replayerKills * observed.replayerBatch;
  const referencedDeletions = referencedBucketDeletions(observed.deletions, observed.ledger)
    .map(({ bucket, at, pid, versions }) => ({
      bucket,
      at,
      pid,
      instance: observed.processes.find((p) => p.pid === pid)?.instance ?? null,
      duringStop: at >= observed.runEnd,
      versions,
    }));
  const deleters = [...new Set(referencedDeletions.map((d) => d.instance ?? `pid ${d.pid}`))];
  const duringStop = referencedDeletions.filter((d) => d.duringStop).length;
  const wedged = wedgedRoles(faults, observed.offsets, {
    runEnd: observed.runEnd,
    inputIncomplete: audit.inputDistinct < audit.streamEvents,
    recordWork: audit.recordWork,
    bucketEvents: observed.bucketEvents,
  });
  const failovers = failoverTimes(faults, observed.processes);
  const limitOf = (failover: Failover) => failoverLimit(failover.from, observed.ttlSeconds);
  const shutdownOverruns = observed.shutdowns.filter((s) => s.code !== 0);
  const slow = failovers.filter((f) => f.seconds === null || f.seconds > limitOf(f));
  const electedKills = ELECTED_ROLES.map((role) =>
    `${role} ${faults.filter((f) => f.kind === "kill" && f.role === role).length}`
  );
  const skipped = faults.filter((f) => f.kind === "skipped").length;
  const unhit = phasesNotHit(faults);
  const outages = (["etcd-restart", "broker-pause"] as const).filter((kind) =>
    !faults.some((f) => f.kind === kind)
  );
  const checks: Check[] = [
    check(
      "faults_injected",
      skipped === 0 && unhit.length === 0 && outages.length === 0 &&
        ELECTED_ROLES.every((role) =>
          faults.filter((f) => f.kind === "kill" && f.role === role).length >= 2
        ),
      `${faults.length - skipped} injected, ${skipped} skipped; kills: ${electedKills.join(", ")}` +
        (unhit.length === 0
          ? ""
          : `; no leader kill while its phase was seen: ${unhit.join(", ")}`) +
        (outages.length === 0 ? "" : `; no ${outages.join(", ")}`),
      "none skipped; each elected role killed >= 2, as leader during an optimisation and an " +
        "assembly; etcd restarted; broker paused",
    ),
    check("missing", missing === 0, missing, "0"),
    check(
      "replayer_duplicates",
      replayerDuplicates <= allowedDuplicates,
      replayerDuplicates,
      `<= ${allowedDuplicates} (${replayerKills} replayer kills x ${observed.replayerBatch})`,
    ),
    check(
      "detections",
      audit.detections === observed.detectionsFaultFree,
      audit.detections,
      `= ${observed.detectionsFaultFree} (fault-free run)`,
    ),
    check(
      "forecast_repeats",
      !audit.exactlyOnce || forecastRepeats <= replayerDuplicates,
      forecastRepeats,
      audit.exactlyOnce
        ? `<= ${replayerDuplicates} (exactly once: only where the replayer repeated an event)`
        : "any (at least once)",
    ),
    check(
      "referenced_buckets_deleted",
      referencedDeletions.length === 0,
      referencedDeletions.length === 0
        ? 0
        : `${referencedDeletions.length} (${duringStop} in the final stop; by ${
          deleters.join(", ")
        })`,
      "0",
    ),
    check(
      "wedged",
      wedged.length === 0,
      wedged.length === 0 ? "none" : [...new Set(wedged.map((w) => w.role))].join(", "),
      "none",
    ),
    check(
      "failover_s",
      failovers.length > 0 && slow.length === 0,
      failovers.length === 0 ? "no leader killed" : failovers.map(formatFailover).join(", "),
      `each <= ${observed.ttlSeconds + 2} (TTL ${observed.ttlSeconds} + 2), from etcd's return <= ${
        observed.ttlSeconds + ETCD_LEASE_EXTENSION_S + 2
      } (+ ${ETCD_LEASE_EXTENSION_S} etcd extends leases by)`,
    ),
    check(
      "shutdown_overruns",
      shutdownOverruns.length === 0,
      shutdownOverruns.length === 0 ? "none" : shutdownOverruns.map((s) => s.instance).join(", "),
      `none (each exits 0 within ${observed.shutdownTimeoutSeconds} s)`,
    ),
  ];
  return {
    missing,
    replayerDuplicates,
    replayerKills,
    detections: audit.detections,
    detectionsFaultFree: observed.detectionsFaultFree,
    referencedDeletions,
    wedged,
    failovers,
    shutdownOverruns,
    checks,
  };
}

/**
 * Deletions of a bucket that a version referenced while in use, both in the last ledger sample
 * before the deletion and in the first after it (so it was in use at that moment).
 */
export function referencedBucketDeletions(
  deletions: readonly BucketDeletion[],
  ledger: readonly LedgerSample[],
): Pick<ReferencedDeletion, "bucket" | "at" | "pid" | "versions">[] {
  const samples = [...ledger].sort((a, b) => a.at - b.at);
  const found: Pick<ReferencedDeletion, "bucket" | "at" | "pid" | "versions">[] = [];
  for (const deletion of deletions) {
    const before = samples.findLast((s) => s.at <= deletion.at);
    const after = samples.find((s) => s.at >= deletion.at);
    if (before === undefined || after === undefined) continue;
    const live = (sample: LedgerSample) =>
      new Set(
        sample.versions
          .filter((v) => v.inUse && v.buckets.includes(deletion.bucket))
          .map((v) => v.version),
      );
    const liveAfter = live(after);
    const versions = [...live(before)].filter((v) => liveAfter.has(v));
    if (versions.length > 0) {
      found.push({ bucket: deletion.bucket, at: deletion.at, pid: deletion.pid, versions });
    }
  }
  return found;
}

/** What the wedge check needs besides the faults and offset samples. */
export interface WedgeContext {
  runEnd: number;
  /** Whether some stream events never reached the input topic. */
  inputIncomplete: boolean;
  /** The work of each record by topic purpose, partition, then offset (`StreamAudit.recordWork`). */
  recordWork: Readonly<Record<string, readonly (readonly number[])[]>>;
  /** Input events that close a collector bucket. */
  bucketEvents: number;
}

/**
 * Roles that wrote nothing after a fault ended although work that obliged them to write reached
 * them at least `WEDGE_GRACE_MS` before the run ended (`ProgressRule.owesWriteAfter`); and the
 * replayer, if the input is incomplete and it wrote nothing after a fault.
 */
export function wedgedRoles(
  faults: readonly FaultRecord[],
  offsets: readonly OffsetSample[],
  context: WedgeContext,
): Wedge[] {
  const { runEnd, inputIncomplete, bucketEvents } = context;
  const samples = [...offsets].sort((a, b) => a.at - b.at);
  const span = (from: number, to: number) => {
    const first = samples.find((s) => s.at >= from);
    const last = samples.findLast((s) => s.at <= to);
    return first === undefined || last === undefined || last.at <= first.at
      ? undefined
      : { first, last };
  };
  const grew = (purposes: readonly string[], from: number, to: number) => {
    const between = span(from, to);
    if (between === undefined) return false;
    return purposes.some((p) => (between.last.offsets[p] ?? 0) > (between.first.offsets[p] ?? 0));
  };
  const workRead = (topic: string, from: number, to: number) => {
    const between = span(from, to);
    if (between === undefined) return 0;
    return workBetween(
      context.recordWork[topic] ?? [],
      between.first.partitions[topic] ?? [],
      between.last.partitions[topic] ?? [],
    );
  };
  const wedged: Wedge[] = [];
  for (const fault of faults) {
    if (fault.kind === "skipped") continue;
    const after = fault.kind === "kill" ? fault.at : fault.end;
    for (const [role, rule] of Object.entries(PROGRESS_RULES) as [ServiceRole, ProgressRule][]) {
      const owed = rule.owesWriteAfter;
      const worked = owed === undefined
        ? grew(rule.reads, after, runEnd - WEDGE_GRACE_MS)
        : owed.topics.reduce(
          (sum, topic) => sum + workRead(topic, after, runEnd - WEDGE_GRACE_MS),
          0,
        ) >=
          (owed.work === "bucket" ? bucketEvents : owed.work);
      if (worked && !grew(rule.writes, after, runEnd)) wedged.push({ role, after });
    }
    if (inputIncomplete && !grew(["input"], after, runEnd)) {
      wedged.push({ role: "replayer", after });
    }
  }
  return wedged;
}

/** The work of a topic's records between two per-partition end offsets. */
export function workBetween(
  recordWork: readonly (readonly number[])[],
  from: readonly number[],
  to: readonly number[],
): number {
  let work = 0;
  for (let partition = 0; partition < to.length; partition++) {
    const weights = recordWork[partition] ?? [];
    for (let offset = from[partition] ?? 0; offset < to[partition]; offset++) {
      work += weights[offset] ?? 0;
    }
  }
  return work;
}

/**
 * The elected roles and phases (`factory during assembly`, ...) whose leader no kill hit while
 * the phase was seen under way.
 */
export function phasesNotHit(faults: readonly FaultRecord[]): string[] {
  return ELECTED_ROLES.flatMap((role) =>
    (["optimisation", "assembly"] as const).flatMap((phase) =>
      faults.some((f) =>
          f.kind === "kill" && f.role === role && f.wasLeader && f.during === phase &&
          f.phaseSeen === true
        )
        ? []
        : [`${role} during ${phase}`]
    )
  );
}

/**
 * What etcd adds to every lease when its leader is elected, as after a restart: its election
 * timeout (1 s by default, which the harness's etcd keeps), s. A dead leader's lease therefore
 * outlives etcd's return by the TTL and this.
 */
const ETCD_LEASE_EXTENSION_S = 1;

/** The longest a failover counted `from` a kill or etcd's return may take, s. */
export function failoverLimit(from: Failover["from"], ttlSeconds: number): number {
  return ttlSeconds + 2 + (from === "kill" ? 0 : ETCD_LEASE_EXTENSION_S);
}

/**
 * For each kill of an elected role's leader: the time until another process of the role logged
 * that it leads (`actors/leadership.ts` does so each time it wins the election), counted from the
 * kill, or from etcd's return when an etcd outage ended between the kill and that line.
 */
export function failoverTimes(
  faults: readonly FaultRecord[],
  processes: readonly ProcessEvent[],
): Failover[] {
  const elected: readonly string[] = ELECTED_ROLES;
  return faults.flatMap((fault) => {
    if (fault.kind !== "kill" || !fault.wasLeader || !elected.includes(fault.role)) return [];
    const next = processes
      .filter((e) =>
        e.kind === "leading" && e.role === fault.role && e.pid !== fault.pid && e.at >= fault.at
      )
      .sort((a, b) => a.at - b.at)[0];
    const until = next?.at ?? Infinity;
    const etcdBack = Math.max(
      ...faults.flatMap((f) =>
        f.kind === "etcd-restart" && f.end > fault.at && f.end < until ? [f.end] : []
      ),
    );
    const from = Math.max(fault.at, etcdBack);
    return [{
      role: fault.role,
      killedAt: fault.at,
      seconds: next === undefined ? null : (next.at - from) / 1000,
      from: from === fault.at ? "kill" as const : "etcd back" as const,
    }];
  });
}

function check(name: string, ok: boolean, value: number | string, limit: string): Check {
  return { name, ok, value: String(value), limit };
}

function formatFailover(failover: Failover): string {
  const seconds = failover.seconds === null ? "never" : failover.seconds.toFixed(1);
  return `${failover.role} ${seconds}${failover.from === "kill" ? "" : ` (from ${failover.from})`}`;
}
