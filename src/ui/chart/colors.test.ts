// withAlpha: hex and rgb() colours get the alpha; others come back as they were.
import { describe, expect, it } from 'vitest';
import { withAlpha } from './colors';

describe('withAlpha', () => {
  it('handles the colour forms the runs use', () => {
    expect(withAlpha('#1971c2', 0.3)).toBe('rgba(25, 113, 194, 0.3)');
    expect(withAlpha('#fA0', 0.5)).toBe('rgba(255, 170, 0, 0.5)');
    expect(withAlpha('rgb(1, 2, 3)', 0.25)).toBe('rgba(1, 2, 3, 0.25)');
    expect(withAlpha('rgba(1 2 3 / 1)', 0.25)).toBe('rgba(1, 2, 3, 0.25)');
    expect(withAlpha('tomato', 0.25)).toBe('tomato');
  });
});
