import assert from "node:assert/strict";
import { type JobMark, jobOpenAt } from "../../../scripts/chaos/stream_audit.ts";

Deno.test("an instruction during a job is owed no command; before, between and after jobs it is", () => {
  const jobs: JobMark[] = [
    { at: 100, open: true }, // opt_init
    { at: 200, open: false }, // opt_done
    { at: 300, open: true }, // train
    { at: 350, open: false }, // trained
    { at: 400, open: true }, // opt_init
    { at: 450, open: false }, // opt_abort
  ];
  assert.equal(jobOpenAt(jobs, 50), false, "before any job");
  assert.equal(jobOpenAt(jobs, 150), true, "during the optimisation");
  assert.equal(jobOpenAt(jobs, 250), false, "between jobs");
  assert.equal(jobOpenAt(jobs, 320), true, "during the retrain");
  assert.equal(jobOpenAt(jobs, 420), true, "during the aborted run");
  assert.equal(jobOpenAt(jobs, 500), false, "after the abort");
  assert.equal(jobOpenAt([], 500), false, "no job ever");
});

Deno.test("job marks count by time, whatever order the topics were read in", () => {
  // Reports are read after commands: an end may be listed before a later start.
  const jobs: JobMark[] = [{ at: 300, open: true }, { at: 200, open: false }, {
    at: 100,
    open: true,
  }];
  assert.equal(jobOpenAt(jobs, 250), false);
  assert.equal(jobOpenAt(jobs, 310), true);
  assert.equal(jobOpenAt(jobs, 150), true);
});
