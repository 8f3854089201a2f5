/**
 * Injects a fault plan into a running fleet: kill -9 of a role instance (its leader, a standby or
 * any), an etcd kill and restart, or a broker pause (SIGSTOP, then SIGCONT). Records what was
 * done, when.
 *
 * Two schedules run side by side. The outages and the plain kills go one after another at their
 * planned times. The phase kills (a leader killed during an optimisation or an assembly) each
 * wait, from their planned time, for their phase, all at once: one waiting for an optimisation
 * no longer holds back one that an assembly under way would serve. Phase kills are sent one at a
 * time, a few seconds apart and never during an outage, and they wait until the window's end
 * plus a grace; one whose phase never came by then is killed anyway and recorded as not seen,
 * with the reason logged, so the run's `faults_injected` check fails. A kill due during an
 * optimisation that none came to for a while asks for one, as an operator would: optimisations
 * come only when the observer's score falls, and last a few seconds.
 *
 * @module
 */

import type { ServiceRole } from "../../config/roles.ts";
import { ELECTED_ROLES, type Phase, type PlannedFault, type Target } from "./fault_plan.ts";
import type { FaultRecord } from "./observations.ts";
import { pick, seededRandom } from "./random.ts";

/** A role instance a kill may hit. */
export interface Killable {
  readonly name: string;
  readonly alive: boolean;
  /** Sends SIGKILL to its process; the pid, or null when none ran. */
  kill(): number | null;
}

/** The fleet as the injector sees it (`RoleFleet` is one). */
export interface FleetView {
  of(role: ServiceRole): readonly Killable[];
  /** The instance leading `role` now, if any. */
  leaderOf(role: ServiceRole): Killable | undefined;
}

/** What faults are injected into. */
export interface FaultTargets {
  fleet: FleetView;
  /** Whether the control plane is in `phase` now. */
  underWay(phase: Phase): boolean;
  etcd: { kill(): Promise<void>; restart(): Promise<void> };
  broker: { pause(): void; resume(): void };
  /**
   * Asks the control plane for an optimisation, as an operator would (an `optimise`
   * instruction); absent: optimisations come only when the observer asks for them.
   */
  askForOptimisation?(): Promise<void>;
}

/** The injector's waits, ms. */
export interface InjectorTiming {
  /** How long a plain kill waits for an instance to hit (e.g. a new leader after a kill). */
  victimWaitMs: number;
  /** The same once the window is over, so a late fault does not drag the run out. */
  lateVictimWaitMs: number;
  /** How long after the window's end phase kills still wait for their phase. */
  phaseGraceMs: number;
  /** Least time between a kill and the next phase kill. */
  phaseKillGapMs: number;
  /**
   * How long a due kill waits for an optimisation to come on its own before asking for one,
   * and the least time between two asks.
   */
  askAfterMs: number;
  /** How often waiting kills look again. */
  pollMs: number;
}

/** The chaos suite's waits. */
export const DEFAULT_TIMING: InjectorTiming = {
  victimWaitMs: 30_000,
  lateVictimWaitMs: 10_000,
  // Optimisations may run on a little after the stream ended; assemblies stop with it.
  phaseGraceMs: 20_000,
  // One phase kill at a time: each leader's failover is its own, yet an assembly (seen for
  // 10 s, `ledger_watch.ts`) can serve two.
  phaseKillGapMs: 4_000,
  // An optimisation of the chaos deployment lasts 2-3 s, and the observer asks for one only when
  // the score falls: a kill may wait for one for the whole window, and miss a short one.
  askAfterMs: 10_000,
  pollMs: 50,
};

/** What the injector runs by. */
export interface InjectOptions {
  /** The fault window, epoch ms: plan times count from its start. */
  windowStart: number;
  windowEnd: number;
  seed: number;
  log: (line: string) => void;
  timing?: InjectorTiming;
}

/** Shared by both schedules. */
interface State {
  outage: boolean;
  lastKillAt: number;
}

/**
 * Runs the plan and returns the records, ordered by time (`into` fills as faults are done, so a
 * caller may read it early).
 */
export async function injectFaults(
  plan: readonly PlannedFault[],
  targets: FaultTargets,
  options: InjectOptions,
  into: FaultRecord[] = [],
): Promise<FaultRecord[]> {
  const timing = options.timing ?? DEFAULT_TIMING;
  const random = seededRandom(options.seed + 1);
  const state: State = { outage: false, lastKillAt: -Infinity };
  const record = (done: FaultRecord) => {
    const after = into.findIndex((earlier) => earlier.at > done.at);
    into.splice(after === -1 ? into.length : after, 0, done);
    options.log(describe(done, options.windowStart));
  };
  const phased = plan.filter(isPhaseKill);
  const timed = plan.filter((fault) => !isPhaseKill(fault));
  await Promise.all([
    (async () => {
      for (const fault of timed) {
        await sleep(options.windowStart + fault.atMs - Date.now());
        state.outage = fault.kind !== "kill";
        try {
          record(await inject(fault, targets, random, options.windowEnd, timing, state));
        } finally {
          state.outage = false;
        }
      }
    })(),
    injectPhaseKills(phased, targets, random, options, timing, state, record),
  ]);
  return into;
}

type PhaseKill = Extract<PlannedFault, { kind: "kill" }> & { during: Phase };

