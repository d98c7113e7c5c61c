import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AuditTrail, FlowForgeError, LOGGER, NotFoundProblem, type FlowForgeLogger } from '@flowforge/service-kit';
import { withTransaction, type Queryable } from '@flowforge/db';
import { parseOrThrow } from '@flowforge/service-kit';
import { SecretCipher, type SealedSecret } from '../secrets/secret-cipher';
import { lockSecretsForWrite } from '../secrets/secret-rotation';
import { applyConfigPatch, joinSecrets, renderWithPlaceholders, scrubSecrets, splitSecrets, type JsonObject } from './connection-config';
import { ConnectionStore, secretContext, type ConnectionRecord, type StoredSecret } from './connection.store';
import { CONNECTION_SPECS, type ConnectionConfigOf, type ConnectionType } from './connection-types';
import type { CreateConnectionRequest, ListConnectionsQuery, UpdateConnectionRequest } from '@flowforge/http';
import {
  checkLocalPath,
  checkRelativePath,
  isFileLocationType,
  LocationError,
  openLocation,
  type FileEntry,
  type LocalPathPolicy,
  type LocationErrorCode,
} from '@flowforge/connectors';
import { LOCAL_PATH_POLICY } from './local-path.provider';
import { probeConnection } from './testers/connection-prober';
import type { ConnectionTestResult } from './testers/probe-outcome';
import type { Pool } from 'pg';
import { CATALOG_POOL } from '../catalog.database';

/** A connection as every API shows it: secrets replaced by `{ "set": true|false }`. */
export interface ConnectionView {
  id: string;
  name: string;
  type: ConnectionType;
  description: string | null;
  config: JsonObject;
  /** Dot paths of this type's secret fields. */
  secretFields: readonly string[];
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** An executor reading a connection for one step attempt (from the executor-only route's headers). */
export interface ExecutorCaller {
  executor: string;
  runId: string;
  stepId: string;
  attempt: number;
}

/** A connection as an executor gets it: the whole config, secrets decrypted. Never logged, never in an event. */
export interface ExecutorConnectionView {
  id: string;
  name: string;
  type: ConnectionType;
  version: number;
  config: JsonObject;
}

/** What the catalog knows of the caller beyond its identity (forwarded by the gateway). */
export interface ConnectionCaller {
  /** Holds settings:configure-system: may let a connection reach private networks. */
  mayAllowPrivateNetworks: boolean;
}

const UNIQUE_VIOLATION = '23505';

/** What `GET /connections/{id}/browse` answers: the entries of one folder of a file connection. */
export interface ConnectionBrowseResult {
  path: string;
  entries: FileEntry[];
  /** More entries than BROWSE_LIMIT: the console shows the first ones and says so. */
  truncated: boolean;
}

const BROWSE_LIMIT = 1000;
const BROWSE_TIMEOUT_MS = 30_000;

/**
 * HTTP status of a location failure on the browse route: the caller's input (400, 404, 422) or the
 * remote store's answer (502: the store refused the stored credentials, or could not be reached). Never 500.
 */
const BROWSE_STATUS: Record<LocationErrorCode, [number, string]> = {
  FF_LOCATION_INVALID_PATH: [400, 'Invalid path'],
  FF_LOCATION_NOT_FOUND: [404, 'Not found'],
  FF_LOCATION_UNSUPPORTED: [422, 'Not a file location'],
  FF_LOCATION_REFUSED: [422, 'Location refused'],
  FF_LOCATION_TOO_MANY: [422, 'Too many entries'],
  // Codes of FileLocation.write (exports): browsing never writes, listed so the map stays total.
  FF_LOCATION_READ_ONLY: [422, 'Location is read-only'],
  FF_LOCATION_EXISTS: [409, 'File exists'],
  FF_LOCATION_INVALID_OPTION: [400, 'Invalid option'],
  FF_LOCATION_AUTH: [502, 'Location refused the credentials'],
  FF_LOCATION_UNREACHABLE: [502, 'Location unreachable'],
  FF_LOCATION_FAILED: [502, 'Location failed'],
};

/** Key order does not matter (jsonb reorders keys): compares the JSON values. */
function sameJson(a: unknown, b: unknown): boolean {
  const canon = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canon)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, canon((v as JsonObject)[k])]),
          )
        : v;
  return JSON.stringify(canon(a)) === JSON.stringify(canon(b));
}

