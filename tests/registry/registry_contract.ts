/**
 * The behaviour every Registry implementation must show, as a suite of Deno tests that each
 * implementation's test file runs against its own registries.
 *
 * @module
 */

import assert from "node:assert/strict";
import { FencedWriteError } from "../../registry/fenced_write_error.ts";
import type { Registry } from "../../registry/registry.ts";
import { uniqueName } from "../fixtures/services.ts";

/** How a test file opens registries for the contract. */
export interface ContractSubject {
  /** Name shown in the test names. */
  name: string;
  /** A new store, and how to open registries on it (as each process would). */
  store(): () => Registry;
  /** Permissions the implementation needs. */
  permissions: Deno.PermissionOptions;
}

/** Registers the contract tests for one implementation. */
export function registryContract(subject: ContractSubject): void {
  type Body = (a: Registry, b: Registry, ns: string, open: () => Registry) => Promise<void>;
  const test = (name: string, body: Body) =>
    Deno.test(`${subject.name}: ${name}`, { permissions: subject.permissions }, async () => {
      const open = subject.store();
      const [a, b] = [open(), open()];
      const ns = `${uniqueName("registry")}/`;
      try {
        await body(a, b, ns, open);
      } finally {
        const leftovers = await a.list(ns);
        await a.commit({ deletes: leftovers.map((entry) => entry.key) });
        await a.close();
        await b.close();
      }
    });

  test("get returns what a commit put, with a positive revision", async (a, b, ns) => {
    assert.equal(await a.get(`${ns}k`), undefined);
    assert.equal(await a.commit({ puts: [{ key: `${ns}k`, value: "v1" }] }), true);
    const entry = await b.get(`${ns}k`);
    assert.equal(entry?.key, `${ns}k`);
    assert.equal(entry?.value, "v1");
    assert.ok(entry !== undefined && entry.revision > 0);
  });

  test("list returns the entries under a prefix, sorted by key", async (a, _b, ns) => {
    const keys = ["p/b", "p/a", "p/c/d", "q/a", "pz", "p"].map((key) => `${ns}${key}`);
    await a.commit({ puts: keys.map((key) => ({ key, value: key })) });
    const listed = await a.list(`${ns}p/`);
    assert.deepEqual(listed.map((entry) => entry.key), [`${ns}p/a`, `${ns}p/b`, `${ns}p/c/d`]);
    assert.deepEqual(listed.map((entry) => entry.value), [`${ns}p/a`, `${ns}p/b`, `${ns}p/c/d`]);
    assert.deepEqual(await a.list(`${ns}none/`), []);
  });

  test("every write raises the revision; one commit writes at one revision", async (a, _b, ns) => {
    await a.commit({ puts: [{ key: `${ns}x`, value: "1" }] });
    const first = await a.get(`${ns}x`);
    await a.commit({ puts: [{ key: `${ns}x`, value: "2" }, { key: `${ns}y`, value: "2" }] });
    const [x, y] = await a.list(ns);
    assert.ok(first !== undefined && x.revision > first.revision);
    assert.equal(x.revision, y.revision);
  });

  test("a guard on revision 0 holds only while the key is absent", async (a, _b, ns) => {
    const create = {
      guards: [{ key: `${ns}k`, revision: 0 }],
      puts: [{ key: `${ns}k`, value: "a" }],
    };
    assert.equal(await a.commit(create), true);
    assert.equal(await a.commit({ ...create, puts: [{ key: `${ns}k`, value: "b" }] }), false);
    assert.equal((await a.get(`${ns}k`))?.value, "a");
  });

  test("a stale guard fails the whole commit and writes nothing", async (a, b, ns) => {
    await a.commit({ puts: [{ key: `${ns}k`, value: "1" }, { key: `${ns}gone`, value: "1" }] });
    const read = await a.get(`${ns}k`);
    assert.ok(read);
    await b.commit({ puts: [{ key: `${ns}k`, value: "2" }] });
    const stale = await a.commit({
      guards: [{ key: `${ns}k`, revision: read.revision }],
      puts: [{ key: `${ns}k`, value: "3" }, { key: `${ns}new`, value: "3" }],
      deletes: [`${ns}gone`],
    });
    assert.equal(stale, false);
    assert.deepEqual((await a.list(ns)).map((entry) => [entry.key, entry.value]), [
      [`${ns}gone`, "1"],
      [`${ns}k`, "2"],
    ]);
  });

  test("a commit whose guards hold applies its puts and deletes", async (a, _b, ns) => {
    await a.commit({ puts: [{ key: `${ns}k`, value: "1" }, { key: `${ns}gone`, value: "1" }] });
    const read = await a.get(`${ns}k`);
    assert.ok(read);
    const applied = await a.commit({
      guards: [{ key: `${ns}k`, revision: read.revision }, { key: `${ns}absent`, revision: 0 }],
      puts: [{ key: `${ns}k`, value: "2" }],
      deletes: [`${ns}gone`],
    });
    assert.equal(applied, true);
    assert.deepEqual((await a.list(ns)).map((entry) => [entry.key, entry.value]), [[
      `${ns}k`,
      "2",
    ]]);
  });

  test("of concurrent commits guarded on the same revision exactly one wins", async (a, b, ns) => {
    await a.commit({ puts: [{ key: `${ns}counter`, value: "0" }] });
    const read = await a.get(`${ns}counter`);
    assert.ok(read);
    const attempts = Array.from({ length: 6 }, (_, i) =>
      (i % 2 === 0 ? a : b).commit({
        guards: [{ key: `${ns}counter`, revision: read.revision }],
        puts: [{ key: `${ns}counter`, value: `${i}` }],
      }));
    const outcomes = await Promise.all(attempts);
    assert.equal(outcomes.filter(Boolean).length, 1);
    assert.equal((await a.get(`${ns}counter`))?.value, `${outcomes.indexOf(true)}`);
  });

  test("a commit that writes a key twice is refused", async (a, _b, ns) => {
    await assert.rejects(a.commit({ puts: [{ key: `${ns}k`, value: "1" }], deletes: [`${ns}k`] }));
    assert.equal(await a.get(`${ns}k`), undefined);
  });

  test("entries put under a lease go when it is revoked; others stay", async (a, b, ns) => {
    const lease = await a.grantLease(5, "holder");
    assert.equal(lease.lost.aborted, false);
    await a.commit({
      puts: [{ key: `${ns}held`, value: "1", lease: lease.id }, { key: `${ns}free`, value: "1" }],
    });
    assert.equal((await b.get(`${ns}held`))?.value, "1");
    await lease.revoke();
    assert.equal(lease.lost.aborted, true);
    assert.equal(await b.get(`${ns}held`), undefined);
    assert.equal((await b.get(`${ns}free`))?.value, "1");
    await lease.revoke();
  });

  test("a registry's leases end when it closes (its process ended)", async (_a, b, ns, open) => {
    const owner = open();
    const lease = await owner.grantLease(5, "owner");
    await owner.commit({ puts: [{ key: `${ns}held`, value: "1", lease: lease.id }] });
    await owner.close();
    assert.equal(lease.lost.aborted, true);
    assert.equal(await b.get(`${ns}held`), undefined);
  });

  test(
    "a commit fenced by a live lease applies; by an ended one it is refused",
    async (a, b, ns) => {
      const lease = await a.grantLease(5, "writer");
      assert.equal(
        await b.commit({ fence: lease.fence, puts: [{ key: `${ns}k`, value: "1" }] }),
        true,
      );
      await lease.revoke();
      await assert.rejects(
        b.commit({ fence: lease.fence, puts: [{ key: `${ns}k`, value: "2" }] }),
        (error) =>
          error instanceof FencedWriteError && /writer no longer holds/.test(error.message),
      );
      assert.equal((await a.get(`${ns}k`))?.value, "1");
    },
  );

  test("a fenced commit whose guard fails is false, not fenced", async (a, _b, ns) => {
    const lease = await a.grantLease(5, "writer");
    await a.commit({ puts: [{ key: `${ns}k`, value: "1" }] });
    const stale = await a.commit({
      fence: lease.fence,
      guards: [{ key: `${ns}k`, revision: 0 }],
      puts: [{ key: `${ns}k`, value: "2" }],
    });
    assert.equal(stale, false);
    await lease.revoke();
  });

  test("a deposed leader's writes are refused; the new leader's apply", async (a, b, ns) => {
    const first = await a.campaign(`${ns}election`, "first");
    const waiting = b.campaign(`${ns}election`, "second");
    await a.commit({ fence: first.fence, puts: [{ key: `${ns}owner`, value: "first" }] });
    await first.resign();
    const second = await waiting;
    assert.notDeepEqual(second.fence, first.fence);
    await assert.rejects(
      a.commit({ fence: first.fence, deletes: [`${ns}owner`] }),
      FencedWriteError,
    );
    await b.commit({ fence: second.fence, puts: [{ key: `${ns}owner`, value: "second" }] });
    assert.equal((await a.get(`${ns}owner`))?.value, "second");
    await second.resign();
  });

  test("entries put under a leadership's lease end with the leadership", async (a, b, ns) => {
    const leader = await a.campaign(`${ns}election`, "leader");
    await a.commit({
      fence: leader.fence,
      puts: [{ key: `${ns}freeze`, value: "run-1", lease: leader.lease }],
    });
    assert.equal((await b.get(`${ns}freeze`))?.value, "run-1");
    await leader.resign();
    assert.equal(await b.get(`${ns}freeze`), undefined);
  });

  test("lease durations are whole seconds", async (a) => {
    await assert.rejects(a.grantLease(0.5, "x"), {
      message: "ttlSeconds must be an integer >= 1: current value is 0.5",
    });
  });

  test("the second candidate leads once the first resigns", async (a, b, ns) => {
    const first = await a.campaign(`${ns}election`, "first");
    let secondLeads = false;
    const waiting = b.campaign(`${ns}election`, "second").finally(() => (secondLeads = true));
    await pause();
    assert.equal(secondLeads, false, "second was elected while first led");
    await first.resign();
    assert.equal(first.lost.aborted, true);
    const second = await waiting;
    assert.equal(second.lost.aborted, false);
    await second.resign();
  });

  test("the second candidate leads once the first's registry closes", async (_a, b, ns, open) => {
    const leader = open();
    const first = await leader.campaign(`${ns}election`, "first");
    const waiting = b.campaign(`${ns}election`, "second");
    await pause();
    await leader.close();
    assert.equal(first.lost.aborted, true);
    const second = await waiting;
    assert.equal(second.lost.aborted, false);
    await second.resign();
  });

  test("a watch tells of puts, deletes and lease ends under its prefix only", async (a, b, ns) => {
    const seen = { count: 0 };
    const watch = await a.watch(`${ns}w/`, () => seen.count++);
    await b.commit({ puts: [{ key: `${ns}other`, value: "x" }] });
    await b.commit({ puts: [{ key: `${ns}w/k`, value: "1" }] });
    await notified(seen, 1, "a put");
    await b.commit({ deletes: [`${ns}w/k`] });
    await notified(seen, 2, "a delete");
    const lease = await b.grantLease(5, "leaseholder");
    await b.commit({ puts: [{ key: `${ns}w/leased`, value: "1", lease: lease.id }] });
    await notified(seen, 3, "a put under a lease");
    await lease.revoke();
    await notified(seen, 4, "the lease's end");
    await watch.close();
    await b.commit({ puts: [{ key: `${ns}w/k`, value: "2" }] });
    await pause();
    assert.equal(seen.count, 4, "nothing after the watch closed, nothing outside its prefix");
  });

  test("an aborted campaign stops waiting and does not block the line", async (a, b, ns) => {
    const first = await a.campaign(`${ns}election`, "first");
    const abort = new AbortController();
    const aborted = b.campaign(`${ns}election`, "impatient", abort.signal);
    const third = b.campaign(`${ns}election`, "third");
    await pause();
    abort.abort(new Error("gave up"));
    await assert.rejects(aborted, { message: "gave up" });
    await first.resign();
    const leader = await third;
    assert.equal(leader.lost.aborted, false);
    await leader.resign();
    await assert.rejects(a.campaign(`${ns}election`, "late", abort.signal), { message: "gave up" });
  });
}

/** Resolves when `count` notifications arrived, or rejects after 5 s naming what was awaited. */
function notified(counter: { count: number }, count: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = () => {
      if (counter.count >= count) return resolve();
      if (Date.now() - started > 5_000) return reject(new Error(`no notification: ${what}`));
      setTimeout(poll, 20);
    };
    poll();
  });
}

/** Gives a competing campaign time to (wrongly) win, so the test can check it did not. */
function pause(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 200));
}
