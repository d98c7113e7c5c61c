import { safePath } from './upstream.forwarder';

describe('safePath', () => {
  it('encodes every segment once, whether the caller encoded it or not', () => {
    expect(safePath('/workflows/daily-sales/versions/2')).toBe('/workflows/daily-sales/versions/2');
    expect(safePath(`/workflows/${encodeURIComponent('a b/c?d#e')}`)).toBe('/workflows/a%20b%2Fc%3Fd%23e');
    expect(safePath('/jobs/a\\b')).toBe('/jobs/a%5Cb');
    expect(safePath('/jobs/100%')).toBe('/jobs/100%25');
  });

  it.each(['/workflows/..', '/workflows/.', '/workflows/%2e%2e', '/workflows/%2E/versions', '/roles/..'])('refuses the dot segment in %s', (path) => {
    expect(() => safePath(path)).toThrow(expect.objectContaining({ status: 400, code: 'FF_PATH_INVALID' }));
  });
});
