import fc from 'fast-check';
import { BoundedTtlCache } from './bounded-cache';

describe('BoundedTtlCache', () => {
  it('never holds more than its bound, whatever keys arrive', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.array(fc.string(), { maxLength: 200 }), (max, keys) => {
        const cache = new BoundedTtlCache<number>(max, 1000);
        keys.forEach((k, i) => cache.set(k, i));
        expect(cache.size).toBeLessThanOrEqual(max);
        // The newest key is always there.
        if (keys.length > 0) expect(cache.get(keys[keys.length - 1])).toBe(keys.length - 1);
      }),
    );
  });

  it('evicts the least recently used entry', () => {
    const cache = new BoundedTtlCache<string>(2, 1000);
    cache.set('a', 'A');
    cache.set('b', 'B');
    expect(cache.get('a')).toBe('A'); // a is now younger than b
    cache.set('c', 'C');
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe('A');
    expect(cache.get('c')).toBe('C');
  });

  it('forgets an entry when its time to live is over', () => {
    let now = 0;
    const cache = new BoundedTtlCache<string>(10, 1000, () => now);
    cache.set('k', 'v');
    now = 999;
    expect(cache.get('k')).toBe('v');
    now = 1000;
    expect(cache.get('k')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('caches nothing with a zero time to live', () => {
    const cache = new BoundedTtlCache<string>(10, 0);
    cache.set('k', 'v');
    expect(cache.get('k')).toBeUndefined();
  });
});
