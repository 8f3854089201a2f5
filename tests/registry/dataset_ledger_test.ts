import assert from "node:assert/strict";
import type { DatasetVersion } from "../../core/versions.ts";
import { type DatasetState, DatasetStateError } from "../../core/dataset_lifecycle.ts";
import { DatasetLedger, type LedgerHolder } from "../../registry/dataset_ledger.ts";
import { FencedWriteError } from "../../registry/fenced_write_error.ts";
import { EtcdRegistry } from "../../registry/etcd.ts";
import { InProcessRegistry } from "../../registry/in_process.ts";
import type { Commit, Leadership, Registry } from "../../registry/registry.ts";
import { seededRandom } from "../fixtures/seeded_random.ts";
import { etcdEndpoints, uniqueName } from "../fixtures/services.ts";

const endpoints = await etcdEndpoints();

function dataset(version: number, buckets: number[]): DatasetVersion {
  return {
    version,
    buckets: buckets.map((bucket) => ({ bucket, weight: 1 })),
    firstBucket: Math.min(...buckets),
    lastBucket: Math.max(...buckets),
    streamTimeStart: 0,
    streamTimeEnd: 1,
    createdAt: 0,
  };
}

/** A ledger on a fresh in-process registry, with buckets 0..count-1 registered. */
async function ledgerWithBuckets(count: number, registry: Registry = new InProcessRegistry()) {
  const ledger = new DatasetLedger(registry, `${uniqueName("ledger")}/`);
  for (let bucket = 0; bucket < count; bucket++) await ledger.registerBucket(bucket);
  return ledger;
}

async function stateOf(ledger: DatasetLedger, version: number): Promise<DatasetState | undefined> {
  return (await ledger.version(version))?.state;
}

/** Announces dataset version `version` over `buckets` and assembles it. */
async function announceAssembled(ledger: DatasetLedger, version: number, buckets: number[]) {
  await ledger.announce(dataset(version, buckets));
  await ledger.beginAssembly(version);
  await ledger.finishAssembly(version);
}

/** A deleteFn that records what it deleted. */
function recorder(): { deleted: number[]; deleteFn: (bucket: number) => void } {
  const deleted: number[] = [];
  return { deleted, deleteFn: (bucket) => void deleted.push(bucket) };
}

Deno.test(
  "a version goes pending, assembling, assembled, released",
  { permissions: "none" },
  async () => {
    const ledger = await ledgerWithBuckets(3);
    await ledger.announce(dataset(0, [0, 1]));
    assert.equal(await stateOf(ledger, 0), "pending");
    await ledger.beginAssembly(0);
    assert.equal(await stateOf(ledger, 0), "assembling");
    await ledger.finishAssembly(0);
    assert.equal(await stateOf(ledger, 0), "assembled");
    await announceAssembled(ledger, 1, [1, 2]);
    await ledger.release(0);
    assert.equal(await stateOf(ledger, 0), "released");
    assert.deepEqual((await ledger.versions()).map((entry) => entry.state), [
      "released",
      "assembled",
    ]);
    assert.deepEqual((await ledger.version(1))?.dataset, dataset(1, [1, 2]));
  },
);

Deno.test(
  "invalid transitions throw naming the version and states",
  { permissions: "none" },
  async () => {
    const ledger = await ledgerWithBuckets(2);
    await ledger.announce(dataset(4, [0]));
    await assert.rejects(ledger.finishAssembly(4), {
      name: "DatasetStateError",
      message: "cannot finish assembling dataset version 4: it is pending, not assembling",
    });
    await ledger.beginAssembly(4);
    await assert.rejects(ledger.release(4), {
      message: "cannot release dataset version 4: it is assembling, not assembled",
    });
    await ledger.finishAssembly(4);
    await assert.rejects(ledger.release(4), {
      message: "cannot release dataset version 4: no newer version is assembled yet",
    });
    await assert.rejects(ledger.beginAssembly(9), {
      message: "dataset version 9 was never announced",
    });
    await assert.rejects(ledger.announce(dataset(4, [1])), {
      message: "dataset version 4 was already announced",
    });
    await assert.rejects(ledger.announce(dataset(5, [1, 7, 8])), {
      message: "dataset version 5 references unregistered (or deleted) buckets 7, 8",
    });
    assert.equal(await ledger.version(5), undefined);
  },
);

