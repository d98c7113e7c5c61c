import { COMPATIBILITY, SchemaRegistry as ConfluentClient, SchemaType } from '@kafkajs/confluent-schema-registry';
import { checkBackwardCompatibility, validateAvroSchema } from './compatibility';
import { SchemaIncompatibleError, SchemaInvalidError, SchemaNotFoundError, type RegisteredSchema, type SchemaRegistry } from './schema-registry.port';

export interface ConfluentSchemaRegistryOptions {
  /** Base URL of the Confluent-compatible API, e.g. http://127.0.0.1:8081/apis/ccompat/v7 (Apicurio). */
  url: string;
  /** Per-request timeout (ms). */
  timeoutMs?: number;
}

/** Error raised when the registry cannot be reached or answers something unexpected. */
export class SchemaRegistryUnavailableError extends Error {
  readonly code = 'FF_SCHEMA_REGISTRY_UNAVAILABLE';
  constructor(url: string, reason: string) {
    super(`FF_SCHEMA_REGISTRY_UNAVAILABLE: schema registry at ${url} failed: ${reason}`);
    this.name = 'SchemaRegistryUnavailableError';
  }
}

interface VersionBody {
  id: number;
  version: number;
  subject: string;
  schema: string;
}

/**
 * SchemaRegistry adapter for a Confluent-compatible HTTP registry (distributed mode). Registration goes
 * through @kafkajs/confluent-schema-registry, which puts a new subject under BACKWARD compatibility; the
 * registry enforces it. Lookups are plain REST calls so the raw schema JSON comes back as registered.
 * A refusal is reported with the field named by FlowForge's own checker (registries word it differently).
 */
class RegistryTimeout extends Error {}

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RegistryTimeout(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export class ConfluentSchemaRegistry implements SchemaRegistry {
  private readonly client: ConfluentClient;
  private readonly url: string;
  private readonly timeoutMs: number;
  private readonly byId = new Map<number, Record<string, unknown>>();

  constructor(opts: ConfluentSchemaRegistryOptions) {
    this.url = opts.url.replace(/\/$/, '');
    this.timeoutMs = opts.timeoutMs ?? 5_000;
    this.client = new ConfluentClient({ host: this.url, retry: { retries: 2 } });
  }

  async register(subject: string, schema: Record<string, unknown>): Promise<number> {
    const invalid = validateAvroSchema(schema);
    if (invalid) throw new SchemaInvalidError(subject, invalid);
    const reason = await this.checkCompatibility(subject, schema);
    if (reason) throw new SchemaIncompatibleError(subject, reason);
    try {
      // The client library has no request timeout of its own; registering is idempotent, so a request
      // that never answers (a pooled socket the server dropped) is abandoned and made once more.
      const write = (): Promise<{ id: number }> =>
        withTimeout(
          this.client.register({ type: SchemaType.AVRO, schema: JSON.stringify(schema) }, { subject, compatibility: COMPATIBILITY.BACKWARD }),
          this.timeoutMs,
          `registering under "${subject}"`,
        );
      const { id } = await write().catch((err: unknown) => (err instanceof RegistryTimeout ? write() : Promise.reject(err)));
      this.byId.set(id, schema);
      return id;
    } catch (err) {
      // Concurrent first registrations race on the subject's compatibility setting, which the client
      // writes after registering ("rule COMPATIBILITY already exists"): the schema itself is in, so
      // finding it under the subject is the answer.
      const existing = await this.lookup(subject, schema).catch(() => null);
      if (existing !== null) {
        this.byId.set(existing, schema);
        return existing;
      }
      const status = (err as { status?: number }).status;
      // A concurrent writer may have registered an incompatible version between our check and the write.
      if (status === 409) throw new SchemaIncompatibleError(subject, `the registry refused it: ${errorText(err)}`);
      throw new SchemaRegistryUnavailableError(this.url, `registering under "${subject}": ${errorText(err)}`);
    }
  }

  async getById(id: number): Promise<Record<string, unknown>> {
    const cached = this.byId.get(id);
    if (cached) return cached;
    const res = await this.request('GET', `/schemas/ids/${id}`);
    if (res.status === 404) throw new SchemaNotFoundError(id);
    const body = (await this.json(res, `schema id ${id}`)) as { schema: string };
    const schema = JSON.parse(body.schema) as Record<string, unknown>;
    this.byId.set(id, schema);
    return schema;
  }

  async getLatest(subject: string): Promise<RegisteredSchema | null> {
    const res = await this.request('GET', `/subjects/${encodeURIComponent(subject)}/versions/latest`);
    if (res.status === 404) return null;
    const body = (await this.json(res, `latest version of "${subject}"`)) as VersionBody;
    return { id: body.id, subject, version: body.version, schema: JSON.parse(body.schema) as Record<string, unknown> };
  }

  /** Id of `schema` if it is already registered under `subject`, else null (Confluent's lookup call). */
  private async lookup(subject: string, schema: Record<string, unknown>): Promise<number | null> {
    const res = await this.request('POST', `/subjects/${encodeURIComponent(subject)}`, { schema: JSON.stringify(schema) });
    if (res.status === 404) return null;
    const body = (await this.json(res, `lookup under "${subject}"`)) as { id: number };
    return body.id;
  }

  async checkCompatibility(subject: string, schema: Record<string, unknown>): Promise<string | null> {
    const latest = await this.getLatest(subject);
    if (!latest) return null;
    return checkBackwardCompatibility(schema, latest.schema);
  }

  private async request(method: string, path: string, body?: unknown): Promise<Response> {
    try {
      return await fetch(`${this.url}${path}`, {
        method,
        headers: { accept: 'application/vnd.schemaregistry.v1+json, application/json', 'content-type': 'application/vnd.schemaregistry.v1+json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new SchemaRegistryUnavailableError(this.url, `${method} ${path}: ${errorText(err)}`);
    }
  }

  private async json(res: Response, what: string): Promise<unknown> {
    if (!res.ok) throw new SchemaRegistryUnavailableError(this.url, `${what}: HTTP ${res.status} ${await res.text()}`);
    return res.json();
  }
}

function errorText(err: unknown): string {
  if (err instanceof Error) return err.cause instanceof Error ? `${err.message} (${err.cause.message})` : err.message;
  return String(err);
}
