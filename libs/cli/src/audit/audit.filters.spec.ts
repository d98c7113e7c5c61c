import { InvalidArgumentError } from 'commander';
import { timeArg } from './audit.filters';

describe('timeArg (--since, --until)', () => {
  const parse = timeArg(() => Date.parse('2026-01-31T12:00:00.000Z'));

  it.each([
    ['2026-01-31', '2026-01-31T00:00:00.000Z'],
    ['2026-01-31T10:30', '2026-01-31T10:30:00.000Z'],
    ['2026-01-31T10:30:15.5', '2026-01-31T10:30:15.500Z'],
    ['2026-01-31T10:30:00+02:00', '2026-01-31T08:30:00.000Z'],
    ['2026-01-31T10:30:00Z', '2026-01-31T10:30:00.000Z'],
    ['15m', '2026-01-31T11:45:00.000Z'],
    ['24h', '2026-01-30T12:00:00.000Z'],
    ['7d', '2026-01-24T12:00:00.000Z'],
  ])('reads %j as %s (UTC, as the API takes it)', (text, iso) => {
    expect(parse(text)).toBe(iso);
  });

  it.each(['yesterday', '2026-13-01', '2026-01-31 10:00', '10', '3w', ''])('refuses %j as a usage error', (text) => {
    expect(() => parse(text)).toThrow(InvalidArgumentError);
  });
});
