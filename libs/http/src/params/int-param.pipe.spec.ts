import { IntParamPipe } from './int-param.pipe';

describe('IntParamPipe', () => {
  const pipe = new IntParamPipe('version');
  it.each(['2147483648', '-1', '0', '1.5', '1e3', '', 'abc', '99999999999999999999'])('refuses %j naming the parameter', (value) => {
    expect(() => pipe.transform(value)).toThrow(
      expect.objectContaining({ status: 400, fieldErrors: [{ field: 'version', message: 'must be an integer from 1 to 2147483647' }] }),
    );
  });
  it('accepts the bounds', () => {
    expect([pipe.transform('1'), pipe.transform('2147483647')]).toEqual([1, 2147483647]);
  });
});
