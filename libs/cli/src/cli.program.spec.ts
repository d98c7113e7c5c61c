import path from 'node:path';
import { runCli } from './cli.program';
import { capturedIo, type CapturedIo } from './testing/captured.io';

const RUN_ID = '3f2b9c1e-8d4a-4c1b-9f7e-2a6d5c4b3a21';
const FIXTURE = path.join(__dirname, '../../workflow/src/__fixtures__/pipeline.yaml');

interface Sent {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
}

/**
 * A transport that records what the CLI would send and answers with a fixed response: these tests
 * are about reading the command line, the API's behaviour is the e2e suite's (cli.e2e-spec.ts).
 */
function recordingFetch(answer: () => Response = () => json(200, { items: [], nextCursor: null })): { fetch: typeof fetch; sent: Sent[] } {
  const sent: Sent[] = [];
  const fake = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    sent.push({
      url: String(input),
      method: init?.method ?? 'GET',
      headers: Object.fromEntries(Object.entries((init?.headers as Record<string, string>) ?? {})),
      body: init?.body as string | undefined,
    });
    return answer();
  };
  return { fetch: fake as typeof fetch, sent };
}

const json = (status: number, body: unknown, type = 'application/json'): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': type } });

async function cli(argv: string[], env: Record<string, string> = {}, answer?: () => Response): Promise<{ code: number; io: CapturedIo; sent: Sent[] }> {
  const transport = recordingFetch(answer);
  const io = capturedIo(env, { fetch: transport.fetch });
  const code = await runCli(argv, io, '1.2.3');
  return { code, io, sent: transport.sent };
}