@Injectable()
export class ConnectionsService {
  constructor(
    @Inject(CATALOG_POOL) private readonly pool: Pool,
    private readonly connections: ConnectionStore,
    private readonly cipher: SecretCipher,
    @Inject(LOGGER) private readonly logger: FlowForgeLogger,
    private readonly audit: AuditTrail,
    @Inject(LOCAL_PATH_POLICY) private readonly localPaths: () => Promise<LocalPathPolicy>,
  ) {}

  /**
   * Validates a whole config of `type` (schema, local roots, who may allow private networks). NUL bytes
   * never get here: the kit refuses them in every request field (libs/service-kit request-input.check.ts).
   */
  private async validConfig(type: ConnectionType, raw: JsonObject, caller: ConnectionCaller, before: JsonObject | null): Promise<JsonObject> {
    const spec = CONNECTION_SPECS[type];
    const config = parseOrThrow(spec.schema, raw, 'config') as JsonObject;
    if (type === 'local') {
      const verdict = await checkLocalPath(String(config.path), await this.localPaths());
      if (!verdict.ok) {
        throw new FlowForgeError('FF_CONNECTION_PATH_FORBIDDEN', 400, 'Path not allowed', `config.path: ${verdict.reason}`, [
          { field: 'config.path', message: verdict.reason },
        ]);
      }
    }
    // The flag is an administrator's decision about where this connection goes: setting it, or changing
    // where a connection that has it goes (any plain field; secrets do not move it), takes one again.
    if (config.allowPrivateNetworks === true && !caller.mayAllowPrivateNetworks) {
      const unchanged =
        before !== null &&
        before.allowPrivateNetworks === true &&
        sameJson(splitSecrets(before, spec.secretFields).plain, splitSecrets(config, spec.secretFields).plain);
      if (!unchanged) {
        const message = 'only an administrator (settings:configure-system) may let a connection reach private, loopback, link-local or metadata addresses';
        throw new FlowForgeError(
          'FF_CONNECTION_PRIVATE_NETWORKS_ADMIN_ONLY',
          403,
          'Forbidden',
          `config.allowPrivateNetworks: ${message}; leave it false or ask an administrator`,
          [{ field: 'config.allowPrivateNetworks', message }],
        );
      }
    }
    return config;
  }

  async create(req: CreateConnectionRequest, caller: ConnectionCaller): Promise<ConnectionView> {
    const spec = CONNECTION_SPECS[req.type];
    const config = await this.validConfig(req.type, applyConfigPatch({}, req.config, spec.secretFields), caller, null);
    const { plain, secrets } = splitSecrets(config, spec.secretFields);
    const id = randomUUID();
    const record = await this.named(req.name, () =>
      withTransaction(this.pool, async (tx) => {
        await lockSecretsForWrite(tx);
        const row = await this.connections.insert(tx, { id, name: req.name, type: req.type, description: req.description ?? null, config: plain });
        await this.connections.replaceSecrets(tx, id, this.seal(id, secrets));
        await this.audited(tx, id, null, this.view(row, new Set(Object.keys(secrets))));
        return row;
      }),
    );
    this.logger.info({ module: 'catalog', connectionId: id, type: req.type, name: req.name, secretFields: Object.keys(secrets) }, 'connection created');
    return this.view(record, new Set(Object.keys(secrets)));
  }

  async list(query: ListConnectionsQuery): Promise<ConnectionView[]> {
    const q = this.pool;
    const records = await this.connections.list(q, query);
    const fields = await this.connections.secretFieldsOf(
      q,
      records.map((r) => r.id),
    );
    return records.map((r) => this.view(r, fields.get(r.id) ?? new Set()));
  }

  async get(id: string): Promise<ConnectionView> {
    const q = this.pool;
    const record = await this.connections.find(q, id);
    if (!record) throw this.notFound(id);
    const fields = await this.connections.secretFieldsOf(q, [id]);
    return this.view(record, fields.get(id) ?? new Set());
  }

