/**
 * A fleet's elected role is led by one process for every model: the second process's children
 * wait until the first one hands over, and losing the role's leadership fails each child.
 */

import assert from "node:assert/strict";
import { RoleLeadership } from "../../../actors/fleet/role_leadership.ts";
import { lead } from "../../../actors/leadership.ts";
import { LeaderBoard } from "../../../actors/leader_board.ts";
import type { ActorContext } from "../../../actors/runtime/actor.ts";
import { InProcessRegistry } from "../../../registry/in_process.ts";
import { NamespacedRegistry } from "../../../registry/namespaced.ts";

/** What `lead` uses of a model child's context, recording its failures. */
function child(model: string, signal: AbortSignal) {
  const failures: unknown[] = [];
  const quiet = () => {};
  const context = {
    name: `collector:${model}`,
    model,
    signal,
    logger: { debug: quiet, info: quiet, warn: quiet, error: quiet },
    fail: (error: unknown) => failures.push(error),
  } as unknown as ActorContext;
  return { context, failures };
}

Deno.test("a process leads a fleet's role for every model; a standby's children wait", {
  permissions: "none",
}, async () => {
  const registry = new InProcessRegistry();
  const led: string[] = [];
  const leadAll = (instance: string, roles: RoleLeadership, models: string[]) =>
    Promise.all(models.map(async (model) => {
      const { context } = child(model, new AbortController().signal);
      const leadership = await lead(context, {
        registry: new NamespacedRegistry(registry, `models/${model}`),
        instance,
        leaders: new LeaderBoard(),
        roleLeadership: roles,
      }, "collector");
      led.push(`${instance}:${model}`);
      return leadership;
    }));
  const rolesA = new RoleLeadership(registry, "a");
  const rolesB = new RoleLeadership(registry, "b");
  // a's child of south has not started yet: its election is free, and still b's waits.
  const modelsA = await leadAll("a", rolesA, ["north"]);
  const standby = leadAll("b", rolesB, ["north", "south"]);
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.deepEqual(led, ["a:north"], "b's children wait for the role");
  // Process a stops: its children resign their models, then it hands the role over.
  await Promise.all(modelsA.map((leadership) => leadership.resign()));
  await rolesA.close();
  await standby;
  assert.deepEqual(led.sort(), ["a:north", "b:north", "b:south"]);
  await rolesB.close();
});

Deno.test("losing the fleet's role leadership fails every child holding it", {
  permissions: "none",
}, async () => {
  const registry = new InProcessRegistry();
  const roles = new RoleLeadership(registry, "a");
  const children = ["north", "south"].map((model) => child(model, new AbortController().signal));
  for (const { context } of children) await roles.hold("collector", context);
  await roles.close();
  for (const { failures } of children) {
    assert.equal(failures.length, 1);
    assert.match(String(failures[0]), /collector/);
  }
});
