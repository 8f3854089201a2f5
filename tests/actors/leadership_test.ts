import assert from "node:assert/strict";
import { lead } from "../../actors/leadership.ts";
import { LeaderBoard } from "../../actors/leader_board.ts";
import type { ActorContext } from "../../actors/runtime/actor.ts";
import { InProcessRegistry } from "../../registry/in_process.ts";
import type { Leadership, Registry } from "../../registry/registry.ts";

/** What `lead` uses of an actor context, recording warnings and failures. */
function context(signal: AbortSignal) {
  const warnings: string[] = [];
  const infos: string[] = [];
  const failures: unknown[] = [];
  const ctx = {
    name: "factory",
    signal,
    logger: {
      debug() {},
      info: (message: string, properties?: Record<string, unknown>) =>
        infos.push(`${message} ${JSON.stringify(properties)}`),
      warn: (message: string, properties?: Record<string, unknown>) =>
        warnings.push(`${message} ${JSON.stringify(properties)}`),
      error() {},
    },
    fail: (error: unknown) => failures.push(error),
  } as unknown as ActorContext;
  return { ctx, warnings, infos, failures };
}

/** A registry whose first `failures` campaigns fail as if etcd were away. */
function flakyRegistry(inner: Registry, failures: number): Registry {
  let left = failures;
  return Object.assign(Object.create(inner) as Registry, {
    campaign(election: string, candidate: string, signal?: AbortSignal): Promise<Leadership> {
      if (left-- > 0) return Promise.reject(new Error("etcd unavailable"));
      return inner.campaign(election, candidate, signal);
    },
  });
}

Deno.test("lead campaigns again while the registry is unreachable, then leads", {
  permissions: "none",
}, async () => {
  const inner = new InProcessRegistry();
  const { ctx, warnings, failures } = context(new AbortController().signal);
  const leadership = await lead(
    ctx,
    { registry: flakyRegistry(inner, 2), instance: "a", leaders: new LeaderBoard() },
    "factory",
  );
  assert.equal(leadership.lost.aborted, false);
  assert.equal(warnings.length, 2);
  assert.match(warnings[0], /campaign for \{role\} failed.*etcd unavailable/);
  assert.deepEqual(failures, []);
  await inner.close();
});

Deno.test(
  "losing leadership fails the actor with the reason",
  { permissions: "none" },
  async () => {
    const registry = new InProcessRegistry();
    const { ctx, failures } = context(new AbortController().signal);
    const leaders = new LeaderBoard();
    const leadership = await lead(ctx, { registry, instance: "a", leaders }, "collector");
    assert.equal(leaders.leads("collector"), true, "the board shows the leadership");
    await leadership.resign();
    assert.equal(leaders.leads("collector"), false, "the board shows it lost");
    assert.equal(failures.length, 1);
    assert.match(
      String(failures[0]),
      /lost collector leadership: .*a resigned from retune\/collector/,
    );
  },
);

Deno.test(
  "lead logs leaving the leadership once, whether it is lost or the actor stops",
  { permissions: "none" },
  async () => {
    const registry = new InProcessRegistry();
    const stop = new AbortController();
    const { ctx, infos } = context(stop.signal);
    const leadership = await lead(
      ctx,
      { registry, instance: "a", leaders: new LeaderBoard() },
      "optimiser",
    );
    await leadership.resign();
    stop.abort(new Error("stopping"));
    const left = infos.filter((line) => line.startsWith("left the {role} leadership"));
    assert.equal(left.length, 1);
    assert.match(left[0], /"role":"optimiser".*resigned/);
    await registry.close();
  },
);

Deno.test("a stopping actor stops campaigning", { permissions: "none" }, async () => {
  const inner = new InProcessRegistry();
  const stop = new AbortController();
  const { ctx } = context(stop.signal);
  const campaigning = lead(
    ctx,
    { registry: flakyRegistry(inner, 1_000), instance: "a", leaders: new LeaderBoard() },
    "optimiser",
  );
  stop.abort(new Error("stopping"));
  await assert.rejects(campaigning, { message: "stopping" });
  await inner.close();
});

Deno.test("lead logs `leading <role>` once it leads, and not while it waits", {
  permissions: "none",
}, async () => {
  const registry = new InProcessRegistry();
  const first = context(new AbortController().signal);
  const held = await lead(
    first.ctx,
    { registry, instance: "a", leaders: new LeaderBoard() },
    "factory",
  );
  assert.deepEqual(first.infos, ['leading {role} {"role":"factory"}']);
  const second = context(new AbortController().signal);
  const waiting = lead(
    second.ctx,
    { registry, instance: "b", leaders: new LeaderBoard() },
    "factory",
  );
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.deepEqual(second.infos, []);
  await held.resign();
  await waiting;
  assert.deepEqual(second.infos, ['leading {role} {"role":"factory"}']);
  await registry.close();
});
