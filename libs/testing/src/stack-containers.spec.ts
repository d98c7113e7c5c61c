import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stackEnvFilePath } from './stack.discovery';

// Plain JS: jest's global setup loads it before any transform.
const containers = require('./jest/stack-containers') as {
  missingComponents(env: NodeJS.ProcessEnv, stackEnvFile?: string): string[];
  stackEnvFilePath(env: NodeJS.ProcessEnv): string;
  startMissingContainers(opts: {
    env: NodeJS.ProcessEnv;
    stackEnvFile?: string;
    log?: (m: string) => void;
    answers?: () => Promise<boolean>;
  }): Promise<{ started: unknown[]; reason: string }>;
};

function stackEnv(lines: string[]): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ff-stackenv-'));
  const file = path.join(dir, 'env');
  writeFileSync(file, lines.join('\n'));
  return file;
}

describe('stack discovery, third source: testcontainers', () => {
  it('counts a component as present when the environment or the stack env file names it', () => {
    const file = stackEnv(['FLOWFORGE_TEST_KAFKA_BROKERS=127.0.0.1:9092', 'FLOWFORGE_TEST_KEYCLOAK_URL=']);
    expect(containers.missingComponents({ FLOWFORGE_TEST_SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081/apis/ccompat/v7' }, file)).toEqual(['keycloak']);
    expect(containers.missingComponents({}, file)).toEqual(['schema registry', 'keycloak']);
    expect(containers.missingComponents({}, '/nonexistent/env')).toEqual(['kafka', 'schema registry', 'keycloak']);
  });

  it('starts nothing and says why when no Docker engine answers; the environment is left as it was', async () => {
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH };
    const logged: string[] = [];
    const probed: boolean[] = [];
    const result = await containers.startMissingContainers({
      env,
      stackEnvFile: stackEnv([]),
      log: (m) => logged.push(m),
      answers: async () => (probed.push(true), false),
    });
    expect(probed).toEqual([true]);
    expect(result.started).toEqual([]);
    expect(result.reason).toMatch(/^no Docker engine answers; .*kafka.* stay missing \(start them with scripts\/stack\/stack up\)$/);
    expect(env).toEqual({ PATH: process.env.PATH });
    expect(logged).toEqual([]);
  });

  it('does not even probe for Docker when every component is named', async () => {
    const env: NodeJS.ProcessEnv = {
      FLOWFORGE_TEST_KAFKA_BROKERS: '127.0.0.1:9092',
      FLOWFORGE_TEST_SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081/apis/ccompat/v7',
      FLOWFORGE_TEST_KEYCLOAK_URL: 'http://127.0.0.1:8180',
    };
    const answers = jest.fn(async () => true);
    const result = await containers.startMissingContainers({ env, answers });
    expect(answers).not.toHaveBeenCalled();
    expect(result).toEqual({ started: [], reason: 'every component is named by the environment or scripts/stack' });
  });

  it('reads the same env file as discoverStack (FLOWFORGE_STACK_ENV_FILE, FLOWFORGE_STACK_DIR, .stack/env)', () => {
    const file = stackEnv(['FLOWFORGE_TEST_KAFKA_BROKERS=127.0.0.1:9092']);
    for (const env of [{ FLOWFORGE_STACK_ENV_FILE: file }, { FLOWFORGE_STACK_DIR: path.dirname(file) }, {}]) {
      expect(containers.stackEnvFilePath(env)).toBe(stackEnvFilePath(env));
    }
    expect(containers.missingComponents({ FLOWFORGE_STACK_ENV_FILE: file })).toEqual(['schema registry', 'keycloak']);
  });

  it('leaves testcontainers out under FLOWFORGE_STACK_CONTAINERS=0, without probing for Docker', async () => {
    const answers = jest.fn(async () => true);
    const env: NodeJS.ProcessEnv = { FLOWFORGE_STACK_CONTAINERS: '0', FLOWFORGE_STACK_ENV_FILE: '/nonexistent/env' };
    const result = await containers.startMissingContainers({ env, answers });
    expect(answers).not.toHaveBeenCalled();
    expect(result).toEqual({ started: [], reason: 'FLOWFORGE_STACK_CONTAINERS=0; kafka, schema registry, keycloak stay missing' });
  });
});
