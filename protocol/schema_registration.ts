/**
 * A deployment's schemas in a schema registry: each topic's record schema (`schemas/*.avsc`, as
 * the codec writes it today) registered under the subject `<topic>-value` (Confluent's
 * TopicNameStrategy), with the subject's compatibility level set, before anything is written.
 * Registering a schema the subject already holds changes nothing, so every process registers at
 * its start; a change the compatibility level forbids is refused there, naming the schema file,
 * the subject and the registry's words.
 *
 * @module
 */

import { type RecordType, writerSchema } from "./codec.ts";
import { type SchemaRegistryClient, SchemaRegistryError } from "./schema_registry_client.ts";

/** The registry refused a schema (an incompatible change, or a schema it cannot parse). */
export class SchemaRefusedError extends Error {
  override readonly name = "SchemaRefusedError";
}

/** A topic and the type of its records. */
export interface TopicRecords {
  topic: string;
  type: RecordType;
}

/** The subject a topic's record schema is registered under (TopicNameStrategy). */
export function subjectOf(topic: string): string {
  return `${topic}-value`;
}

/**
 * Registers each topic's schema under its subject with `compatibility` set; the schema id per
 * topic. `schemaOf` gives a type's schema text (default: today's, from the codec). Throws a
 * SchemaRefusedError for a refused schema, a SchemaRegistryUnavailableError when the registry
 * cannot be reached.
 */
export async function registerTopicSchemas(
  client: Pick<SchemaRegistryClient, "url" | "register" | "setCompatibility">,
  topics: readonly TopicRecords[],
  compatibility: string,
  schemaOf: (type: RecordType) => string = writerSchema,
): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  for (const { topic, type } of topics) {
    const subject = subjectOf(topic);
    const schema = schemaOf(type);
    const register = () =>
      client.register(subject, schema).catch((error) => {
        if (!(error instanceof SchemaRegistryError)) throw error;
        throw new SchemaRefusedError(
          `the schema registry at ${client.url} refused schemas/${type}.avsc as subject ` +
            `'${subject}' (compatibility ${compatibility}): ${error.registryMessage}`,
          { cause: error },
        );
      });
    // The level is set first, so that it already holds for this registration; a registry that
    // keeps no settings for a subject without versions gets it right after the first one.
    const levelSet = await client.setCompatibility(subject, compatibility);
    ids.set(topic, await register());
    if (!levelSet) await client.setCompatibility(subject, compatibility);
  }
  return ids;
}
