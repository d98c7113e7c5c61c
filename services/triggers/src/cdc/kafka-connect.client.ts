import { cdcConnectorFailed, cdcConnectorInvalid, cdcConnectorTimeout, cdcConnectUnavailable } from './cdc.errors';

export type ConnectorConfig = Record<string, string>;

interface ConnectorStatus {
  connector: { state: string; trace?: string };
  tasks: { id: number; state: string; trace?: string }[];
}

interface ValidateAnswer {
  error_count: number;
  configs: { value?: { name: string; errors: string[] } | null }[];
}

export interface KafkaConnectClientOptions {
  /** Per request (default 30 s). */
  requestTimeoutMs?: number;
  /** Between status polls (default 250 ms). */
  pollMs?: number;
}

/** The likeliest cause in a Java stack trace: the last "Caused by:" line, else the first line. */
export function causeOf(trace: string | undefined): string {
  if (!trace) return 'no reason given';
  const lines = trace.split('\n').map((l) => l.trim());
  const causes = lines.filter((l) => l.startsWith('Caused by:')).map((l) => l.slice('Caused by:'.length).trim());
  const line = causes.length ? causes[causes.length - 1]! : lines[0]!;
  return line.length > 500 ? `${line.slice(0, 500)}…` : line;
}

/**
 * Kafka Connect's REST API, for one connector at a time. Every message this client builds is scrubbed of
 * the given secrets: Connect sometimes echoes a config value in its errors.
 */
export class KafkaConnectClient {
  private readonly base: string;
  private readonly requestTimeoutMs: number;
  private readonly pollMs: number;

  constructor(
    url: string,
    options: KafkaConnectClientOptions = {},
    private readonly secrets: () => string[] = () => [],
  ) {
    this.base = url.replace(/\/+$/, '');
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.pollMs = options.pollMs ?? 250;
  }

  /** Checks a config with the plugin's own validation (Debezium connects to the database there). */
  async validate(config: ConnectorConfig, secrets: string[] = []): Promise<void> {
    const cls = config['connector.class']!;
    const res = await this.request('PUT', `/connector-plugins/${encodeURIComponent(cls)}/config/validate`, config, secrets);
    if (res.status === 404)
      throw cdcConnectorInvalid(
        `Kafka Connect at ${this.base} has no plugin ${cls}: install it in its plugin.path and restart the worker (scripts/stack/stack up does both)`,
      );
    if (res.status >= 300) throw this.failure('validating the connector config', res, secrets);
    const answer = res.body as ValidateAnswer;
    if (answer.error_count > 0) {
      const errors = answer.configs
        .map((c) => c.value)
        .filter((v): v is { name: string; errors: string[] } => !!v && v.errors.length > 0)
        .map((v) => `${v.name}: ${v.errors.join('; ')}`);
      throw cdcConnectorInvalid(this.scrub(`Kafka Connect refused the CDC connector ${config.name}: ${errors.join(' | ')}`, secrets));
    }
  }

  /** The connector's config as Connect holds it, or null when there is no such connector. */
  async config(name: string): Promise<ConnectorConfig | null> {
    const res = await this.request('GET', `/connectors/${encodeURIComponent(name)}/config`);
    if (res.status === 404) return null;
    if (res.status >= 300) throw this.failure(`reading the config of connector ${name}`, res, []);
    return res.body as ConnectorConfig;
  }

  /**
   * Makes the connector run `config`: creates it when absent; when its config differs or it FAILED, stops
   * it, writes the config and resumes it, so the next RUNNING status is the new one (a plain PUT restarts
   * it in the background, and the old RUNNING status would be read as the new one; a FAILED connector with
   * an unchanged config is not restarted at all). An identical, healthy connector is left alone.
   * Answers what it did.
   */
  async apply(name: string, config: ConnectorConfig, timeoutMs: number, secrets: string[] = []): Promise<'created' | 'reconfigured' | 'unchanged'> {
    const current = await this.config(name);
    if (!current) {
      await this.put(name, config, secrets);
      return 'created';
    }
    const keys = new Set([...Object.keys(current), ...Object.keys(config)]);
    const differs = [...keys].some((k) => current[k] !== config[k]);
    const s = await this.status(name);
    const failed = !!s && (s.connector.state === 'FAILED' || s.tasks.some((t) => t.state === 'FAILED'));
    const stopped = s?.connector.state === 'STOPPED' || s?.connector.state === 'PAUSED';
    if (!differs && !failed && !stopped) return 'unchanged';
    await this.stop(name, timeoutMs);
    await this.put(name, config, secrets);
    const res = await this.request('PUT', `/connectors/${encodeURIComponent(name)}/resume`);
    if (res.status >= 300) throw this.failure(`resuming connector ${name}`, res, secrets);
    return 'reconfigured';
  }

