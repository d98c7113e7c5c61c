import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { commentsOf, findBadReferences, type BadReference } from './doc-references.check';

/**
 * Every path a comment or README cites must exist in the repository, and nothing may cite design
 * documents that are not in it (docs/architecture.md and docs/conventions.md hold the design).
 */
const root = path.resolve(__dirname, '../../../..');
const outside = ['ARCHITECTURE', 'STYLE', 'ROADMAP'].map((n) => `${n}.md`);

function describeAll(bad: BadReference[]): string {
  return bad.map((b) => `${b.file}:${b.line}: ${b.cited} (${b.reason})`).join('\n');
}

describe('references in comments and Markdown', () => {
  it('the repository cites only paths it holds', () => {
    const bad = findBadReferences(root);
    // Printed in full so the failure names every file and line to fix.
    expect(describeAll(bad)).toBe('');
  });

  describe('on a planted tree', () => {
    let tree: string;

    beforeAll(() => {
      tree = fs.mkdtempSync(path.join(os.tmpdir(), 'ff-doc-refs-'));
      const write = (rel: string, text: string): void => {
        fs.mkdirSync(path.dirname(path.join(tree, rel)), { recursive: true });
        fs.writeFileSync(path.join(tree, rel), text);
      };
      write('docs/architecture.md', '# Architecture\n\nSee [the bus](../libs/bus/README.md) and [conventions](conventions.md#errors).\n');
      write('libs/bus/README.md', '# bus\n\n[Up](../../docs/architecture.md), [gone](../../docs/gone.md), [web](https://example.com/x.md), [here](#top).\n');
      write(
        'libs/bus/src/bus.ts',
        [
          `// Envelope fields (${outside[0]} §4).`,
          '/** Kept in libs/bus/src/bus.ts, described in docs/architecture.md; one per services/<name>. */',
          "export const pattern = 'libs/nowhere/x.ts'; // a string is not a comment",
          'export const re = /\\/\\/ libs\\/nowhere/; /* regex above; this comment cites libs/bus/src/missing.ts. */',
          `export const tpl = \`\${pattern} // libs/nowhere/y.ts\`;`,
          '/*',
          ` * ${outside[1]} §9, and proto/*.avsc (a pattern).`,
          ' */',
          'export function f(): void {',
          '  // the last line of a block: docs/conventions.md',
          '}',
          '',
        ].join('\n'),
      );
      write('scripts/tool.js', `#!/usr/bin/env node\n// Reads bench/RESULTS.md and ${outside[2]}.\nmodule.exports = 1;\n`);
    });

    afterAll(() => fs.rmSync(tree, { recursive: true, force: true }));

    it('reports each missing path, broken link and outside document, with file and line', () => {
      const bad = findBadReferences(tree).map((b) => `${b.file}:${b.line} ${b.cited}`);
      expect(bad.sort()).toEqual(
        [
          'docs/architecture.md:3 conventions.md#errors',
          'libs/bus/README.md:3 ../../docs/gone.md',
          `libs/bus/src/bus.ts:1 ${outside[0]}`,
          'libs/bus/src/bus.ts:4 libs/bus/src/missing.ts',
          `libs/bus/src/bus.ts:7 ${outside[1]}`,
          'libs/bus/src/bus.ts:10 docs/conventions.md',
          'scripts/tool.js:2 bench/RESULTS.md',
          `scripts/tool.js:2 ${outside[2]}`,
        ].sort(),
      );
    });

    it('passes once the cited files exist', () => {
      fs.writeFileSync(path.join(tree, 'docs/conventions.md'), '# Conventions\n');
      fs.writeFileSync(path.join(tree, 'docs/gone.md'), '# Back\n');
      fs.writeFileSync(path.join(tree, 'libs/bus/src/missing.ts'), 'export {};\n');
      fs.mkdirSync(path.join(tree, 'bench'));
      fs.writeFileSync(path.join(tree, 'bench/RESULTS.md'), '# Results\n');
      const left = findBadReferences(tree).map((b) => b.cited);
      expect(left.sort()).toEqual([...outside].sort());
    });

    it('ignores build output and installed packages', () => {
      for (const dir of ['node_modules/pkg', 'dist/libs', '.flowforge']) {
        fs.mkdirSync(path.join(tree, dir), { recursive: true });
        fs.writeFileSync(path.join(tree, dir, 'index.js'), '// libs/nowhere/z.ts\n');
      }
      expect(findBadReferences(tree).some((b) => b.cited === 'libs/nowhere/z.ts')).toBe(false);
    });
  });

  it('reads comments from the parse tree, not from strings, regexes or templates', () => {
    const source = ["const a = '// not a comment';", 'const b = /\\/\\*x/; // one', 'const c = `/* no */`; /* two */', ''].join('\n');
    expect(commentsOf('x.ts', source).map((c) => c.text)).toEqual(['// one', '/* two */']);
  });
});
