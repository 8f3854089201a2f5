import assert from "node:assert/strict";
import FakeTimers from "@sinonjs/fake-timers";
import type { ActorContext, Behaviour, ChildSpec } from "../../../actors/runtime/actor.ts";
import type { Logger, LogProperties } from "../../../logging/logger.ts";
import { EscalationError, Supervisor } from "../../../actors/runtime/supervisor.ts";
import { FatalError, RetriableError } from "../../../actors/runtime/failure.ts";
import { InProcessTransport } from "../../../transport/in_process.ts";

/** Keeps every log record for assertions. */
class RecordingLogger implements Logger {
  records: { level: string; message: string; properties: LogProperties }[] = [];
  debug(message: string, properties: LogProperties = {}) {
    this.records.push({ level: "debug", message, properties });
  }
  info(message: string, properties: LogProperties = {}) {
    this.records.push({ level: "info", message, properties });
  }
  warn(message: string, properties: LogProperties = {}) {
    this.records.push({ level: "warn", message, properties });
  }
  error(message: string, properties: LogProperties = {}) {
    this.records.push({ level: "error", message, properties });
  }
  restartDelays(): unknown[] {
    return this.records
      .filter((record) => record.message.startsWith("restarting"))
      .map((record) => record.properties.delayMs);
  }
}

/** A child that records when each incarnation started and stopped, and can be told to fail. */
function child(name: string, events: string[], start: (context: ActorContext) => void = () => {}) {
  const spec: ChildSpec = {
    name,
    create: (): Behaviour => ({
      start(context) {
        events.push(`start ${name} @${Date.now()}`);
        start(context);
      },
      postStop() {
        events.push(`stop ${name} @${Date.now()}`);
      },
    }),
  };
  return spec;
}

function fakeClock() {
  return FakeTimers.install({ toFake: ["setTimeout", "clearTimeout", "Date"], now: 0 });
}

// jitter 0 makes the delays exact: 100, 200, 400, ...
const backoff = { initialMs: 100, maxMs: 10_000, factor: 2, jitter: 0 };

Deno.test("a child whose start throws is restarted with growing delays, then escalates", async () => {
  const clock = fakeClock();
  try {
    const events: string[] = [];
    const logger = new RecordingLogger();
    const supervisor = new Supervisor({
      name: "sup",
      transport: new InProcessTransport(),
      children: [child("flaky", events, () => {
        throw new Error(`boom at ${Date.now()}`);
      })],
      maxRestarts: 3,
      withinMs: 60_000,
      backoff,
      logger,
    });
    await supervisor.start();
    await clock.tickAsync(10_000);
    assert.deepEqual(events, [
      "start flaky @0",
      "stop flaky @0",
      "start flaky @100",
      "stop flaky @100",
      "start flaky @300",
      "stop flaky @300",
      "start flaky @700",
      "stop flaky @700",
    ]);
    assert.deepEqual(logger.restartDelays(), [100, 200, 400]);
    const error = await supervisor.done.then(() => undefined, (error) => error);
    assert.ok(error instanceof EscalationError);
    assert.equal(error.child, "flaky");
    assert.match(error.message, /supervisor 'sup' gave up: child 'flaky' failed after 3 restarts/);
    assert.match(error.message, /last error: Error: boom at 700/);
    assert.ok(
      logger.records.some((record) =>
        record.level === "debug" && record.message.includes("escalates")
      ),
      "the escalation's detail is logged for debugging",
    );
  } finally {
    clock.uninstall();
  }
});

Deno.test("fail() from a callback restarts only that child, as health() shows; stop runs every stop hook", async () => {
  const clock = fakeClock();
  try {
    const events: string[] = [];
    let incarnation = 0;
    const supervisor = new Supervisor({
      name: "sup",
      transport: new InProcessTransport(),
      children: [
        child("steady", events),
        child("timer", events, (context) => {
          // Only the first incarnation fails, 50 ms after it started.
          if (incarnation++ === 0) setTimeout(() => context.fail(new Error("lost")), 50);
        }),
      ],
      backoff,
      logger: new RecordingLogger(),
    });
    await supervisor.start();
    await clock.tickAsync(100);
    assert.deepEqual(supervisor.health(), [
      { name: "steady", status: "running", restarts: 0 },
      { name: "timer", status: "restarting", restarts: 0 },
    ]);
    await clock.tickAsync(900);
    assert.deepEqual(supervisor.health(), [
      { name: "steady", status: "running", restarts: 0 },
      { name: "timer", status: "running", restarts: 1 },
    ]);
    await supervisor.stop();
    await supervisor.done;
    assert.deepEqual(supervisor.health().map((child) => child.status), ["stopped", "stopped"]);
    assert.deepEqual(events, [
      "start steady @0",
      "start timer @0",
      "stop timer @50",
      "start timer @150",
      "stop timer @1000",
      "stop steady @1000",
    ]);
  } finally {
    clock.uninstall();
  }
});

