import assert from "node:assert/strict";
import { FairPool } from "../../../actors/factory/fair_pool.ts";

/** A runner whose jobs end when the test says, recording the order they started in. */
function manual() {
  const started: string[] = [];
  const ends = new Map<string, () => void>();
  const run = (job: string) => {
    started.push(job);
    const { promise, resolve } = Promise.withResolvers<string>();
    ends.set(job, () => resolve(`${job} done`));
    return promise;
  };
  return { started, run, end: (job: string) => ends.get(job)!() };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

Deno.test("workers go round-robin over the models with work, not first come first served", async () => {
  const { started, run, end } = manual();
  const pool = new FairPool(run, { size: 1, perModel: 1 });
  const results = [
    pool.run("a", "a1"),
    pool.run("a", "a2"),
    pool.run("a", "a3"),
    pool.run("b", "b1"),
    pool.run("c", "c1"),
  ];
  for (const job of ["a1", "b1", "c1", "a2", "a3"]) {
    await settle();
    assert.equal(started.at(-1), job);
    end(job);
  }
  assert.deepEqual(
    await Promise.all(results),
    ["a1", "a2", "a3", "b1", "c1"].map((j) => `${j} done`),
  );
});

Deno.test("no model runs more than perModel jobs at once, even with workers free", async () => {
  const { started, run, end } = manual();
  const pool = new FairPool(run, { size: 4, perModel: 2 });
  for (const job of ["a1", "a2", "a3", "b1"]) pool.run(job[0], job);
  await settle();
  assert.deepEqual(started, ["a1", "a2", "b1"]);
  assert.deepEqual(pool.view(), { running: 3, queued: 1, queuedByModel: { a: 1 } });
  end("a1");
  await settle();
  await settle();
  assert.deepEqual(started, ["a1", "a2", "b1", "a3"]);
});

Deno.test("a failed job rejects its caller and frees its worker; close rejects the queued", async () => {
  const pool = new FairPool<string, string>(
    (job) => job === "bad" ? Promise.reject(new Error("no data")) : new Promise(() => {}),
    {
      size: 1,
      perModel: 1,
    },
  );
  await assert.rejects(pool.run("a", "bad"), /no data/);
  pool.run("a", "hangs");
  const queued = pool.run("b", "waits");
  pool.close();
  await assert.rejects(queued, /training pool closed/);
  await assert.rejects(pool.run("c", "late"), /training pool is closed/);
  assert.throws(() => new FairPool(() => Promise.resolve(0), { size: 0, perModel: 1 }), {
    message: "size must be a positive integer: current value is 0",
  });
});

Deno.test("cancel drops one model's waiting jobs; the others still run", async () => {
  const { started, run, end } = manual();
  const pool = new FairPool(run, { size: 1, perModel: 1 });
  const first = pool.run("a", "a1");
  const dropped = pool.run("a", "a2");
  const other = pool.run("b", "b1");
  await settle();
  pool.cancel("a");
  await assert.rejects(dropped, /the jobs of model a were cancelled/);
  end("a1");
  assert.equal(await first, "a1 done", "a running job finishes");
  await settle();
  assert.deepEqual(started, ["a1", "b1"]);
  end("b1");
  assert.equal(await other, "b1 done");
});
