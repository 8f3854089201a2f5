import assert from "node:assert/strict";
import {
  type RunOutcome,
  runRetryingCrash,
  SEGV_EXIT,
} from "../../../scripts/test_runner/crash_retry.ts";

/** A run that ends as `outcomes` say, one per call, counting its calls. */
function scripted(outcomes: RunOutcome<string>[]) {
  const calls = { runs: 0, retries: 0 };
  const run = () => Promise.resolve(outcomes[calls.runs++]);
  return { calls, run, onRetry: () => calls.retries++ };
}

const CRASH: RunOutcome<string> = { summary: undefined, code: SEGV_EXIT };

Deno.test("a run the runtime crashed is made once more, and the second run's outcome counts", async () => {
  const { calls, run, onRetry } = scripted([CRASH, { summary: "3 passed", code: 0 }]);
  const outcome = await runRetryingCrash(run, () => true, onRetry);
  assert.deepEqual(outcome, { summary: "3 passed", code: 0 });
  assert.deepEqual(calls, { runs: 2, retries: 1 });
});

Deno.test("a run that crashes twice is not made a third time", async () => {
  const { calls, run, onRetry } = scripted([CRASH, CRASH, { summary: "never", code: 0 }]);
  assert.deepEqual(await runRetryingCrash(run, () => true, onRetry), CRASH);
  assert.equal(calls.runs, 2);
});

Deno.test("a failed test, a summary-less non-crash or a crash after a signal is final", async () => {
  for (
    const [first, mayRetry] of [
      [{ summary: "1 failed", code: 1 }, true],
      [{ summary: undefined, code: 1 }, true],
      [{ summary: "crashed after it", code: SEGV_EXIT }, true],
      [CRASH, false],
    ] as const
  ) {
    const { calls, run, onRetry } = scripted([first, { summary: "again", code: 0 }]);
    assert.deepEqual(await runRetryingCrash(run, () => mayRetry, onRetry), first);
    assert.deepEqual(calls, { runs: 1, retries: 0 });
  }
});

Deno.test("a process SIGSEGV ends reports the exit code the retry looks for", async () => {
  const status = await new Deno.Command("sh", { args: ["-c", "kill -SEGV $$"] }).output();
  assert.equal(status.signal, "SIGSEGV");
  assert.equal(status.code, SEGV_EXIT);
});
