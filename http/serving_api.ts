/**
 * The serving role's HTTP API, on the process's server when a serving replica runs here:
 * `GET /models`, `GET /models/{version}`, `POST /forecast`, `POST /retrain`, `POST /optimise`,
 * `POST /rollback`, `GET /replicas`, `GET /health` and `GET /openapi.json` (its description,
 * `serving_openapi.ts`). A bad request is answered 400 with `{"error": ...}` naming the field.
 * POSTs take JSON only: a page on another origin cannot send one without a CORS preflight, which
 * this server never grants.
 *
 * @module
 */

import { EventRejectedError, NotReadyError, type Serving } from "../actors/serving.ts";
import { ModelVersionUnavailableError } from "../registry/model_catalog.ts";
import { routable, ServingReplicas } from "../registry/serving_replicas.ts";
import { BadRequestError } from "./bad_request.ts";
import { parseForecastRequest } from "./forecast_request.ts";
import type { ObservedSystem } from "./observed_system.ts";
import { json } from "./responses.ts";
import { SERVING_OPENAPI } from "./serving_openapi.ts";

/** The paths the API answers, `/models/{version}` aside. */
const PATHS = [
  "/models",
  "/forecast",
  "/retrain",
  "/optimise",
  "/rollback",
  "/replicas",
  "/health",
  "/openapi.json",
];

/** The method each path takes. */
const METHODS: Record<string, "GET" | "POST"> = {
  "/models": "GET",
  "/forecast": "POST",
  "/retrain": "POST",
  "/optimise": "POST",
  "/rollback": "POST",
  "/replicas": "GET",
  "/health": "GET",
  "/openapi.json": "GET",
};

/** Whether the serving API answers `pathname`. */
export function isServingPath(pathname: string): boolean {
  return PATHS.includes(pathname) || pathname.startsWith("/models/");
}

/** The API's answer to `request` (whose path `isServingPath`). */
export async function servingResponse(
  request: Request,
  pathname: string,
  system: ObservedSystem | null,
): Promise<Response> {
  const method = METHODS[pathname] ?? "GET";
  if (request.method !== method && !(method === "GET" && request.method === "HEAD")) {
    return new Response(JSON.stringify({ error: `${pathname} takes ${method}` }), {
      status: 405,
      headers: { "content-type": "application/json", allow: method },
    });
  }
  if (pathname === "/openapi.json") return json(200, SERVING_OPENAPI);
  if (system === null) return json(503, { error: "starting" });
  const serving = system.serving();
  if (serving === null) {
    return json(404, {
      error: "no serving replica runs in this process: start one with --role=serving",
    });
  }
  try {
    const body = method === "POST" ? await jsonBody(request) : undefined;
    const query = new URL(request.url).searchParams;
    return await route(pathname, body, query, system);
  } catch (error) {
    if (error instanceof BadRequestError) return json(400, { error: error.message });
    if (error instanceof EventRejectedError) return json(400, { error: error.message });
    if (error instanceof NotReadyError) return json(503, { error: `not ready: ${error.message}` });
    if (error instanceof UnsupportedMediaError) return json(415, { error: error.message });
    throw error;
  }
}

async function route(
  pathname: string,
  body: unknown,
  query: URLSearchParams,
  system: ObservedSystem,
): Promise<Response> {
  const serving = system.serving()!;
  // In a fleet, each request names its model: GETs by `?model=`, POSTs in their body.
  const named = () => modelOf(serving, query.get("model") ?? undefined);
  switch (pathname) {
    case "/models": {
      const catalog = serving.catalog(named());
      const [models, designation] = await Promise.all([catalog.list(), catalog.designation()]);
      const live = designation?.version ?? models.at(-1)?.version ?? null;
      return json(200, { live, designation: designation ?? null, models });
    }
    case "/forecast": {
      const events = parseForecastRequest(body, system.env.config.serving.maxEvents);
      const model = modelOf(serving, fieldOf(body, "model"));
      return json(200, serving.forecast(events, model));
    }
    case "/retrain":
    case "/optimise": {
      const action = pathname === "/retrain" ? "train" : "optimise";
      const model = modelOf(serving, fieldOf(body, "model"));
      const reason = reasonOf(body, `asked for over HTTP (${pathname})`);
      return json(202, await serving.instruct(action, reason, model));
    }
    case "/rollback":
      return await rollback(body, system);
    case "/replicas":
      return json(200, await replicas(system, serving.fleet ? named() : undefined));
    case "/health": {
      const view = serving.view();
      return json(view.ready ? 200 : 503, {
        ready: view.ready,
        version: view.version,
        detail: view.detail,
        ...(view.models === undefined ? {} : { models: view.models }),
      });
    }
  }
  const version = versionOf(pathname.slice("/models/".length), "version (in /models/{version})");
  const catalog = serving.catalog(named());
  const [record, designation] = await Promise.all([catalog.get(version), catalog.live()]);
  if (record === undefined) {
    return json(404, { error: `version ${version} is not in the model catalogue` });
  }
  return json(200, { ...record, live: designation?.version === version });
}

