import { describe, expect, it } from 'vitest';
import { ReviewNotFoundError } from '../../src/storage/errors.js';
import { withRetries } from '../../src/storage/retry.js';

describe('withRetries', () => {
  it('returns the first success, waiting the given delays between failures', async () => {
    const waited: number[] = [];
    const retried: number[] = [];
    let calls = 0;
    const result = await withRetries(
      async () => {
        calls++;
        if (calls < 3) throw new Error('timeout exceeded when trying to connect');
        return 'saved';
      },
      (_error, attempt) => retried.push(attempt),
      [10, 20, 30],
      async (ms) => {
        waited.push(ms);
      },
    );
    expect(result).toBe('saved');
    expect(calls).toBe(3);
    expect(retried).toEqual([1, 2]);
    expect(waited).toEqual([10, 20]);
  });

  it('gives up with the last error once the delays run out', async () => {
    let calls = 0;
    await expect(
      withRetries(
        async () => {
          calls++;
          throw new Error(`failure ${calls}`);
        },
        () => {},
        [1, 1],
        async () => {},
      ),
    ).rejects.toThrow('failure 3');
    expect(calls).toBe(3);
  });

  it('does not retry a review not on record: waiting would not bring it back', async () => {
    let calls = 0;
    const retried: number[] = [];
    await expect(
      withRetries(
        async () => {
          calls++;
          throw new ReviewNotFoundError('T0RETRY001', 'R0GONE');
        },
        (_error, attempt) => retried.push(attempt),
        [1, 1],
        async () => {},
      ),
    ).rejects.toBeInstanceOf(ReviewNotFoundError);
    expect(calls).toBe(1);
    expect(retried).toEqual([]);
  });
});
