import assert from "node:assert/strict";
import { ConfigError } from "../../config/config_error.ts";
import { parseConfig } from "../../config/load.ts";

const MODEL = "model: { pattern: p.pattern, source: { domain: maritime } }\n";
const permissions = { env: ["LOG_TOKENS", "LOG_STREAM"] };

function problemWith(storage: string): string {
  try {
    parseConfig(`${MODEL}storage: ${storage}\n`, "bad.yaml", { env: {} });
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${error}`);
    return error.message;
  }
  assert.fail("expected a ConfigError");
}

Deno.test({
  name: "storage: files by default; kind s3 takes an endpoint and a bucket, the rest defaulted",
  permissions,
  fn() {
    assert.equal(parseConfig(MODEL, "ok.yaml", { env: {} }).storage.kind, "fs");
    const config = parseConfig(
      `${MODEL}storage: { kind: s3, s3: { endpoint: "http://127.0.0.1:8333", bucket: retune } }\n`,
      "ok.yaml",
      { env: {} },
    );
    assert.deepEqual(config.storage.s3, {
      endpoint: "http://127.0.0.1:8333",
      region: "us-east-1",
      bucket: "retune",
      prefix: "retune/",
      accessKeyId: null,
      secretAccessKey: null,
      forcePathStyle: true,
    });
  },
});

Deno.test({
  name: "storage: kind s3 without its section, or a malformed one, is refused naming the key",
  permissions,
  fn() {
    assert.match(problemWith("{ kind: s3 }"), /storage\.s3: expected an s3 section/);
    assert.match(problemWith("{ kind: nfs }"), /storage\.kind: expected one of "fs", "s3"/);
    const s3 = (fields: Record<string, string>) =>
      problemWith(
        `{ kind: s3, s3: ${JSON.stringify({ endpoint: "http://h:1", bucket: "b-1", ...fields })} }`,
      );
    assert.match(s3({ bucket: "B" }), /storage\.s3\.bucket: expected an S3 bucket name/);
    assert.match(s3({ endpoint: "h:1" }), /storage\.s3\.endpoint: expected an "http\(s\)/);
    assert.match(s3({ prefix: "a" }), /storage\.s3\.prefix: expected a key prefix/);
    assert.match(s3({ prefix: "/a/" }), /storage\.s3\.prefix: expected a key prefix/);
    assert.match(
      s3({ accessKeyId: "k" }),
      /storage\.s3\.secretAccessKey: expected accessKeyId and secretAccessKey both set or both null/,
    );
  },
});
