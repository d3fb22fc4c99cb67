import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../adapters/mud/connection.js';

describe('backoffDelay', () => {
  it('doubles from initialMs up to maxMs', () => {
    const top = (attempt: number) => backoffDelay(attempt, 1000, 30_000, () => 1);
    expect([0, 1, 2, 3, 4, 5, 6].map(top)).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
    expect(top(1000)).toBe(30_000);
  });

  it('jitters within the upper half, never 0', () => {
    expect(backoffDelay(2, 1000, 30_000, () => 0)).toBe(2000);
    for (let i = 0; i < 100; i++) {
      const d = backoffDelay(3, 1000, 30_000);
      expect(d).toBeGreaterThanOrEqual(4000);
      expect(d).toBeLessThanOrEqual(8000);
    }
  });
});
