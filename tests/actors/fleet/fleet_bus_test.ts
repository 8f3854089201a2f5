/**
 * The fleet bus: one consumer per group for every model's child, records handed by model, a
 * batch committed only once every child it went to handled its part, a crashed child's part
 * handed again to its next incarnation alone, and the groups of the fleet before the bus
 * migrated (what a model's old group committed is not handed to it again).
 */

import assert from "node:assert/strict";
import { FleetBus } from "../../../actors/fleet/fleet_bus.ts";
import { InProcessTransport } from "../../../transport/in_process.ts";
import type { ConsumedRecord, Subscription } from "../../../transport/transport.ts";
import { defaultLogger } from "../../../logging/logger.ts";
import { eventually } from "../../fixtures/eventually.ts";

const TOPIC = "control";
const MODELS = ["a", "b"];
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A record's model is its value's text before the colon; "?" does not decode. */
function modelOf(record: ConsumedRecord): string | null {
  const text = decoder.decode(record.value);
  return text.startsWith("?") ? null : text.split(":")[0];
}

/** One partition, so a batch's order is the publishing order. */
function setup(waitMs = 5_000) {
  const transport = new InProcessTransport({ topics: { [TOPIC]: 1 } });
  const bus = new FleetBus({ transport, models: MODELS, modelOf, waitMs, logger: defaultLogger() });
  const publish = (...values: string[]) =>
    transport.publish(TOPIC, values.map((v) => ({ key: null, value: encoder.encode(v) })));
  return { transport, bus, publish };
}

/** A child of `model` that notes the values it handles, through `handle` when given. */
function child(
  bus: FleetBus,
  model: string,
  seen: string[],
  handle?: (values: string[]) => Promise<void>,
): Promise<Subscription> {
  return bus.subscribe(model, {
    group: "role",
    topics: [TOPIC],
    handler: async (records) => {
      const values = records.map((r) => decoder.decode(r.value));
      await handle?.(values);
      seen.push(...values);
    },
  });
}

Deno.test("records go to their model's child, deployment-wide ones to every child", async () => {
  const { transport, bus, publish } = setup();
  await publish("a:1", "b:1", ":all", "?bad", "c:other fleet", "a:2");
  const seenA: string[] = [];
  const seenB: string[] = [];
  const subA = await child(bus, "a", seenA);
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.deepEqual(seenA, [], "nothing is consumed until every model's child is in");
  const subB = await child(bus, "b", seenB);
  await eventually(() => seenA.length === 4 && seenB.length === 2, { what: "handed out" });
  assert.deepEqual(seenA, ["a:1", ":all", "?bad", "a:2"], "an undecodable record goes once");
  assert.deepEqual(seenB, ["b:1", ":all"]);
  await subA.stop();
  await subB.stop();
  assert.deepEqual(await transport.committedOffsets("role", TOPIC), [6]);
  assert.deepEqual(await transport.committedOffsets("role.a", TOPIC), [-1], "one group only");
  await transport.close();
});

Deno.test("a batch is committed only once every child it went to handled its part", async () => {
  const { transport, bus, publish } = setup();
  const release = Promise.withResolvers<void>();
  const seenA: string[] = [];
  const seenB: string[] = [];
  await child(bus, "a", seenA);
  const subB = await child(bus, "b", seenB, () => release.promise);
  await publish("a:1", "b:1");
  await eventually(() => seenA.length === 1, { what: "a handled its part" });
  assert.deepEqual(await transport.committedOffsets("role", TOPIC), [0], "b has not handled yet");
  release.resolve();
  await eventually(async () => (await transport.committedOffsets("role", TOPIC))[0] === 2, {
    what: "committed once b handled its part",
  });
  await subB.stop();
  await transport.close();
});

Deno.test("a child that crashed on its part gets it again when it is back; no other does", async () => {
  const { transport, bus, publish } = setup();
  const seenA: string[] = [];
  const seenB: string[] = [];
  await child(bus, "a", seenA);
  const crashing = await child(bus, "b", [], () => Promise.reject(new Error("b crashed")));
  await publish("a:1", "b:1", ":all");
  await assert.rejects(crashing.done, /b crashed/);
  assert.deepEqual(await transport.committedOffsets("role", TOPIC), [0]);
  // The restarted child.
  const subB = await child(bus, "b", seenB);
  await eventually(async () => (await transport.committedOffsets("role", TOPIC))[0] === 3, {
    what: "committed once b's next incarnation handled its part",
  });
  assert.deepEqual(seenB, ["b:1", ":all"]);
  assert.deepEqual(seenA, ["a:1", ":all"], "a's part was handled once");
  await subB.stop();
  await transport.close();
});