  /** Creates the connector or updates its config (Connect restarts it only when the config changed). */
  async put(name: string, config: ConnectorConfig, secrets: string[] = []): Promise<void> {
    const res = await this.request('PUT', `/connectors/${encodeURIComponent(name)}/config`, config, secrets);
    if (res.status >= 300) throw this.failure(`creating connector ${name}`, res, secrets);
  }

  /** Stops the connector (its tasks end; its config and offsets stay) and waits until it is STOPPED. */
  async stop(name: string, timeoutMs: number): Promise<void> {
    const stop = await this.request('PUT', `/connectors/${encodeURIComponent(name)}/stop`);
    if (stop.status === 404) return;
    if (stop.status >= 300) throw this.failure(`stopping connector ${name}`, stop, []);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const s = await this.status(name);
      if (!s || (s.connector.state === 'STOPPED' && s.tasks.length === 0)) return;
      if (Date.now() >= deadline) throw cdcConnectorTimeout(`CDC connector ${name} did not stop within ${timeoutMs} ms (${s.connector.state})`);
      await new Promise((r) => setTimeout(r, this.pollMs));
    }
  }

  async exists(name: string): Promise<boolean> {
    const res = await this.request('GET', `/connectors/${encodeURIComponent(name)}`);
    if (res.status === 404) return false;
    if (res.status >= 300) throw this.failure(`reading connector ${name}`, res, []);
    return true;
  }

  async status(name: string): Promise<ConnectorStatus | null> {
    const res = await this.request('GET', `/connectors/${encodeURIComponent(name)}/status`);
    if (res.status === 404) return null;
    if (res.status >= 300) throw this.failure(`reading the status of connector ${name}`, res, []);
    return res.body as ConnectorStatus;
  }

  /** Waits until the connector and its task run; a FAILED one throws with the cause from its trace. */
  async waitRunning(name: string, timeoutMs: number, secrets: string[] = []): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = 'no status yet';
    for (;;) {
      const s = await this.status(name);
      if (s) {
        if (s.connector.state === 'FAILED') throw cdcConnectorFailed(this.scrub(`CDC connector ${name} failed: ${causeOf(s.connector.trace)}`, secrets));
        const failed = s.tasks.find((t) => t.state === 'FAILED');
        if (failed) throw cdcConnectorFailed(this.scrub(`CDC connector ${name} failed: ${causeOf(failed.trace)}`, secrets));
        if (s.connector.state === 'RUNNING' && s.tasks.length > 0 && s.tasks.every((t) => t.state === 'RUNNING')) return;
        last = `connector ${s.connector.state}, tasks ${s.tasks.map((t) => t.state).join(',') || 'none'}`;
      }
      if (Date.now() >= deadline) throw cdcConnectorTimeout(`CDC connector ${name} did not start within ${timeoutMs} ms (${last})`);
      await new Promise((r) => setTimeout(r, this.pollMs));
    }
  }

  /**
   * Removes the connector for good: stops it, resets the offsets Connect keeps for it (so a connector of
   * the same name starts afresh) and deletes it. Absent → nothing to do.
   */
  async remove(name: string, timeoutMs: number): Promise<boolean> {
    if (!(await this.exists(name))) return false;
    await this.stop(name, timeoutMs);
    const offsets = await this.request('DELETE', `/connectors/${encodeURIComponent(name)}/offsets`);
    if (offsets.status >= 300 && offsets.status !== 404) throw this.failure(`resetting the offsets of connector ${name}`, offsets, []);
    const del = await this.request('DELETE', `/connectors/${encodeURIComponent(name)}`);
    if (del.status >= 300 && del.status !== 404) throw this.failure(`deleting connector ${name}`, del, []);
    return true;
  }

  private failure(what: string, res: { status: number; body: unknown }, secrets: string[]): Error {
    const message =
      typeof res.body === 'object' && res.body !== null && 'message' in res.body
        ? String((res.body as { message: unknown }).message)
        : JSON.stringify(res.body);
    const detail = this.scrub(`Kafka Connect at ${this.base} answered ${res.status} ${what}: ${message}`, secrets);
    return res.status >= 400 && res.status < 500 && res.status !== 409 ? cdcConnectorInvalid(detail) : cdcConnectUnavailable(detail);
  }

  private scrub(text: string, secrets: string[]): string {
    let out = text;
    for (const s of [...secrets, ...this.secrets()]) if (s && s.length >= 1) out = out.split(s).join('***');
    return out;
  }

  private async request(method: string, path: string, body?: unknown, secrets: string[] = []): Promise<{ status: number; body: unknown }> {
    let res: Response;
    try {
      res = await fetch(this.base + path, {
        method,
        headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.requestTimeoutMs),
      });
    } catch (e) {
      throw cdcConnectUnavailable(
        this.scrub(`Kafka Connect at ${this.base} (FLOWFORGE_KAFKA_CONNECT_URL) did not answer ${method} ${path}: ${(e as Error).message}`, secrets),
      );
    }
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? (JSON.parse(text) as unknown) : null;
    } catch {
      // keep the text
    }
    return { status: res.status, body: parsed };
  }
}
