import assert from "node:assert/strict";
import { z } from "zod";
import { DurableState, StateConflictError } from "../../actors/durable_state.ts";
import { LeadershipLostError, RetriableError } from "../../actors/runtime/failure.ts";
import { InProcessRegistry } from "../../registry/in_process.ts";
import type { Leadership } from "../../registry/registry.ts";
import { EtcdStateStore } from "../../state/etcd.ts";
import { InProcessStateStore } from "../../state/in_process.ts";
import type { Schema, StateKey, StateStore } from "../../state/state_store.ts";
import { etcdEndpoints, uniqueName } from "../fixtures/services.ts";
import type { Logger } from "../../logging/logger.ts";

const schema = z.strictObject({ sequence: z.number().int().nonnegative() });
type Counter = z.infer<typeof schema>;
const key: StateKey = { role: "collector", name: "leader" };

/** A logger that keeps its warnings. */
function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  const logger = {
    warnings,
    debug: () => {},
    info: () => {},
    warn: (message: string, properties?: Record<string, unknown>) =>
      warnings.push(`${message} ${JSON.stringify(properties)}`),
    error: () => {},
  };
  return logger as unknown as Logger & { warnings: string[] };
}

/** A durable state on `store` whose background failures are collected in `errors`. */
function durable(store: StateStore, errors: unknown[], leadership?: Leadership) {
  return new DurableState<Counter>({
    store,
    key,
    schema,
    logger: recordingLogger(),
    timeoutMs: 5_000,
    leadership,
    onError: (error) => errors.push(error),
  });
}

/** The tests every state store must pass under a DurableState. */
function durableStateSuite(
  name: string,
  open: () => Promise<StateStore>,
  permissions: Deno.PermissionOptions,
): void {
  const test = (title: string, body: (store: StateStore) => Promise<void>) =>
    Deno.test(`DurableState on ${name}: ${title}`, { permissions }, async () => {
      const store = await open();
      try {
        await body(store);
      } finally {
        await store.close();
      }
    });

  test("a successor loads what its predecessor saved", async (store) => {
    const errors: unknown[] = [];
    const first = durable(store, errors);
    assert.equal(await first.load(), undefined);
    first.save({ sequence: 1 });
    first.save({ sequence: 2 });
    await first.flush();
    const second = durable(store, errors);
    assert.deepEqual(await second.load(), { sequence: 2 });
    second.save({ sequence: 3 });
    await second.flush();
    assert.deepEqual(await durable(store, errors).load(), { sequence: 3 });
    assert.deepEqual(errors, []);
  });

  test("once a successor claimed the state, a predecessor's write is refused", async (store) => {
    const deposed: unknown[] = [];
    const predecessor = durable(store, deposed);
    await predecessor.load();
    await predecessor.claim({ sequence: 5 });
    const successor = durable(store, []);
    assert.deepEqual(await successor.load(), { sequence: 5 });
    await successor.claim({ sequence: 5 });
    predecessor.save({ sequence: 6 });
    await assert.rejects(predecessor.flush(), StateConflictError);
    assert.ok(deposed[0] instanceof StateConflictError);
    assert.ok(deposed[0] instanceof RetriableError);
    assert.deepEqual(await durable(store, []).load(), { sequence: 5 });
    predecessor.save({ sequence: 7 });
    await assert.rejects(predecessor.flush(), StateConflictError);
    assert.equal(deposed.length, 1);
  });

  test("a leader's write after its leadership was lost is refused", async (store) => {
    const registry = new InProcessRegistry();
    try {
      const leadership = await registry.campaign("retune/collector", "a");
      const errors: unknown[] = [];
      const leader = durable(store, errors, leadership);
      await leader.load();
      await leader.claim({ sequence: 1 });
      await leadership.resign();
      leader.save({ sequence: 2 });
      await assert.rejects(leader.flush(), LeadershipLostError);
      assert.deepEqual(await durable(store, []).load(), { sequence: 1 });
    } finally {
      await registry.close();
    }
  });

  test("clear deletes what this instance wrote", async (store) => {
    const state = durable(store, []);
    await state.load();
    state.save({ sequence: 1 });
    await state.clear();
    assert.equal(await durable(store, []).load(), undefined);
  });
}

durableStateSuite(
  "InProcessStateStore",
  () => Promise.resolve(new InProcessStateStore(uniqueName("durable"))),
  "none",
);

durableStateSuite(
  "EtcdStateStore",
  async () => new EtcdStateStore({ endpoints: await etcdEndpoints(), deployment: uniqueName("d") }),
  { net: ["127.0.0.1"], env: true },
);

/** A store that counts puts and how many run at once, answering each after a turn. */
class WatchedStore extends InProcessStateStore {
  puts = 0;
  inFlight = 0;
  mostInFlight = 0;

  override async put<T>(k: StateKey, value: T, revision: number, s: Schema<T>) {
    this.puts++;
    this.mostInFlight = Math.max(this.mostInFlight, ++this.inFlight);
    await new Promise((resolve) => setTimeout(resolve, 0));
    try {
      return await super.put(k, value, revision, s);
    } finally {
      this.inFlight--;
    }
  }
}

Deno.test("saves are coalesced: the latest wins, one write in flight", async () => {
  const store = new WatchedStore("coalesce");
  const state = durable(store, []);
  await state.load();
  for (let sequence = 1; sequence <= 100; sequence++) state.save({ sequence });
  await state.flush();
  assert.deepEqual(await durable(store, []).load(), { sequence: 100 });
  assert.equal(store.mostInFlight, 1);
  assert.ok(store.puts <= 2, `${store.puts} writes for 100 saves`);
});

Deno.test("a store call past its deadline fails retriably and says why", async () => {
  const store = new InProcessStateStore("hanging");
  store.get = () => new Promise(() => {});
  const logger = recordingLogger();
  const state = new DurableState<Counter>({
    store,
    key,
    schema,
    logger,
    timeoutMs: 20,
    onError: () => {},
  });
  await assert.rejects(state.load(), (error: Error) => {
    assert.ok(error instanceof RetriableError);
    assert.match(error.message, /did not answer the read of collector\/leader within 20 ms/);
    return true;
  });
  assert.match(logger.warnings[0], /did not answer the read/);
});

Deno.test("a deadline that is not a positive integer is rejected by name", () => {
  assert.throws(
    () =>
      new DurableState<Counter>({
        store: new InProcessStateStore("bad"),
        key,
        schema,
        logger: recordingLogger(),
        timeoutMs: 0,
        onError: () => {},
      }),
    /timeoutMs must be an integer >= 1: current value is 0/,
  );
});