/**
 * `POST /rollback {"version": n, "reason"?: "...", "model"?: "..."}`: designates `n` live (in a
 * fleet, of `model`, in its catalogue).
 */
async function rollback(body: unknown, system: ObservedSystem): Promise<Response> {
  const serving = system.serving()!;
  const fields = objectOf(body, '{"version": <integer>, "reason"?: <text>}');
  const catalog = serving.catalog(modelOf(serving, fields.model));
  const version = fields.version;
  if (typeof version !== "number" || !Number.isInteger(version) || version < 0) {
    throw new BadRequestError("version", "an integer >= 0 (a model version)", version);
  }
  const reason = reasonOf(body, "rollback asked for over HTTP");
  try {
    const by = `serving ${system.env.instance}`;
    return json(200, await catalog.designate(version, by, reason));
  } catch (error) {
    if (!(error instanceof ModelVersionUnavailableError)) throw error;
    const known = (await catalog.get(version)) !== undefined;
    return json(known ? 409 : 404, { error: error.message });
  }
}

/**
 * Every registered replica, marked routable when it serves the designated version (in a fleet,
 * `model`'s).
 */
async function replicas(system: ObservedSystem, model: string | undefined) {
  const [listed, live] = await Promise.all([
    new ServingReplicas(system.env.registry).list(),
    system.serving()!.catalog(model).live(),
  ]);
  const chosen = new Set(
    routable(listed, live?.version, model).map((replica) => replica.instance),
  );
  return {
    ...(model === undefined ? {} : { model }),
    live: live?.version ?? null,
    replicas: listed.map((replica) => ({ ...replica, routable: chosen.has(replica.instance) })),
  };
}

/**
 * The fleet model a request names, which must be one of the fleet's; undefined for a single
 * model, which serves whatever model a request names.
 */
function modelOf(serving: Serving, value: unknown): string | undefined {
  if (!serving.fleet) return undefined;
  const names = serving.modelNames;
  if (typeof value !== "string" || !names.includes(value)) {
    throw new BadRequestError("model", `one of the fleet's models (${names.join(", ")})`, value);
  }
  return value;
}

/** Field `name` of a POST body, if it is an object (undefined otherwise). */
function fieldOf(body: unknown, name: string): unknown {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return undefined;
  return (body as Record<string, unknown>)[name];
}

/** The optional `reason` of a POST body (absent body: `fallback`). */
function reasonOf(body: unknown, fallback: string): string {
  if (body === undefined) return fallback;
  const reason = objectOf(body, '{"reason"?: <text>}').reason;
  if (reason === undefined) return fallback;
  if (typeof reason !== "string" || reason.trim() === "") {
    throw new BadRequestError("reason", "a non-empty string", reason);
  }
  return reason;
}

function versionOf(text: string, field: string): number {
  if (!/^\d{1,15}$/.test(text)) throw new BadRequestError(field, "an integer >= 0", text);
  return Number(text);
}

function objectOf(body: unknown, form: string): Record<string, unknown> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new BadRequestError("body", `an object ${form}`, body);
  }
  return body as Record<string, unknown>;
}

/** A POST whose body is not JSON. */
class UnsupportedMediaError extends Error {}

/** The JSON body of a POST (which must say it is JSON); undefined when empty. */
async function jsonBody(request: Request): Promise<unknown> {
  // Even an empty one: a form on another origin can send neither that type nor a preflight.
  if (!request.headers.get("content-type")?.startsWith("application/json")) {
    throw new UnsupportedMediaError("send the request as application/json");
  }
  const raw = await request.text();
  if (raw.trim() === "") return undefined;
  try {
    return JSON.parse(raw);
  } catch (error) {
    throw new BadRequestError(
      "body",
      "JSON",
      error instanceof Error ? error.message : String(error),
    );
  }
}