Deno.test("bad arguments are rejected by name", { permissions: "none" }, async () => {
  const ledger = await ledgerWithBuckets(0);
  await assert.rejects(ledger.registerBucket(-1), {
    name: "RangeError",
    message: "bucket must be a non-negative integer: current value is -1",
  });
  await assert.rejects(ledger.beginAssembly(1.5), {
    message: "version must be a non-negative integer: current value is 1.5",
  });
  await assert.rejects(ledger.freeze(0, ""), {
    message: 'runId must be a non-empty string: current value is ""',
  });
});

Deno.test("freezes pin versions until their run unfreezes", { permissions: "none" }, async () => {
  const ledger = await ledgerWithBuckets(3);
  await ledger.announce(dataset(0, [0]));
  await ledger.announce(dataset(1, [1, 2]));
  await ledger.freeze(1, "run-a");
  await ledger.freeze(1, "run-a");
  await ledger.freeze(1, "run-b");
  await ledger.freeze(0, "run-a");
  assert.deepEqual((await ledger.version(1))?.frozenBy, ["run-a", "run-b"]);
  assert.deepEqual(await ledger.unfreeze("run-a"), [0, 1]);
  assert.deepEqual((await ledger.version(1))?.frozenBy, ["run-b"]);
  assert.deepEqual(await ledger.unfreeze("run-a"), []);
});

Deno.test("a released version cannot be frozen", { permissions: "none" }, async () => {
  const ledger = await ledgerWithBuckets(2);
  for (const version of [0, 1]) await announceAssembled(ledger, version, [version]);
  await ledger.release(0);
  await assert.rejects(ledger.freeze(0, "run-a"), {
    name: "DatasetStateError",
    message: "cannot freeze dataset version 0 for run run-a: it is released",
  });
});

Deno.test("buckets in use are those of pending, assembling or frozen versions", {
  permissions: "none",
}, async () => {
  const ledger = await ledgerWithBuckets(8);
  const versions: [number, number[]][] = [[0, [0, 1]], [1, [2]], [2, [3]], [3, [4, 5]], [4, [6]]];
  for (const [version, buckets] of versions) await ledger.announce(dataset(version, buckets));
  for (const version of [1, 2, 3]) await ledger.beginAssembly(version);
  for (const version of [2, 3]) await ledger.finishAssembly(version);
  await ledger.freeze(3, "run-a");
  // 0 pending, 1 assembling, 2 assembled, 3 assembled and frozen, 4 pending; bucket 7 unused.
  assert.deepEqual([...await ledger.bucketsInUse()].sort(), [0, 1, 2, 4, 5, 6]);
});

Deno.test(
  "a bucket is deleted only when no version in use references it",
  { permissions: "none" },
  async () => {
    const ledger = await ledgerWithBuckets(3);
    const { deleted, deleteFn } = recorder();
    await ledger.announce(dataset(0, [0, 1]));
    assert.equal(await ledger.deleteBucketIfUnused(0, deleteFn), false, "pending");
    await ledger.beginAssembly(0);
    assert.equal(await ledger.deleteBucketIfUnused(0, deleteFn), false, "assembling");
    await ledger.finishAssembly(0);
    await ledger.freeze(0, "run-a");
    assert.equal(await ledger.deleteBucketIfUnused(0, deleteFn), false, "frozen");
    assert.deepEqual(deleted, []);
    await ledger.unfreeze("run-a");
    assert.equal(await ledger.deleteBucketIfUnused(0, deleteFn), true, "assembled");
    assert.equal(await ledger.deleteBucketIfUnused(2, deleteFn), true, "never referenced");
    assert.equal(await ledger.deleteBucketIfUnused(0, deleteFn), false, "already deleted");
    assert.deepEqual(deleted, [0, 2]);
    assert.deepEqual(await ledger.registeredBuckets(), [1]);
  },
);

/** A registry that lets another process act just before the next commit of the code under test. */
class InterferingRegistry implements Registry {
  #interfere: (() => Promise<unknown>) | undefined;

  constructor(readonly inner: Registry) {}

