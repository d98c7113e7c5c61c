import type { StepLogLine } from '@flowforge/contracts';
import { StepLogBuffer } from './step-log.buffer';

const line = (n: number): StepLogLine => ({ at: n, level: 'info', message: `line ${n}`, fields: null });

describe('StepLogBuffer', () => {
  afterEach(() => jest.useRealTimers());

  it('sends a batch as soon as it holds maxLines lines, in order', async () => {
    const batches: number[][] = [];
    const buffer = new StepLogBuffer({ send: async (lines) => void batches.push(lines.map((l) => l.at)), onLost: () => undefined, maxLines: 3 });
    for (let i = 0; i < 7; i++) buffer.add(line(i));
    await buffer.flush();
    expect(batches).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
  });

  it('sends a partial batch flushMs after its first line', async () => {
    jest.useFakeTimers();
    const batches: number[][] = [];
    const buffer = new StepLogBuffer({ send: async (lines) => void batches.push(lines.map((l) => l.at)), onLost: () => undefined, flushMs: 250 });
    buffer.add(line(1));
    await jest.advanceTimersByTimeAsync(200);
    buffer.add(line(2));
    expect(batches).toEqual([]);
    await jest.advanceTimersByTimeAsync(60);
    expect(batches).toEqual([[1, 2]]);
  });

  it('reports a batch it could not send and keeps going', async () => {
    const lost: number[] = [];
    const sent: number[][] = [];
    let fail = true;
    const buffer = new StepLogBuffer({
      send: async (lines) => {
        if (fail) throw new Error('bus down');
        sent.push(lines.map((l) => l.at));
      },
      onLost: (n) => lost.push(n),
    });
    buffer.add(line(1));
    buffer.add(line(2));
    await buffer.flush();
    fail = false;
    buffer.add(line(3));
    await buffer.flush();
    expect({ lost, sent }).toEqual({ lost: [2], sent: [[3]] });
  });
});
