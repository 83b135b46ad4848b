import { describe, expect, it } from 'vitest';
import { idPattern } from '../../src/listeners/routes.js';

describe('idPattern', () => {
  it('matches exactly the ids, and ids that start with a prefix', () => {
    const pattern = idPattern(['agree', 'rerun_review'], ['home_page_']);
    for (const id of ['agree', 'rerun_review', 'home_page_mine_2'])
      expect(pattern.test(id)).toBe(true);
    for (const id of ['agreed', 'xagree', 'rerun', 'home_page', ''])
      expect(pattern.test(id)).toBe(false);
  });

  it('takes ids literally, regular-expression characters included', () => {
    const pattern = idPattern(['a.b', 'c+d', '(e)']);
    expect(pattern.test('a.b')).toBe(true);
    expect(pattern.test('axb')).toBe(false);
    expect(pattern.test('c+d')).toBe(true);
    expect(pattern.test('ccd')).toBe(false);
    expect(pattern.test('(e)')).toBe(true);
  });
});