  /** Runs `action` once, right before the next commit. */
  beforeNextCommit(action: () => Promise<unknown>): void {
    this.#interfere = action;
  }

  get(key: string) {
    return this.inner.get(key);
  }

  list(prefix: string) {
    return this.inner.list(prefix);
  }

  async commit(change: Commit) {
    const interfere = this.#interfere;
    this.#interfere = undefined;
    await interfere?.();
    return this.inner.commit(change);
  }

  watch(prefix: string, onChange: () => void) {
    return this.inner.watch(prefix, onChange);
  }

  grantLease(ttlSeconds: number, holder: string) {
    return this.inner.grantLease(ttlSeconds, holder);
  }

  campaign(election: string, candidate: string, signal?: AbortSignal) {
    return this.inner.campaign(election, candidate, signal);
  }

  close() {
    return this.inner.close();
  }
}

/** The same ledger seen from two processes, one of which can be interrupted before a commit. */
async function racingLedgers() {
  const registry = new InterferingRegistry(new InProcessRegistry());
  const prefix = `${uniqueName("ledger")}/`;
  const interrupted = new DatasetLedger(registry, prefix);
  const other = new DatasetLedger(registry.inner, prefix);
  for (const bucket of [0, 1]) await other.registerBucket(bucket);
  return { registry, interrupted, other };
}

Deno.test("an announcement between a deletion's reads and its commit saves the bucket", {
  permissions: "none",
}, async () => {
  const { registry, interrupted, other } = await racingLedgers();
  const { deleted, deleteFn } = recorder();
  registry.beforeNextCommit(() => other.announce(dataset(0, [0])));
  assert.equal(await interrupted.deleteBucketIfUnused(0, deleteFn), false);
  assert.deepEqual(deleted, []);
  assert.deepEqual(await other.registeredBuckets(), [0, 1]);
});

Deno.test("a freeze between a deletion's reads and its commit saves the bucket", {
  permissions: "none",
}, async () => {
  const { registry, interrupted, other } = await racingLedgers();
  await announceAssembled(other, 0, [0]);
  const { deleted, deleteFn } = recorder();
  registry.beforeNextCommit(() => other.freeze(0, "run-a"));
  assert.equal(await interrupted.deleteBucketIfUnused(0, deleteFn), false);
  assert.deepEqual(deleted, []);
});

Deno.test("a deletion between an announcement's reads and its commit fails the announcement", {
  permissions: "none",
}, async () => {
  const { registry, interrupted, other } = await racingLedgers();
  const { deleted, deleteFn } = recorder();
  registry.beforeNextCommit(() => other.deleteBucketIfUnused(1, deleteFn));
  await assert.rejects(interrupted.announce(dataset(0, [0, 1])), {
    name: "DatasetStateError",
    message: "dataset version 0 references unregistered (or deleted) buckets 1",
  });
  assert.deepEqual(deleted, [1]);
  assert.equal(await other.version(0), undefined);
});

Deno.test(
  "a version whose buckets were deleted cannot be frozen",
  { permissions: "none" },
  async () => {
    const ledger = await ledgerWithBuckets(2);
    await announceAssembled(ledger, 0, [0, 1]);
    await ledger.deleteBucketIfUnused(1, () => {});
    await assert.rejects(ledger.freeze(0, "run-a"), {
      name: "DatasetStateError",
      message: "cannot freeze dataset version 0 for run run-a: its buckets 1 were deleted",
    });
  },
);

Deno.test("a deletion between a freeze's reads and its commit fails the freeze", {
  permissions: "none",
}, async () => {
  const { registry, interrupted, other } = await racingLedgers();
  await announceAssembled(other, 0, [0]);
  const { deleted, deleteFn } = recorder();
  registry.beforeNextCommit(() => other.deleteBucketIfUnused(0, deleteFn));
  await assert.rejects(interrupted.freeze(0, "run-a"), {
    message: "cannot freeze dataset version 0 for run run-a: its buckets 0 were deleted",
  });
  assert.deepEqual(deleted, [0]);
  assert.deepEqual((await other.version(0))?.frozenBy, []);
});

/** What a random run did, to check it exercised every path. */
interface RunStats {
  deleted: number;
  keptInUse: number;
  refused: number;
  released: number;
}

