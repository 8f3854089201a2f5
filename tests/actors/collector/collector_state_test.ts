import assert from "node:assert/strict";
import { CollectorState } from "../../../actors/collector/collector_state.ts";
import { SnapshotError } from "../../../actors/role_snapshot.ts";

function collecting(): CollectorState {
  const state = new CollectorState();
  state.nextBucket = 4;
  state.nextVersion = 2;
  state.open = { id: 3, streamTimeStart: 300, streamTimeEnd: 350, events: 12 };
  state.closed.push(
    { id: 1, streamTimeStart: 100, streamTimeEnd: 199, events: 100, score: 0.5 },
    { id: 2, streamTimeStart: 200, streamTimeEnd: 299, events: 100, score: null },
  );
  state.eventsCollected = 312;
  state.bucketsClosed = 3;
  state.bucketsDeleted = 1;
  state.datasetVersions = 2;
  return state;
}

Deno.test("a collector snapshot survives JSON and restores its place in the bucket sequence, not the per-record count", () => {
  const state = collecting();
  state.eventsBucketed = 312;
  state.lookedAhead = true;
  state.retrainsScheduled = 2;
  state.schedule = { anchor: 1_000, ticks: 2, lastCronMs: null };
  state.tickInFlight = {
    dataset: {
      version: 1,
      buckets: [{ bucket: 1, weight: 1 }, { bucket: 2, weight: 1 }],
      firstBucket: 1,
      lastBucket: 2,
      streamTimeStart: 5_000,
      streamTimeEnd: 9_000,
      createdAt: 1_700_000_000_000,
      scheduled: true,
    },
    reason: "schedule tick 2",
    datasetSent: true,
  };
  const restored = CollectorState.restore(JSON.parse(JSON.stringify(state.snapshot())));
  assert.deepEqual(restored.snapshot(), state.snapshot());
  assert.deepEqual(restored.view(), {
    eventsCollected: 312,
    eventsBucketed: 0,
    eventsReached: 0,
    retrainsScheduled: 0,
    bucketsClosed: 3,
    bucketsDeleted: 1,
    datasetVersions: 2,
    nextBucket: 4,
    openBucket: 3,
  });
});

Deno.test("the events a collector reached count the event a lockstep engine stands at once looked at", () => {
  const state = collecting();
  state.eventsBucketed = 300;
  assert.equal(state.view().eventsReached, 300);
  state.lookedAhead = true;
  assert.equal(state.view().eventsReached, 301);
  assert.equal(state.view().eventsBucketed, 300);
});

Deno.test("a collector snapshot is a copy: the state goes on without changing it", () => {
  const state = collecting();
  const snapshot = state.snapshot();
  state.open!.events++;
  state.closed[0].score = 0.9;
  assert.equal(snapshot.open!.events, 12);
  assert.equal(snapshot.closed[0].score, 0.5);
});

Deno.test("a bad collector snapshot is rejected naming the field", () => {
  const good = collecting().snapshot();
  const bad: [unknown, RegExp][] = [
    [{ ...good, nextBucket: 1.5 }, /collector snapshot rejected: nextBucket: /],
    [{ ...good, open: { ...good.open, id: 9 } }, /collector snapshot rejected: open\.id: /],
    [{ ...good, closed: [{ id: 1 }] }, /collector snapshot rejected: closed\.0\.streamTimeStart: /],
    [{ ...good, datasetVersions: undefined }, /collector snapshot rejected: datasetVersions: /],
  ];
  for (const [snapshot, message] of bad) {
    assert.throws(() => CollectorState.restore(snapshot), SnapshotError);
    assert.throws(() => CollectorState.restore(snapshot), message);
  }
});
