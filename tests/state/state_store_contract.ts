/**
 * The behaviour every StateStore implementation must show, as a suite of Deno tests that each
 * implementation's test file runs against its own stores.
 *
 * @module
 */

import assert from "node:assert/strict";
import { z } from "zod";
import type { StateStore } from "../../state/state_store.ts";
import { uniqueName } from "../fixtures/services.ts";

/** How a test file opens stores for the contract. */
export interface StateStoreSubject {
  /** Name shown in the test names. */
  name: string;
  /** A new deployment's storage, and how to open stores on it (as each process would). */
  deployment(name: string): () => StateStore;
  /** Permissions the implementation needs. */
  permissions: Deno.PermissionOptions;
}

const progress = z.strictObject({ file: z.string(), offset: z.number().int().nonnegative() });

/** Registers the contract tests for one implementation. */
export function stateStoreContract(subject: StateStoreSubject): void {
  type Body = (a: StateStore, b: StateStore, open: (deployment: string) => StateStore) => Promise<
    void
  >;
  const test = (name: string, body: Body) =>
    Deno.test(`${subject.name}: ${name}`, { permissions: subject.permissions }, async () => {
      const opened: StateStore[] = [];
      const open = (deployment: string) => {
        const store = subject.deployment(deployment)();
        opened.push(store);
        return store;
      };
      const deployment = uniqueName("state");
      try {
        await body(open(deployment), open(deployment), open);
      } finally {
        await Promise.all(opened.map((store) => store.close()));
      }
    });
  const key = { role: "replayer", name: "progress" };

  test("get returns what put wrote, with the revision put returned", async (a, b) => {
    assert.equal(await a.get(key, progress), undefined);
    const revision = await a.put(key, { file: "x.csv", offset: 10 }, 0, progress);
    assert.ok(revision !== undefined && revision > 0);
    assert.deepEqual(await b.get(key, progress), {
      value: { file: "x.csv", offset: 10 },
      revision,
    });
  });

  test("a put on a stale revision writes nothing", async (a, b) => {
    const first = await a.put(key, { file: "x.csv", offset: 1 }, 0, progress);
    assert.ok(first);
    const second = await b.put(key, { file: "x.csv", offset: 2 }, first, progress);
    assert.ok(second !== undefined && second > first);
    assert.equal(await a.put(key, { file: "x.csv", offset: 3 }, first, progress), undefined);
    assert.equal(await a.put(key, { file: "x.csv", offset: 3 }, 0, progress), undefined);
    assert.deepEqual((await a.get(key, progress))?.value, { file: "x.csv", offset: 2 });
  });

  test("of concurrent puts on the same revision exactly one wins", async (a, b) => {
    const outcomes = await Promise.all(
      Array.from(
        { length: 6 },
        (_, i) => (i % 2 === 0 ? a : b).put(key, { file: "x.csv", offset: i }, 0, progress),
      ),
    );
    const winners = outcomes.filter((revision) => revision !== undefined);
    assert.equal(winners.length, 1);
    const won = outcomes.findIndex((revision) => revision !== undefined);
    assert.deepEqual((await a.get(key, progress))?.value, { file: "x.csv", offset: won });
  });

  test("a value the schema refuses is not written, and the error names it", async (a) => {
    await assert.rejects(
      a.put(key, { file: "x.csv", offset: -1 } as never, 0, progress),
      /state to write at .*replayer\/progress does not fit its schema/,
    );
    assert.equal(await a.get(key, progress), undefined);
  });

  test("a stored value that no longer fits the reader's schema is refused by name", async (a) => {
    await a.put(key, { file: "x.csv", offset: 1 }, 0, progress);
    const newer = z.strictObject({ file: z.string(), offset: z.number(), rotation: z.number() });
    await assert.rejects(a.get(key, newer), /state stored at .*replayer\/progress does not fit/);
  });

  test("delete removes the value, only at the expected revision when given", async (a, b) => {
    const revision = await a.put(key, { file: "x.csv", offset: 1 }, 0, progress);
    assert.ok(revision);
    assert.equal(await b.delete(key, revision + 1000), false);
    assert.ok(await b.get(key, progress));
    assert.equal(await b.delete(key, revision), true);
    assert.equal(await a.get(key, progress), undefined);
    assert.equal(await a.delete(key), false);
    assert.ok(await a.put(key, { file: "y.csv", offset: 0 }, 0, progress));
    assert.equal(await a.delete(key), true);
  });

  test("keys are apart per deployment, role and name", async (a, _b, open) => {
    const other = open(uniqueName("state"));
    await a.put(key, { file: "a.csv", offset: 1 }, 0, progress);
    assert.equal(await other.get(key, progress), undefined);
    assert.equal(await a.get({ role: "collector", name: "progress" }, progress), undefined);
    assert.equal(await a.get({ role: "replayer", name: "other" }, progress), undefined);
    assert.ok(await other.put(key, { file: "b.csv", offset: 2 }, 0, progress));
    assert.deepEqual((await a.get(key, progress))?.value, { file: "a.csv", offset: 1 });
  });

  test("bad keys and revisions are rejected by name", async (a) => {
    await assert.rejects(a.get({ role: "a/b", name: "x" }, progress), /key.role must be letters/);
    await assert.rejects(a.get({ role: "r", name: "" }, progress), /key.name must be letters/);
    await assert.rejects(
      a.put(key, { file: "x", offset: 0 }, -1, progress),
      /expectedRevision must be a non-negative integer: current value is -1/,
    );
  });
}
