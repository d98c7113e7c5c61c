import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * `npm test` must pass on a fresh clone with no stack: every suite that asks requireStack for a server
 * either runs or skips with at least one counted test (jest fails a suite that defines none: "Your test
 * suite must contain at least one test"). This runs jest over every test file that calls requireStack,
 * found at test time so a new one is covered, as a machine without the stack would: no FLOWFORGE_TEST_*
 * variables, FLOWFORGE_REQUIRE_STACK unset, the stack env file missing (FLOWFORGE_STACK_ENV_FILE) and no
 * testcontainers (FLOWFORGE_STACK_CONTAINERS=0). DATABASE_URL is kept: it is the machine's PostgreSQL or
 * the embedded cluster this run's global setup started, so the nested run starts no cluster of its own
 * (a fresh clone's `npm test` would, at a few seconds' cost, for the same suites).
 */
const root = path.resolve(__dirname, '../../..');
const jestBin = path.join(root, 'node_modules/jest/bin/jest.js');
const CALLS_REQUIRE_STACK = /\brequireStack\s*\(/;

interface JestJson {
  numFailedTestSuites: number;
  numPendingTests: number;
  testResults: { name: string; status: string; message: string; assertionResults: { status: string; fullName: string }[] }[];
}

function stacklessEnv(missingEnvFile: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('FLOWFORGE_TEST_') || k.startsWith('FLOWFORGE_STACK_') || k === 'FLOWFORGE_REQUIRE_STACK') continue;
    // The outer jest's worker markers: the nested jest sets its own.
    if (k === 'JEST_WORKER_ID') continue;
    env[k] = v;
  }
  return { ...env, FLOWFORGE_STACK_ENV_FILE: missingEnvFile, FLOWFORGE_STACK_CONTAINERS: '0', NX_DAEMON: 'false' };
}

function firstLine(message: string): string {
  return (message.split('\n').find((l) => l.trim() && !l.includes('●')) ?? message).trim();
}

function jest(args: string[], env: NodeJS.ProcessEnv, timeoutMs: number) {
  return spawnSync(process.execPath, [jestBin, ...args], { cwd: root, env, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
}

describe('npm test on a machine without the stack', () => {
  it('runs or counts a skipped test in every suite that calls requireStack', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ff-stackless-'));
    const env = stacklessEnv(path.join(dir, 'no-stack', 'env'));
    const out = path.join(dir, 'jest.json');
    try {
      // Every test file of every tier, as jest selects them (so a file jest would not run is not counted).
      const listed = jest(['--listTests', '--json'], env, 120_000);
      expect(listed.status).toBe(0);
      const all = JSON.parse(listed.stdout) as string[];
      const files = all.filter((f) => path.resolve(f) !== path.resolve(__filename) && CALLS_REQUIRE_STACK.test(fs.readFileSync(f, 'utf8'))).sort();
      // The Kafka, registry and Keycloak suites at least: a grep that finds nothing proves nothing.
      expect(files.length).toBeGreaterThanOrEqual(5);

      // One process: the suites skip (or run against PostgreSQL only), so parallel workers would buy little.
      const run = jest(['--ci', '--runInBand', '--json', `--outputFile=${out}`, '--runTestsByPath', ...files], env, 600_000);
      // No report at all (jest crashed or timed out): show the end of what it printed.
      expect(fs.existsSync(out) ? '' : `${run.error?.message ?? ''}\n${run.stderr.slice(-4000)}`).toBe('');
      const result = JSON.parse(fs.readFileSync(out, 'utf8')) as JestJson;
      const byFile = new Map(result.testResults.map((r) => [path.resolve(r.name), r]));
      const problems: string[] = [];
      for (const f of files) {
        const r = byFile.get(path.resolve(f));
        const rel = path.relative(root, f);
        // jest's statuses: passed (all ran), focused (some skipped), skipped (all skipped), failed.
        if (!r) problems.push(`${rel}: not run`);
        else if (!['passed', 'focused', 'skipped'].includes(r.status)) problems.push(`${rel}: ${r.status}: ${firstLine(r.message)}`);
        else if (r.assertionResults.length === 0) problems.push(`${rel}: no test counted`);
        else if (r.assertionResults.some((a) => a.status === 'failed')) problems.push(`${rel}: a test failed`);
      }
      expect(problems).toEqual([]);
      expect(result.numFailedTestSuites).toBe(0);
      expect({ status: run.status, signal: run.signal }).toEqual({ status: 0, signal: null });
      // The stack really was missing: at least one suite skipped instead of reaching a server.
      expect(result.numPendingTests).toBeGreaterThan(0);
      expect(run.stderr).toContain('SKIPPING');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 720_000);
});