Deno.test("a restarted child is made from the snapshot its predecessor left after its stop hooks", async () => {
  const clock = fakeClock();
  try {
    const made: unknown[] = [];
    /** Counts its starts and stops on top of what it was handed; fails on its first start. */
    const counter: ChildSpec = {
      name: "counter",
      create(previous) {
        made.push(previous);
        let counts = (previous as { starts: number; stops: number } | undefined) ??
          { starts: 0, stops: 0 };
        return {
          start(context) {
            counts = { ...counts, starts: counts.starts + 1 };
            if (counts.starts === 1) setTimeout(() => context.fail(new Error("lost")), 10);
          },
          postStop() {
            counts = { ...counts, stops: counts.stops + 1 };
          },
          snapshot: () => counts,
        };
      },
    };
    const supervisor = new Supervisor({
      name: "sup",
      transport: new InProcessTransport(),
      children: [counter, child("stateless", [])],
      backoff,
      logger: new RecordingLogger(),
    });
    await supervisor.start();
    await clock.tickAsync(1_000);
    await supervisor.stop();
    assert.deepEqual(made, [undefined, { starts: 1, stops: 1 }]);
  } finally {
    clock.uninstall();
  }
});

Deno.test("failures further apart than the window neither escalate nor grow the delay", async () => {
  const clock = fakeClock();
  try {
    const events: string[] = [];
    const logger = new RecordingLogger();
    const supervisor = new Supervisor({
      name: "sup",
      transport: new InProcessTransport(),
      children: [child("rare", events, (context) => {
        setTimeout(() => context.fail(new Error("rare")), 5_000);
      })],
      maxRestarts: 1,
      withinMs: 2_000,
      backoff,
      logger,
    });
    await supervisor.start();
    await clock.tickAsync(16_000);
    assert.deepEqual(logger.restartDelays(), [100, 100, 100]);
    await supervisor.stop();
    await supervisor.done;
  } finally {
    clock.uninstall();
  }
});

Deno.test("a failing subscription crashes the actor and its batch reaches the next incarnation", async () => {
  const clock = fakeClock();
  try {
    const transport = new InProcessTransport({ partitions: 1 });
    const handled: string[] = [];
    let incarnation = 0;
    const spec: ChildSpec = {
      name: "consumer",
      create: () => {
        const mine = incarnation++;
        return {
          async start(context) {
            await context.subscribe({
              group: "consumer",
              topics: ["inbox"],
              handler: (records) => {
                if (mine === 0) return Promise.reject(new Error("first incarnation cannot handle"));
                handled.push(...records.map((record) => new TextDecoder().decode(record.value)));
                return Promise.resolve();
              },
            });
          },
        };
      },
    };
    const supervisor = new Supervisor({
      name: "sup",
      transport,
      children: [spec],
      backoff,
      logger: new RecordingLogger(),
    });
    await supervisor.start();
    await transport.publish("inbox", [{ key: "k", value: new TextEncoder().encode("hello") }]);
    await clock.tickAsync(1_000);
    await supervisor.stop();
    await transport.close();
    assert.equal(incarnation, 2);
    assert.deepEqual(handled, ["hello"]);
  } finally {
    clock.uninstall();
  }
});

Deno.test("stop during a restart delay cancels the restart", async () => {
  const clock = fakeClock();
  try {
    const events: string[] = [];
    const supervisor = new Supervisor({
      name: "sup",
      transport: new InProcessTransport(),
      children: [child("flaky", events, () => {
        throw new Error("boom");
      })],
      backoff,
      logger: new RecordingLogger(),
    });
    await supervisor.start();
    await clock.tickAsync(50);
    await supervisor.stop();
    await clock.tickAsync(1_000);
    await supervisor.done;
    assert.deepEqual(events, ["start flaky @0", "stop flaky @0"]);
  } finally {
    clock.uninstall();
  }
});

