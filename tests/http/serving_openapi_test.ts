import assert from "node:assert/strict";
import { SERVING_OPENAPI } from "../../http/serving_openapi.ts";
import { isServingPath } from "../../http/serving_api.ts";

Deno.test("the OpenAPI description is OpenAPI 3 and describes exactly the paths served", () => {
  assert.match(SERVING_OPENAPI.openapi, /^3\./);
  const paths = Object.keys(SERVING_OPENAPI.paths);
  for (const path of paths) {
    assert.ok(isServingPath(path.replace("{version}", "3")), `${path} is served`);
  }
  assert.ok(!isServingPath("/metrics") && !isServingPath("/api/state"));
  // Every schema a path refers to is defined.
  const refs = JSON.stringify(SERVING_OPENAPI).match(/#\/components\/schemas\/\w+/g) ?? [];
  const defined = Object.keys(SERVING_OPENAPI.components.schemas);
  for (const ref of new Set(refs)) assert.ok(defined.includes(ref.split("/").at(-1)!), ref);
});
