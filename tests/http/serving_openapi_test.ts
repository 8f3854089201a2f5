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

Deno.test("the OpenAPI description documents a fleet's model on every request that needs it", () => {
  const { paths, components: { schemas } } = SERVING_OPENAPI;
  for (const path of ["/models", "/models/{version}", "/replicas"] as const) {
    const parameters: readonly { name: string; in: string }[] = paths[path].get.parameters;
    assert.ok(parameters.some((p) => p.name === "model" && p.in === "query"), path);
  }
  assert.ok("model" in schemas.ForecastRequest.properties);
  assert.ok("model" in schemas.RollbackRequest.properties);
  for (const path of ["/retrain", "/optimise"] as const) {
    const body = paths[path].post.requestBody.content["application/json"].schema;
    assert.ok("model" in body.properties, path);
  }
});
