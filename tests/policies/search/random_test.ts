import assert from "node:assert/strict";
import { Random } from "../../../policies/search/random.ts";

Deno.test("the same seed gives the same stream, another seed another", () => {
  const draw = (seed: number) => {
    const random = new Random(seed);
    return Array.from({ length: 5 }, () => random.next());
  };
  assert.deepEqual(draw(42), draw(42));
  assert.notDeepEqual(draw(42), draw(43));
});

Deno.test("uniform variates lie in [0, 1) with mean 1/2; Gaussians have mean 0 and variance 1", () => {
  const random = new Random(7);
  const uniforms = Array.from({ length: 20000 }, () => random.next());
  assert.ok(uniforms.every((u) => u >= 0 && u < 1));
  assert.ok(Math.abs(uniforms.reduce((s, u) => s + u, 0) / uniforms.length - 0.5) < 0.01);
  const gaussians = Array.from({ length: 20000 }, () => random.gaussian());
  const mean = gaussians.reduce((s, g) => s + g, 0) / gaussians.length;
  const variance = gaussians.reduce((s, g) => s + (g - mean) ** 2, 0) / gaussians.length;
  assert.ok(Math.abs(mean) < 0.03, `mean ${mean}`);
  assert.ok(Math.abs(variance - 1) < 0.05, `variance ${variance}`);
});

Deno.test("below and shuffle stay in range and keep every item", () => {
  const random = new Random(1);
  const draws = Array.from({ length: 1000 }, () => random.below(3));
  assert.deepEqual([...new Set(draws)].sort(), [0, 1, 2]);
  assert.deepEqual(random.shuffle([1, 2, 3, 4, 5, 6]).sort(), [1, 2, 3, 4, 5, 6]);
});

Deno.test("bad seeds and counts are rejected", () => {
  assert.throws(() => new Random(1.5), /seed must be a safe integer: current value is 1.5/);
  assert.throws(() => new Random(1).below(0), /count must be a positive integer/);
});
