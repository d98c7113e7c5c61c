import { JobError } from './job.error';
import { outcomeOfError, outcomeOfResult } from './step-outcome';

const scrub = (t: string): string => t.replace('s3cret', '[redacted]');

describe('step outcomes', () => {
  const live = new AbortController().signal;

  it('a JobError keeps its code and retryable flag; the message is its detail', () => {
    expect(outcomeOfError(new JobError('FF_CONN_AUTH', 'refused user etl', { retryable: false }), live, scrub)).toEqual({
      kind: 'failed',
      errorCode: 'FF_CONN_AUTH',
      errorMessage: 'refused user etl',
      retryable: false,
    });
    expect(outcomeOfError(new JobError('FF_X', 'flaky'), live, scrub)).toMatchObject({ retryable: true });
  });

  it('any other error is FF_JOB_FAILED, retryable, with secrets scrubbed from the message', () => {
    expect(outcomeOfError(new TypeError('cannot connect with s3cret'), live, scrub)).toEqual({
      kind: 'failed',
      errorCode: 'FF_JOB_FAILED',
      errorMessage: 'cannot connect with [redacted]',
      retryable: true,
    });
  });

  it('when the signal was aborted, its reason is the outcome whatever the job threw', () => {
    const ctl = new AbortController();
    ctl.abort(new JobError('FF_STEP_CANCELLED', 'the attempt was cancelled: by alice', { retryable: false }));
    expect(outcomeOfError(new Error('AbortError'), ctl.signal, scrub)).toEqual({
      kind: 'failed',
      errorCode: 'FF_STEP_CANCELLED',
      errorMessage: 'the attempt was cancelled: by alice',
      retryable: false,
    });
  });

  it('results become JSON outputs and finite metrics; outputs that cannot be JSON fail the attempt', () => {
    expect(outcomeOfResult({ outputs: { rows: 3 }, metrics: { rows: 3, bad: Infinity } })).toEqual({
      kind: 'completed',
      outputs: '{"rows":3}',
      metrics: { rows: 3 },
    });
    expect(outcomeOfResult(undefined)).toEqual({ kind: 'completed', outputs: null, metrics: null });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(outcomeOfResult({ outputs: cyclic })).toMatchObject({ kind: 'failed', errorCode: 'FF_JOB_OUTPUT_INVALID', retryable: false });
  });
});