/**
 * Runs `steps` random steps, each one to three operations at once from two processes, and after
 * every step checks that no deleted bucket is referenced by a version in use.
 */
async function randomRun(
  processes: DatasetLedger[],
  seed: number,
  steps: number,
): Promise<RunStats> {
  const random = seededRandom(seed);
  const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)];
  const stats: RunStats = { deleted: 0, keptInUse: 0, refused: 0, released: 0 };
  const deleted = new Set<number>();
  const runs: string[] = [];
  let nextBucket = 0;
  let nextVersion = 0;
  const recentVersion = () => Math.max(0, nextVersion - 1 - Math.floor(random() * 3));
  const olderVersion = () => Math.max(0, nextVersion - 2 - Math.floor(random() * 3));
  const recentBucket = () => Math.max(0, nextBucket - 1 - Math.floor(random() * 3));
  const olderBucket = () => Math.max(0, nextBucket - 2 - Math.floor(random() * 6));

  // Each operation picks its arguments when drawn, and runs later on some process's ledger.
  type Operation = (ledger: DatasetLedger) => Promise<unknown>;
  const operations: [weight: number, draw: () => Operation][] = [
    [1, () => {
      const bucket = nextBucket++;
      return (ledger) => ledger.registerBucket(bucket);
    }],
    [1, () => {
      const buckets = [recentBucket(), recentBucket()];
      const version = nextVersion++;
      return (ledger) => ledger.announce(dataset(version, buckets));
    }],
    [2, () => {
      const version = recentVersion();
      return (ledger) => ledger.beginAssembly(version);
    }],
    [2, () => {
      const version = recentVersion();
      return (ledger) => ledger.finishAssembly(version);
    }],
    [1, () => {
      const version = olderVersion();
      return async (ledger) => {
        await ledger.release(version);
        stats.released++;
      };
    }],
    [1, () => {
      const version = olderVersion();
      const run = `run-${runs.length}`;
      runs.push(run);
      return (ledger) => ledger.freeze(version, run);
    }],
    [1, () => {
      const run = runs.length > 0 ? pick(runs) : "run-none";
      return (ledger) => ledger.unfreeze(run);
    }],
    [2, () => {
      const bucket = olderBucket();
      return async (ledger) => {
        const done = await ledger.deleteBucketIfUnused(bucket, (gone) => {
          assert.ok(!deleted.has(gone), `bucket ${gone} was deleted twice`);
          deleted.add(gone);
        });
        if (done) stats.deleted++;
        else if (!deleted.has(bucket)) stats.keptInUse++;
      };
    }],
  ];
  const totalWeight = operations.reduce((sum, [weight]) => sum + weight, 0);
  const drawOperation = (): Operation => {
    let ticket = random() * totalWeight;
    const [, draw] = operations.find(([weight]) => (ticket -= weight) < 0) ?? operations[0];
    return draw();
  };

  for (let step = 0; step < steps; step++) {
    const batch = Array.from({ length: 1 + Math.floor(random() * 3) }, drawOperation);
    const outcomes = await Promise.allSettled(batch.map((operation) => operation(pick(processes))));
    for (const outcome of outcomes) {
      if (outcome.status === "fulfilled") continue;
      if (!(outcome.reason instanceof DatasetStateError)) throw outcome.reason;
      stats.refused++;
    }
    for (const entry of await processes[0].versions()) {
      const inUse = entry.state === "pending" || entry.state === "assembling" ||
        entry.frozenBy.length > 0;
      for (const { bucket } of inUse ? entry.dataset.buckets : []) {
        assert.ok(
          !deleted.has(bucket),
          `step ${step}: bucket ${bucket} was deleted, but version ${entry.dataset.version} ` +
            `references it while ${entry.state} (frozen by [${entry.frozenBy}])`,
        );
      }
    }
  }
  return stats;
}

function assertExercised(stats: RunStats): void {
  for (const [what, count] of Object.entries(stats)) assert.ok(count > 0, `no ${what} in the run`);
}

