import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { ESLint } from 'eslint';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Architecture as lint (docs/conventions.md, Module boundaries): the boundary rules in eslint.config.js must actually refuse what
 * docs/architecture.md (Module boundaries) forbids. Lints small in-memory sources written for a moment at real paths of the workspace, so the
 * Nx project graph (tags from each project.json) decides. Integration tier: it builds the project graph
 * and a type-aware program, which takes a few seconds.
 */
const root = path.resolve(__dirname, '../../../..');

async function lint(file: string, source: string): Promise<string[]> {
  process.env.NX_DAEMON = 'false';
  // The config is passed in, not looked up: ESLint loads config files with a dynamic import(), which
  // jest's module system does not offer.
  const config = require(path.join(root, 'eslint.config.js')) as ESLint.Options['baseConfig'];
  const eslint = new ESLint({ cwd: root, overrideConfigFile: true, baseConfig: config });
  // Type-aware rules need the file on disk (the TypeScript project service reads it); it lives only
  // for the duration of the lint.
  const target = path.join(root, file.replace(/\.ts$/, `-${process.pid}-${Date.now()}.ts`));
  fs.writeFileSync(target, source);
  try {
    const [result] = await eslint.lintFiles([target]);
    return (result?.messages ?? []).map((m) => `${m.ruleId ?? 'parse'}: ${m.message}`);
  } finally {
    fs.rmSync(target, { force: true });
  }
}

describe('module boundaries', () => {
  beforeAll(() => {
    // The boundary rule reads Nx's cached project graph; refresh it as `npm run lint` does.
    execFileSync(
      process.execPath,
      [path.join(root, 'node_modules/nx/dist/bin/nx.js'), 'graph', `--file=${path.join(os.tmpdir(), `ff-graph-${process.pid}.json`)}`],
      { cwd: root, env: { ...process.env, NX_DAEMON: 'false' }, stdio: 'ignore' },
    );
  });

  it('refuses production code importing the test helpers', async () => {
    const messages = await lint(
      'libs/bus/src/boundary-probe.ts',
      "import { createTestDatabase } from '@flowforge/testing';\nexport const x = createTestDatabase;\n",
    );
    expect(messages.some((m) => m.startsWith('@nx/enforce-module-boundaries'))).toBe(true);
  });

  it('refuses a service importing another service', async () => {
    const messages = await lint(
      'services/orchestrator/src/boundary-probe.ts',
      "import { GatewayModule } from '@flowforge/service-gateway';\nexport const x = GatewayModule;\n",
    );
    expect(messages.some((m) => m.startsWith('@nx/enforce-module-boundaries'))).toBe(true);
  });

  it('refuses a lib importing a service', async () => {
    const messages = await lint(
      'libs/bus/src/boundary-probe.ts',
      "import { OrchestratorModule } from '@flowforge/service-orchestrator';\nexport const x = OrchestratorModule;\n",
    );
    expect(messages.some((m) => m.startsWith('@nx/enforce-module-boundaries'))).toBe(true);
  });

  it('refuses the CLI importing a service (it is a lib, not a host)', async () => {
    const messages = await lint(
      'libs/cli/src/boundary-probe.ts',
      "import { OrchestratorModule } from '@flowforge/service-orchestrator';\nexport const x = OrchestratorModule;\n",
    );
    // Refused by its type, not only by its scope: the scope rule alone would also refuse a host.
    expect(messages.some((m) => m.startsWith('@nx/enforce-module-boundaries') && m.includes('tagged with "type:lib"'))).toBe(true);
  });

  it('refuses contracts importing a lib', async () => {
    const messages = await lint('libs/contracts/src/boundary-probe.ts', "import { createPgPool } from '@flowforge/db';\nexport const x = createPgPool;\n");
    expect(messages.some((m) => m.startsWith('@nx/enforce-module-boundaries'))).toBe(true);
  });

  it('allows a service importing libs, and the embedded host importing services', async () => {
    expect(
      await lint('services/orchestrator/src/boundary-probe.ts', "import { createPgPool } from '@flowforge/db';\nexport const x = createPgPool;\n"),
    ).toEqual([]);
    expect(
      await lint('services/embedded/src/boundary-probe.ts', "import { GatewayModule } from '@flowforge/service-gateway';\nexport const x = GatewayModule;\n"),
    ).toEqual([]);
  });

  it('refuses a floating promise (type-aware rules are on)', async () => {
    const messages = await lint('libs/db/src/boundary-probe.ts', 'async function f(): Promise<void> {}\nexport function g(): void {\n  f();\n}\n');
    expect(messages.some((m) => m.startsWith('@typescript-eslint/no-floating-promises'))).toBe(true);
  });
});
