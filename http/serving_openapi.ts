/**
 * The OpenAPI 3 description of the serving API (`GET /openapi.json`), kept beside the handler
 * (`serving_api.ts`); a test checks that every path the handler answers is described.
 *
 * @module
 */

const error = {
  description: "refused: the message names the field and its value",
  content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
};

const jsonOf = (ref: string) => ({
  "application/json": { schema: { $ref: `#/components/schemas/${ref}` } },
});

/** The `model` of a fleet's request: required in a fleet, ignored without one. */
const modelField = {
  type: "string",
  description: "in a fleet, which of its models (required: 400 names the fleet's models when " +
    "absent or unknown); ignored for a single model",
};

/** `?model=`: which fleet model's catalogue or replicas. */
const modelParameter = { name: "model", in: "query", required: false, schema: modelField };

const reasonBody = {
  required: false,
  content: {
    "application/json": {
      schema: {
        type: "object",
        properties: {
          reason: { type: "string", description: "why, as the decision's reason" },
          model: {
            ...modelField,
            description: `the model to retrain or re-optimise; ${modelField.description}`,
          },
        },
        additionalProperties: false,
      },
    },
  },
};

const scores = {
  type: "object",
  required: ["tp", "tn", "fp", "fn", "precision", "recall", "f1", "specificity", "mcc"],
  properties: Object.fromEntries(
    ["tp", "tn", "fp", "fn", "precision", "recall", "f1", "specificity", "mcc"].map((name) => [
      name,
      { type: "number" },
    ]),
  ),
};

