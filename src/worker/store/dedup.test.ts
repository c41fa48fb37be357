// Byte equality of the export's page dedup: the fast double-wise compare must agree with a byte
// compare, including the bit patterns doubles compare wrongly (NaNs, 0 and -0).
import { describe, expect, it } from 'vitest';
import { equal } from './dedup';

const bytewise = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

describe('dedup equal', () => {
  it('agrees with a byte compare on NaN, signed zero and random pages', () => {
    const f = (xs: number[]) => new Uint8Array(new Float64Array(xs).buffer);
    const nanA = new Uint8Array(16).fill(0xff); // a NaN pattern twice
    const nanB = nanA.slice();
    nanB[3] = 0xfe; // another NaN
    const cases: [Uint8Array, Uint8Array][] = [
      [f([0, 1]), f([-0, 1])],
      [f([0, 1]), f([0, 1])],
      [f([NaN, 2]), f([NaN, 2])],
      [nanA, nanA.slice()],
      [nanA, nanB],
      [f([1, 2, 3]), f([1, 2, 4])],
    ];
    for (let r = 0; r < 50; r++) {
      const a = new Uint8Array(1000 + r);
      crypto.getRandomValues(a);
      const b = a.slice();
      if (r % 2) b[(r * 37) % b.length]! ^= 1 << (r % 8);
      cases.push([a, b]);
      cases.push([a.subarray(3), b.subarray(3)]); // unaligned views take the byte path
    }
    for (const [a, b] of cases) expect(equal(a, b)).toBe(bytewise(a, b));
  });
});
