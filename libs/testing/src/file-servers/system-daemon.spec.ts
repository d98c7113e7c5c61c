import { findBinary, requireServerBinaries } from './system-daemon';

describe('requireServerBinaries', () => {
  const write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  afterAll(() => write.mockRestore());

  it('skips with a reason naming the missing binary, or fails under FLOWFORGE_REQUIRE_STACK=1', () => {
    expect(requireServerBinaries('ftp tier', ['no-such-daemon-ff'], {})).toBe(false);
    expect(String(write.mock.calls.at(-1)?.[0])).toMatch(/SKIPPING ftp tier: .*no-such-daemon-ff not installed/);
    expect(() => requireServerBinaries('ftp tier', ['no-such-daemon-ff'], { FLOWFORGE_REQUIRE_STACK: '1' })).toThrow(
      /FF_TEST_STACK_MISSING: ftp tier needs no-such-daemon-ff not installed/,
    );
  });

  it('finds installed binaries in the system folders (sh is everywhere), and says when the process is not root', () => {
    expect(findBinary('sh')).toMatch(/\/sh$/);
    expect(findBinary('no-such-daemon-ff')).toBeNull();
    const root = process.getuid?.() === 0;
    expect(requireServerBinaries('sh tier', ['sh'], {})).toBe(root);
    if (!root) expect(String(write.mock.calls.at(-1)?.[0])).toMatch(/not root/);
  });
});
