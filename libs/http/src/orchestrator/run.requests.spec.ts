import { fieldErrorsOf } from '@flowforge/service-kit';
import { cancelRunInternalRequest, createRunInternalRequest, listRunsQuery, runLogsQuery } from './run.requests';

const fieldsOf = (schema: { safeParse(v: unknown): { success: boolean; error?: unknown } }, value: unknown) => {
  const parsed = schema.safeParse(value);
  return parsed.success ? [] : fieldErrorsOf(parsed.error as never).map((e) => e.field);
};

describe('run request schemas', () => {
  it.each(['..', '1e400', '{"a":[1]}', 'x'.repeat(5000), '\ud800', '9223372036854775808', '-1'])(
    'refuses the page cursor %j naming `before` (never a throw)',
    (before) => {
      expect(fieldsOf(listRunsQuery, { before })).toEqual(['before']);
    },
  );

  it('accepts the largest bigint cursor and fills the default page size', () => {
    expect(listRunsQuery.parse({ before: '9223372036854775807' })).toEqual({ before: '9223372036854775807', limit: 50 });
  });

  it('names each bad field of a run body and refuses unknown ones', () => {
    expect(fieldsOf(createRunInternalRequest, { workflow: '', workflowVersion: 1.5, params: [], idempotencyKey: 'k', x: 1 }).sort()).toEqual([
      'params',
      'workflow',
      'workflowVersion',
      'x',
    ]);
    expect(createRunInternalRequest.parse({ workflow: 'w', requestedBy: 'scheduler' })).toEqual({ workflow: 'w', requestedBy: 'scheduler' });
  });

  it('takes no body for a cancel, but not a body that is no object', () => {
    expect(cancelRunInternalRequest.parse(undefined)).toBeUndefined();
    expect(fieldsOf(cancelRunInternalRequest, 'stop')).toEqual(['(body)']);
  });

  it("bounds the logs query: the cursor is a previous page's, the attempt an integer from 1", () => {
    expect(fieldsOf(runLogsQuery, { after: '10', attempt: '0', limit: '5001' }).sort()).toEqual(['after', 'attempt', 'limit']);
    expect(runLogsQuery.parse({ after: '1767268800000000_10', attempt: '2' })).toEqual({ after: '1767268800000000_10', attempt: 2, limit: 500 });
  });
});
