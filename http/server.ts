/**
 * The process's one HTTP server: `/metrics` (Prometheus), `/healthz` (alive), `/readyz` (every
 * role here can work), and the dashboard (`/`, its script, uPlot served from the npm package, and
 * `/api/state`, `/api/instructions`). It listens before the roles are built, so `main.ts` can
 * drop the network permission a role does not need once the socket is bound; until `attach`
 * gives it the system, it answers "starting".
 *
 * Asking for a retrain takes a JSON POST: a page on another origin cannot send one without a CORS
 * preflight, which this server never grants.
 *
 * @module
 */

import uplotScript from "uplot/dist/uPlot.iife.min.js" with { type: "text" };
import uplotStyle from "uplot/dist/uPlot.min.css" with { type: "text" };
import page from "./dashboard/page.html" with { type: "text" };
import pageScript from "./dashboard/page.js" with { type: "text" };
import type { Logger } from "../logging/logger.ts";
import type { ObservedSystem } from "./observed_system.ts";
import { METRICS_CONTENT_TYPE, roleMetrics } from "./role_metrics.ts";
import { readiness } from "./readiness.ts";
import { dashboardState } from "./dashboard_state.ts";
import { json, text } from "./responses.ts";
import { isServingPath, servingResponse } from "./serving_api.ts";
import type { Registry } from "prom-client";

/** Where to listen. */
export interface HttpServerOptions {
  hostname: string;
  /** 0 picks a free port (see `port`). */
  port: number;
  logger: Logger;
}

const STATIC: Record<string, { body: string; type: string }> = {
  "/": { body: page, type: "text/html; charset=utf-8" },
  "/page.js": { body: pageScript, type: "text/javascript; charset=utf-8" },
  "/uplot.js": { body: uplotScript, type: "text/javascript; charset=utf-8" },
  "/uplot.css": { body: uplotStyle, type: "text/css; charset=utf-8" },
};

/** What the dashboard may ask for, as the observer does. */
const ACTIONS = ["train", "optimise"] as const;

/** A listening server; `attach` the system once it is built. */
export class HttpServer {
  readonly #server: Deno.HttpServer<Deno.NetAddr>;
  readonly #logger: Logger;
  #system: ObservedSystem | null = null;
  #metrics: Registry | null = null;

  private constructor(options: HttpServerOptions) {
    this.#logger = options.logger;
    this.#server = Deno.serve({
      hostname: options.hostname,
      port: options.port,
      onListen: () => {},
    }, (request) => this.#handle(request));
  }

  /** Listens on `options.hostname`:`options.port`; throws if the address cannot be bound. */
  static listen(options: HttpServerOptions): HttpServer {
    if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65_535) {
      throw new RangeError(
        `port must be an integer in [0, 65535]: current value is ${options.port}`,
      );
    }
    return new HttpServer(options);
  }

  /** The port listened on (the one picked when asked for 0). */
  get port(): number {
    return this.#server.addr.port;
  }

  /** The dashboard's address. */
  get url(): string {
    const { hostname, port } = this.#server.addr;
    const host = hostname.includes(":") ? `[${hostname}]` : hostname;
    return `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${port}/`;
  }

  /** Serves `system` from now on. */
  attach(system: ObservedSystem): void {
    this.#system = system;
    this.#metrics = roleMetrics(system);
  }

  /** Stops listening and ends the open connections. */
  async close(): Promise<void> {
    await this.#server.shutdown();
  }

  async #handle(request: Request): Promise<Response> {
    const { pathname } = new URL(request.url);
    try {
      if (isServingPath(pathname)) return await servingResponse(request, pathname, this.#system);
      if (request.method === "POST" && pathname === "/api/instructions") {
        return await this.#instruct(request);
      }
      if (request.method !== "GET" && request.method !== "HEAD") {
        return text(405, `${request.method} is not served here\n`);
      }
      const asset = STATIC[pathname];
      if (asset !== undefined) {
        return new Response(asset.body, { headers: { "content-type": asset.type } });
      }
      return await this.#dynamic(pathname);
    } catch (error) {
      this.#logger.warn("HTTP {path} failed: {reason}", {
        path: pathname,
        reason: error instanceof Error ? error.message : String(error),
      });
      return text(500, "internal error: see the process's log\n");
    }
  }

  async #dynamic(pathname: string): Promise<Response> {
    const system = this.#system;
    switch (pathname) {
      case "/healthz":
        return json(200, {
          status: system === null ? "starting" : "alive",
          roles: system?.health() ?? [],
        });
      case "/readyz": {
        if (system === null) return json(503, { ready: false, checks: [], status: "starting" });
        const answer = await readiness(system);
        return json(answer.ready ? 200 : 503, answer);
      }
      case "/metrics":
        if (this.#metrics === null) return text(503, "starting\n");
        return new Response(await this.#metrics.metrics(), {
          headers: { "content-type": METRICS_CONTENT_TYPE },
        });
      case "/api/state":
        if (system === null) return json(503, { status: "starting" });
        return json(200, await dashboardState(system));
      default:
        return text(404, `no such page: ${pathname}\n`);
    }
  }

  async #instruct(request: Request): Promise<Response> {
    if (!request.headers.get("content-type")?.startsWith("application/json")) {
      return text(415, "send the instruction as application/json\n");
    }
    if (this.#system === null) return json(503, { status: "starting" });
    const body = await request.json().catch(() => null);
    const action = body?.action;
    if (!(ACTIONS as readonly unknown[]).includes(action)) {
      return text(
        400,
        `action must be one of ${ACTIONS.join(", ")}: current value is ${JSON.stringify(action)}\n`,
      );
    }
    const model = body?.model;
    if (model !== undefined && typeof model !== "string") {
      return text(400, `model must be a model's name: current value is ${JSON.stringify(model)}\n`);
    }
    let instruction;
    try {
      instruction = await this.#system.instruct(action, "asked for on the dashboard", model);
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      return text(404, `${error.message}\n`);
    }
    this.#logger.info("dashboard asked for {action} of model {model}", {
      action,
      model: model ?? "(all)",
    });
    return json(202, { ...instruction, model: model ?? null });
  }
}
