import fs from 'node:fs';
import path from 'node:path';

/**
 * `@flowforge/*` resolves three ways: tsconfig.base.json (type check), .swcrc (the build to dist/, where imports
 * are rewritten to relative paths) and jest's moduleNameMapper (patterns). A library added to the first and
 * not the second type-checks and passes every test, then the built platform fails to start (Cannot find
 * module): the two lists must name the same aliases and files.
 */
const root = path.resolve(__dirname, '../../../..');
const json = (file: string) => JSON.parse(fs.readFileSync(path.join(root, file), 'utf8')) as Record<string, unknown>;

describe('path aliases', () => {
  it('.swcrc maps every alias tsconfig.base.json declares, to the same file', () => {
    const ts = (json('tsconfig.base.json').compilerOptions as { paths: Record<string, string[]> }).paths;
    const swc = ((json('.swcrc').jsc as { paths: Record<string, string[]> }).paths ?? {}) as Record<string, string[]>;
    const norm = (p: string[] | undefined) => (p ?? []).map((f) => path.normalize(f));
    const services = /^@flowforge\/service-(?!kit$)/;
    const missing = Object.keys(ts)
      .filter((alias) => !services.test(alias))
      .filter((alias) => JSON.stringify(norm(swc[alias])) !== JSON.stringify(norm(ts[alias])))
      .map((alias) => `${alias}: tsconfig ${JSON.stringify(ts[alias])}, .swcrc ${JSON.stringify(swc[alias] ?? null)}`);
    expect(missing).toEqual([]);
    // Services resolve through the one wildcard.
    expect(swc['@flowforge/service-*']).toEqual(['./services/*/src/index.ts']);
  });
});
