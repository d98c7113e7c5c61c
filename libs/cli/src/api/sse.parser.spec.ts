import { readSseStream, SseParser, type SseMessage } from './sse.parser';

/** What the orchestrator's run stream sends (services/orchestrator/src/feed/run-events.controller.ts). */
const STREAM =
  'id: 0.0\nevent: snapshot\ndata: {"id":"r1","state":"queued","steps":[]}\n\n' +
  ': keep-alive\n\n' +
  'id: 1.0\nevent: run\ndata: {"runId":"r1","from":null,"to":"queued"}\n\n' +
  'id: 1.1\nevent: log\ndata: {"stepId":"load","message":"naïve → ✓ 数据"}\n\n' +
  'id: 2.1\nevent: end\ndata: {"runId":"r1","state":"succeeded","reason":null}\n\n';

const EXPECTED: SseMessage[] = [
  { id: '0.0', event: 'snapshot', data: '{"id":"r1","state":"queued","steps":[]}' },
  { id: '1.0', event: 'run', data: '{"runId":"r1","from":null,"to":"queued"}' },
  { id: '1.1', event: 'log', data: '{"stepId":"load","message":"naïve → ✓ 数据"}' },
  { id: '2.1', event: 'end', data: '{"runId":"r1","state":"succeeded","reason":null}' },
];

function parseChunks(chunks: string[]): SseMessage[] {
  const parser = new SseParser();
  return chunks.flatMap((c) => parser.push(c));
}

async function* bytes(chunks: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const c of chunks) yield c;
}

async function collect(gen: AsyncGenerator<SseMessage>): Promise<SseMessage[]> {
  const out: SseMessage[] = [];
  for await (const m of gen) out.push(m);
  return out;
}

describe('SseParser', () => {
  it('parses a whole stream in one chunk', () => {
    expect(parseChunks([STREAM])).toEqual(EXPECTED);
  });

  it('gives the same events however the stream is cut in two (mid-line, mid-field, between events)', () => {
    for (let cut = 0; cut <= STREAM.length; cut++) {
      expect({ cut, events: parseChunks([STREAM.slice(0, cut), STREAM.slice(cut)]) }).toEqual({ cut, events: EXPECTED });
    }
  });

  it('gives the same events when fed one character at a time', () => {
    expect(parseChunks([...STREAM])).toEqual(EXPECTED);
  });

  it('returns an event only once its blank line arrived', () => {
    const parser = new SseParser();
    expect(parser.push('event: run\ndata: {"a":1}\n')).toEqual([]);
    expect(parser.push('\n')).toEqual([{ event: 'run', data: '{"a":1}' }]);
  });

  it('accepts CRLF and CR line ends, including a CRLF cut between CR and LF', () => {
    const crlf = STREAM.replace(/\n/g, '\r\n');
    for (let cut = 0; cut <= crlf.length; cut++) expect(parseChunks([crlf.slice(0, cut), crlf.slice(cut)])).toEqual(EXPECTED);
    expect(parseChunks([STREAM.replace(/\n/g, '\r')])).toEqual(EXPECTED);
  });

  it('joins data lines with LF, strips one leading space only, and defaults the event type to "message"', () => {
    expect(parseChunks(['data:  two spaces\ndata:none\ndata\n\n'])).toEqual([{ event: 'message', data: ' two spaces\nnone\n' }]);
  });

  it('keeps the last event id for later events, ignores comments, unknown fields and events without data', () => {
    const events = parseChunks([': hello\nid: 7\nevent: x\n\nfoo: bar\nevent: y\ndata: 1\n\nretry: 3000\ndata: 2\n\n']);
    expect(events).toEqual([
      { id: '7', event: 'y', data: '1' },
      { id: '7', event: 'message', data: '2', retry: 3000 },
    ]);
  });

  it('skips a leading byte order mark', () => {
    expect(parseChunks(['\uFEFFdata: x\n\n'])).toEqual([{ event: 'message', data: 'x' }]);
  });

  it('drops an event the stream ended in the middle of', async () => {
    const enc = new TextEncoder();
    expect(await collect(readSseStream(bytes([enc.encode('data: done\n\ndata: half')])))).toEqual([{ event: 'message', data: 'done' }]);
  });
});

describe('readSseStream', () => {
  it('decodes UTF-8 characters split across network chunks', async () => {
    const all = new TextEncoder().encode(STREAM);
    for (let cut = 0; cut <= all.length; cut += 1) {
      const events = await collect(readSseStream(bytes([all.slice(0, cut), all.slice(cut)])));
      expect(events).toEqual(EXPECTED);
    }
  });
});