  /** Merge-patches the config (secrets decrypted only to validate the whole and re-encrypted with fresh IVs). */
  async update(id: string, req: UpdateConnectionRequest, caller: ConnectionCaller): Promise<ConnectionView> {
    const { record, setFields } = await this.named(req.name ?? '', () =>
      withTransaction(this.pool, async (tx) => {
        await lockSecretsForWrite(tx);
        const current = await this.connections.find(tx, id, { forUpdate: true });
        if (!current) throw this.notFound(id);
        const before = this.view(current, (await this.connections.secretFieldsOf(tx, [id])).get(id) ?? new Set());
        const spec = CONNECTION_SPECS[current.type];
        const full = joinSecrets(current.config, this.open(id, await this.connections.secretsOf(tx, id)));
        const next = req.config ? await this.validConfig(current.type, applyConfigPatch(full, req.config, spec.secretFields), caller, full) : full;
        const { plain, secrets } = splitSecrets(next, spec.secretFields);
        const row = await this.connections.update(tx, id, {
          name: req.name ?? current.name,
          description: req.description === undefined ? current.description : req.description,
          config: plain,
        });
        if (req.config) await this.connections.replaceSecrets(tx, id, this.seal(id, secrets));
        const setFields = new Set(Object.keys(secrets));
        await this.audited(tx, id, before, this.view(row, setFields));
        return { record: row, setFields };
      }),
    );
    this.logger.info({ module: 'catalog', connectionId: id, version: record.version }, 'connection updated');
    return this.view(record, setFields);
  }

  async delete(id: string): Promise<void> {
    await withTransaction(this.pool, async (tx) => {
      const current = await this.connections.find(tx, id, { forUpdate: true });
      if (!current || !(await this.connections.delete(tx, id))) throw this.notFound(id);
      await this.audited(tx, id, this.view(current, new Set()), null);
    });
    this.logger.info({ module: 'catalog', connectionId: id }, 'connection deleted');
  }

  /** The change as an audit entry (connection views carry no secret: `{ "set": true }` placeholders). */
  private audited(tx: Queryable, id: string, before: ConnectionView | null, after: ConnectionView | null): Promise<void> {
    return this.audit.change(tx, 'catalog', { action: 'settings:manage-connections', resourceType: 'connection', resourceId: id, before, after });
  }

  /** Runs the type's probe with the decrypted config; the answer never carries a secret, even one a driver echoed. */
  async test(id: string): Promise<ConnectionTestResult> {
    const q = this.pool;
    const record = await this.connections.find(q, id);
    if (!record) throw this.notFound(id);
    const secrets = this.open(id, await this.connections.secretsOf(q, id));
    // Decrypting secrets is a secret read: audited (which fields, never their values).
    const actor = this.audit.currentActor() ?? {
      type: 'system' as const,
      id: 'catalog',
      name: 'catalog',
      userId: null,
      sessionId: null,
      ip: null,
      userAgent: null,
    };
    await this.audit.record({
      actor,
      action: 'connection:secret-read',
      resourceType: 'connection',
      resourceId: id,
      outcome: 'success',
      changes: { purpose: 'connection test', fields: Object.keys(secrets) },
    });
    const config = joinSecrets(record.config, secrets) as ConnectionConfigOf<ConnectionType>;
    const started = performance.now();
    const outcome = await probeConnection(record.type, config, { localPaths: await this.localPaths() });
    const result: ConnectionTestResult = { ...outcome, message: scrubSecrets(outcome.message, secrets), latencyMs: Math.round(performance.now() - started) };
    this.logger.info(
      { module: 'catalog', connectionId: id, type: record.type, ok: result.ok, code: result.ok ? undefined : result.code, latencyMs: result.latencyMs },
      `connection test ${result.ok ? 'passed' : 'failed'}: ${result.message}`,
    );
    return result;
  }

  /**
   * Lists one folder of a file connection (local, s3, gcs, azure, sftp...) through its location, with the
   * decrypted config (a secret read: audited). A type that holds no files is 422 FF_LOCATION_UNSUPPORTED,
   * before any secret is opened; location failures are problems with their FF_LOCATION_ code, secrets scrubbed.
   */
  async browse(id: string, folder: string): Promise<ConnectionBrowseResult> {
    const q = this.pool;
    const record = await this.connections.find(q, id);
    if (!record) throw this.notFound(id);
    if (!isFileLocationType(record.type)) {
      throw new FlowForgeError(
        'FF_LOCATION_UNSUPPORTED',
        422,
        'Not a file location',
        `connection ${id} is a "${record.type}" connection, which holds no files to browse`,
      );
    }
    let path: string;
    try {
      path = checkRelativePath(folder, 'path');
    } catch (err) {
      const message = (err as Error).message.replace(/^FF_LOCATION_[A-Z_]+: /, '');
      throw new FlowForgeError('FF_LOCATION_INVALID_PATH', 400, 'Invalid path', message, [{ field: 'path', message }]);
    }
    const secrets = this.open(id, await this.connections.secretsOf(q, id));
    await this.audit.record({
      actor: this.audit.currentActor() ?? { type: 'system', id: 'catalog', name: 'catalog', userId: null, sessionId: null, ip: null, userAgent: null },
      action: 'connection:secret-read',
      resourceType: 'connection',
      resourceId: id,
      outcome: 'success',
      changes: { purpose: 'connection browse', fields: Object.keys(secrets) },
    });
    let location;
    try {
      location = openLocation(record.type, joinSecrets(record.config, secrets), { localPolicy: await this.localPaths() });
      const listing = await location.list(path, { limit: BROWSE_LIMIT, signal: AbortSignal.timeout(BROWSE_TIMEOUT_MS) });
      return { path, entries: listing.entries, truncated: listing.truncated };
    } catch (err) {
      const located = err instanceof LocationError ? err : new LocationError('FF_LOCATION_FAILED', err instanceof Error ? err.message : String(err));
      const [status, title] = BROWSE_STATUS[located.code];
      const message = scrubSecrets(located.message.replace(/^FF_LOCATION_[A-Z_]+: /, ''), secrets);
      this.logger.info({ module: 'catalog', connectionId: id, type: record.type, code: located.code }, `connection browse failed: ${message}`);
      throw new FlowForgeError(located.code, status, title, message, located.code === 'FF_LOCATION_INVALID_PATH' ? [{ field: 'path', message }] : undefined);
    } finally {
      await location?.close().catch(() => undefined);
    }
  }

