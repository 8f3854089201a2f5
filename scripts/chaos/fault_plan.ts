/**
 * The faults a chaos run injects, planned from a seed: for each of the collector, factory and
 * optimiser a kill -9 of its leader during an optimisation and one during an assembly, some kills
 * of random role instances, one etcd kill + restart and one 20 s broker pause (SIGSTOP), at
 * shuffled times spread over the fault window (the phase kills over its first part, since from
 * their time on they wait for their phase, which needs the stream still running).
 *
 * @module
 */

import type { ServiceRole } from "../../config/roles.ts";
import { pick, seededRandom } from "./random.ts";

/** Roles that run as leader + standby. */
export const ELECTED_ROLES = ["collector", "factory", "optimiser"] as const;

/** A role that runs as leader + standby. */
export type ElectedRole = typeof ELECTED_ROLES[number];

/** What the control plane is doing, as seen in the dataset ledger. */
export type Phase = "optimisation" | "assembly";

/** Which instance of a role a kill hits. */
export type Target = "leader" | "standby" | "any";

/** One planned fault. */
export type PlannedFault =
  | {
    kind: "kill";
    /** When, ms after the fault window opened. */
    atMs: number;
    role: ServiceRole;
    target: Target;
    /** When set, the kill waits (from `atMs`) for this phase. */
    during?: Phase;
  }
  | { kind: "etcd-restart"; atMs: number; downMs: number }
  | { kind: "broker-pause"; atMs: number; pauseMs: number };

/** How to plan. */
export interface PlanOptions {
  seed: number;
  /** Length of the fault window, ms. */
  windowMs: number;
  /** Kills of random roles beyond the phase kills. */
  randomKills: number;
  /** How long etcd stays down, ms. */
  etcdDownMs: number;
  /** How long the broker stays paused, ms. */
  brokerPauseMs: number;
}

/**
 * Share of the usable window the phase kills are placed in: from its time a phase kill waits for
 * its phase, and the phases (driven by the stream, which ends with the window) need time to come.
 */
export const PHASE_KILL_SHARE = 0.6;

/** Roles a random kill may hit. */
const ANY_ROLE: readonly ServiceRole[] = [
  "engine",
  "collector",
  "observer",
  "optimiser",
  "factory",
  "replayer",
];
const TARGETS: readonly Target[] = ["leader", "standby", "any"];

/**
 * The faults, ordered by time. Times are a span cut into one slot per fault, each fault placed
 * at random within a slot handed out in shuffled order, so faults neither pile up nor come in a
 * fixed order: the phase kills share the first `PHASE_KILL_SHARE` of the window, the other
 * faults the whole of it. The last slot ends early enough for the broker pause to end in the
 * window.
 */
export function planFaults(options: PlanOptions): PlannedFault[] {
  const { seed, windowMs, randomKills, etcdDownMs, brokerPauseMs } = options;
  for (const [name, value] of Object.entries({ windowMs, etcdDownMs, brokerPauseMs })) {
    if (!(Number.isFinite(value) && value > 0)) {
      throw new RangeError(`${name} must be positive: current value is ${value}`);
    }
  }
  if (!Number.isInteger(randomKills) || randomKills < 0) {
    throw new RangeError(`randomKills must be an integer >= 0: current value is ${randomKills}`);
  }
  const random = seededRandom(seed);
  // Placed in time below.
  const phaseKills: PlannedFault[] = [];
  for (const role of ELECTED_ROLES) {
    for (const during of ["optimisation", "assembly"] as const) {
      phaseKills.push({ kind: "kill", atMs: 0, role, target: "leader", during });
    }
  }
  const others: PlannedFault[] = [];
  for (let i = 0; i < randomKills; i++) {
    const role = pick(random, ANY_ROLE);
    const elected = (ELECTED_ROLES as readonly string[]).includes(role);
    const target = elected ? pick(random, TARGETS) : "any";
    others.push({ kind: "kill", atMs: 0, role, target });
  }
  others.push({ kind: "etcd-restart", atMs: 0, downMs: etcdDownMs });
  others.push({ kind: "broker-pause", atMs: 0, pauseMs: brokerPauseMs });

  const usable = windowMs - Math.max(etcdDownMs, brokerPauseMs);
  if (usable <= 0) {
    throw new RangeError(
      `windowMs must exceed the longest outage (${Math.max(etcdDownMs, brokerPauseMs)} ms): ` +
        `current value is ${windowMs}`,
    );
  }
  return [
    ...spread(random, phaseKills, usable * PHASE_KILL_SHARE),
    ...spread(random, others, usable),
  ].sort((a, b) => a.atMs - b.atMs);
}

/** The faults placed over `spanMs`: one slot each, handed out shuffled, a random time in it. */
function spread(random: () => number, faults: PlannedFault[], spanMs: number): PlannedFault[] {
  const slotMs = spanMs / faults.length;
  const slots = shuffled(random, faults.map((_, i) => i));
  return faults.map((fault, i) => ({ ...fault, atMs: Math.round((slots[i] + random()) * slotMs) }));
}

/** A shuffled copy (Fisher-Yates). */
function shuffled<T>(random: () => number, items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}
