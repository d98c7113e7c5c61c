import { ProgressReporter, type ProgressSnapshot } from './progress.reporter';

describe('ProgressReporter', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  function reporter(heartbeatMs = 1000, minIntervalMs = 100) {
    const sent: Array<{ at: number; heartbeat: boolean; snapshot: ProgressSnapshot }> = [];
    const start = Date.now();
    const r = new ProgressReporter({
      heartbeatMs,
      minIntervalMs,
      send: async (snapshot, heartbeat) => void sent.push({ at: Date.now() - start, heartbeat, snapshot }),
      onSendFailed: () => undefined,
    });
    return { r, sent };
  }

  it('heartbeats every heartbeatMs while nothing is reported', async () => {
    const { r, sent } = reporter(1000);
    r.start();
    await jest.advanceTimersByTimeAsync(3500);
    expect(sent.map((s) => [s.at, s.heartbeat])).toEqual([
      [1000, true],
      [2000, true],
      [3000, true],
    ]);
    await r.stop();
    await jest.advanceTimersByTimeAsync(5000);
    expect(sent).toHaveLength(3);
  });

  it('coalesces bursts of progress into one event per minInterval, carrying the whole snapshot', async () => {
    const { r, sent } = reporter(1000, 100);
    r.start();
    await jest.advanceTimersByTimeAsync(150);
    for (let i = 1; i <= 50; i++) r.update({ percent: i, metrics: { rows: i } });
    r.update({ message: 'halfway' });
    await jest.advanceTimersByTimeAsync(1);
    expect(sent).toEqual([{ at: 150, heartbeat: false, snapshot: { percent: 50, message: 'halfway', metrics: { rows: 50 } } }]);
    r.update({ metrics: { bytes: 7, bad: Number.NaN } });
    r.update({ percent: 250 });
    await jest.advanceTimersByTimeAsync(100);
    expect(sent[1]).toEqual({ at: 250, heartbeat: false, snapshot: { percent: 100, message: 'halfway', metrics: { rows: 50, bytes: 7 } } });
    // The next heartbeat counts from the last event, and repeats the snapshot.
    await jest.advanceTimersByTimeAsync(1000);
    expect(sent[2]).toEqual({ at: 1250, heartbeat: true, snapshot: sent[1]!.snapshot });
    await r.stop();
  });

  it('sends the change the throttle held back when stopped, once, and no heartbeat', async () => {
    const { r, sent } = reporter(1000, 500);
    r.start();
    await jest.advanceTimersByTimeAsync(600);
    r.update({ percent: 10, metrics: { rows: 1 } });
    await jest.advanceTimersByTimeAsync(1);
    expect(sent).toHaveLength(1);
    r.update({ percent: 100, message: 'done', metrics: { rows: 5 } }); // held back: within 500 ms of the last
    await r.stop();
    expect(sent.map((s) => [s.heartbeat, s.snapshot])).toEqual([
      [false, { percent: 10, message: null, metrics: { rows: 1 } }],
      [false, { percent: 100, message: 'done', metrics: { rows: 5 } }],
    ]);
    await r.stop();
    await jest.advanceTimersByTimeAsync(5000);
    expect(sent).toHaveLength(2);
  });
});
