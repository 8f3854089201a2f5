import assert from "node:assert/strict";
import type { ServiceRole } from "../../../config/roles.ts";
import type { Phase, PlannedFault } from "../../../scripts/chaos/fault_plan.ts";
import {
  type FaultTargets,
  injectFaults,
  type InjectorTiming,
  type Killable,
} from "../../../scripts/chaos/injector.ts";
import type { FaultRecord } from "../../../scripts/chaos/observations.ts";

const TIMING: InjectorTiming = {
  victimWaitMs: 50,
  lateVictimWaitMs: 20,
  phaseGraceMs: 100,
  phaseKillGapMs: 30,
  askAfterMs: 20,
  pollMs: 2,
};

/** One instance per role that comes straight back after a kill (a new pid), always leading. */
function fleet(): FaultTargets["fleet"] & { kills: string[] } {
  const kills: string[] = [];
  const instances = new Map<ServiceRole, Killable>();
  const instance = (role: ServiceRole): Killable => {
    let pid = 100;
    const found = instances.get(role) ??
      { name: `${role}#1`, alive: true, kill: () => (kills.push(role), ++pid) };
    instances.set(role, found);
    return found;
  };
  return { kills, of: (role) => [instance(role)], leaderOf: (role) => instance(role) };
}

function targets(underWay: (phase: Phase) => boolean, events: string[] = []): FaultTargets {
  return {
    fleet: fleet(),
    underWay,
    etcd: {
      kill: () => Promise.resolve(void events.push("etcd down")),
      restart: () => Promise.resolve(void events.push("etcd up")),
    },
    broker: { pause: () => events.push("broker paused"), resume: () => events.push("resumed") },
  };
}

function run(plan: PlannedFault[], on: FaultTargets, lines: string[] = []): Promise<FaultRecord[]> {
  const windowStart = Date.now();
  return injectFaults(plan, on, {
    windowStart,
    windowEnd: windowStart + 100,
    seed: 1,
    log: (line) => lines.push(line),
    timing: TIMING,
  });
}

function kill(role: ServiceRole, atMs: number, during?: Phase): PlannedFault {
  return { kind: "kill", atMs, role, target: "leader", ...(during ? { during } : {}) };
}

Deno.test("injectFaults: a phase kill waiting for its phase holds back no other phase kill", async () => {
  const records = await run(
    [kill("factory", 0, "optimisation"), kill("collector", 5, "assembly")],
    targets((phase) => phase === "assembly"),
  );
  const kills = records.filter((r) => r.kind === "kill");
  assert.deepEqual(kills.map((k) => [k.role, k.during, k.phaseSeen]), [
    ["collector", "assembly", true],
    ["factory", "optimisation", false],
  ]);
});

Deno.test("injectFaults: a phase never seen by the deadline is killed anyway, recorded as not seen, and says why", async () => {
  const lines: string[] = [];
  const records = await run([kill("optimiser", 0, "assembly")], targets(() => false), lines);
  assert.equal(records.length, 1);
  assert.equal(records[0].kind === "kill" && records[0].phaseSeen, false);
  assert.ok(
    lines.some((line) => /during assembly: none seen .* deadline/.test(line)),
    lines.join("\n"),
  );
});

Deno.test("injectFaults: a phase kill waits past its planned time until its phase is under way", async () => {
  let looks = 0;
  const records = await run(
    [kill("factory", 0, "optimisation")],
    targets((phase) => phase === "optimisation" && ++looks > 5),
  );
  assert.ok(looks > 5);
  assert.equal(records[0].kind === "kill" && records[0].phaseSeen, true);
});

Deno.test("injectFaults: no phase kill while an outage is under way", async () => {
  const events: string[] = [];
  const records = await run(
    [{ kind: "broker-pause", atMs: 0, pauseMs: 40 }, kill("collector", 10, "assembly")],
    targets(() => true, events),
  );
  const pause = records.find((r) => r.kind === "broker-pause");
  const collector = records.find((r) => r.kind === "kill");
  assert.ok(pause !== undefined && pause.kind === "broker-pause");
  assert.ok(collector !== undefined && collector.kind === "kill" && collector.phaseSeen);
  assert.ok(collector.at >= pause.end, `kill at ${collector.at}, pause ended ${pause.end}`);
  assert.deepEqual(events, ["broker paused", "resumed"]);
});

Deno.test("injectFaults: phase kills ready together go one at a time, in plan order, records by time", async () => {
  const records = await run(
    [
      kill("collector", 0, "assembly"),
      kill("factory", 1, "assembly"),
      { kind: "etcd-restart", atMs: 80, downMs: 5 },
    ],
    targets(() => true),
  );
  const kills = records.filter((r) => r.kind === "kill");
  assert.deepEqual(kills.map((k) => k.role), ["collector", "factory"]);
  assert.ok(kills[1].at - kills[0].at >= TIMING.phaseKillGapMs);
  const times = records.map((r) => r.at);
  assert.deepEqual(times, [...times].sort((a, b) => a - b));
  assert.equal(records.filter((r) => r.kind === "etcd-restart").length, 1);
});

Deno.test("injectFaults: a kill due during an optimisation none came to asks for one, then hits it", async () => {
  let asked = 0;
  const lines: string[] = [];
  const on: FaultTargets = {
    ...targets(() => asked > 0),
    askForOptimisation: () => Promise.resolve(void asked++),
  };
  const records = await run([kill("factory", 0, "optimisation")], on, lines);
  assert.equal(asked, 1, lines.join("\n"));
  assert.ok(lines.some((line) => /none for .* asking for one/.test(line)), lines.join("\n"));
  assert.deepEqual(records.map((r) => r.kind === "kill" && [r.role, r.phaseSeen]), [[
    "factory",
    true,
  ]]);
});

Deno.test("injectFaults: an optimisation asked for that never comes is asked for again, then killed anyway", async () => {
  let asked = 0;
  const on: FaultTargets = {
    ...targets(() => false),
    askForOptimisation: () => Promise.resolve(void asked++),
  };
  const records = await run([kill("factory", 0, "optimisation")], on);
  assert.ok(asked >= 2, `asked ${asked} times`);
  assert.equal(records[0].kind === "kill" && records[0].phaseSeen, false);
});