describe('flowforge command line', () => {
  it('prints help with exit 0, naming every command, the exit codes and the environment', async () => {
    const { code, io, sent } = await cli(['--help']);
    expect(code).toBe(0);
    for (const command of ['login', 'logout', 'whoami', 'passwd', 'apply', 'run', 'runs', 'logs', 'cancel', 'rerun', 'export', 'assets', 'tokens', 'audit'])
      expect(io.stdout.text).toMatch(new RegExp(`\\n  ${command}\\b`));
    expect(io.stdout.text).toContain('3 gateway unreachable');
    expect(io.stdout.text).toContain('FLOWFORGE_URL');
    expect(io.stdout.text).toContain('FLOWFORGE_CONFIG_DIR');
    expect(sent).toEqual([]);
  });

  it("prints a command's help and the version", async () => {
    const help = await cli(['run', '--help']);
    expect(help.code).toBe(0);
    expect(help.io.stdout.text).toContain('--param <name=value>');
    expect(help.io.stdout.text).toContain('--idempotency-key <key>');
    // A process whose exit code is already set (an earlier command in it failed): asked-for help is still 0.
    process.exitCode = 2;
    const helpCommand = await cli(['help', 'logs']).finally(() => (process.exitCode = undefined));
    expect(helpCommand.code).toBe(0);
    expect(helpCommand.io.stdout.text).toContain('--follow');
    const version = await cli(['--version']);
    expect(version.code).toBe(0);
    expect(version.io.stdout.text).toBe('1.2.3\n');
  });

  it.each([
    [[], /Usage: flowforge/],
    [['rnu'], /unknown command 'rnu'[\s\S]*Did you mean run\?/],
    [['run'], /missing required argument 'workflow'/],
    [['runs', '--bogus'], /unknown option '--bogus'/],
    [['runs', '--limit', 'abc'], /'-n, --limit <n>' argument 'abc' is invalid\. must be an integer from 1 to 500/],
    [['runs', '--state', 'done'], /Allowed choices are queued, running, succeeded, failed, cancelled, timed_out/],
    [['logs', 'not-a-uuid'], /expected a run id/],
    [['cancel', '42'], /expected a run id/],
    [['assets'], /Usage: flowforge assets/],
    [['assets', 'ls', '--layer', 'platinum'], /Allowed choices are bronze, silver, gold/],
    [['assets', 'preview', RUN_ID, '--limit', '0'], /must be an integer from 1 to 10000/],
    [['apply'], /required option '-f, --file <path>' not specified/],
    [['run', 'daily', '--param', 'oops'], /--param "oops" must be name=value/],
    [['run', 'daily', '-p', 'a=1', '-p', 'a=2'], /--param a is given twice/],
    [['runs', '--url', 'localhost:8080'], /--url must be an http:\/\/ or https:\/\/ URL \(got "localhost:8080"\)/],
    [['runs', '--url', 'http://user:pw@host'], /--url must not carry credentials/],
  ])('%j is a usage error: exit 2, a message on stderr, nothing sent', async (argv, message) => {
    const { code, io, sent } = await cli(argv);
    expect({ code, stderr: io.stderr.text }).toEqual({ code: 2, stderr: expect.stringMatching(message) });
    expect(io.stdout.text).toBe('');
    expect(sent).toEqual([]);
  });

  it('takes global options before or after the command; the flag wins over the environment', async () => {
    const before = await cli(['--url', 'http://gw:1234/', '--json', 'runs']);
    const after = await cli(['runs', '--json', '--url', 'http://gw:1234']);
    for (const r of [before, after]) {
      expect(r.code).toBe(0);
      expect(r.sent[0]!.url).toBe('http://gw:1234/api/v1/runs?limit=20');
      expect(JSON.parse(r.io.stdout.text)).toEqual({ items: [], nextCursor: null });
    }
    const env = await cli(['runs'], { FLOWFORGE_URL: 'https://flowforge.example/prefix' });
    expect(env.sent[0]!.url).toBe('https://flowforge.example/prefix/api/v1/runs?limit=20');
    const flag = await cli(['runs', '--url', 'http://flag:1'], { FLOWFORGE_URL: 'http://env:2' });
    expect(flag.sent[0]!.url).toBe('http://flag:1/api/v1/runs?limit=20');
    const fallback = await cli(['runs']);
    expect(fallback.sent[0]!.url).toBe('http://127.0.0.1:8080/api/v1/runs?limit=20');
  });

  it('sends the token as a Bearer token (from --token or FLOWFORGE_TOKEN), and no header without one', async () => {
    expect((await cli(['runs', '--token', 't0k'])).sent[0]!.headers.authorization).toBe('Bearer t0k');
    expect((await cli(['runs'], { FLOWFORGE_TOKEN: 'from-env' })).sent[0]!.headers.authorization).toBe('Bearer from-env');
    expect((await cli(['runs'])).sent[0]!.headers.authorization).toBeUndefined();
  });

  it('maps list options to the query', async () => {
    const { sent } = await cli(['runs', '--workflow', 'daily sales', '--state', 'failed', '-n', '5', '--before', '99']);
    expect(sent[0]!.url).toBe('http://127.0.0.1:8080/api/v1/runs?workflow=daily+sales&state=failed&limit=5&before=99');
    const assets = await cli(['assets', 'ls', '--layer', 'silver', '--namespace', 'sales'], {}, () => json(200, []));
    expect(assets.sent[0]!.url).toBe('http://127.0.0.1:8080/api/v1/assets?layer=silver&namespace=sales&limit=100');
    expect(assets.io.stderr.text).toBe('no assets\n');
  });

  it('sends run parameters as text with the idempotency key', async () => {
    const created = { id: RUN_ID, workflow: 'daily', workflowVersion: 3, state: 'queued' };
    const { code, io, sent } = await cli(['run', 'daily', '--param', 'run_date=2026-01-31', '-p', 'filter=a=b', '--idempotency-key', 'nightly-1'], {}, () =>
      json(201, created),
    );
    expect(code).toBe(0);
    expect(sent[0]).toMatchObject({ url: 'http://127.0.0.1:8080/api/v1/runs', method: 'POST' });
    expect(sent[0]!.headers['idempotency-key']).toBe('nightly-1');
    expect(JSON.parse(sent[0]!.body!)).toEqual({ workflow: 'daily', params: { run_date: '2026-01-31', filter: 'a=b' } });
    expect(io.stdout.text).toBe(`run ${RUN_ID} started (daily v3, queued)\n`);
    const again = await cli(['run', 'daily', '--idempotency-key', 'nightly-1'], {}, () => json(200, created));
    expect(again.io.stdout.text).toContain('already exists for idempotency key "nightly-1"');
  });

  it('validates a file locally before sending it: the fixture pipeline goes out as YAML', async () => {
    const { code, sent, io } = await cli(['apply', '-f', FIXTURE], {}, () =>
      json(200, { documents: [{ kind: 'Workflow', name: 'daily-sales', version: 1, status: 'created' }] }),
    );
    expect(code).toBe(0);
    expect(sent[0]).toMatchObject({ url: 'http://127.0.0.1:8080/api/v1/workflows/apply', method: 'POST' });
    expect(sent[0]!.headers['content-type']).toBe('application/yaml');
    expect(sent[0]!.body).toContain('name: daily-sales');
    expect(io.stdout.text).toBe('workflow/daily-sales created (version 1)\n');
  });

  it('reads the file from stdin with -f -', async () => {
    const transport = recordingFetch(() => json(200, { documents: [] }));
    const yaml = 'apiVersion: flowforge.io/v1\nkind: Job\nmetadata:\n  name: hi\nspec:\n  type: noop\n';
    const io = capturedIo(
      {},
      {
        fetch: transport.fetch,
        stdin: (async function* () {
          yield Buffer.from(yaml);
        })(),
      },
    );
    expect(await runCli(['apply', '-f', '-'], io)).toBe(0);
    expect(transport.sent[0]!.body).toBe(yaml);
  });

  it('fails an unreadable file or an invalid one with exit 1, naming the line, without sending', async () => {
    const missing = await cli(['apply', '-f', 'no/such/file.yaml']);
    expect(missing.code).toBe(1);
    expect(missing.io.stderr.text).toBe('error: cannot read no/such/file.yaml: no such file\n');
    const bad =
      'apiVersion: flowforge.io/v1\nkind: Workflow\nmetadata:\n  name: w\nspec:\n  steps:\n    - { id: a, job: j }\n    - { id: b, job: j, dependsOn: [c] }\n';
    const transport = recordingFetch();
    const io = capturedIo(
      {},
      {
        fetch: transport.fetch,
        stdin: (async function* () {
          yield bad;
        })(),
      },
    );
    expect(await runCli(['apply', '-f', '-'], io)).toBe(1);
    expect(io.stderr.text).toBe(
      'error: <stdin> is invalid (FF_WORKFLOW_INVALID, 1 issue)\n  <stdin>: line 8, column 36: step "b": depends on unknown step "c" (did you mean "a"?)\n',
    );
    expect(transport.sent).toEqual([]);
  });

  it('prints a problem+json answer as "error: <title>: <detail>" with exit 1', async () => {
    const problem = { type: 'about:blank', title: 'Not found', status: 404, detail: 'workflow "nope" does not exist', code: 'FF_WORKFLOW_NOT_FOUND' };
    const { code, io } = await cli(['run', 'nope'], {}, () => json(404, problem, 'application/problem+json'));
    expect(code).toBe(1);
    expect(io.stderr.text).toBe('error: Not found: workflow "nope" does not exist\n');
    expect(io.stdout.text).toBe('');
  });

  it('tells a non-problem error answer by its status and body', async () => {
    const { code, io } = await cli(
      ['runs'],
      {},
      () => new Response('<html>Bad Gateway</html>', { status: 502, statusText: 'Bad Gateway', headers: { 'content-type': 'text/html' } }),
    );
    expect(code).toBe(1);
    expect(io.stderr.text).toBe('error: HTTP 502 Bad Gateway: <html>Bad Gateway</html>\n');
  });

  it('exits 3 naming the URL when nothing answers', async () => {
    const refused = Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
    const io = capturedIo({}, { fetch: (async () => Promise.reject(refused)) as typeof fetch });
    expect(await runCli(['runs', '--url', 'http://10.1.2.3:9999'], io)).toBe(3);
    expect(io.stderr.text).toBe(
      'error: cannot reach the FlowForge gateway at http://10.1.2.3:9999 (ECONNREFUSED); is it running? Set --url or FLOWFORGE_URL\n',
    );
  });
});
