import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { discoverStack, requireStack, stackEnvFilePath, StackUnavailableError } from './stack.discovery';

describe('stack discovery', () => {
  const noFile = path.join(os.tmpdir(), 'ff-no-such-stack-env');

  it('reads servers from environment variables', () => {
    const stack = discoverStack({ DATABASE_URL: 'postgres://x', FLOWFORGE_TEST_KAFKA_BROKERS: '127.0.0.1:9092, 127.0.0.1:9093' }, noFile);
    expect(stack.postgresUrl).toBe('postgres://x');
    expect(stack.kafkaBrokers).toEqual(['127.0.0.1:9092', '127.0.0.1:9093']);
    expect(stack.keycloakUrl).toBeUndefined();
  });

  it('falls back to the file scripts/stack writes, and the environment wins over it', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ff-stack-')), 'env');
    fs.writeFileSync(file, 'FLOWFORGE_TEST_KEYCLOAK_URL=http://127.0.0.1:8180\nFLOWFORGE_TEST_KAFKA_BROKERS=127.0.0.1:9092\n');
    const stack = discoverStack({ FLOWFORGE_TEST_KAFKA_BROKERS: '127.0.0.2:9092' }, file);
    expect(stack.keycloakUrl).toBe('http://127.0.0.1:8180');
    expect(stack.kafkaBrokers).toEqual(['127.0.0.2:9092']);
  });

  it('reads the env file FLOWFORGE_STACK_ENV_FILE names, else the one in FLOWFORGE_STACK_DIR, else .stack/env', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ff-stack-'));
    const file = path.join(dir, 'env');
    fs.writeFileSync(file, 'FLOWFORGE_TEST_KEYCLOAK_URL=http://127.0.0.1:8180\n');
    expect(stackEnvFilePath({ FLOWFORGE_STACK_ENV_FILE: file, FLOWFORGE_STACK_DIR: '/elsewhere' })).toBe(file);
    expect(stackEnvFilePath({ FLOWFORGE_STACK_DIR: dir })).toBe(file);
    expect(stackEnvFilePath({})).toBe(path.resolve(__dirname, '../../../.stack/env'));
    expect(discoverStack({ FLOWFORGE_STACK_ENV_FILE: file }).keycloakUrl).toBe('http://127.0.0.1:8180');
    // A missing file is a machine without the stack: nothing but what the environment names.
    expect(discoverStack({ FLOWFORGE_STACK_ENV_FILE: path.join(dir, 'missing'), DATABASE_URL: 'postgres://x' })).toEqual({ postgresUrl: 'postgres://x' });
  });

  it('skips loudly without FLOWFORGE_REQUIRE_STACK, and fails naming the variables with it', () => {
    const write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(requireStack('kafka bus contract', ['kafkaBrokers'], {}, {})).toBeNull();
      expect(String(write.mock.calls[0]?.[0])).toContain('SKIPPING kafka bus contract');
    } finally {
      write.mockRestore();
    }
    expect(() => requireStack('kafka bus contract', ['kafkaBrokers', 'schemaRegistryUrl'], { FLOWFORGE_REQUIRE_STACK: '1' }, {})).toThrow(
      StackUnavailableError,
    );
    expect(() => requireStack('x', ['kafkaBrokers'], { FLOWFORGE_REQUIRE_STACK: '1' }, {})).toThrow(/FLOWFORGE_TEST_KAFKA_BROKERS/);
    expect(requireStack('pg', ['postgresUrl'], { FLOWFORGE_REQUIRE_STACK: '1' }, { postgresUrl: 'postgres://x' })).toEqual({
      postgresUrl: 'postgres://x',
    });
  });
});
