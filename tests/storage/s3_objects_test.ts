import assert from "node:assert/strict";
import {
  ObjectStoreRefusedError,
  ObjectStoreUnavailableError,
  S3Objects,
} from "../../storage/s3_objects.ts";
import { classify } from "../../actors/runtime/failure.ts";
import { freePorts } from "../../scripts/services/free_port.ts";
import { s3Endpoint, s3Location } from "../fixtures/services.ts";
import { s3Permissions } from "./s3_permissions.ts";

const endpoint = await s3Endpoint();
const [closedPort] = freePorts(1);
const nobody = `http://127.0.0.1:${closedPort}`;

Deno.test("an object store nobody answers at is unavailable: retriable, naming the endpoint", {
  permissions: s3Permissions(nobody),
}, async () => {
  const objects = new S3Objects({ ...s3Location(endpoint, "objects"), endpoint: nobody });
  await assert.rejects(() => objects.put("a", new Uint8Array([1])), (error: Error) => {
    assert.ok(error instanceof ObjectStoreUnavailableError, `${error.name}: ${error.message}`);
    assert.match(error.message, new RegExp(`S3 put of '.*a' in bucket '.*' at ${nobody} failed`));
    assert.deepEqual(classify(error), { kind: "retriable", service: "storage" });
    return true;
  });
});

/** Runs `body` against a server answering every request with S3 error `code` and `status`. */
async function withS3Error(
  status: number,
  code: string,
  body: (objects: S3Objects) => Promise<void>,
): Promise<void> {
  const xml = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code>` +
    `<Message>${code}</Message><RequestId>1</RequestId></Error>`;
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () => new Response(xml, { status, headers: { "content-type": "application/xml" } }),
  );
  try {
    const at = `http://127.0.0.1:${server.addr.port}`;
    await body(new S3Objects({ ...s3Location(endpoint, "objects"), endpoint: at }));
  } finally {
    await server.shutdown();
  }
}

Deno.test("a store refusing the credentials is fatal; one refusing the request a plain error", {
  permissions: { ...s3Permissions(endpoint), net: ["127.0.0.1"] },
}, async () => {
  await withS3Error(403, "AccessDenied", async (objects) => {
    await assert.rejects(() => objects.put("a", new Uint8Array([1])), (error: Error) => {
      assert.ok(error instanceof ObjectStoreRefusedError, `${error.name}: ${error.message}`);
      assert.deepEqual(classify(error), { kind: "fatal", service: "storage" });
      return true;
    });
  });
  await withS3Error(400, "InvalidArgument", async (objects) => {
    await assert.rejects(() => objects.put("a", new Uint8Array([1])), (error: Error) => {
      assert.equal(error.name, "Error", error.message);
      assert.match(error.message, /InvalidArgument/);
      assert.equal(classify(error).kind, "crash");
      return true;
    });
  });
  await withS3Error(503, "SlowDown", async (objects) => {
    await assert.rejects(() => objects.get("a"), (error: Error) => {
      assert.ok(error instanceof ObjectStoreUnavailableError, `${error.name}: ${error.message}`);
      return true;
    });
  });
});