for (const seed of [1, 2, 3]) {
  Deno.test(`random interleavings keep deleted buckets unreferenced (in process, seed ${seed})`, {
    permissions: "none",
  }, async () => {
    const registry = new InProcessRegistry();
    const prefix = `${uniqueName("ledger")}/`;
    const processes = [
      new DatasetLedger(registry, prefix),
      new DatasetLedger(registry.connect(), prefix),
    ];
    assertExercised(await randomRun(processes, seed, 400));
  });
}

Deno.test("random interleavings keep deleted buckets unreferenced (etcd, two clients)", {
  permissions: { net: ["127.0.0.1"], env: true },
}, async () => {
  const registries = [new EtcdRegistry({ endpoints }), new EtcdRegistry({ endpoints })];
  const prefix = `${uniqueName("ledger")}/`;
  try {
    const processes = registries.map((registry) => new DatasetLedger(registry, prefix));
    assertExercised(await randomRun(processes, 7, 200));
  } finally {
    const leftovers = await registries[0].list(prefix);
    await registries[0].commit({ deletes: leftovers.map((entry) => entry.key) });
    await Promise.all(registries.map((registry) => registry.close()));
  }
});

/** A ledger's holder made of a leadership, as a role binds it. */
function holderOf(name: string, leadership: Leadership): LedgerHolder {
  return { name, lease: leadership.lease, fence: leadership.fence };
}

Deno.test(
  "releasing a released version is a no-op (issue 11: 'cannot release dataset version 8: it is released, not assembled')",
  {
    permissions: "none",
  },
  async () => {
    const ledger = await ledgerWithBuckets(2);
    for (const version of [0, 1]) await announceAssembled(ledger, version, [version]);
    await ledger.release(0);
    await ledger.release(0);
    assert.equal(await stateOf(ledger, 0), "released");
  },
);

Deno.test("repeated transitions change nothing: finish again, begin an assembled version", {
  permissions: "none",
}, async () => {
  const ledger = await ledgerWithBuckets(2);
  await announceAssembled(ledger, 0, [0]);
  await ledger.finishAssembly(0);
  assert.equal(await ledger.beginAssembly(0), "assembled");
  assert.equal(await stateOf(ledger, 0), "assembled");
});

Deno.test("an assembly its owner began is resumed; another live owner's is refused", {
  permissions: "none",
}, async () => {
  const registry = new InProcessRegistry();
  const base = await ledgerWithBuckets(2, registry);
  await base.announce(dataset(0, [0]));
  const first = await registry.campaign("factory", "first");
  const owner = base.heldBy(holderOf("first", first));
  assert.equal(await owner.beginAssembly(0), "begun");
  assert.equal(await owner.beginAssembly(0), "resumed");
  const lease = await registry.connect().grantLease(5, "other");
  const other = base.heldBy({ name: "other", lease: lease.id, fence: lease.fence });
  await assert.rejects(other.beginAssembly(0), {
    name: "DatasetStateError",
    message: "cannot begin assembling dataset version 0: first is assembling it",
  });
  await owner.finishAssembly(0);
  assert.equal(await stateOf(base, 0), "assembled");
});

