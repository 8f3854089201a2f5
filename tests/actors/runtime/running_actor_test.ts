import assert from "node:assert/strict";
import type { ActorContext, Behaviour } from "../../../actors/runtime/actor.ts";
import type { Logger } from "../../../logging/logger.ts";
import { RunningActor } from "../../../actors/runtime/running_actor.ts";
import type { SubscribeOptions, Subscription, Transport } from "../../../transport/transport.ts";

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const options: SubscribeOptions = {
  group: "g",
  topics: ["inbox"],
  handler: () => Promise.resolve(),
};

/** A transport whose subscriptions the test ends by hand; it logs what happens to them. */
class ScriptedTransport implements Transport {
  readonly log: string[] = [];
  readonly ends: PromiseWithResolvers<void>[] = [];
  /** Resolves `subscribe` only when the test says so. */
  joined: Promise<void> = Promise.resolve();

  async subscribe(): Promise<Subscription> {
    await this.joined;
    const index = this.ends.length;
    const end = Promise.withResolvers<void>();
    end.promise.catch(() => {});
    this.ends.push(end);
    this.log.push(`subscribed ${index}`);
    return {
      stop: () => {
        this.log.push(`stopped ${index}`);
        end.resolve();
        return Promise.resolve();
      },
      done: end.promise,
    };
  }
  publish = () => Promise.resolve();
  partitions = () => Promise.resolve(1);
  endOffsets = () => Promise.resolve([0]);
  committedOffsets = () => Promise.resolve([-1]);
  close = () => Promise.resolve();
}

function actor(transport: Transport, behaviour: Behaviour, failures: unknown[]): RunningActor {
  return new RunningActor(
    { name: "a", create: () => behaviour },
    transport,
    quiet,
    (ending) => failures.push(ending.kind === "failed" ? ending.error : "completed"),
    60_000,
  );
}

Deno.test("stop aborts the signal, stops the subscriptions, then runs postStop, once", async () => {
  const transport = new ScriptedTransport();
  const failures: unknown[] = [];
  let context: ActorContext | undefined;
  const running = actor(transport, {
    async start(ctx) {
      context = ctx;
      await ctx.subscribe(options);
    },
    postStop(ctx) {
      transport.log.push(`stop hook, signal aborted: ${ctx.signal.aborted}`);
    },
  }, failures);
  await running.start();
  await Promise.all([running.stop(), running.stop()]);
  assert.equal(context!.signal.aborted, true);
  assert.deepEqual(transport.log, ["subscribed 0", "stopped 0", "stop hook, signal aborted: true"]);
  assert.deepEqual(failures, []);
});

Deno.test("a subscription that fails or ends on its own is the actor's failure, reported once", async () => {
  for (const end of ["fails", "ends"] as const) {
    const transport = new ScriptedTransport();
    const failures: unknown[] = [];
    const running = actor(transport, {
      async start(ctx) {
        await ctx.subscribe(options);
        await ctx.subscribe(options);
      },
    }, failures);
    await running.start();
    if (end === "fails") transport.ends[0].reject(new Error("consumer crashed"));
    else transport.ends[0].resolve();
    transport.ends[1].reject(new Error("second crash"));
    await new Promise((resolve) => setTimeout(resolve, 0));
    assert.equal(failures.length, 1, end);
    assert.match(
      String(failures[0]),
      end === "fails" ? /consumer crashed/ : /subscription to inbox ended on its own/,
    );
    await running.stop();
  }
});

Deno.test("a behaviour may stop its own subscription without failing", async () => {
  const transport = new ScriptedTransport();
  const failures: unknown[] = [];
  const running = actor(transport, {
    async start(ctx) {
      const subscription = await ctx.subscribe(options);
      await subscription.stop();
    },
  }, failures);
  await running.start();
  await new Promise((resolve) => setTimeout(resolve, 0));
  await running.stop();
  assert.deepEqual(failures, []);
  assert.deepEqual(transport.log, ["subscribed 0", "stopped 0"]);
});

Deno.test("a subscription joined while the actor stops is stopped, not leaked", async () => {
  const transport = new ScriptedTransport();
  const joining = Promise.withResolvers<void>();
  transport.joined = joining.promise;
  const failures: unknown[] = [];
  let subscribing: Promise<unknown> | undefined;
  const running = actor(transport, {
    start(ctx) {
      subscribing = ctx.subscribe(options).catch((error) => error);
    },
  }, failures);
  await running.start();
  const stopping = running.stop();
  joining.resolve();
  await stopping;
  assert.equal((await subscribing as Error).name, "AbortError");
  assert.deepEqual(transport.log, ["subscribed 0", "stopped 0"]);
});

Deno.test("a behaviour whose start throws reports the error", async () => {
  const failures: unknown[] = [];
  const running = actor(new ScriptedTransport(), {
    start() {
      throw new Error("no database");
    },
  }, failures);
  await running.start();
  assert.match(String(failures[0]), /no database/);
  await running.stop();
});