  /**
   * A connection with its secrets, for an executor working on a step (the executor-only route): the read is
   * audited as a secret read by that executor, naming run, step, attempt and the fields, never a value.
   */
  async readForExecutor(name: string, caller: ExecutorCaller): Promise<ExecutorConnectionView> {
    const record = await this.connections.findByName(this.pool, name);
    if (!record) throw new NotFoundProblem('FF_CONNECTION_NOT_FOUND', `connection "${name}" does not exist`);
    const secrets = this.open(record.id, await this.connections.secretsOf(this.pool, record.id));
    await this.audit.record({
      actor: {
        type: 'system',
        id: `executor:${caller.executor}`,
        name: `${caller.executor} executor (run ${caller.runId}, step ${caller.stepId}, attempt ${caller.attempt})`,
        userId: null,
        sessionId: null,
        ip: null,
        userAgent: null,
      },
      action: 'connection:secret-read',
      resourceType: 'connection',
      resourceId: record.id,
      outcome: 'success',
      changes: {
        purpose: 'executor',
        executor: caller.executor,
        runId: caller.runId,
        stepId: caller.stepId,
        attempt: caller.attempt,
        fields: Object.keys(secrets),
      },
    });
    this.logger.info(
      { module: 'catalog', connectionId: record.id, executor: caller.executor, runId: caller.runId, stepId: caller.stepId, attempt: caller.attempt },
      'connection secrets read by an executor',
    );
    return { id: record.id, name: record.name, type: record.type, version: record.version, config: joinSecrets(record.config, secrets) };
  }

  private seal(connectionId: string, secrets: Record<string, unknown>): Record<string, SealedSecret> {
    const out: Record<string, SealedSecret> = {};
    for (const [field, value] of Object.entries(secrets)) out[field] = this.cipher.seal(JSON.stringify(value), secretContext(connectionId, field));
    return out;
  }

  private open(connectionId: string, stored: readonly StoredSecret[]): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const s of stored) out[s.field] = JSON.parse(this.cipher.open(s, secretContext(connectionId, s.field))) as unknown;
    return out;
  }

  private view(r: ConnectionRecord, setFields: ReadonlySet<string>): ConnectionView {
    const spec = CONNECTION_SPECS[r.type];
    return {
      id: r.id,
      name: r.name,
      type: r.type,
      description: r.description,
      config: renderWithPlaceholders(r.config, spec.secretFields, setFields),
      secretFields: spec.secretFields,
      version: r.version,
      createdAt: r.createdAt.toISOString(),
      updatedAt: r.updatedAt.toISOString(),
    };
  }

  private notFound(id: string): NotFoundProblem {
    return new NotFoundProblem('FF_CONNECTION_NOT_FOUND', `connection ${id} does not exist`);
  }

  /** A taken name is the caller's mistake (409 naming it), not a 500. */
  private async named<T>(name: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if ((err as { code?: unknown }).code === UNIQUE_VIOLATION || (err as { driverError?: { code?: unknown } }).driverError?.code === UNIQUE_VIOLATION) {
        throw new FlowForgeError('FF_CONNECTION_NAME_TAKEN', 409, 'Conflict', `a connection named "${name}" already exists; pick another name`);
      }
      throw err;
    }
  }
}
