import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * scripts/node-pin.js: `npm start`, `npm test`, `flowforge` and .ci/run run on the Node pinned in .nvmrc,
 * whatever Node the machine has. These run a probe script the way those entry points start, with the
 * machine's other Node versions (this machine kind has Debian's Node 20 as /usr/bin/node) and with
 * FLOWFORGE_NODE pointing at binaries of the right and the wrong version.
 */
const root = path.resolve(__dirname, '../../..');
const pinned = fs.readFileSync(path.join(root, '.nvmrc'), 'utf8').trim();
const major = (v: string): string => v.replace(/^v/, '').split('.')[0]!;

/** Another Node on PATH or in the usual places whose major is not the pinned one, if the machine has one. */
function otherMajorNode(): string | null {
  const candidates = new Set<string>(['/usr/bin/node', '/usr/local/bin/node']);
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) if (dir) candidates.add(path.join(dir, 'node'));
  for (const bin of candidates) {
    try {
      const v = execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim();
      if (major(v) !== major(pinned)) return bin;
    } catch {
      // not there
    }
  }
  return null;
}

describe('the pinned Node (scripts/node-pin.js, .nvmrc)', () => {
  let dir: string;
  let probe: string;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ff-node-pin-'));
    probe = path.join(dir, 'probe.js');
    // Starts like scripts/test.js: re-run on the pinned Node, else report what runs it.
    fs.writeFileSync(
      probe,
      `if (!require(${JSON.stringify(path.join(root, 'scripts/node-pin.js'))}).reexecWithPinnedNode()) {\n` +
        `  const { execFileSync } = require('node:child_process');\n` +
        `  const onPath = execFileSync('node', ['--version'], { encoding: 'utf8' }).trim();\n` +
        `  process.stdout.write(JSON.stringify({ version: process.version, onPath, args: process.argv.slice(2) }));\n` +
        `  process.exitCode = Number(process.argv[2] ?? 0);\n` +
        `}\n`,
    );
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('pins an LTS major that the running tests use', () => {
    expect(pinned).toMatch(/^\d+\.\d+\.\d+$/);
    expect(Number(major(pinned)) % 2).toBe(0);
    expect(major(process.version)).toBe(major(pinned));
    const engines = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
    expect(engines).toBe(`${major(pinned)}.x`);
  });

  it('runs as is on the pinned Node', () => {
    const r = spawnSync(process.execPath, [probe, '0', 'x'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ version: process.version, args: ['0', 'x'] });
  });

  const other = otherMajorNode();
  (other ? it : it.skip)(
    `started by another Node (${other ?? 'none on this machine'}), re-runs the script on the pinned one with its arguments, exit code and PATH`,
    () => {
      const r = spawnSync(other!, [probe, '3', 'with space'], { encoding: 'utf8', env: { ...process.env, FLOWFORGE_NODE: process.execPath } });
      expect(r.status).toBe(3);
      const out = JSON.parse(r.stdout) as { version: string; onPath: string; args: string[] };
      expect(out).toEqual({ version: process.version, onPath: process.version, args: ['3', 'with space'] });
    },
  );

  it('refuses a FLOWFORGE_NODE of another major, saying which and how to fix it', () => {
    const fake = path.join(dir, 'node-old');
    fs.writeFileSync(fake, '#!/bin/sh\necho v18.20.0\n', { mode: 0o755 });
    // The probe must start on a non-pinned Node for the pin to act: with none on the machine, the check of
    // FLOWFORGE_NODE itself is what `node scripts/node-pin.js --bin-dir` does.
    const r = other
      ? spawnSync(other, [probe], { encoding: 'utf8', env: { ...process.env, FLOWFORGE_NODE: fake } })
      : spawnSync(process.execPath, [path.join(root, 'scripts/node-pin.js'), '--bin-dir'], { encoding: 'utf8', env: { ...process.env, FLOWFORGE_NODE: fake } });
    if (other) {
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`FF_NODE_VERSION: FlowForge needs Node ${major(pinned)} (.nvmrc: ${pinned})`);
      expect(r.stderr).toContain(`FLOWFORGE_NODE=${fake} is Node 18.20.0`);
      expect(r.stderr).toContain('nvm install');
      expect(r.stdout).toBe('');
    } else {
      // On the pinned Node, --bin-dir answers its own folder without looking at FLOWFORGE_NODE.
      expect(r.status).toBe(0);
      expect(r.stdout.trim()).toBe(path.dirname(process.execPath));
    }
  });

  it('--bin-dir prints the folder of a pinned Node binary', () => {
    const r = spawnSync(other ?? process.execPath, [path.join(root, 'scripts/node-pin.js'), '--bin-dir'], {
      encoding: 'utf8',
      env: { ...process.env, FLOWFORGE_NODE: process.execPath },
    });
    expect(r.status).toBe(0);
    const bin = path.join(r.stdout.trim(), 'node');
    expect(execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim()).toBe(process.version);
  });
});
