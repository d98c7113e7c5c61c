import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { commonConfigVariables, SERVICE_NAMES, SERVICE_PORTS, type ServiceName } from '@flowforge/service-kit';
import { alertingService } from '@flowforge/service-alerting';
import { authService } from '@flowforge/service-auth';
import { catalogService } from '@flowforge/service-catalog';
import { gatewayService } from '@flowforge/service-gateway';
import { ingestionService } from '@flowforge/service-ingestion';
import { lineageService } from '@flowforge/service-lineage';
import { orchestratorService } from '@flowforge/service-orchestrator';
import { qualityService } from '@flowforge/service-quality';
import { reconciliationService } from '@flowforge/service-reconciliation';
import { schedulerService } from '@flowforge/service-scheduler';
import { transformationService } from '@flowforge/service-transformation';
import { triggersService } from '@flowforge/service-triggers';

/**
 * docker-compose.yml cannot run on machines without a Docker engine (CI's), so this test keeps it honest:
 * every FlowForge service is there, on the port and with the variables its code reads, every URL points
 * at a service and port that exist, and every file it mounts or builds from is in the repository.
 */
const root = path.resolve(__dirname, '../../..');

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string; args?: Record<string, string> };
  environment?: Record<string, string | number>;
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, unknown> | string[];
}

const compose = parse(fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>;
};

const definitions: Record<ServiceName, { config?: Record<string, unknown> }> = {
  gateway: gatewayService,
  auth: authService,
  catalog: catalogService,
  orchestrator: orchestratorService,
  scheduler: schedulerService,
  triggers: triggersService,
  ingestion: ingestionService,
  transformation: transformationService,
  quality: qualityService,
  reconciliation: reconciliationService,
  lineage: lineageService,
  alerting: alertingService,
};

/** Port each compose service listens on inside the network (the container side of "host:container"). */
function containerPorts(s: ComposeService): number[] {
  return (s.ports ?? []).map((p) => Number(String(p).split(':').pop()));
}

/** What a compose service answers on inside the network: published container ports, plus known images' ports. */
const IMAGE_PORTS: Record<string, number[]> = { 'schema-registry': [8080], postgres: [5432], kafka: [9092, 9093] };

describe('docker-compose.yml', () => {
  it('runs every FlowForge service, built from this repository, on its standard port', () => {
    for (const name of SERVICE_NAMES) {
      const s = compose.services[name];
      expect(s).toBeDefined();
      expect(s?.build?.args?.SERVICE).toBe(name);
      expect(fs.existsSync(path.join(root, 'services', name, 'src', 'main.ts'))).toBe(true);
      expect(Number(s?.environment?.PORT)).toBe(SERVICE_PORTS[name]);
      expect(containerPorts(s as ComposeService)).toContain(SERVICE_PORTS[name]);
    }
    expect(fs.existsSync(path.join(root, 'Dockerfile'))).toBe(true);
  });

  it('gives each FlowForge service only variables its code reads (no typos, no stale names)', () => {
    for (const name of SERVICE_NAMES) {
      const known = new Set([...Object.keys(commonConfigVariables(name)), ...Object.keys(definitions[name].config ?? {})]);
      const unknown = Object.keys(compose.services[name]?.environment ?? {}).filter((v) => !known.has(v));
      expect({ service: name, unknown }).toEqual({ service: name, unknown: [] });
    }
  });

  it('gives every FlowForge service the same internal-API token, required from the environment', () => {
    for (const name of SERVICE_NAMES) {
      expect({ service: name, token: compose.services[name]?.environment?.FLOWFORGE_INTERNAL_TOKEN }).toEqual({
        service: name,
        token: expect.stringMatching(/^\$\{FLOWFORGE_INTERNAL_TOKEN:\?[^}]+\}$/),
      });
    }
  });

  it('gives the executor credential to the catalog and the ingestion executor, never to the gateway', () => {
    const token = (name: string): unknown => compose.services[name]?.environment?.FLOWFORGE_EXECUTOR_TOKEN;
    expect(token('catalog')).toMatch(/^\$\{FLOWFORGE_EXECUTOR_TOKEN:\?[^}]+\}$/);
    expect(token('ingestion')).toBe(token('catalog'));
    expect(token('gateway')).toBeUndefined();
  });

  it('points every service URL at a compose service and a port it listens on', () => {
    const urls: Array<{ from: string; url: string }> = [];
    for (const [from, s] of Object.entries(compose.services)) {
      for (const v of Object.values(s.environment ?? {})) {
        const text = String(v);
        if (/^[a-z]+:\/\//.test(text)) urls.push({ from, url: text });
        else if (/^[a-z-]+:\d+(,[a-z-]+:\d+)*$/.test(text)) for (const hp of text.split(',')) urls.push({ from, url: `tcp://${hp}` });
      }
    }
    expect(urls.length).toBeGreaterThan(SERVICE_NAMES.length);
    for (const { from, url } of urls) {
      const u = new URL(url.replace(/^jdbc:/, ''));
      const target = compose.services[u.hostname];
      expect({ from, url, target: target ? 'exists' : 'missing' }).toEqual({ from, url, target: 'exists' });
      const listening = [...containerPorts(target as ComposeService), ...(IMAGE_PORTS[u.hostname] ?? [])];
      expect({ from, url, port: listening.includes(Number(u.port)) }).toEqual({ from, url, port: true });
    }
  });

  it('mounts only files that exist in the repository', () => {
    const mounts = Object.values(compose.services).flatMap((s) => (s.volumes ?? []).filter((v) => v.startsWith('./')));
    expect(mounts.length).toBeGreaterThanOrEqual(3);
    for (const m of mounts) expect({ mount: m, exists: fs.existsSync(path.join(root, m.split(':')[0] as string)) }).toEqual({ mount: m, exists: true });
  });

  it('has the infrastructure distributed mode needs', () => {
    for (const infra of ['postgres', 'kafka', 'schema-registry', 'kafka-connect', 'minio', 'keycloak', 'prometheus', 'grafana', 'otel-collector']) {
      expect(compose.services[infra]).toBeDefined();
    }
    expect(compose.services.postgres?.image).toMatch(/^postgres:/);
    expect(JSON.stringify(compose.services.postgres)).toContain('wal_level=logical');
  });
});