/** The serving API's OpenAPI 3.0 document. */
export const SERVING_OPENAPI = {
  openapi: "3.0.3",
  info: {
    title: "Retune serving API",
    version: "1",
    description: "Forecasts from the model version designated live in the registry; the model " +
      "catalogue with lineage; rollback; retrain and re-optimisation requests. In a fleet, " +
      "every request names its model (`model`: a query parameter of GETs, a field of POST " +
      "bodies), and each model has its own catalogue and live version.",
  },
  paths: {
    "/models": {
      get: {
        summary: "Every model version, oldest first, with the live one",
        parameters: [modelParameter],
        responses: { "200": { description: "the catalogue", content: jsonOf("Catalogue") } },
      },
    },
    "/models/{version}": {
      get: {
        summary: "One model version",
        parameters: [{
          name: "version",
          in: "path",
          required: true,
          schema: { type: "integer", minimum: 0 },
        }, modelParameter],
        responses: {
          "200": { description: "the version", content: jsonOf("ModelRecord") },
          "400": error,
          "404": error,
        },
      },
    },
    "/forecast": {
      post: {
        summary: "Forecasts for a batch of events, from fresh runs, with the live version",
        requestBody: { required: true, content: jsonOf("ForecastRequest") },
        responses: {
          "200": { description: "the forecasts", content: jsonOf("ForecastAnswer") },
          "400": error,
          "415": error,
          "503": { ...error, description: "not ready: the reason says why" },
        },
      },
    },
    "/retrain": {
      post: {
        summary: "Asks for a retrain on the newest dataset, as the observer does",
        requestBody: reasonBody,
        responses: {
          "202": { description: "the instruction sent", content: jsonOf("Instruction") },
          "400": error,
          "415": error,
        },
      },
    },
    "/optimise": {
      post: {
        summary: "Asks for a re-optimisation of the hyper-parameters, as the observer does",
        requestBody: reasonBody,
        responses: {
          "202": { description: "the instruction sent", content: jsonOf("Instruction") },
          "400": error,
          "415": error,
        },
      },
    },
    "/rollback": {
      post: {
        summary: "Designates a kept model version live; every replica loads it",
        requestBody: { required: true, content: jsonOf("RollbackRequest") },
        responses: {
          "200": { description: "the designation", content: jsonOf("Designation") },
          "400": error,
          "404": { ...error, description: "no such version" },
          "409": { ...error, description: "its artifact was retired" },
          "415": error,
        },
      },
    },
    "/replicas": {
      get: {
        summary: "The registered replicas; routable ones serve the live version and are ready",
        parameters: [modelParameter],
        responses: { "200": { description: "the replicas", content: jsonOf("Replicas") } },
      },
    },
    "/health": {
      get: {
        summary: "Whether this replica serves the live version",
        responses: {
          "200": { description: "ready", content: jsonOf("Health") },
          "503": { description: "not ready, with the reason", content: jsonOf("Health") },
        },
      },
    },
    "/openapi.json": {
      get: {
        summary: "This description",
        responses: { "200": { description: "OpenAPI 3 document" } },
      },
    },
  },
  components: {
    schemas: {
      Error: {
        type: "object",
        required: ["error"],
        properties: { error: { type: "string" } },
      },
      StreamEvent: {
        type: "object",
        required: ["key", "timestamp"],
        additionalProperties: false,
        properties: {
          key: { type: "string", minLength: 1, description: "partition key" },
          timestamp: { type: "number", description: "stream time, epoch ms" },
          type: { type: "string", default: "" },
          attributes: {
            type: "object",
            additionalProperties: { oneOf: [{ type: "number" }, { type: "string" }] },
            default: {},
          },
        },
      },
      ForecastRequest: {
        type: "object",
        required: ["events"],
        additionalProperties: false,
        properties: {
          events: { type: "array", items: { $ref: "#/components/schemas/StreamEvent" } },
          model: modelField,
        },
      },
      Forecast: {
        type: "object",
        properties: {
          key: { type: "string" },
          counter: { type: "integer" },
          timestamp: { type: "number" },
          start: { type: "integer" },
          end: { type: "integer" },
          probability: { type: "number" },
          positive: { type: "boolean" },
          detection: { type: "boolean" },
          modelVersion: { type: "integer" },
        },
      },
      ForecastAnswer: {
        type: "object",
        required: ["version", "forecasts", "detections"],
        properties: {
          model: { type: "string", description: "in a fleet, the model that forecast" },
          version: { type: "integer" },
          forecasts: { type: "array", items: { $ref: "#/components/schemas/Forecast" } },
          detections: { type: "integer" },
        },
      },
      HyperParameters: {
        type: "object",
        properties: Object.fromEntries(
          ["order", "threshold", "pMin", "gamma", "alpha", "r"].map((name) => [
            name,
            { type: "number" },
          ]),
        ),
      },
      Scores: scores,
      ModelRecord: {
        type: "object",
        properties: {
          version: { type: "integer" },
          artifactUri: { type: "string" },
          creationMethod: { type: "string", enum: ["initial", "retrain", "optimise"] },
          params: { $ref: "#/components/schemas/HyperParameters" },
          metrics: { $ref: "#/components/schemas/Scores" },
          datasetVersion: { type: "integer" },
          productionMs: { type: "number" },
          createdAt: { type: "integer" },
          lineage: {
            type: "object",
            properties: {
              parent: { type: "integer", nullable: true },
              reason: { type: "string", enum: ["initial", "retrain", "optimise"] },
            },
          },
          artifactRetiredAt: { type: "integer", nullable: true },
          live: { type: "boolean", description: "only in GET /models/{version}" },
        },
      },
      Designation: {
        type: "object",
        properties: {
          version: { type: "integer" },
          designatedAt: { type: "integer" },
          by: { type: "string" },
          reason: { type: "string" },
        },
      },
      Catalogue: {
        type: "object",
        properties: {
          live: { type: "integer", nullable: true },
          designation: { $ref: "#/components/schemas/Designation" },
          models: { type: "array", items: { $ref: "#/components/schemas/ModelRecord" } },
        },
      },
      RollbackRequest: {
        type: "object",
        required: ["version"],
        properties: {
          version: { type: "integer", minimum: 0 },
          reason: { type: "string" },
          model: modelField,
        },
      },
      Instruction: {
        type: "object",
        properties: {
          action: { type: "string", enum: ["train", "optimise"] },
          reason: { type: "string" },
          reportId: { type: "integer", description: "-1: not set off by a metrics report" },
        },
      },
      Replica: {
        type: "object",
        properties: {
          instance: { type: "string" },
          address: { type: "string" },
          version: { type: "integer", nullable: true },
          ready: { type: "boolean" },
          detail: { type: "string" },
          models: {
            type: "object",
            description: "in a fleet, each model's version loaded, readiness and why",
            additionalProperties: { $ref: "#/components/schemas/ModelStatus" },
          },
          updatedAt: { type: "integer" },
          routable: { type: "boolean" },
        },
      },
      Replicas: {
        type: "object",
        properties: {
          model: { type: "string", description: "in a fleet, the model asked for" },
          live: { type: "integer", nullable: true },
          replicas: { type: "array", items: { $ref: "#/components/schemas/Replica" } },
        },
      },
      ModelStatus: {
        type: "object",
        properties: {
          version: { type: "integer", nullable: true },
          ready: { type: "boolean" },
          detail: { type: "string" },
        },
      },
      Health: {
        type: "object",
        properties: {
          ready: { type: "boolean", description: "in a fleet, every model's live version loaded" },
          version: { type: "integer", nullable: true, description: "null in a fleet" },
          detail: {
            type: "string",
            description: "what it serves, or why not (in a fleet, each model not loaded)",
          },
          models: {
            type: "object",
            description: "in a fleet, each model's version loaded, readiness and why",
            additionalProperties: { $ref: "#/components/schemas/ModelStatus" },
          },
        },
      },
    },
  },
} as const;