Deno.test("a model whose child does not come back fails every child on the group", async () => {
  const { transport, bus, publish } = setup(300);
  const subA = await child(bus, "a", []);
  const crashing = await child(bus, "b", [], () => Promise.reject(new Error("b crashed")));
  await publish("b:1");
  await assert.rejects(crashing.done, /b crashed/);
  await assert.rejects(subA.done, /model 'b' did not come back to group 'role' within 300 ms/);
  assert.deepEqual(await transport.committedOffsets("role", TOPIC), [0], "left to the next");
  await transport.close();
});

Deno.test("a model's records its group committed before the bus are not handed again", async () => {
  const { transport, bus, publish } = setup();
  await publish("a:1", "b:1", "a:2", "b:2");
  // Before the bus, a's child read in a group of its own and handled nothing (it crashed on its
  // first batch), b's read in its own up to offset 2 (then crashed).
  const idle = await transport.subscribe({
    group: "role.a",
    topics: [TOPIC],
    handler: () => Promise.reject(new Error("killed")),
  });
  await assert.rejects(idle.done, /killed/);
  assert.deepEqual(await transport.committedOffsets("role.a", TOPIC), [0]);
  let batches = 0;
  const old = await transport.subscribe({
    group: "role.b",
    topics: [TOPIC],
    maxBatch: 2,
    handler: () => ++batches === 1 ? Promise.resolve() : Promise.reject(new Error("killed")),
  });
  await assert.rejects(old.done, /killed/);
  assert.deepEqual(await transport.committedOffsets("role.b", TOPIC), [2]);
  const seenA: string[] = [];
  const seenB: string[] = [];
  await child(bus, "a", seenA);
  const subB = await child(bus, "b", seenB);
  await eventually(async () => (await transport.committedOffsets("role", TOPIC))[0] === 4, {
    what: "the bus's group committed",
  });
  assert.deepEqual(seenA, ["a:1", "a:2"], "a's old group committed nothing");
  assert.deepEqual(seenB, ["b:2"]);
  await subB.stop();
  await transport.close();
});

Deno.test("a child of a model outside the fleet, or with partition callbacks, is refused", async () => {
  const { transport, bus } = setup();
  await assert.rejects(
    () => child(bus, "z", []),
    /model must be one of the fleet bus's \(a, b\): current value is "z"/,
  );
  await assert.rejects(
    () =>
      bus.subscribe("a", {
        group: "role",
        topics: [TOPIC],
        handler: async () => {},
        onAssigned: async () => {},
      }),
    /group 'role' of model 'a': a fleet child cannot take partition callbacks/,
  );
  await transport.close();
});

Deno.test("a record split by model goes to each child as its part only, to none it leaves out", async () => {
  const transport = new InProcessTransport({ topics: { [TOPIC]: 1 } });
  // A split record is a list of `model=item`, each model taking its items.
  const partsOf = (record: ConsumedRecord) => {
    const text = decoder.decode(record.value);
    if (!text.includes("=")) return undefined;
    if (text.startsWith("?")) throw new Error("does not decode");
    const parts = new Map<string, ConsumedRecord>();
    for (const item of text.split(",")) {
      const model = item.split("=")[0];
      const part = parts.get(model);
      const value = part === undefined ? item : `${decoder.decode(part.value)},${item}`;
      parts.set(model, { ...record, value: encoder.encode(value) });
    }
    return parts;
  };
  const bus = new FleetBus({
    transport,
    models: ["a", "b", "c"],
    modelOf,
    partsOf,
    waitMs: 5_000,
    logger: defaultLogger(),
  });
  const calls = { a: 0, b: 0, c: 0 };
  const seen = { a: [] as string[], b: [] as string[], c: [] as string[] };
  const subscriptions = await Promise.all(
    (["a", "b", "c"] as const).map((model) =>
      child(bus, model, seen[model], () => {
        calls[model]++;
        return Promise.resolve();
      })
    ),
  );
  await transport.publish(
    TOPIC,
    ["a=1,b=2,a=3,x=4", "b=5", "?=6", ":all"].map((v) => ({ key: null, value: encoder.encode(v) })),
  );
  await eventually(async () => (await transport.committedOffsets("role", TOPIC))[0] === 4, {
    what: "the batch committed",
  });
  assert.deepEqual(seen.a, ["a=1,a=3", "?=6", ":all"], "an undecodable record goes once");
  assert.deepEqual(seen.b, ["b=2", "b=5", ":all"]);
  assert.deepEqual(seen.c, [":all"], "c's child is handed no part of the split records");
  for (const model of ["a", "b", "c"] as const) {
    assert.ok(calls[model] >= 1 && calls[model] <= 4, `${model}: ${calls[model]} calls`);
  }
  for (const subscription of subscriptions) await subscription.stop();
  await transport.close();
});