Deno.test("each child writes to the logger loggerFor gives its name; restarts go to logger", async () => {
  const clock = fakeClock();
  try {
    const own = new RecordingLogger();
    const perChild: Record<string, RecordingLogger> = {
      engine: new RecordingLogger(),
      factory: new RecordingLogger(),
    };
    let incarnation = 0;
    const supervisor = new Supervisor({
      name: "sup",
      transport: new InProcessTransport(),
      children: [
        child("engine", [], (context) => context.logger.info("engine up")),
        child("factory", [], (context) => {
          context.logger.info("factory up");
          if (incarnation++ === 0) throw new Error("first start fails");
        }),
      ],
      backoff,
      logger: own,
      loggerFor: (name) => perChild[name],
    });
    await supervisor.start();
    await clock.tickAsync(1_000);
    await supervisor.stop();
    const messages = (logger: RecordingLogger) =>
      logger.records.map((record) => `${record.message} actor=${record.properties.actor}`);
    assert.deepEqual(messages(perChild.engine), ["engine up actor=engine"]);
    assert.deepEqual(messages(perChild.factory), [
      "factory up actor=factory",
      "factory up actor=factory",
    ]);
    assert.equal(own.restartDelays().length, 1, "the restart is the supervisor's record");
    assert.ok(own.records.every((record) => !/ up$/.test(record.message)));
  } finally {
    clock.uninstall();
  }
});

Deno.test("bad supervisor options are rejected up front", () => {
  const transport = new InProcessTransport();
  assert.throws(
    () => new Supervisor({ name: "s", transport, children: [], withinMs: 0 }),
    { name: "RangeError", message: "withinMs must be a positive number: current value is 0" },
  );
  assert.throws(
    () =>
      new Supervisor({
        name: "s",
        transport,
        children: [],
        backoff: { initialMs: 0, maxMs: 1, factor: 2, jitter: 0 },
      }),
    { name: "RangeError", message: "initialMs must be a positive number: current value is 0" },
  );
  const twin = child("twin", []);
  assert.throws(
    () => new Supervisor({ name: "s", transport, children: [twin, twin] }),
    /children must have unique names: 'twin' appears twice/,
  );
});

/** A child whose hooks say which ran; `start` decides how each incarnation ends. */
function hooked(
  name: string,
  events: string[],
  restart: ChildSpec["restart"],
  start: (context: ActorContext, incarnation: number) => void,
): ChildSpec {
  let incarnation = 0;
  return {
    name,
    restart,
    create: (): Behaviour => ({
      start(context) {
        events.push(`start ${name} @${Date.now()}`);
        start(context, incarnation++);
      },
      preRestart(_context, error) {
        events.push(`preRestart ${name} (${(error as Error).message}) @${Date.now()}`);
      },
      postStop() {
        events.push(`postStop ${name} @${Date.now()}`);
      },
    }),
  };
}

Deno.test("a failed child gets preRestart before its restart, postStop only when it stops for good", async () => {
  const clock = fakeClock();
  try {
    const events: string[] = [];
    const supervisor = new Supervisor({
      name: "sup",
      transport: new InProcessTransport(),
      children: [hooked("worker", events, "permanent", (context, n) => {
        if (n === 0) setTimeout(() => context.fail(new Error("broken")), 10);
      })],
      backoff,
      logger: new RecordingLogger(),
    });
    await supervisor.start();
    await clock.tickAsync(500);
    await supervisor.stop();
    assert.deepEqual(events, [
      "start worker @0",
      "preRestart worker (broken) @10",
      "start worker @110",
      "postStop worker @500",
    ]);
  } finally {
    clock.uninstall();
  }
});

