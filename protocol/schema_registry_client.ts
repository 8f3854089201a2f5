/**
 * A client of the Confluent schema-registry REST API (Confluent's own registry, Apicurio's
 * `/apis/ccompat/v6`, Karapace): the three calls Retune makes, over `fetch`, each with a deadline.
 *
 * Not `npm:@confluentinc/schemaregistry`: for these three calls it would bring 25 dependencies
 * (the AWS, Azure and Google KMS clients, Vault, OAuth, axios) and a serializer of its own beside
 * Retune's one codec.
 *
 * @module
 */

/** The registry answered, and refused the request; `registryMessage` is its own words. */
export class SchemaRegistryError extends Error {
  override readonly name = "SchemaRegistryError";

  /** A refusal with the HTTP status and the registry's message and error code. */
  constructor(
    readonly status: number,
    readonly registryMessage: string,
    readonly errorCode: number | null,
  ) {
    super(`schema registry answered ${status}: ${registryMessage}`);
  }
}

/**
 * The registry could not be reached, did not answer in time or failed on its side (5xx): worth
 * trying again later (the actor runtime classifies it as retriable by its name).
 */
export class SchemaRegistryUnavailableError extends Error {
  override readonly name = "SchemaRegistryUnavailableError";
}

/** Where the registry is and how long one call may take. */
export interface SchemaRegistryClientOptions {
  /** The API's base URL, e.g. `http://127.0.0.1:8081` or `http://host:8080/apis/ccompat/v6`. */
  url: string;
  /** Deadline of one call, ms. */
  callTimeoutMs: number;
}

const CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
/** The error code of "subject not found" (Confluent 40401; Apicurio answers the same). */
const SUBJECT_NOT_FOUND = 40401;

/** The calls Retune makes to a Confluent-compatible schema registry. */
export class SchemaRegistryClient {
  readonly url: string;
  readonly #timeoutMs: number;

  /** A client of the registry at `options.url`; refuses a URL that is not http(s). */
  constructor(options: SchemaRegistryClientOptions) {
    if (!/^https?:\/\/[^\s/]+/.test(options.url)) {
      throw new RangeError(`url must be an http(s) URL: current value is '${options.url}'`);
    }
    if (!(Number.isInteger(options.callTimeoutMs) && options.callTimeoutMs > 0)) {
      throw new RangeError(
        `callTimeoutMs must be a positive integer: current value is ${options.callTimeoutMs}`,
      );
    }
    this.url = options.url.replace(/\/+$/, "");
    this.#timeoutMs = options.callTimeoutMs;
  }

  /**
   * Registers `schema` (Avro JSON) under `subject`, or finds it already registered there; the
   * schema's id. A schema the subject's compatibility refuses throws a SchemaRegistryError (409).
   */
  async register(subject: string, schema: string): Promise<number> {
    const body = await this.#call("POST", `/subjects/${encodeURIComponent(subject)}/versions`, {
      schema,
    });
    const id = (body as { id?: unknown }).id;
    if (typeof id !== "number") {
      throw new SchemaRegistryError(200, `no schema id in ${JSON.stringify(body)}`, null);
    }
    return id;
  }

  /**
   * Sets the compatibility level of `subject`; false when the registry knows no such subject yet
   * (some registries keep settings only for subjects that have a version).
   */
  async setCompatibility(subject: string, level: string): Promise<boolean> {
    try {
      await this.#call("PUT", `/config/${encodeURIComponent(subject)}`, { compatibility: level });
      return true;
    } catch (error) {
      if (error instanceof SchemaRegistryError && error.errorCode === SUBJECT_NOT_FOUND) {
        return false;
      }
      throw error;
    }
  }

  /** The schema (Avro JSON) registered with `id`, or undefined when the registry has none. */
  async schema(id: number): Promise<string | undefined> {
    try {
      const body = await this.#call("GET", `/schemas/ids/${id}`);
      const schema = (body as { schema?: unknown }).schema;
      if (typeof schema !== "string") {
        throw new SchemaRegistryError(200, `no schema in ${JSON.stringify(body)}`, null);
      }
      return schema;
    } catch (error) {
      if (error instanceof SchemaRegistryError && error.status === 404) return undefined;
      throw error;
    }
  }

  async #call(method: string, path: string, body?: unknown): Promise<unknown> {
    const where = `${method} ${this.url}${path}`;
    let response: Response;
    let text: string;
    try {
      response = await fetch(`${this.url}${path}`, {
        method,
        headers: { "Accept": CONTENT_TYPE, "Content-Type": CONTENT_TYPE },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      if (error instanceof Deno.errors.NotCapable) throw error;
      const reason = (error as Error).name === "TimeoutError"
        ? `no answer within ${this.#timeoutMs} ms`
        : (error as Error).message;
      throw new SchemaRegistryUnavailableError(`${where}: ${reason}`, { cause: error });
    }
    const parsed = parseJson(text);
    if (response.ok) return parsed;
    const { message, error_code: code } = (parsed ?? {}) as {
      message?: unknown;
      error_code?: unknown;
    };
    const registryMessage = typeof message === "string" ? message : text.trim().slice(0, 300);
    if (response.status >= 500) {
      throw new SchemaRegistryUnavailableError(`${where}: ${response.status} ${registryMessage}`);
    }
    throw new SchemaRegistryError(
      response.status,
      registryMessage,
      typeof code === "number" ? code : null,
    );
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
