import assert from "node:assert/strict";
import {
  ELECTED_ROLES,
  PHASE_KILL_SHARE,
  planFaults,
  type PlanOptions,
} from "../../../scripts/chaos/fault_plan.ts";

const OPTIONS: PlanOptions = {
  seed: 42,
  windowMs: 300_000,
  randomKills: 4,
  etcdDownMs: 5_000,
  brokerPauseMs: 20_000,
};

Deno.test("planFaults: the same seed gives the same plan, another seed another", () => {
  assert.deepEqual(planFaults(OPTIONS), planFaults(OPTIONS));
  assert.notDeepEqual(planFaults(OPTIONS), planFaults({ ...OPTIONS, seed: 43 }));
});

Deno.test("planFaults: each elected role's leader is killed during an optimisation and during an assembly", () => {
  for (const seed of [1, 2, 3, 99]) {
    const kills = planFaults({ ...OPTIONS, seed }).filter((f) => f.kind === "kill");
    for (const role of ELECTED_ROLES) {
      const phases = kills
        .filter((f) => f.role === role && f.during !== undefined)
        .map((f) => f.kind === "kill" && f.target === "leader" ? f.during : "not the leader");
      assert.deepEqual(phases.sort(), ["assembly", "optimisation"], `seed ${seed}, ${role}`);
    }
  }
});

Deno.test("planFaults: one etcd restart, one broker pause, the random kills, ordered in the window", () => {
  const plan = planFaults(OPTIONS);
  assert.equal(plan.filter((f) => f.kind === "etcd-restart").length, 1);
  assert.equal(plan.filter((f) => f.kind === "broker-pause").length, 1);
  assert.equal(plan.length, 6 + OPTIONS.randomKills + 2);
  const times = plan.map((f) => f.atMs);
  assert.deepEqual(times, [...times].sort((a, b) => a - b));
  assert.ok(times[0] >= 0);
  // The broker pause ends inside the window.
  assert.ok(times.at(-1)! + OPTIONS.brokerPauseMs <= OPTIONS.windowMs);
});

Deno.test("planFaults: rejects bad options naming them", () => {
  assert.throws(() => planFaults({ ...OPTIONS, windowMs: 0 }), /windowMs must be positive/);
  assert.throws(() => planFaults({ ...OPTIONS, randomKills: -1 }), /randomKills must be/);
  assert.throws(() => planFaults({ ...OPTIONS, windowMs: 10_000 }), /windowMs must exceed/);
  assert.throws(() => planFaults({ ...OPTIONS, seed: 0.5 }), /seed must be an integer/);
});

Deno.test("planFaults: the phase kills fall in the window's first part, where phases still come", () => {
  for (const seed of [1, 2, 3, 99]) {
    const usable = OPTIONS.windowMs - OPTIONS.brokerPauseMs;
    const phaseKills = planFaults({ ...OPTIONS, seed })
      .filter((f) => f.kind === "kill" && f.during !== undefined);
    assert.equal(phaseKills.length, 6);
    for (const fault of phaseKills) {
      assert.ok(fault.atMs <= usable * PHASE_KILL_SHARE, `seed ${seed}: ${fault.atMs}`);
    }
  }
});
