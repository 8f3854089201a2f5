import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { WayebError } from "../../../models/wayeb/runner.ts";
import {
  WAYEB_ARTIFACT_FORMAT,
  WayebModel,
  type WayebOptions,
} from "../../../models/wayeb/model.ts";
import type { StreamEvent } from "../../../core/events.ts";
import { StreamRecognizer } from "../../../models/cef/recognition/stream_recognizer.ts";

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const fakeJava = fixture("fake_java.sh");
const failingJava = fixture("failing_java.sh");
const missingJava = "/nonexistent/bin/java";

const params = { order: 3, threshold: 0.5, pMin: 0.001, gamma: 0.001, alpha: 0, r: 1.05 };
const settings = { threshold: 0.5, horizon: 200, maxSpread: 50 };
const PORT = "-4.47530,48.38273";
const PATTERN = `;(*(OutsideCirclePredicate(${PORT},5.0)),OutsideCirclePredicate(${PORT},5.0),` +
  `OutsideCirclePredicate(${PORT},5.0),WithinCirclePredicate(${PORT},5.0)){order:0}{partitionBy:mmsi}`;

function position(i: number): StreamEvent {
  return {
    key: "227592820",
    timestamp: (1443677401 + 60 * i) * 1000,
    type: "",
    attributes: {
      mmsi: "227592820",
      lon: -4.49 + i * 0.001,
      lat: 48.35,
      speed: 10,
      heading: 0,
      cog: 0,
      annotation: "00000000",
    },
  };
}
const events = Array.from({ length: 5 }, (_, i) => position(i));