for (const [name, open] of registries()) {
  Deno.test(
    `a freeze held under its owner's lease ends with its owner (issue 11: a freeze with no owner lasts for ever) (${name})`,
    {
      permissions: { net: ["127.0.0.1"], env: true },
    },
    async () => {
      const [owner, next] = [open(), open()];
      try {
        const base = await ledgerWithBuckets(3, owner);
        const prefixed = new DatasetLedger(next, base.prefix);
        await announceAssembled(base, 0, [0, 1]);
        await announceAssembled(base, 1, [1, 2]);
        const election = uniqueName("factory");
        const leadership = await owner.campaign(election, "factory-a");
        await base.heldBy(holderOf("factory-a", leadership)).freeze(0, "run-1");
        assert.deepEqual([...await prefixed.bucketsInUse()].sort(), [0, 1]);
        const { deleted, deleteFn } = recorder();
        assert.equal(await prefixed.deleteBucketIfUnused(0, deleteFn), false, "frozen");

        // The owner dies: its lease ends (revoked here; expired in a crash), and the freeze with it.
        await leadership.resign();
        assert.deepEqual([...await prefixed.bucketsInUse()], []);
        const successor = prefixed.heldBy(
          holderOf("factory-b", await next.campaign(election, "b")),
        );
        const recovered = await successor.recover();
        assert.deepEqual(
          recovered.map(({ version, kind, reason }) => ({ version, kind, reason })),
          [{
            version: 0,
            kind: "freeze",
            reason: "dataset v0: the freeze of run run-1 ended with its owner's lease",
          }],
        );
        assert.deepEqual((await successor.version(0))?.frozenBy, []);
        assert.deepEqual(await successor.recover(), []);
        assert.equal(await prefixed.deleteBucketIfUnused(0, deleteFn), true);
        assert.deepEqual(deleted, [0]);
      } finally {
        await owner.close();
        await next.close();
      }
    },
  );

  Deno.test(`an assembly whose owner died is rolled back, then assembled anew (${name})`, {
    permissions: { net: ["127.0.0.1"], env: true },
  }, async () => {
    const [owner, next] = [open(), open()];
    try {
      const base = await ledgerWithBuckets(1, owner);
      await base.announce(dataset(0, [0]));
      const election = uniqueName("factory");
      const leadership = await owner.campaign(election, "factory-a");
      assert.equal(await base.heldBy(holderOf("factory-a", leadership)).beginAssembly(0), "begun");
      await leadership.resign();
      const successor = new DatasetLedger(next, base.prefix)
        .heldBy(holderOf("factory-b", await next.campaign(election, "b")));
      const recovered = await successor.recover();
      assert.deepEqual(recovered.map(({ kind, reason }) => ({ kind, reason })), [{
        kind: "assembly",
        reason:
          "dataset v0: the assembly by factory-a ended with its lease; rolled back to pending",
      }]);
      assert.equal(await stateOf(successor, 0), "pending");
      assert.equal(await successor.beginAssembly(0), "begun");
      await successor.finishAssembly(0);
      assert.equal(await stateOf(successor, 0), "assembled");
    } finally {
      await owner.close();
      await next.close();
    }
  });

  Deno.test(`a deposed leader's ledger writes are refused (${name})`, {
    permissions: { net: ["127.0.0.1"], env: true },
  }, async () => {
    const [old, current] = [open(), open()];
    try {
      const base = await ledgerWithBuckets(2, old);
      await base.announce(dataset(0, [0]));
      const election = uniqueName("collector");
      const deposed = await old.campaign(election, "old");
      const oldLedger = base.heldBy(holderOf("old", deposed));
      const waiting = current.campaign(election, "new");
      await deposed.resign();
      const leader = await waiting;
      const { deleted, deleteFn } = recorder();
      await assert.rejects(oldLedger.deleteBucketIfUnused(1, deleteFn), FencedWriteError);
      await assert.rejects(oldLedger.beginAssembly(0), FencedWriteError);
      assert.deepEqual(deleted, []);
      assert.deepEqual(await base.registeredBuckets(), [0, 1]);
      const newLedger = new DatasetLedger(current, base.prefix).heldBy(holderOf("new", leader));
      assert.equal(await newLedger.deleteBucketIfUnused(1, deleteFn), true);
      assert.deepEqual(deleted, [1]);
    } finally {
      await old.close();
      await current.close();
    }
  });
}

Deno.test("released versions no run freezes are collected, keeping the newest entry", {
  permissions: "none",
}, async () => {
  const ledger = await ledgerWithBuckets(4);
  for (const version of [0, 1, 2, 3]) await announceAssembled(ledger, version, [version]);
  await ledger.freeze(2, "run-a");
  for (const version of [0, 1, 2]) await ledger.release(version);
  assert.deepEqual(await ledger.collectGarbage(), [0, 1]);
  await ledger.unfreeze("run-a");
  assert.deepEqual(await ledger.collectGarbage(), [2]);
  assert.deepEqual((await ledger.versions()).map((entry) => entry.dataset.version), [3]);
  await ledger.release(1);
  assert.deepEqual(await ledger.collectGarbage(), []);
});

/** The registries the lease tests run on: in process, and etcd with a short lease. */
function registries(): [string, () => Registry][] {
  const shared = new InProcessRegistry();
  let opened = 0;
  return [
    ["in process", () => (opened++ === 0 ? shared : shared.connect())],
    ["etcd", () => new EtcdRegistry({ endpoints, leaseTtlSeconds: 3 })],
  ];
}
