/**
 * Injects a fault plan into a running fleet: at each fault's time, kill -9 of a role instance
 * (its leader, a standby or any, waiting first for the phase the plan asks for), an etcd kill and
 * restart, or a broker pause (SIGSTOP, then SIGCONT). Records what was done, when.
 *
 * @module
 */

import type { ServiceRole } from "../../config/roles.ts";
import { ELECTED_ROLES, type Phase, type PlannedFault, type Target } from "./fault_plan.ts";
import type { EtcdMember } from "./etcd_member.ts";
import type { RoleFleet, RoleInstance } from "./fleet.ts";
import type { FaultRecord } from "./observations.ts";
import { pick, seededRandom } from "./random.ts";

/** What faults are injected into. */
export interface FaultTargets {
  fleet: RoleFleet;
  /** Whether the control plane is in `phase` now. */
  underWay(phase: Phase): boolean;
  etcd: EtcdMember;
  brokerPid: number;
}

/** How long a kill waits for its phase before killing anyway, ms (within the window). */
const PHASE_WAIT_MS = 45_000;
const PHASE_POLL_MS = 50;
/**
 * How long a kill waits for an instance to hit (e.g. a new leader after the last kill), ms; less
 * once the window is over, so a late fault does not drag the run out.
 */
const VICTIM_WAIT_MS = 30_000;
const LATE_VICTIM_WAIT_MS = 10_000;
/** How long a kill still waits for its phase once the window is over, ms. */
const LATE_PHASE_WAIT_MS = 20_000;

/**
 * Runs the plan from `windowStart` (epoch ms), one fault after another, and returns the records
 * (`into` fills as it goes, so a caller may read it early).
 */
export async function injectFaults(
  plan: readonly PlannedFault[],
  targets: FaultTargets,
  options: { windowStart: number; windowEnd: number; seed: number; log: (line: string) => void },
  into: FaultRecord[] = [],
): Promise<FaultRecord[]> {
  const random = seededRandom(options.seed + 1);
  for (const fault of plan) {
    await sleep(options.windowStart + fault.atMs - Date.now());
    const record = await inject(fault, targets, random, options.windowEnd);
    into.push(record);
    options.log(describe(record, options.windowStart));
  }
  return into;
}

async function inject(
  fault: PlannedFault,
  targets: FaultTargets,
  random: () => number,
  windowEnd: number,
): Promise<FaultRecord> {
  switch (fault.kind) {
    case "kill": {
      // The victim and the phase are awaited together: a phase seen while no leader was
      // elected yet may be over by the time one is.
      const waitMs = Date.now() < windowEnd ? VICTIM_WAIT_MS : LATE_VICTIM_WAIT_MS;
      const victimUntil = Date.now() + waitMs;
      const phaseUntil = fault.during === undefined ? 0 : Math.max(
        Math.min(Date.now() + PHASE_WAIT_MS, windowEnd),
        Date.now() + LATE_PHASE_WAIT_MS,
      );
      let victim = chooseVictim(targets.fleet, fault.role, fault.target, random);
      for (;;) {
        const phaseDone = fault.during === undefined || targets.underWay(fault.during) ||
          Date.now() >= phaseUntil;
        if (victim !== undefined ? phaseDone : Date.now() >= Math.max(victimUntil, phaseUntil)) {
          break;
        }
        await sleep(PHASE_POLL_MS);
        victim = chooseVictim(targets.fleet, fault.role, fault.target, random);
      }
      // No leader (none elected since the last kill): the role is still killed, as recorded.
      const fallback = victim === undefined && fault.target !== "any";
      if (fallback) victim = chooseVictim(targets.fleet, fault.role, "any", random);
      const at = Date.now();
      const planned = `kill ${fault.role} ${fault.target}`;
      if (victim === undefined) {
        return {
          kind: "skipped",
          at,
          planned,
          reason: `no ${fault.role} instance running within ${waitMs / 1000} s`,
        };
      }
      const wasLeader = targets.fleet.leaderOf(fault.role) === victim &&
        (ELECTED_ROLES as readonly string[]).includes(fault.role);
      // Judged at the kill itself: finding the victim may have taken a while.
      const phaseSeen = fault.during === undefined ? undefined : targets.underWay(fault.during);
      const pid = victim.kill();
      if (pid === null) return { kind: "skipped", at, planned, reason: "no process" };
      return {
        kind: "kill",
        at,
        role: fault.role,
        instance: victim.name,
        pid,
        target: fault.target,
        wasLeader,
        ...(fault.during === undefined ? {} : { during: fault.during, phaseSeen }),
        ...(fallback
          ? { note: `no ${fault.target} within ${waitMs / 1000} s: killed another` }
          : {}),
      };
    }
    case "etcd-restart": {
      const at = Date.now();
      await targets.etcd.kill();
      await sleep(fault.downMs);
      await targets.etcd.restart();
      return { kind: "etcd-restart", at, end: Date.now() };
    }
    case "broker-pause": {
      const at = Date.now();
      Deno.kill(targets.brokerPid, "SIGSTOP");
      try {
        await sleep(fault.pauseMs);
      } finally {
        Deno.kill(targets.brokerPid, "SIGCONT");
      }
      return { kind: "broker-pause", at, end: Date.now() };
    }
  }
}

/** The instance a kill hits, among those running now. */
function chooseVictim(
  fleet: RoleFleet,
  role: ServiceRole,
  target: Target,
  random: () => number,
): RoleInstance | undefined {
  const alive = fleet.of(role).filter((instance) => instance.alive);
  const leader = fleet.leaderOf(role);
  const candidates = target === "leader"
    ? (leader === undefined ? [] : [leader])
    : target === "standby"
    ? alive.filter((instance) => instance !== leader)
    : alive;
  return candidates.length === 0 ? undefined : pick(random, candidates);
}

function describe(record: FaultRecord, windowStart: number): string {
  const at = ((record.at - windowStart) / 1000).toFixed(1);
  switch (record.kind) {
    case "kill":
      return `${at} s: kill -9 ${record.instance} (pid ${record.pid}, ${
        record.wasLeader ? "leader" : "not leading"
      }${record.note === undefined ? "" : `, ${record.note}`}${
        record.during === undefined
          ? ""
          : `, during ${record.during}: ${record.phaseSeen ? "seen" : "not seen, killed anyway"}`
      })`;
    case "skipped":
      return `${at} s: skipped ${record.planned}: ${record.reason}`;
    default:
      return `${at} s: ${record.kind} for ${((record.end - record.at) / 1000).toFixed(1)} s`;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
