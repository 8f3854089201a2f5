import assert from "node:assert/strict";
import FakeTimers from "@sinonjs/fake-timers";
import type { Logger } from "../../../logging/logger.ts";
import {
  installShutdown,
  runShutdown,
  type ShutdownStep,
  ShutdownTimeoutError,
} from "../../../actors/runtime/shutdown.ts";
import { within } from "../../fixtures/eventually.ts";

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

function step(name: string, log: string[], run: () => Promise<void> = async () => {}) {
  return {
    name,
    run: async () => {
      log.push(`begin ${name}`);
      await run();
      log.push(`end ${name}`);
    },
  } satisfies ShutdownStep;
}

Deno.test("steps run one after another, in order", async () => {
  const log: string[] = [];
  const slow = () => new Promise<void>((resolve) => setTimeout(resolve, 5));
  await runShutdown(
    [step("stop actors", log, slow), step("close transport", log), step("close registry", log)],
    { deadlineMs: 10_000, logger: quiet },
  );
  assert.deepEqual(log, [
    "begin stop actors",
    "end stop actors",
    "begin close transport",
    "end close transport",
    "begin close registry",
    "end close registry",
  ]);
});

Deno.test("a failing step does not keep the clients open, and its error is reported", async () => {
  const log: string[] = [];
  await assert.rejects(
    runShutdown([
      step("stop actors", log, () => Promise.reject(new Error("commit failed"))),
      step("close transport", log),
    ], { deadlineMs: 10_000, logger: quiet }),
    /commit failed/,
  );
  assert.deepEqual(log, ["begin stop actors", "begin close transport", "end close transport"]);
});

Deno.test("past the deadline the sequence rejects naming the step in progress", async () => {
  const clock = FakeTimers.install({ toFake: ["setTimeout", "clearTimeout"] });
  try {
    const log: string[] = [];
    const outcome = runShutdown(
      [step("stop actors", log, () => new Promise(() => {})), step("close transport", log)],
      { deadlineMs: 3_000, logger: quiet },
    ).then(() => undefined, (error) => error);
    await clock.tickAsync(3_000);
    const error = await outcome;
    assert.ok(error instanceof ShutdownTimeoutError);
    assert.equal(error.step, "stop actors");
    assert.match(error.message, /within 3000 ms: step 'stop actors' was still running/);
    assert.deepEqual(log, ["begin stop actors"]);
  } finally {
    clock.uninstall();
  }
});

Deno.test({
  name: "SIGTERM runs the sequence and exits 0; a second signal exits at once",
  permissions: { run: true },
  async fn() {
    const exits: number[] = [];
    const exited = Promise.withResolvers<void>();
    const exit = (code: number) => {
      exits.push(code);
      exited.resolve();
    };
    const log: string[] = [];
    const first = installShutdown([step("stop actors", log), step("close transport", log)], {
      deadlineMs: 10_000,
      logger: quiet,
      exit,
    });
    try {
      Deno.kill(Deno.pid, "SIGTERM");
      await within(exited.promise, { what: "the process exits", deadlineMs: 5_000 });
      assert.deepEqual(exits, [0]);
      assert.deepEqual(log, [
        "begin stop actors",
        "end stop actors",
        "begin close transport",
        "end close transport",
      ]);
    } finally {
      first.dispose();
    }

    const forced = Promise.withResolvers<void>();
    const hanging = Promise.withResolvers<void>();
    const codes: number[] = [];
    const second = installShutdown([{ name: "stuck", run: () => hanging.promise }], {
      deadlineMs: 10_000,
      logger: quiet,
      duplicateWindowMs: 10,
      exit: (code) => {
        codes.push(code);
        forced.resolve();
      },
    });
    try {
      // SIGTERM again: the test runner itself answers SIGINT.
      Deno.kill(Deno.pid, "SIGTERM");
      // The stuck step starts on the first signal; the second one must not wait for it.
      await new Promise((resolve) => setTimeout(resolve, 50));
      Deno.kill(Deno.pid, "SIGTERM");
      await within(forced.promise, {
        what: "the second signal forces the exit",
        deadlineMs: 5_000,
      });
      assert.deepEqual(codes, [143]);
    } finally {
      second.dispose();
      hanging.resolve();
    }
  },
});

Deno.test({
  name: "the same signal twice within the duplicate window is one request (one Ctrl-C)",
  permissions: { run: true },
  async fn() {
    const exited = Promise.withResolvers<void>();
    const codes: number[] = [];
    const slow = Promise.withResolvers<void>();
    const handle = installShutdown([{ name: "drain", run: () => slow.promise }], {
      deadlineMs: 10_000,
      logger: quiet,
      duplicateWindowMs: 5_000,
      exit: (code) => {
        codes.push(code);
        exited.resolve();
      },
    });
    try {
      // A terminal's Ctrl-C reaches `deno task` and its child, which forwards it: two in a row.
      Deno.kill(Deno.pid, "SIGTERM");
      Deno.kill(Deno.pid, "SIGTERM");
      assert.equal(
        await within(handle.requested, { what: "the request", deadlineMs: 5_000 }),
        "SIGTERM",
      );
      await new Promise((resolve) => setTimeout(resolve, 50));
      slow.resolve();
      await within(exited.promise, { what: "the exit", deadlineMs: 5_000 });
      assert.deepEqual(
        codes,
        [0],
        "the duplicate neither forced an exit nor ran a second shutdown",
      );
    } finally {
      handle.dispose();
    }
  },
});
