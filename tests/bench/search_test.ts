import assert from "node:assert/strict";
import { benchSearch, missingRuns, run, type SearchTable } from "../../bench/search.ts";

Deno.test("the quick search bench prints a table of Retune's regrets and ends with it as JSON", async () => {
  const printed: string[] = [];
  const log = console.log;
  console.log = (...parts: unknown[]) => printed.push(parts.join(" "));
  try {
    await run(["--quick", "--json"]);
  } finally {
    console.log = log;
  }
  const table: SearchTable = JSON.parse(printed.at(-1)!);
  assert.deepEqual(table.methods, ["retune"]);
  assert.deepEqual(table.budgets, [20]);
  assert.equal(table.rows.length, table.functions.length * table.budgets.length);
  for (const row of table.rows) {
    assert.ok(row.q1 >= 0 && row.q1 <= row.median && row.median <= row.q3, JSON.stringify(row));
    assert.equal(row.ratio, 1, "the only method is the best one");
  }
  assert.ok(table.secondsPerStep.retune > 0);
  assert.ok(printed.some((line) => line.includes("over 3 seeds (0..2)")), printed.join("\n"));
  assert.ok(printed.some((line) => line.startsWith("command: deno task bench search -- --quick")));
});

Deno.test("the search bench runs only the functions and budgets named, and refuses unknown ones", async () => {
  const printed: string[] = [];
  const log = console.log;
  console.log = (...parts: unknown[]) => printed.push(parts.join(" "));
  try {
    await run(["--retune-only", "--seeds=2", "--functions=branin", "--budgets=12", "--json"]);
    await assert.rejects(() => run(["--retune-only", "--functions=sphere"]), /unknown function/);
    await assert.rejects(() => run(["--retune-only", "--budgets=0"]), /budgets: expected/);
  } finally {
    console.log = log;
  }
  const table: SearchTable = JSON.parse(printed.at(-1)!);
  assert.deepEqual(table.functions, ["branin"]);
  assert.deepEqual(table.budgets, [12]);
  assert.equal(table.rows.length, 1);
});

Deno.test("--optimiser sets Retune's optimiser settings and refuses what is not an object or valid", async () => {
  const printed: string[] = [];
  const log = console.log;
  console.log = (...parts: unknown[]) => printed.push(parts.join(" "));
  const args = ["--retune-only", "--seeds=2", "--functions=branin", "--budgets=12", "--json"];
  try {
    await run([...args, '--optimiser={"strategy":"random"}']);
    await run(args);
    await assert.rejects(
      () => run([...args, "--optimiser=[1]"]),
      /optimiser must be a JSON object: current value is '\[1\]'/,
    );
    await assert.rejects(
      () => run([...args, '--optimiser={"gpRestarts":-1}']),
      /optimiser.gpRestarts: an integer >= 0: current value is -1/,
    );
    await assert.rejects(
      () => run([...args, '--optimiser={"restarts":0}']),
      /optimiser: unknown key 'restarts'/,
    );
  } finally {
    console.log = log;
  }
  const [random, defaults] = printed.filter((line) => line.startsWith("{"))
    .map((line) => (JSON.parse(line) as SearchTable).rows[0].median);
  const expected = await benchSearch({
    seeds: 2,
    functions: ["branin"],
    budgets: [12],
    baselines: [],
    optimiser: { strategy: "random" },
  });
  assert.equal(random, expected.rows[0].median);
  assert.notEqual(random, defaults, "random search is not the Bayesian default");
});

Deno.test("--cached takes the baselines' runs of each function and seed, and the table says how many of the seeds it had", async () => {
  const cache = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${cache}/results`);
    const runs = [0, 1, 2, 5].map((seed) =>
      JSON.stringify({
        method: "optuna-tpe",
        function: "branin",
        seed,
        // Regrets 1 + seed at budget 6 (the minimum is 0.397887); seed 5 is outside seeds 0-3.
        best: [10, 10, 10, 10, 10, 0.397887 + 1 + seed],
        secondsPerStep: 0.01,
      })
    );
    const short = JSON.stringify({
      method: "optuna-tpe",
      function: "branin",
      seed: 3,
      best: [10, 10, 10, 10, 10],
      secondsPerStep: 0.01,
    });
    await Deno.writeTextFile(`${cache}/results/optuna-tpe.jsonl`, [...runs, short].join("\n"));
    const table = await benchSearch({
      seeds: 4,
      functions: ["branin"],
      budgets: [6],
      baselines: ["optuna-tpe"],
      cachedOnly: true,
      cache,
    });
    const row = table.rows.find((r) => r.method === "optuna-tpe")!;
    // Seed 3's run is shorter than the budget and seed 5 is not asked for: seeds 0-2 remain.
    assert.equal(row.runs, 3);
    assert.ok(Math.abs(row.median - 2) < 1e-9, String(row.median));
    assert.equal(table.rows.find((r) => r.method === "retune")!.runs, 4);
  } finally {
    await Deno.remove(cache, { recursive: true });
  }
});

Deno.test("the baselines' missing runs are listed seed by seed, every function of a seed before the next", () => {
  const cached = new Map([["branin:0", {}], ["ackley5:1", {}]]);
  assert.deepEqual(missingRuns(cached, ["branin", "ackley5"], 3), [
    "ackley5:0",
    "branin:1",
    "branin:2",
    "ackley5:2",
  ]);
  assert.deepEqual(missingRuns(cached, ["branin"], 1), []);
});