Deno.test("restart types: permanent restarts after completing, transient only after failing, temporary never", async () => {
  const clock = fakeClock();
  try {
    const events: string[] = [];
    const completeOnce = (context: ActorContext, n: number) => {
      if (n === 0) setTimeout(() => context.complete(), 10);
    };
    const failOnce = (context: ActorContext, n: number) => {
      if (n === 0) setTimeout(() => context.fail(new Error("x")), 10);
    };
    const supervisor = new Supervisor({
      name: "sup",
      transport: new InProcessTransport(),
      children: [
        hooked("perm-done", events, "permanent", completeOnce),
        hooked("trans-done", events, "transient", completeOnce),
        hooked("trans-fail", events, "transient", failOnce),
        hooked("temp-fail", events, "temporary", failOnce),
      ],
      backoff,
      logger: new RecordingLogger(),
    });
    await supervisor.start();
    await clock.tickAsync(1_000);
    const starts = (name: string) => events.filter((e) => e.startsWith(`start ${name} `)).length;
    assert.equal(starts("perm-done"), 2);
    assert.equal(starts("trans-done"), 1);
    assert.equal(starts("trans-fail"), 2);
    assert.equal(starts("temp-fail"), 1);
    assert.ok(events.includes("postStop temp-fail @10"), "a temporary child stops for good");
    assert.ok(events.includes("postStop trans-done @10"), "a completed child stops for good");
    assert.deepEqual(supervisor.health(), [
      { name: "perm-done", status: "running", restarts: 1 },
      { name: "trans-done", status: "completed", restarts: 0 },
      { name: "trans-fail", status: "running", restarts: 1 },
      { name: "temp-fail", status: "stopped", restarts: 0 },
    ]);
    await supervisor.stop();
    await supervisor.done;
  } finally {
    clock.uninstall();
  }
});

Deno.test("a fatal failure escalates at once, without restarts", async () => {
  const clock = fakeClock();
  try {
    const events: string[] = [];
    const supervisor = new Supervisor({
      name: "sup",
      transport: new InProcessTransport(),
      children: [
        child("steady", events),
        child("misconfigured", events, () => {
          throw new FatalError("kafka.brokers is empty");
        }),
      ],
      maxRestarts: 5,
      backoff,
      logger: new RecordingLogger(),
    });
    await supervisor.start();
    await clock.tickAsync(1_000);
    const error = await supervisor.done.then(() => undefined, (error) => error);
    assert.ok(error instanceof EscalationError);
    assert.match(error.message, /'misconfigured' failed with an error no restart can fix/);
    assert.deepEqual(events, [
      "start steady @0",
      "start misconfigured @0",
      "stop misconfigured @0",
      "stop steady @0",
    ]);
  } finally {
    clock.uninstall();
  }
});

Deno.test("a child that overruns its shutdown timeout is reported and does not hold up the rest", async () => {
  const clock = fakeClock();
  try {
    const events: string[] = [];
    const supervisor = new Supervisor({
      name: "sup",
      transport: new InProcessTransport(),
      children: [
        child("quick", events),
        {
          name: "stuck",
          shutdownTimeoutMs: 200,
          create: () => ({ start() {}, postStop: () => new Promise<void>(() => {}) }),
        },
      ],
      shutdownTimeoutMs: 5_000,
      backoff,
      logger: new RecordingLogger(),
    });
    await supervisor.start();
    const stopping = supervisor.stop();
    await clock.tickAsync(200);
    await stopping;
    assert.deepEqual(supervisor.overruns, ["stuck"]);
    assert.deepEqual(events, ["start quick @0", "stop quick @200"]);
  } finally {
    clock.uninstall();
  }
});

Deno.test("an outage is ridden out past the restart intensity, then escalates after maxOutageMs", async () => {
  const clock = fakeClock();
  try {
    const events: string[] = [];
    const logger = new RecordingLogger();
    const supervisor = new Supervisor({
      name: "sup",
      transport: new InProcessTransport(),
      children: [child("client", events, () => {
        throw new RetriableError("broker unreachable", { service: "kafka" });
      })],
      maxRestarts: 2,
      maxOutageMs: 5_000,
      backoff: { initialMs: 100, maxMs: 1_000, factor: 2, jitter: 0 },
      logger,
    });
    await supervisor.start();
    await clock.tickAsync(4_000);
    const starts = () => events.filter((e) => e.startsWith("start")).length;
    assert.ok(starts() > 3, `more restarts than the intensity allows: ${starts()}`);
    let settled = false;
    supervisor.done.then(() => settled = true, () => settled = true);
    await clock.tickAsync(0);
    assert.equal(settled, false, "still riding out the outage");
    await clock.tickAsync(3_000);
    const error = await supervisor.done.then(() => undefined, (error) => error);
    assert.ok(error instanceof EscalationError);
    assert.match(error.message, /'client' kept failing for 5000 ms; last error: RetriableError/);
  } finally {
    clock.uninstall();
  }
});