function isPhaseKill(fault: PlannedFault): fault is PhaseKill {
  return fault.kind === "kill" && fault.during !== undefined;
}

/**
 * Each phase kill, once its time came, is sent when its phase is under way and its role has a
 * leader (the earliest planned first, one at a time); at the deadline the ones left are sent
 * anyway, recorded as their phase not seen.
 */
async function injectPhaseKills(
  kills: readonly PhaseKill[],
  targets: FaultTargets,
  random: () => number,
  options: InjectOptions,
  timing: InjectorTiming,
  state: State,
  record: (done: FaultRecord) => void,
): Promise<void> {
  const waiting = [...kills].sort((a, b) => a.atMs - b.atMs);
  const deadline = options.windowEnd + timing.phaseGraceMs;
  let askedAt = -Infinity;
  while (waiting.length > 0) {
    const now = Date.now();
    if (now >= deadline) {
      const by = ((deadline - options.windowStart) / 1000).toFixed(1);
      for (const fault of waiting.splice(0)) {
        options.log(
          `kill ${fault.role} ${fault.target} during ${fault.during}: none seen with a leader ` +
            `from ${(fault.atMs / 1000).toFixed(1)} s to the deadline at ${by} s ` +
            `(window end + ${timing.phaseGraceMs / 1000} s); killed anyway`,
        );
        record(killNow(fault, targets, random, state, false));
      }
      return;
    }
    if (!state.outage && now - state.lastKillAt >= timing.phaseKillGapMs) {
      const ready = waiting.findIndex((fault) =>
        options.windowStart + fault.atMs <= now && targets.underWay(fault.during) &&
        targets.fleet.leaderOf(fault.role)?.alive === true
      );
      if (ready !== -1) {
        const [fault] = waiting.splice(ready, 1);
        record(killNow(fault, targets, random, state, true));
      } else if (targets.askForOptimisation !== undefined) {
        const starved = waiting.find((fault) =>
          fault.during === "optimisation" &&
          now - Math.max(options.windowStart + fault.atMs, askedAt) >= timing.askAfterMs &&
          targets.fleet.leaderOf(fault.role)?.alive === true
        );
        if (starved !== undefined) {
          askedAt = now;
          options.log(
            `kill ${starved.role} ${starved.target} during optimisation: none for ` +
              `${timing.askAfterMs / 1000} s; asking for one, as an operator would`,
          );
          targets.askForOptimisation().catch((error) =>
            options.log(`asking for an optimisation failed: ${String(error)}`)
          );
        }
      }
    }
    await sleep(timing.pollMs);
  }
}

/** A plain kill, an etcd restart or a broker pause, at once (a kill waits for its victim). */
async function inject(
  fault: PlannedFault,
  targets: FaultTargets,
  random: () => number,
  windowEnd: number,
  timing: InjectorTiming,
  state: State,
): Promise<FaultRecord> {
  switch (fault.kind) {
    case "kill": {
      const waitMs = Date.now() < windowEnd ? timing.victimWaitMs : timing.lateVictimWaitMs;
      const until = Date.now() + waitMs;
      while (
        chooseVictim(targets.fleet, fault.role, fault.target, random) === undefined &&
        Date.now() < until
      ) {
        await sleep(timing.pollMs);
      }
      return killNow(fault, targets, random, state, undefined, waitMs);
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
      targets.broker.pause();
      try {
        await sleep(fault.pauseMs);
      } finally {
        targets.broker.resume();
      }
      return { kind: "broker-pause", at, end: Date.now() };
    }
  }
}

/**
 * Kills the planned target now; with no such target (no leader elected since the last kill, no
 * standby) another instance of the role, as recorded. `phaseSeen`: whether the kill's phase was
 * under way (for a phase kill).
 */
function killNow(
  fault: Extract<PlannedFault, { kind: "kill" }>,
  targets: FaultTargets,
  random: () => number,
  state: State,
  phaseSeen: boolean | undefined,
  waitedMs?: number,
): FaultRecord {
  let victim = chooseVictim(targets.fleet, fault.role, fault.target, random);
  const fallback = victim === undefined && fault.target !== "any";
  if (fallback) victim = chooseVictim(targets.fleet, fault.role, "any", random);
  const at = Date.now();
  const planned = `kill ${fault.role} ${fault.target}`;
  const within = waitedMs === undefined ? "" : ` within ${waitedMs / 1000} s`;
  if (victim === undefined) {
    return { kind: "skipped", at, planned, reason: `no ${fault.role} instance running${within}` };
  }
  const wasLeader = targets.fleet.leaderOf(fault.role) === victim &&
    (ELECTED_ROLES as readonly string[]).includes(fault.role);
  const pid = victim.kill();
  if (pid === null) return { kind: "skipped", at, planned, reason: "no process" };
  state.lastKillAt = at;
  return {
    kind: "kill",
    at,
    role: fault.role,
    instance: victim.name,
    pid,
    target: fault.target,
    wasLeader,
    ...(fault.during === undefined ? {} : { during: fault.during, phaseSeen }),
    ...(fallback ? { note: `no ${fault.target}${within}: killed another` } : {}),
  };
}

/** The instance a kill hits, among those running now. */
function chooseVictim(
  fleet: FleetView,
  role: ServiceRole,
  target: Target,
  random: () => number,
): Killable | undefined {
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