/** A work folder and a pattern file, removed after `body`. */
async function withWorkspace(body: (options: WayebOptions) => Promise<void>): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "retune-wayeb-test-" });
  try {
    const patternFile = join(root, "port.sre");
    await Deno.writeTextFile(patternFile, `${PATTERN}\n`);
    const workDir = join(root, "work");
    await body({
      jar: patternFile, // any existing file: the fake java does not read it
      java: fakeJava,
      patternPath: patternFile,
      streamFormat: "maritime",
      workDir,
    });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

async function entries(dir: string): Promise<string[]> {
  return (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name);
}

const fakeRuns = { read: true, write: true, run: [fakeJava, failingJava, missingJava] };

Deno.test({
  name: "train hands Wayeb the candidate's order and parameters; test reads its statistics",
  permissions: fakeRuns,
  async fn() {
    await withWorkspace(async (options) => {
      const model = new WayebModel(options);
      const artifact = await model.train(events, params);
      assert.equal(artifact.format, WAYEB_ARTIFACT_FORMAT);
      assert.deepEqual(artifact.params, params);
      // The fake "learns" the pattern it was given followed by its arguments.
      const learnt = Buffer.from(artifact.spst as string, "base64").toString();
      assert.ok(learnt.includes("{order:3}{partitionBy:mmsi}"), learnt);
      assert.match(
        learnt,
        /-Dvmm\.pMin=0\.001 -Dvmm\.alpha=0 -Dvmm\.gammaMin=0\.001 -Dvmm\.r=1\.05/,
      );
      assert.match(learnt, /--domainSpecificStream:maritime/);

      const metrics = await model.test(artifact, events, settings);
      assert.equal(metrics.mcc, 0.5060178640117138);
      assert.deepEqual([metrics.tp, metrics.tn, metrics.fp, metrics.fn], [118, 8611, 213, 39]);
      assert.equal(metrics.spread, 49);
      assert.deepEqual(await entries(options.workDir), [], "run folders are removed");
    });
  },
});

Deno.test({
  name: "a failed run reports the command and the tail of its error output",
  permissions: fakeRuns,
  async fn() {
    await withWorkspace(async (options) => {
      const model = new WayebModel({ ...options, java: failingJava });
      const error = await model.train(events, params).then(
        () => assert.fail("expected the run to fail"),
        (e: unknown) => e,
      );
      assert.ok(error instanceof WayebError);
      assert.match(
        error.message,
        /Wayeb learnSPST failed \(exit code 1\): .*failing_java\.sh -Dvmm\.pMin=0\.001 .* -jar /,
      );
      assert.match(
        error.message,
        /IllegalArgumentException: Something is wrong with the arguments/,
      );
      assert.match(error.message, /at ui\.WayebCLI\.main/);
      assert.deepEqual(
        await entries(options.workDir),
        [],
        "the run folder is removed on failure too",
      );
    });
  },
});

Deno.test({
  name: "a missing jar or java is a clear error",
  permissions: fakeRuns,
  async fn() {
    await withWorkspace(async (options) => {
      await assert.rejects(
        () => new WayebModel({ ...options, jar: "/nonexistent/wayeb.jar" }).train(events, params),
        (e: unknown) =>
          e instanceof WayebError &&
          /jar '\/nonexistent\/wayeb\.jar' does not exist/.test(e.message),
      );
      await assert.rejects(
        () => new WayebModel({ ...options, java: missingJava }).train(events, params),
        (e: unknown) =>
          e instanceof WayebError &&
          /java executable '\/nonexistent\/bin\/java' not found/.test(e.message),
      );
    });
  },
});

Deno.test({
  name: "without permission to run java the error says which flag is needed",
  permissions: { read: true, write: true, run: false },
  async fn() {
    await withWorkspace(async (options) => {
      await assert.rejects(
        () => new WayebModel(options).train(events, params),
        (e: unknown) => e instanceof WayebError && /needs --allow-run=/.test(e.message),
      );
    });
  },
});

Deno.test("load refuses: the engine forecasts with the native model", async () => {
  const model = new WayebModel({
    jar: "w.jar",
    patternPath: "p.sre",
    streamFormat: "json",
    workDir: "/tmp",
  });
  await assert.rejects(
    () => model.load({ format: WAYEB_ARTIFACT_FORMAT, spst: "" }, settings, 1),
    /cannot forecast online.*native model/,
  );
  await assert.rejects(
    () => model.test({ format: "cef-pst/1" }, events, settings),
    /artifact format must be 'wayeb-spst\/1': current value is 'cef-pst\/1'/,
  );
  await assert.rejects(() => model.train([], params), /empty dataset/);
  await assert.rejects(
    () => model.train(events, { ...params, pMin: 0 }),
    /pMin must be in \(0, 1\)/,
  );
});

const wayebJar = Deno.env.get("WAYEB_JAR");
if (wayebJar === undefined) {
  console.log(
    "Wayeb integration test skipped: set WAYEB_JAR to a Wayeb jar (and have java) to run it",
  );
}

Deno.test({
  name: "integration: a real Wayeb jar trains and tests on the bundled maritime sample",
  ignore: wayebJar === undefined,
  permissions: { read: true, write: true, run: ["java"] },
  async fn() {
    const sample = fileURLToPath(
      new URL("../../../deploy/examples/maritime/vessel_227592820.csv", import.meta.url),
    );
    const rows = (await Deno.readTextFile(sample)).trim().split("\n").slice(0, 6000);
    const stream: StreamEvent[] = rows.map((row) => {
      const [t, mmsi, lon, lat, speed, heading, cog, annotation] = row.split(",");
      return {
        key: mmsi,
        timestamp: Number(t) * 1000,
        type: "",
        attributes: {
          mmsi,
          lon: Number(lon),
          lat: Number(lat),
          speed: Number(speed),
          heading: Number(heading),
          cog: Number(cog),
          annotation,
        },
      };
    });
    await withWorkspace(async (options) => {
      // Retune's own declarations file (comments, groups without commas) reaches the jar as
      // Wayeb's syntax.
      const declarationsPath = fileURLToPath(
        new URL("../../../deploy/examples/maritime/port_entering.declarations", import.meta.url),
      );
      const model = new WayebModel({ ...options, jar: wayebJar!, java: "java", declarationsPath });
      const artifact = await model.train(stream.slice(0, 4000), { ...params, order: 2 });
      const metrics = await model.test(artifact, stream.slice(4000), settings);
      assert.equal(metrics.events, 2000);
      // Wayeb's matches are the native engine's on the same events.
      const native = new StreamRecognizer(PATTERN);
      const matches = stream.slice(4000).reduce((sum, event) => sum + native.step(event), 0);
      assert.equal(metrics.matches, matches);
      assert.ok(metrics.forecasts > 0);
      assert.ok(metrics.mcc >= -1 && metrics.mcc <= 1);
    });
  },
});
