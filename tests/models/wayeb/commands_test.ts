import assert from "node:assert/strict";
import {
  commandLine,
  commandText,
  forecastArgs,
  learnArgs,
  learnProperties,
} from "../../../models/wayeb/commands.ts";

const params = { order: 3, threshold: 0.4, pMin: 0.0001, gamma: 0.002, alpha: 0, r: 1.05 };

Deno.test("learnSPST arguments carry the files; the parameters go as JVM properties", () => {
  assert.deepEqual(
    learnArgs({
      patterns: "/w/pattern.sre",
      declarations: "/p/port.declarations",
      stream: "/w/train.csv",
      domain: "maritime",
      outputSpst: "/w/model.spst",
    }),
    [
      "learnSPST",
      "--patterns:/w/pattern.sre",
      "--fsmModel:dsfa",
      "--declarations:/p/port.declarations",
      "--stream:/w/train.csv",
      "--domainSpecificStream:maritime",
      "--streamArgs:",
      "--outputSpst:/w/model.spst",
    ],
  );
  // Wayeb declares --pMin and the others as integers: fractions only pass as -Dvmm.* properties.
  assert.deepEqual(learnProperties(params), {
    "vmm.pMin": "0.0001",
    "vmm.alpha": "0",
    "vmm.gammaMin": "0.002",
    "vmm.r": "1.05",
  });
});

Deno.test("without declarations or a domain those options are left out", () => {
  const args = learnArgs({ patterns: "p.sre", stream: "s.csv", domain: "", outputSpst: "m.spst" });
  assert.ok(!args.some((a) => a.startsWith("--declarations") || a.startsWith("--domain")));
  assert.ok(!args.includes("--streamArgs:"));
});

Deno.test("forecasting arguments select the variable-order model in classification mode", () => {
  assert.deepEqual(
    forecastArgs(
      { spst: "/w/model.spst", stream: "/w/test.json", domain: "json", statsFile: "/w/stats" },
      { threshold: 0.4, horizon: 200, maxSpread: 50 },
    ),
    [
      "forecasting",
      "--modelType:vmm",
      "--fsmModel:dsfa",
      "--fsm:/w/model.spst",
      "--stream:/w/test.json",
      "--domainSpecificStream:json",
      "--streamArgs:",
      "--statsFile:/w/stats",
      "--foreMethod:classify-nextk",
      "--threshold:0.4",
      "--maxSpread:50",
      "--horizon:200",
    ],
  );
});

Deno.test("the command line starts java on the jar and reads back as one quoted line", () => {
  const argv = commandLine({ java: "/opt/jdk/bin/java", jar: "/my jars/wayeb.jar" }, ["learnSPST"]);
  assert.deepEqual(argv, ["/opt/jdk/bin/java", "-jar", "/my jars/wayeb.jar", "learnSPST"]);
  assert.equal(commandText(argv), '/opt/jdk/bin/java -jar "/my jars/wayeb.jar" learnSPST');
  const withProperties = commandLine({ java: "java", jar: "w.jar" }, ["learnSPST"], {
    "vmm.pMin": "0.001",
  });
  assert.deepEqual(withProperties, ["java", "-Dvmm.pMin=0.001", "-jar", "w.jar", "learnSPST"]);
});
