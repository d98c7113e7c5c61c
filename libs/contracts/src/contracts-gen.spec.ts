import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const repo = path.resolve(__dirname, '../../..');
const script = path.join(repo, 'scripts/contracts-gen.js');
const generatedRel = 'libs/contracts/src/generated';

function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [script, ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('scripts/contracts-gen.js', () => {
  let root: string;

  beforeEach(() => {
    // A temp copy of the inputs and committed outputs: the real tree is never written.
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'ff-contracts-gen-'));
    fs.cpSync(path.join(repo, 'proto'), path.join(root, 'proto'), { recursive: true });
    fs.cpSync(path.join(repo, generatedRel), path.join(root, generatedRel), { recursive: true });
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('--check passes on the committed output', () => {
    const r = run(['--check', '--root', root]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('up to date');
  });

  it('--check names a stale, a missing and an unexpected file, and gen repairs them', () => {
    const stale = path.join(root, generatedRel, 'run-requested.event.ts');
    fs.appendFileSync(stale, '// hand edit\n');
    fs.rmSync(path.join(root, generatedRel, 'step-failed.event.ts'));
    fs.writeFileSync(path.join(root, generatedRel, 'leftover.event.ts'), 'export {};\n');

    const r = run(['--check', '--root', root]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('FF_CONTRACTS_STALE');
    expect(r.stderr).toContain(`stale: ${generatedRel}/run-requested.event.ts`);
    expect(r.stderr).toContain(`missing: ${generatedRel}/step-failed.event.ts`);
    expect(r.stderr).toContain(`not generated from any schema: ${generatedRel}/leftover.event.ts`);

    expect(run(['--root', root]).status).toBe(0);
    expect(run(['--check', '--root', root]).status).toBe(0);
    expect(fs.readFileSync(stale, 'utf8')).toBe(fs.readFileSync(path.join(repo, generatedRel, 'run-requested.event.ts'), 'utf8'));
  });

  it('detects a schema change and generates the new field into the interface', () => {
    const avsc = path.join(root, 'proto/system/system-echo-requested.avsc');
    const schema = JSON.parse(fs.readFileSync(avsc, 'utf8'));
    schema.fields.push({ name: 'repeat', type: ['null', 'int'], default: null });
    fs.writeFileSync(avsc, JSON.stringify(schema, null, 2));

    const r = run(['--check', '--root', root]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`stale: ${generatedRel}/system-echo-requested.event.ts`);
    expect(run(['--root', root]).status).toBe(0);
    expect(fs.readFileSync(path.join(root, generatedRel, 'system-echo-requested.event.ts'), 'utf8')).toContain('  repeat: number | null;');
  });

  it('is deterministic: generating twice writes nothing the second time', () => {
    expect(run(['--root', root]).stdout).toContain('(0 written)');
  });

  it('refuses a schema that breaks the envelope convention, naming the file', () => {
    const avsc = path.join(root, 'proto/run/run-requested.avsc');
    const schema = JSON.parse(fs.readFileSync(avsc, 'utf8'));
    schema.fields.splice(0, 1);
    fs.writeFileSync(avsc, JSON.stringify(schema));
    const r = run(['--check', '--root', root]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('FF_CONTRACTS_SCHEMA: proto/run/run-requested.avsc: field 1 must be the envelope field eventId');
  });
});
