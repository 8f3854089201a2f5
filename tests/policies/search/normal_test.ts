import assert from "node:assert/strict";
import { normalCdf, normalPdf } from "../../../policies/search/normal.ts";

Deno.test("the normal density and distribution match tabulated values", () => {
  assert.ok(Math.abs(normalPdf(0) - 0.3989422804014327) < 1e-12);
  assert.ok(Math.abs(normalPdf(-0.3) - 0.38138781546052414) < 1e-12);
  assert.ok(Math.abs(normalCdf(0) - 0.5) < 1e-7);
  assert.ok(Math.abs(normalCdf(1.96) - 0.9750021048517796) < 1e-7);
  assert.ok(Math.abs(normalCdf(-0.3) - 0.3820885778110474) < 1e-7);
  assert.ok(normalCdf(-40) >= 0 && normalCdf(-40) < 1e-12);
  assert.ok(Math.abs(normalCdf(40) - 1) < 1e-12);
});
