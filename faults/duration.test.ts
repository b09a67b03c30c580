import { describe, expect, it } from 'vitest';
import { parseDuration } from './duration.ts';

describe('parseDuration', () => {
  it('reads milliseconds, seconds, minutes and hours, and plain numbers as milliseconds', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('5s')).toBe(5_000);
    expect(parseDuration('1.5s')).toBe(1_500);
    expect(parseDuration('1m')).toBe(60_000);
    expect(parseDuration('2h')).toBe(7_200_000);
    expect(parseDuration(250)).toBe(250);
    expect(parseDuration(0)).toBe(0);
  });

  it('rejects anything else, naming the field and the value', () => {
    expect(() => parseDuration('soon', 'at')).toThrow('at: expected a duration such as "500ms", "5s" or "1m", or a number of milliseconds ≥ 0, got "soon"');
    expect(() => parseDuration('5')).toThrow(/got "5"/);
    expect(() => parseDuration('-1s')).toThrow(/got "-1s"/);
    expect(() => parseDuration(-1)).toThrow(/got -1/);
    expect(() => parseDuration(Number.NaN)).toThrow(/duration: expected/);
    expect(() => parseDuration('5 days')).toThrow(/got "5 days"/);
  });
});
