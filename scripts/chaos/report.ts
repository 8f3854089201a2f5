/**
 * A chaos run's report: the checks as a table for the terminal, and the whole result as one JSON
 * object (`--json=FILE`), with times in seconds from the opening of the fault window.
 *
 * @module
 */

import type { ChaosResult } from "./checks.ts";
import type { FaultRecord } from "./observations.ts";

/** The JSON report. */
export interface ChaosReport {
  ok: boolean;
  seed: number;
  missing: number;
  replayer_duplicates: number;
  replayer_kills: number;
  detections: number;
  detections_fault_free: number;
  referenced_buckets_deleted: number;
  referenced_deletions: {
    bucket: number;
    at_s: number;
    pid: number;
    instance: string | null;
    during_stop: boolean;
    versions: number[];
  }[];
  wedged: string[];
  wedges: { role: string; after_s: number }[];
  failover_s: (number | null)[];
  failovers: { role: string; killed_at_s: number; seconds: number | null; from: string }[];
  ttl_s: number;
  shutdown_overruns: string[];
  faults: Record<string, unknown>[];
  checks: ChaosResult["checks"];
}

/** The result as the JSON report; `windowStart` is the epoch ms times are counted from. */
export function toReport(result: ChaosResult, context: {
  seed: number;
  ttlSeconds: number;
  windowStart: number;
  faults: readonly FaultRecord[];
}): ChaosReport {
  const s = (at: number) => round((at - context.windowStart) / 1000);
  return {
    ok: result.checks.every((c) => c.ok),
    seed: context.seed,
    missing: result.missing,
    replayer_duplicates: result.replayerDuplicates,
    replayer_kills: result.replayerKills,
    detections: result.detections,
    detections_fault_free: result.detectionsFaultFree,
    referenced_buckets_deleted: result.referencedDeletions.length,
    referenced_deletions: result.referencedDeletions.map((d) => ({
      bucket: d.bucket,
      at_s: s(d.at),
      pid: d.pid,
      instance: d.instance,
      during_stop: d.duringStop,
      versions: d.versions,
    })),
    wedged: [...new Set(result.wedged.map((w) => w.role))],
    wedges: result.wedged.map(({ role, after }) => ({ role, after_s: s(after) })),
    failover_s: result.failovers.map((f) => f.seconds === null ? null : round(f.seconds)),
    failovers: result.failovers.map(({ role, killedAt, seconds, from }) => ({
      role,
      killed_at_s: s(killedAt),
      seconds: seconds === null ? null : round(seconds),
      from,
    })),
    ttl_s: context.ttlSeconds,
    shutdown_overruns: result.shutdownOverruns.map(({ instance, code, seconds }) =>
      `${instance} (${code === null ? "killed" : `exit ${code}`} after ${round(seconds)} s)`
    ),
    faults: context.faults.map(({ at, ...fault }) =>
      Object.fromEntries([
        ["at_s", s(at)],
        ...Object.entries("end" in fault ? { ...fault, end_s: s(fault.end) } : fault)
          .filter(([key]) => key !== "end")
          .map(([key, value]) => [snakeCase(key), value]),
      ])
    ),
    checks: result.checks,
  };
}

/** The checks as an aligned text table, then the faults one per line. */
export function reportTable(report: ChaosReport): string {
  const rows = [
    ["check", "result", "value", "must be"],
    ...report.checks.map((c) => [c.name, c.ok ? "ok" : "FAIL", c.value, c.limit]),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  const line = (row: string[]) => row.map((cell, i) => cell.padEnd(widths[i])).join("  ").trimEnd();
  const faults = report.faults.map((fault) => {
    const { at_s, kind, ...rest } = fault;
    const detail = Object.entries(rest).map(([k, v]) => `${k}=${v}`).join(" ");
    return `  ${String(at_s).padStart(7)} s  ${kind} ${detail}`;
  });
  return [
    line(rows[0]),
    widths.map((w) => "-".repeat(w)).join("  "),
    ...rows.slice(1).map(line),
    "",
    `faults (seed ${report.seed}, seconds from the start of the fault window):`,
    ...faults,
    "",
    report.ok ? "chaos: every check passed" : "chaos: some checks FAILED",
  ].join("\n");
}

function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
