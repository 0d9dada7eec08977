// Formats: steady widths, exponents at the extremes, "–" for unknown.
import { describe, expect, it } from 'vitest';
import { formatMsPerStep, formatRate, formatRemaining, formatValue } from './format';

describe('formats', () => {
  it('formatValue keeps four significant digits', () => {
    expect([0.123456, 1.5, 12, 0, 2.5e-5, 123456, undefined, NaN, Infinity].map(formatValue))
      .toEqual(['0.1235', '1.500', '12.00', '0.000', '2.500e-5', '1.235e5', '–', 'NaN', '∞']);
  });

  it('formatRate and formatMsPerStep', () => {
    expect([formatRate(12.345), formatRate(0)]).toEqual(['12.3', '–']);
    expect([formatMsPerStep(8), formatMsPerStep(40), formatMsPerStep(0)]).toEqual(['125', '25.0', '–']);
  });

  it('formatRemaining', () => {
    expect([4.2, 59.5, 245, 4020, -1, Infinity].map(formatRemaining)).toEqual(['5 s', '1 min 00 s', '4 min 05 s', '1 h 07 min', '–', '–']);
  });
});
